"""The published side over HTTP: who reads, the library, a recommendation, caching, supersession."""

from __future__ import annotations

import pytest
from sqlmodel import select

from council.database import utcnow
from council.middleware import ANON_CSRF_COOKIE
from council.models import AuditRecord
from tests.conftest import post_form, sign_in
from tests.workspaces.publishing import adopt, make_public
from tests.workspaces.test_drafts import build_group
from workspaces import recommendations


@pytest.fixture
def world(db):
    return build_group(db)


@pytest.fixture
def published(db, world):
    item = adopt(
        db,
        world,
        reservation="A reservation on the second paragraph.",
        statement="The chair thanks every delegation.",
        observer_statement="We welcome the text.",
    )
    db.commit()
    return item


def test_anonymous_readers_read_when_the_council_publishes(client, db, world, published):
    make_public(db)
    page = client.get(f"/recommendations/{published.number}")
    assert page.status_code == 200
    assert published.number in page.text and "Labour pathways" in page.text
    assert "A reservation on the second paragraph." in page.text
    assert 'id="fn-1"' in page.text and 'href="#fn-1"' in page.text
    assert "The chair thanks every delegation." in page.text
    assert "We welcome the text." in page.text
    assert page.headers["cache-control"] == "public, max-age=60"
    # weak (W/) when compressed: another representation of the same page
    assert page.headers["etag"].removeprefix("W/").startswith('"')
    assert page.headers["last-modified"]
    assert ANON_CSRF_COOKIE not in page.headers.get("set-cookie", "")
    assert 'name="csrf_token"' not in page.text
    # seats, never people; no way into the deliberations
    for person in (world.member, world.colleague, world.chair, world.observer):
        assert person.name not in page.text
    assert f"/drafts/{published.draft_id}" not in page.text
    library = client.get("/recommendations")
    assert library.status_code == 200 and published.number in library.text
    assert library.headers["cache-control"] == "public, max-age=60"


def test_anonymous_readers_are_sent_to_sign_in_when_it_does_not(client, db, published):
    make_public(db, False)
    for url in ("/recommendations", f"/recommendations/{published.number}"):
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303
        assert "/sign-in" in answer.headers["location"]


@pytest.mark.parametrize("public", [True, False], ids=["public", "not-public"])
@pytest.mark.parametrize("role", ["observer", "outsider", "member", "secretariat"])
def test_every_signed_in_person_reads(client, db, world, published, role, public):
    make_public(db, public)
    sign_in(client, getattr(world, role))
    page = client.get(f"/recommendations/{published.number}")
    assert page.status_code == 200 and published.number in page.text
    assert page.headers["cache-control"] == "private, no-store"
    history = f"/drafts/{published.draft_id}/history"
    assert (history in page.text) == (role in ("member", "secretariat"))
    assert ("/supersede" in page.text) == (role == "secretariat")


def test_conditional_requests_get_304(client, db, published):
    make_public(db)
    url = f"/recommendations/{published.number}"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    since = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    spanish = client.get(
        url, headers={"Accept-Language": "es", "If-None-Match": first.headers["etag"]}
    )
    assert spanish.status_code == 200 and 'lang="es"' in spanish.text
    library = client.get("/recommendations")
    assert (
        client.get(
            "/recommendations", headers={"If-None-Match": library.headers["etag"]}
        ).status_code
        == 304
    )


def test_the_page_is_rendered_once_not_per_reader(app, client, db, published, queries):
    make_public(db)
    url = f"/recommendations/{published.number}"
    client.get(url)
    app.state.page_cache.clear()  # as another process, which has no copy of the page
    queries.reset()
    client.get(url)
    rendered = [q for q in queries.statements if "recommendation_rendering" in q]
    assert len(rendered) == 1 and rendered[0].lstrip().upper().startswith("SELECT")
    assert not [
        q for q in queries.statements if q.lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    # the page's facts read early (council.public: no copy here), then the council, the page's
    # facts (for its ETag), the recommendation, its rendering, its group, its follow-up (two)
    assert len(queries) <= 8, queries.statements


def test_unknown_and_malformed_numbers_are_404(client, db, published):
    make_public(db)
    assert client.get("/recommendations/WG1-1999-01").status_code == 404
    assert client.get("/recommendations/not-a-number").status_code == 404
    assert client.get("/recommendations/WG1-1999-01.pdf").status_code == 404


def test_the_library_searches_filters_and_keeps_the_query(client, db, world, published):
    make_public(db)
    found = client.get("/recommendations", params={"q": "labour"})
    assert published.number in found.text and 'value="labour"' in found.text
    none = client.get("/recommendations", params={"q": "zzzz"})
    assert published.number not in none.text and "No recommendation matches" in none.text
    grouped = client.get(
        "/recommendations", params={"group": world.group.slug, "year": published.year, "page": "x"}
    )
    assert grouped.status_code == 200 and published.number in grouped.text
    other = client.get("/recommendations", params={"group": "narratives"})
    assert published.number not in other.text


def test_the_secretariat_marks_a_recommendation_superseded(client, db, world):
    from datetime import timedelta

    from council.database import utcnow

    earlier = adopt(db, world, title="Earlier text", when=utcnow() - timedelta(days=9))
    later = adopt(db, world, title="Later text", when=utcnow() - timedelta(days=3))
    db.commit()
    sign_in(client, world.member)
    url = f"/recommendations/{earlier.number}/supersede"
    assert client.get(url).status_code == 403
    client.cookies.clear()
    sign_in(client, world.secretariat)
    refused = post_form(client, url, {"superseded_by": "WG1-1900-01", "reason": "Kept note"})
    assert refused.status_code == 422
    assert "There is no recommendation WG1-1900-01." in refused.text
    assert "Kept note" in refused.text
    done = post_form(
        client, url, {"superseded_by": later.number, "reason": "Replaced."}, follow_redirects=False
    )
    assert done.status_code == 303
    page = client.get(f"/recommendations/{earlier.number}")
    assert f"/recommendations/{later.number}" in page.text and "Replaced." in page.text
    assert (
        f"/recommendations/{earlier.number}" in client.get(f"/recommendations/{later.number}").text
    )
    assert "already superseded" in client.get(url).text
    assert db.exec(
        select(AuditRecord).where(AuditRecord.action == "recommendation.superseded")
    ).one()


@pytest.mark.parametrize(
    "url", ["/recommendations", "/recommendations.atom", "/api/v1/recommendations"]
)
def test_lists_run_a_fixed_number_of_queries(client, db, world, queries, url):
    from datetime import timedelta

    from council.database import utcnow

    make_public(db)
    counts = []
    for total in (2, 12):
        while len(db.exec(select(recommendations.Recommendation)).all()) < total:
            adopt(db, world, title="Pathways", when=utcnow() - timedelta(days=5))
        db.commit()
        queries.reset()
        assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], queries.statements


def test_front_page_and_group_page_list_the_latest(client, db, world, published):
    make_public(db, False)
    assert published.number not in client.get("/").text
    make_public(db)
    front = client.get("/")
    assert f'href="http://testserver/recommendations/{published.number}"' in front.text
    sign_in(client, world.observer)
    group_page = client.get(f"/groups/{world.group.slug}")
    assert published.number in group_page.text
    assert f"/groups/{world.group.slug}/recommendations.atom" in group_page.text


def test_html_left_by_an_older_release_is_served_fresh_and_stored_by_the_job(app, db, published):
    from starlette.testclient import TestClient

    from workspaces import rendering
    from workspaces.recommendation_models import RecommendationRendering

    make_public(db)
    row = db.get(RecommendationRendering, (published.id, "en"))
    row.version, row.html = "older-release", "<p>Old layout</p>"
    db.add(row)
    db.commit()
    reader = TestClient(app, base_url="http://testserver")  # no lifespan: no background writes

    page = reader.get(f"/recommendations/{published.number}")

    assert "Old layout" not in page.text and "Adoption record" in page.text
    db.expire_all()
    kept = db.get(RecommendationRendering, (published.id, "en"))
    assert (kept.version, kept.html) == ("older-release", "<p>Old layout</p>")  # not written
    assert rendering.rerender_stale(db, utcnow()) == 1
    db.expire_all()
    kept = db.get(RecommendationRendering, (published.id, "en"))
    assert kept.version == rendering.version(published) and "Old layout" not in kept.html
    assert kept.html in reader.get(f"/recommendations/{published.number}").text
    assert rendering.rerender_stale(db, utcnow()) == 0  # once


def test_the_job_renders_again_what_a_release_left_stale_in_every_language(
    db, published, monkeypatch
):
    from workspaces import rendering
    from workspaces.recommendation_models import RecommendationRendering

    before = {r.language: r.html for r in db.exec(select(RecommendationRendering)).all()}
    assert rendering.rerender_stale(db, utcnow()) == 0
    monkeypatch.setattr(rendering, "inputs_version", lambda: "next-release")
    monkeypatch.setattr(rendering, "RERENDER_BATCH", 2)

    assert rendering.rerender_stale(db, utcnow()) == 2  # a batch at a time
    assert rendering.rerender_stale(db, utcnow()) == len(before) - 2
    assert rendering.rerender_stale(db, utcnow()) == 0
    db.expire_all()
    after = db.exec(select(RecommendationRendering)).all()
    assert {r.version for r in after} == {rendering.version(published)}
    assert {r.language: r.html for r in after} == before  # same inputs, same HTML
