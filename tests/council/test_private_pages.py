"""What depends on who is signed in is kept by no cache: every answer to a signed-in request is
`private, no-store` and varies on the cookie, walked over the whole route table; pages for
anonymous readers keep their public caching."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.council.test_route_permissions import EXAMPLES, _as, _routes, build_world

# the health check reads no session (it answers everyone alike); the event stream never ends
# by itself (tests/council/test_security_headers.py and the live tests read it)
SKIPPED = {"healthz", "events"}


@pytest.fixture
def settings(database_url, tmp_path):
    """The walk takes longer than the bookkeeping's period: its writes, on the test's one
    connection, must not come in the middle of a request."""
    return make_settings(database_url, tmp_path, bookkeeping_seconds=3600)


def test_every_answer_to_a_signed_in_person_is_private_and_varies_on_the_cookie(
    app, client, db, connection
):
    world = build_world(db)
    db.commit()
    failures = []
    names = sorted({route.name for route, method in _routes() if method == "GET"} - SKIPPED)
    for role in ("secretariat", "member"):
        savepoint = connection.begin_nested()
        try:
            _as(client, app, db, world.people[role])
            db.commit()
            for name in names:
                params, _target = EXAMPLES[name](world)
                url = app.url_path_for(name, **params)
                response = client.get(url, follow_redirects=False)
                rule = response.headers.get("cache-control", "")
                vary = [v.strip().lower() for v in response.headers.get("vary", "").split(",")]
                if "no-store" not in rule or "private" not in rule or "cookie" not in vary:
                    failures.append(
                        f"{role} GET {url} ({response.status_code}): "
                        f"Cache-Control {rule!r}, Vary {vary}"
                    )
        finally:
            db.rollback()
            savepoint.rollback()
            db.expire_all()
            client.cookies.clear()
    assert names and not failures, "\n".join(failures)


def test_a_signed_in_refusal_and_a_redirect_are_private_too(app, client, db):
    world = build_world(db)
    _as(client, app, db, world.people["observer"])
    db.commit()
    refused = client.get(f"/groups/{world.other_group.slug}/drafts")
    assert refused.status_code == 403
    assert refused.headers["cache-control"] == "private, no-store"
    assert "Cookie" in refused.headers["vary"]
    moved = client.get("/sign-in", follow_redirects=False)
    assert moved.headers["cache-control"] == "private, no-store"


def test_anonymous_public_pages_keep_their_public_caching(app, client, db):
    world = build_world(db)
    council = world.extra["council"]
    council.public_recommendations = True
    db.add(council)
    db.commit()
    number = world.extra["recommendation"].number
    for url in (
        f"/recommendations/{number}",
        "/recommendations",
        "/recommendations.atom",
        "/api/v1/recommendations",
        f"/api/v1/recommendations/{number}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=60", url
        assert response.headers["etag"], url
        assert "Cookie" in response.headers["vary"], url
    home = client.get("/")
    assert "no-store" not in home.headers.get("cache-control", "")
