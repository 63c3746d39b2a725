"""Chair's statements (issue 18): given or completed after any close, once, within a period;
published when a decision round did not adopt its text, on a public page, in the feeds and the
API, naming seats and never people, and never the draft's text."""

from __future__ import annotations

import json
from datetime import timedelta

import feedparser
import pytest
from openapi_core import OpenAPI
from sqlmodel import select

from council.database import utcnow
from council.errors import Conflict
from council.models import AuditRecord, Council, Person, Seat
from tests.conftest import post_form, sign_in
from tests.workspaces.publishing import adopt, make_public, public_world
from tests.workspaces.test_drafts import start
from tests.workspaces.test_recommendation_api import checked
from workspaces import api, comments, recommendations, rounds, statements
from workspaces.round_models import Round, RoundKind
from workspaces.rounds import PositionForm, RoundClosed
from workspaces.statement_models import PublishedStatement

# words planted in everything that must stay inside the working group
SECRETS = {
    "text": "zqxfailedparagraph",
    "second": "zqxsecondparagraph",
    "objection": "zqxobjectionreason",
    "reservation": "zqxreservationtext",
    "note": "zqxroundnote",
    "comment": "zqxcommentbody",
    "observer": "zqxobserverwords",
    "purpose": "zqxdraftpurpose",
}
STATEMENT = "Consensus could not be reached; the chair will consult the capitals."


@pytest.fixture
def world(db):
    return public_world(db, number=4)


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return OpenAPI.from_dict(api.DOCUMENT)


def _seat(db, person) -> Seat:
    return db.get(Seat, person.seat_id)


def failed_round(
    db,
    world,
    *,
    statement: str = "",
    when=None,
    by_chair: bool = True,
    title: str = "Labour pathways",
) -> Round:
    """A decision round that did not adopt its text: Mexico objects, Canada supports with a
    reservation, the observer makes a statement; the chair closes it (or, with `by_chair`
    off, its deadline does, stored by settle_expired)."""
    when = when or utcnow() - timedelta(days=2)
    draft = start(
        db,
        world,
        title=title,
        purpose=f"Why {SECRETS['purpose']}",
        text=f"First {SECRETS['text']}.\n\nSecond {SECRETS['second']}.",
        now=when,
    )
    comments.post_comment(
        db,
        by=world.member,
        draft=draft,
        body=f"Hm {SECRETS['comment']}",
        paragraph_id=None,
        revision_number=1,
        now=when,
    )
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=when + timedelta(days=1),
        now=when,
        note=f"Note {SECRETS['note']}",
    )
    rounds.cast_position(
        db,
        round_,
        by=world.member,
        seat=_seat(db, world.member),
        form=PositionForm("object", reason=f"No {SECRETS['objection']}"),
        now=when + timedelta(minutes=1),
    )
    rounds.cast_position(
        db,
        round_,
        by=world.colleague,
        seat=_seat(db, world.colleague),
        form=PositionForm("support_with_reservation", reservation=f"Only {SECRETS['reservation']}"),
        now=when + timedelta(minutes=2),
    )
    rounds.submit_statement(
        db,
        round_,
        by=world.observer,
        seat=world.observer_seat,
        text=f"We note {SECRETS['observer']}",
        now=when + timedelta(minutes=3),
    )
    if by_chair:
        rounds.close_round(
            db, round_, by=world.chair, statement=statement, now=when + timedelta(hours=1)
        )
    else:
        rounds.settle_expired(db, when + timedelta(days=2), draft=draft)
    db.commit()
    return db.get(Round, round_.id)


def actions(db, prefix: str) -> list[str]:
    return list(
        db.exec(
            select(AuditRecord.action)
            .where(AuditRecord.action.like(f"{prefix}%"))
            .order_by(AuditRecord.id)
        ).all()
    )


# the statement after the close


def test_after_a_manual_close_the_chair_adds_the_statement_once(client, db, world):
    round_ = failed_round(db, world)
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"

    page = client.get(url).text
    assert "The chair may still give a statement once, until" in page
    assert "Add the chair's statement" in page
    empty = post_form(client, f"{url}/chair-statement", {"statement": "  "})
    assert empty.status_code == 422 and "Write the chair&#39;s statement." in empty.text
    too_long = post_form(client, f"{url}/chair-statement", {"statement": "x" * 10_001})
    assert too_long.status_code == 422 and "x" * 10_001 in too_long.text  # filled in
    added = post_form(
        client, f"{url}/chair-statement", {"statement": STATEMENT}, follow_redirects=False
    )

    assert added.status_code == 303
    page = client.get(url).text
    assert STATEMENT in page and "The chair's statement is sealed" in page
    assert "Add the chair's statement" not in page
    assert client.get(f"{url}/chair-statement").status_code == 409
    again = post_form(client, f"{url}/chair-statement", {"statement": "Second thoughts."}, page=url)
    assert again.status_code == 409 and "already given after its close" in again.text
    stored = db.get(Round, round_.id)
    db.refresh(stored)
    assert stored.chair_statement == STATEMENT and stored.chair_statement_final_at is not None
    assert actions(db, "round.") == ["round.opened", "round.closed", "round.chair_statement"]


def test_the_chair_completes_the_statement_given_at_closing(client, db, world):
    round_ = failed_round(db, world, statement="At closing.")
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"

    assert "Complete the chair's statement" in client.get(url).text
    form = client.get(f"{url}/chair-statement")
    assert form.status_code == 200 and ">At closing.</textarea>" in form.text
    completed = post_form(
        client,
        f"{url}/chair-statement",
        {"statement": "At closing. And after reflection."},
        follow_redirects=False,
    )

    assert completed.status_code == 303
    stored = db.get(Round, round_.id)
    db.refresh(stored)
    assert stored.chair_statement == "At closing. And after reflection."
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "round.chair_statement")).one()
    assert json.loads(record.details)["previous"] == "At closing."
    assert json.loads(record.details)["completed"] is True


def test_after_a_deadline_close_the_statement_is_added_once_and_refreshes_a_recommendation(
    db, world
):
    when = utcnow() - timedelta(days=3)
    draft = start(db, world, now=when)
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=when + timedelta(days=1),
        now=when,
    )
    for person in (world.member, world.colleague):
        rounds.cast_position(
            db, round_, by=person, seat=_seat(db, person), form=PositionForm("support"), now=when
        )

    added = rounds.add_chair_statement(db, round_, by=world.chair, statement="A consensus.")

    assert added.closed_by_id is None and added.outcome == "adopted"
    published = recommendations.of_draft(db, draft)
    assert recommendations.record(published)["adoption"]["chair_statement"]["text"] == (
        "A consensus."
    )
    with pytest.raises(RoundClosed):
        rounds.add_chair_statement(db, round_, by=world.chair, statement="Again.")


def test_after_the_period_the_statement_is_sealed(client, db, world):
    round_ = failed_round(db, world, when=utcnow() - timedelta(days=20))
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"

    assert "The chair's statement is sealed" in client.get(url).text
    assert client.get(f"{url}/chair-statement").status_code == 409
    late = post_form(client, f"{url}/chair-statement", {"statement": "Late."}, page=url)
    assert late.status_code == 409 and "within 14 days of the close" in late.text
    assert rounds.may_add_chair_statement(round_, round_.closed_at + timedelta(days=13))
    assert not rounds.may_add_chair_statement(round_, round_.closed_at + timedelta(days=14))
    assert rounds.may_add_chair_statement(round_, round_.closed_at + timedelta(days=20), days=30)


@pytest.mark.parametrize("who", ["member", "observer", "outsider"])
def test_only_the_chair_gives_and_publishes_the_statement(client, db, world, who):
    round_ = failed_round(db, world, statement=STATEMENT)
    sign_in(client, getattr(world, who))
    url = f"/rounds/{round_.id}"

    for action in ("chair-statement", "chair-statement/publish"):
        assert client.get(f"{url}/{action}").status_code == 403
        refused = post_form(client, f"{url}/{action}", {"statement": "Mine."}, page="/")
        assert refused.status_code == 403
    if who == "member":
        page = client.get(url).text
        assert "Publish the chair's statement" not in page
        assert "Complete the chair's statement" not in page
    assert db.exec(select(PublishedStatement)).all() == []
    assert actions(db, "round.chair_statement") == []


# publishing


def test_the_chair_publishes_the_statement_of_a_round_that_did_not_adopt(client, db, world):
    round_ = failed_round(db, world, statement=STATEMENT)
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"

    assert "Publish the chair's statement" in client.get(url).text
    confirm = client.get(f"{url}/chair-statement/publish")
    assert confirm.status_code == 200 and STATEMENT in confirm.text
    assert "Publishing is final" in confirm.text
    published = post_form(client, f"{url}/chair-statement/publish", follow_redirects=False)

    assert published.status_code == 303
    item = db.exec(select(PublishedStatement)).one()
    assert item.number == f"WG4-{item.closed_at.year}-S01"
    assert published.headers["location"] == f"http://testserver/statements/{item.number}"
    assert (item.outcome, item.title) == ("not_adopted", "Labour pathways")
    assert actions(db, "statement.published") == ["statement.published"]
    page = client.get(url).text
    assert "Published in the library as chair's statement" in page
    assert f'/statements/{item.number}">{item.number}</a>' in page
    assert "Publish the chair's statement" not in page
    # once: the form leads to the statement, the act is refused, and it is sealed
    again = client.get(f"{url}/chair-statement/publish", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].endswith(item.number)
    with pytest.raises(Conflict):
        statements.publish(db, db.get(Round, round_.id), by=world.chair)
    assert client.get(f"{url}/chair-statement").status_code == 409


def test_a_deadline_closed_round_without_quorum_is_published_once_its_statement_is_given(
    client, db, world
):
    when = utcnow() - timedelta(days=3)
    draft = start(db, world, now=when)
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=when + timedelta(days=1),
        now=when,
    )
    db.commit()
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"

    assert client.get(f"{url}/chair-statement/publish").status_code == 409  # no statement yet
    post_form(client, f"{url}/chair-statement", {"statement": "No quorum: we meet again."})
    published = post_form(client, f"{url}/chair-statement/publish", follow_redirects=False)

    assert published.status_code == 303
    item = db.exec(select(PublishedStatement)).one()
    assert item.outcome == "no_quorum"
    assert statements.record(item)["closed_by"] == "deadline"


@pytest.mark.parametrize("kind", ["adopted", "comment"])
def test_only_rounds_that_did_not_adopt_publish_a_statement(client, db, world, kind):
    if kind == "adopted":
        recommendation = adopt(db, world, statement="Adopted by consensus.")
        round_ = db.get(Round, recommendation.round_id)
    else:
        draft = start(db, world)
        round_ = rounds.open_round(
            db,
            by=world.chair,
            draft=draft,
            kind=RoundKind.COMMENT,
            deadline=utcnow() + timedelta(days=2),
        )
        rounds.close_round(db, round_, by=world.chair, statement="Thanks for the comments.")
    db.commit()
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"

    assert "Publish the chair's statement" not in client.get(url).text
    assert client.get(f"{url}/chair-statement/publish").status_code == 409
    refused = post_form(client, f"{url}/chair-statement/publish", page=url)
    assert refused.status_code == 409 and "did not adopt its text" in refused.text
    assert db.exec(select(PublishedStatement)).all() == []


def test_an_open_round_publishes_nothing(db, world):
    draft = start(db, world)
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=utcnow() + timedelta(days=2),
    )
    with pytest.raises(Conflict):
        statements.publish(db, round_, by=world.chair)


# in the open


def _forbidden(db) -> list[str]:
    people = db.exec(select(Person)).all()
    return [*SECRETS.values(), *(p.name for p in people), *(p.email for p in people)]


def test_the_public_page_names_seats_and_never_people_nor_the_text(client, db, world):
    round_ = failed_round(db, world, statement=STATEMENT)
    item = statements.publish(db, round_, by=world.chair)
    db.commit()
    urls = [
        f"/statements/{item.number}",
        "/recommendations",
        "/recommendations.atom",
        f"/groups/{world.group.slug}/recommendations.atom",
        "/api/v1/statements",
        f"/api/v1/statements/{item.number}",
        f"/recommendations?q={STATEMENT.split()[0]}",
    ]

    answers = {}
    for language in ("en", "es", "fr"):
        for url in urls:
            response = client.get(url, headers={"Accept-Language": language})
            assert response.status_code == 200, url
            answers[f"{language} {url}"] = response.text

    page = answers[f"en /statements/{item.number}"]
    assert STATEMENT in page and "Labour pathways" in page
    assert "Mexico" in page and "Canada" in page  # seats and their positions
    assert "Migrant Communities Network" in page  # the chair's seat
    assert "Not adopted: a deciding seat objected." in page
    assert '<html lang="es"' in answers[f"es /statements/{item.number}"]
    leaks = [
        (where, word) for where, text in answers.items() for word in _forbidden(db) if word in text
    ]
    assert leaks == []


def test_the_page_reads_in_the_readers_language(client, db, world):
    world.group.name_translations = json.dumps({"es": "Vías alternativas de migración"})
    world.mexico.name_translations = json.dumps({"es": "México"})
    db.add_all([world.group, world.mexico])
    round_ = failed_round(db, world, statement=STATEMENT)
    item = statements.publish(db, round_, by=world.chair)
    db.commit()

    spanish = client.get(f"/statements/{item.number}", headers={"Accept-Language": "es"}).text
    english = client.get(f"/statements/{item.number}", headers={"Accept-Language": "en"}).text

    assert "Vías alternativas de migración" in spanish and "México" in spanish
    assert "Vías alternativas de migración" not in english and "México" not in english
    detail = client.get(f"/api/v1/statements/{item.number}?lang=es").json()
    assert detail["working_group"]["name"] == "Vías alternativas de migración"
    assert "México" in [p["seat"] for p in detail["decision"]["positions"]]


def test_the_library_lists_statements_by_group_and_finds_them(client, db, world):
    round_ = failed_round(db, world, statement=STATEMENT)
    item = statements.publish(db, round_, by=world.chair)
    db.commit()

    library = client.get("/recommendations").text
    assert 'id="statements"' in library and f"/statements/{item.number}" in library
    assert f"/statements/{item.number}" in client.get("/recommendations?q=capitals").text
    assert f"/statements/{item.number}" not in client.get("/recommendations?q=zzzz").text
    assert f"/statements/{item.number}" not in client.get("/recommendations?group=narratives").text


def test_the_feeds_carry_the_statement(client, db, world):
    round_ = failed_round(db, world, statement="First line.\n\nSecond <line>.")
    item = statements.publish(db, round_, by=world.chair)
    db.commit()

    for url in ("/recommendations.atom", f"/groups/{world.group.slug}/recommendations.atom"):
        response = client.get(url)
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo
        (entry,) = feed.entries
        assert entry.id == entry.link == f"http://testserver/statements/{item.number}"
        assert entry.title == f"{item.number} · Chair's statement on “Labour pathways”"
        assert entry.author == "Alternative migration pathways"
        assert "<p>Second &lt;line&gt;.</p>" in entry.content[0].value
        assert "Not adopted" in entry.summary
    assert client.get("/groups/narratives/recommendations.atom").text.count("<entry>") == 0


def test_the_api_lists_and_gives_statements_as_its_document_says(client, db, world, spec):
    round_ = failed_round(db, world, statement=STATEMENT)
    item = statements.publish(db, round_, by=world.chair)
    db.commit()

    found = checked(spec, client.get("/api/v1/statements"), 200)
    assert [entry["number"] for entry in found["items"]] == [item.number]
    assert found["items"][0]["url"] == f"http://testserver/statements/{item.number}"
    assert checked(spec, client.get("/api/v1/statements?group=narratives"), 200)["total"] == 0
    assert checked(spec, client.get("/api/v1/statements?q=capitals"), 200)["total"] == 1
    detail = checked(spec, client.get(f"/api/v1/statements/{item.number}"), 200)
    assert detail["statement"]["text"] == STATEMENT
    assert detail["statement"]["chair_seat"] == "Migrant Communities Network"
    assert detail["outcome"] == "not_adopted" and detail["decision"]["closed_by"] == "chair"
    assert {(p["seat"], p["choice"]) for p in detail["decision"]["positions"]} >= {
        ("Mexico", "object"),
        ("Canada", "support_with_reservation"),
    }
    missing = checked(spec, client.get("/api/v1/statements/WG4-2026-S99"), 404)
    assert missing["error"] == "not_found"
    checked(spec, client.get("/api/v1/statements?lang=xx"), 400)
    etag = client.get(f"/api/v1/statements/{item.number}").headers["etag"]
    checked(
        spec, client.get(f"/api/v1/statements/{item.number}", headers={"If-None-Match": etag}), 304
    )


def test_the_statement_follows_the_councils_visibility_and_caching(client, db, world):
    round_ = failed_round(db, world, statement=STATEMENT)
    item = statements.publish(db, round_, by=world.chair)
    db.commit()
    url = f"/statements/{item.number}"

    public = client.get(url)
    assert public.headers["cache-control"] == "public, max-age=60"
    assert client.get(url, headers={"If-None-Match": public.headers["etag"]}).status_code == 304
    assert client.get("/statements/WG4-2026-S99").status_code == 404
    make_public(db, False)
    hidden = client.get(url, follow_redirects=False)
    assert hidden.status_code == 303 and "/sign-in" in hidden.headers["location"]
    assert client.get(f"/api/v1/statements/{item.number}").status_code == 401
    assert client.get("/api/v1/statements").status_code == 401
    assert f"/statements/{item.number}" not in client.get("/recommendations.atom").text
    sign_in(client, world.member)
    signed_in = client.get(url)
    assert signed_in.status_code == 200 and STATEMENT in signed_in.text
    assert signed_in.headers["cache-control"] == "private, no-store"


def test_a_reader_gets_the_304_or_this_process_copy_before_the_record_is_read(
    client, db, world, queries
):
    round_ = failed_round(db, world, statement=STATEMENT)
    item = statements.publish(db, round_, by=world.chair)
    db.commit()
    url = f"/statements/{item.number}"
    first = client.get(url)
    queries.reset()
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    # the council, the statement and its group: the record is not rendered
    assert len(queries) <= 3, queries.statements
    queries.reset()
    copy = client.get(url)
    assert copy.status_code == 200 and copy.content == first.content
    assert copy.headers["etag"] == first.headers["etag"]
    assert len(queries) <= 3, queries.statements
    # what the page shows around the statement changes its ETag and the copy
    council = db.exec(select(Council)).one()
    council.name = "A renamed council"
    db.add(council)
    db.commit()
    renamed = client.get(url)
    assert renamed.headers["etag"] != first.headers["etag"]
    assert "A renamed council" in renamed.text and STATEMENT in renamed.text
    # a signed-in reader never gets the anonymous copy
    sign_in(client, world.member)
    signed_in = client.get(url)
    assert signed_in.headers["cache-control"] == "private, no-store"
    assert '/sign-out"' in signed_in.text and '/sign-out"' not in first.text
