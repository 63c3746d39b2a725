"""A recommendation's public page answers a current copy with 304 before it renders anything,
from what the page shows (recommendations.PAGE_FACTS, read early by council.public); whatever
changes the page changes its ETag, and nothing else does."""

from __future__ import annotations

import pytest
from sqlmodel import select, update
from starlette.testclient import TestClient

from council import seats
from council.app import create_app
from council.database import utcnow
from council.models import Council, Seat, WorkingGroup
from council.web import FragmentKeyIncomplete
from tests.conftest import make_settings, sign_in
from tests.workspaces.publishing import adopt, public_world
from tests.workspaces.test_drafts import start
from workspaces import comments, followup, recommendations
from workspaces.followup import ReportForm
from workspaces.recommendation_models import Recommendation


@pytest.fixture
def settings(database_url, tmp_path):
    """As in production: a kept copy is served as it is (council.public answers early), not
    rendered again to be compared (the check is tried below, and runs in the other tests)."""
    return make_settings(database_url, tmp_path, check_fragments=False)


@pytest.fixture
def world(db):
    return public_world(db)


@pytest.fixture
def published(db, world):
    item = adopt(db, world)
    db.commit()
    return item


def etag_of(client, url: str) -> str:
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    return response.headers["etag"]


def test_a_current_copy_is_answered_in_one_statement_without_rendering(client, published, queries):
    url = f"/recommendations/{published.number}"
    first = client.get(url)
    queries.reset()
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == "public, max-age=60"
    assert again.headers["last-modified"] == first.headers["last-modified"]
    # answered before the request's machinery (council.public): one statement, the page's
    # facts with the council's row; no session, no rendering, no record
    assert len(queries) == 1 and "JOIN council" in queries.statements[0], queries.statements
    by_date = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert by_date.status_code == 304
    head = client.head(url, headers={"If-None-Match": first.headers["etag"]})
    assert head.status_code == 304 and head.headers["etag"] == first.headers["etag"]


def test_an_early_answer_is_only_ever_the_handlers_own(client, db, published, queries):
    """The early path serves a copy only under the ETag the handler made it with; the council's
    row (whose flag lets anonymous readers in) is in it, so a council that stops publishing
    is refused at once, copy or not."""
    url = f"/recommendations/{published.number}"
    first = client.get(url)
    council = db.exec(select(Council)).one()
    council.public_recommendations = False
    db.add(council)
    db.commit()
    for headers in ({}, {"If-None-Match": first.headers["etag"]}):
        refused = client.get(url, headers=headers, follow_redirects=False)
        assert refused.status_code not in (200, 304)
        assert published.title not in refused.text


def test_a_language_cookie_is_followed_early_as_by_the_handler(client, published, queries):
    url = f"/recommendations/{published.number}"
    client.cookies.set("council_language", "fr")
    french = client.get(url)
    assert '<html lang="fr"' in french.text
    queries.reset()
    again = client.get(url)
    assert len(queries) == 1, queries.statements  # this process's copy, the French one
    assert again.content == french.content
    assert client.get(url, headers={"If-None-Match": french.headers["etag"]}).status_code == 304
    client.cookies.clear()
    english = client.get(url)
    assert '<html lang="en"' in english.text and english.headers["etag"] != french.headers["etag"]


def test_a_reader_without_a_copy_gets_this_process_copy_until_the_page_changes(
    client, db, world, published, queries
):
    url = f"/recommendations/{published.number}"
    first = client.get(url)
    queries.reset()
    copy = client.get(url)
    assert copy.status_code == 200 and copy.content == first.content
    assert copy.headers["etag"] == first.headers["etag"]
    assert copy.headers["last-modified"] == first.headers["last-modified"]
    # the page's facts, as for a 304: nothing is rendered again
    assert len(queries) == 1, queries.statements
    change_group(db, world, published)
    db.commit()
    changed = client.get(url)
    assert changed.headers["etag"] != first.headers["etag"]
    assert "Pathways, renamed" in changed.text and "Pathways, renamed" not in first.text
    spanish = client.get(url, headers={"Accept-Language": "es"})
    assert '<html lang="es"' in spanish.text and '<html lang="en"' in changed.text
    # a signed-in reader gets their own page, never the anonymous copy
    sign_in(client, world.member)
    signed_in = client.get(url)
    assert signed_in.headers["cache-control"] == "private, no-store"
    assert '/sign-out"' in signed_in.text and '/sign-out"' not in first.text


def test_the_etag_names_the_address_and_the_language(client, published):
    url = f"/recommendations/{published.number}"
    tags = {
        etag_of(client, url),
        etag_of(client, f"{url}?utm=1"),
        client.get(url, headers={"Accept-Language": "es"}).headers["etag"],
    }
    assert len(tags) == 3
    spanish = client.get(
        url, headers={"Accept-Language": "es", "If-None-Match": etag_of(client, url)}
    )
    assert spanish.status_code == 200 and 'lang="es"' in spanish.text


def test_a_copy_made_for_a_forged_host_is_never_served_to_others(client, published):
    """The page links absolutely (to the host asked for): a copy made for a forged Host
    header is kept under its own ETag, so no other reader is ever sent to that host."""
    url = f"/recommendations/{published.number}"
    forged = client.get(url, headers={"Host": "attacker.example"})
    assert "attacker.example" in forged.text
    for headers in ({}, {"If-None-Match": forged.headers["etag"]}):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200 and "attacker.example" not in answer.text
        assert "http://testserver/" in answer.text
        assert answer.headers["etag"] != forged.headers["etag"]


def test_an_unknown_number_is_404_even_with_a_validator(client, published):
    response = client.get("/recommendations/WG9-1999-01", headers={"If-None-Match": "*"})
    assert response.status_code == 404


def change_group(db, world, published):
    group = db.get(WorkingGroup, world.group.id)
    group.name = "Pathways, renamed"
    db.add(group)


def change_council(db, world, published):
    council = db.exec(select(Council)).one()
    council.name = "Another name"
    db.add(council)


def address_a_seat(db, world, published):
    followup.address(
        db,
        recommendation=db.get(Recommendation, published.id),
        seat_ids=[world.mexico.id],
        by=world.chair,
        now=utcnow(),
    )


def rename_a_seat(db, world, published):
    seat = world.mexico
    seats.save_seat(
        db, by=world.secretariat, seat=seat, name="United Mexican States", kind=seat.kind
    )


def supersede(db, world, published):
    later = adopt(db, world, title="Later pathways")
    recommendations.supersede(
        db,
        db.get(Recommendation, published.id),
        by_number=later.number,
        reason="Replaced.",
        by=world.secretariat,
    )


@pytest.mark.parametrize(
    "change", [change_group, change_council, address_a_seat, rename_a_seat, supersede]
)
def test_what_changes_the_page_changes_its_etag(client, db, world, published, change):
    url = f"/recommendations/{published.number}"
    before = etag_of(client, url)
    change(db, world, published)
    db.commit()
    after = etag_of(client, url)
    assert after != before
    assert client.get(url, headers={"If-None-Match": before}).status_code == 200


def test_a_report_changes_the_etag_and_deliberations_elsewhere_do_not(client, db, world, published):
    url = f"/recommendations/{published.number}"
    item = db.get(Recommendation, published.id)
    followup.address(
        db, recommendation=item, seat_ids=[world.mexico.id], by=world.chair, now=utcnow()
    )
    db.commit()
    before = etag_of(client, url)
    draft = start(db, world, title="Another text")
    comments.post_comment(
        db, by=world.member, draft=draft, body="Elsewhere.", paragraph_id=None, revision_number=1
    )
    db.commit()
    assert etag_of(client, url) == before
    followup.report(
        db,
        recommendation=item,
        seat=world.mexico,
        by=world.member,
        form=ReportForm(status="planned", narrative="Planned for next year."),
        now=utcnow(),
    )
    db.commit()
    assert etag_of(client, url) != before


def test_a_compressed_copy_is_served_early_as_the_reader_accepts(client, published, queries):
    url = f"/recommendations/{published.number}"
    first = client.get(url, headers={"Accept-Encoding": "identity"})
    for encoding in ("br", "gzip"):
        queries.reset()
        copy = client.get(url, headers={"Accept-Encoding": encoding})
        assert len(queries) == 1, queries.statements  # answered early, from the kept form
        assert copy.headers["content-encoding"] == encoding
        assert copy.content == first.content  # the client decodes it
        assert "Accept-Encoding" in copy.headers["vary"]
        assert copy.headers["etag"] == first.headers["etag"]


def test_the_tests_check_that_the_etag_names_all_the_page_shows(
    database, database_url, tmp_path, db, world, published
):
    """With check_fragments (every other test), a kept page is made again for each reader
    and must be the same: a seat renamed without the audit record that PAGE_FACTS reads (as a
    fact missing from the ETag would) is caught."""
    app = create_app(make_settings(database_url, tmp_path), database=database)
    url = f"/recommendations/{published.number}"
    address_a_seat(db, world, published)
    db.commit()
    with TestClient(app, base_url="http://testserver") as client:
        first = client.get(url)
        assert client.get(url).content == first.content  # made again, compared, the same
        db.exec(update(Seat).where(Seat.id == world.mexico.id).values(name="Renamed quietly"))
        db.commit()
        with pytest.raises(FragmentKeyIncomplete):
            client.get(url)


def test_the_library_is_answered_early_until_the_next_act(client, db, world, published, queries):
    first = client.get("/recommendations")
    queries.reset()
    again = client.get("/recommendations", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    # the audit log's head with the council's row (public.ACTS): nothing rendered
    assert len(queries) == 1 and "audit_record" in queries.statements[0], queries.statements
    searched = client.get("/recommendations?q=nothing-like-it")
    assert searched.headers["etag"] != first.headers["etag"]
    assert published.title not in searched.text
    later = adopt(db, world, title="Later pathways")
    db.commit()
    changed = client.get("/recommendations", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and later.number in changed.text


def test_the_api_list_is_answered_early_with_its_cors_headers(client, published, queries):
    url = "/api/v1/recommendations?lang=es"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["access-control-allow-origin"] == "*"
    for headers, status in (({}, 200), ({"If-None-Match": first.headers["etag"]}, 304)):
        queries.reset()
        answer = client.get(url, headers=headers)
        assert answer.status_code == status and len(queries) == 1, queries.statements
        assert answer.headers["access-control-allow-origin"] == "*"
        assert answer.headers.get_list("access-control-allow-origin") == ["*"]
    assert client.get(url).json() == first.json()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/recommendations?lang=xx", 400),
        ("/recommendations.atom?lang=xx", 404),
        ("/groups/pathways/recommendations.atom?lang=xx", 404),
    ],
)
def test_a_request_the_page_refuses_is_refused_even_to_any_current_copy(
    client, published, url, status
):
    """`If-None-Match: *` means "if you have the page": a request its handler refuses has
    none, kept or not (schemathesis found a 304 here)."""
    for _ in range(2):
        answer = client.get(url, headers={"If-None-Match": "*"})
        assert answer.status_code == status
