"""Nothing of the deliberations reaches a public page, feed or API answer (issue 8).

The world holds one published recommendation and, around it, everything that must stay
inside the working group, each marked with a word found nowhere else: an earlier revision of
the adopted text, comments, the round's note, a position changed before the close (its history),
a draft still being written, a round that did not adopt its text, an open decision round with a
reservation; and the names and email addresses of everyone. An anonymous reader of the public
council then reads every public address (in three languages), the PDF's text, the feeds and the
API, and searches the library for each word.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from council.database import utcnow
from council.models import Person, Seat
from tests.workspaces.publishing import public_world
from tests.workspaces.test_drafts import start
from workspaces import comments, drafts, recommendations, rounds
from workspaces.round_models import RoundKind
from workspaces.rounds import PositionForm

SECRETS = {
    "early": "zqxearlyrevision",
    "comment": "zqxcommentbody",
    "note": "zqxroundnote",
    "changed": "zqxchangedposition",
    "drafting": "zqxdraftingtext",
    "drafting_title": "zqxdraftingtitle",
    "rejected": "zqxrejectedobjection",
    "rejected_text": "zqxrejectedtext",
    "open": "zqxopenreservation",
    "purpose": "zqxpurpose",
}


def _seat(db, person) -> Seat:
    return db.get(Seat, person.seat_id)


@pytest.fixture
def world(db):
    world = public_world(db)
    when = utcnow() - timedelta(days=3)
    # the published recommendation, and what surrounded its adoption
    draft = start(
        db,
        world,
        title="Published pathways",
        purpose=f"Purpose {SECRETS['purpose']}",
        text=f"First text {SECRETS['early']}.\n\nSecond paragraph.",
        now=when,
    )
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text="Adopted first paragraph.\n\nSecond paragraph.",
        summary="Better.",
        now=when + timedelta(minutes=5),
    )
    comments.post_comment(
        db,
        by=world.member,
        draft=draft,
        body=f"Hm {SECRETS['comment']}",
        paragraph_id=None,
        revision_number=2,
        now=when + timedelta(minutes=6),
    )
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=when + timedelta(days=2),
        now=when + timedelta(hours=1),
        note=f"Note {SECRETS['note']}",
    )
    rounds.cast_position(
        db,
        round_,
        by=world.member,
        seat=_seat(db, world.member),
        form=PositionForm("object", reason=f"No {SECRETS['changed']}"),
        now=when + timedelta(hours=2),
    )
    for person in (world.member, world.colleague):
        rounds.cast_position(
            db,
            round_,
            by=person,
            seat=_seat(db, person),
            form=PositionForm("support"),
            now=when + timedelta(hours=3),
        )
    rounds.close_round(db, round_, by=world.chair, now=when + timedelta(hours=4))
    world.published = recommendations.of_draft(db, draft)
    # a draft still being written
    start(
        db, world, title=f"Title {SECRETS['drafting_title']}", text=f"Words {SECRETS['drafting']}."
    )
    # a round that did not adopt its text
    rejected = start(db, world, title="Rejected", text=f"Text {SECRETS['rejected_text']}.")
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=rejected,
        kind=RoundKind.DECISION,
        deadline=utcnow() + timedelta(days=1),
    )
    rounds.cast_position(
        db,
        round_,
        by=world.member,
        seat=_seat(db, world.member),
        form=PositionForm("object", reason=f"No {SECRETS['rejected']}"),
    )
    rounds.close_round(db, round_, by=world.chair)
    # an open decision round with a reservation
    pending = start(db, world, title="Pending")
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=pending,
        kind=RoundKind.DECISION,
        deadline=utcnow() + timedelta(days=1),
    )
    rounds.cast_position(
        db,
        round_,
        by=world.member,
        seat=_seat(db, world.member),
        form=PositionForm("support_with_reservation", reservation=f"Only {SECRETS['open']}"),
    )
    db.commit()
    return world


def _forbidden(db) -> list[str]:
    people = db.exec(select(Person)).all()
    return [*SECRETS.values(), *(p.name for p in people), *(p.email for p in people)]


def _public_answers(client, number: str, slug: str) -> dict[str, str]:
    urls = [
        "/",
        "/recommendations",
        f"/recommendations/{number}",
        "/recommendations.atom",
        f"/groups/{slug}/recommendations.atom",
        "/api/v1/recommendations",
        f"/api/v1/recommendations/{number}",
        "/api/v1/openapi.json",
        *(f"/recommendations?q={word}" for word in SECRETS.values()),
        *(f"/api/v1/recommendations?q={word}" for word in SECRETS.values()),
    ]
    answers = {}
    for language in ("en", "es", "fr"):
        for url in urls:
            response = client.get(url, headers={"Accept-Language": language})
            assert response.status_code == 200, url
            answers[f"{language} {url}"] = response.text
        pdf = client.get(f"/recommendations/{number}.pdf", headers={"Accept-Language": language})
        assert pdf.status_code == 200
        reader = PdfReader(io.BytesIO(pdf.content))
        answers[f"{language} pdf"] = "\n".join(page.extract_text() for page in reader.pages)
    return answers


def test_no_deliberation_reaches_any_public_answer(client, db, world):
    number = world.published.number
    answers = _public_answers(client, number, world.group.slug)
    assert "Adopted first paragraph." in answers[f"en /recommendations/{number}"]
    assert "Adopted first paragraph." in answers["en pdf"]
    forbidden = _forbidden(db)
    # a search answer repeats the words searched for (in its form, its links): those are the
    # reader's own, not a leak
    leaks = [
        (where, word)
        for where, text in answers.items()
        for word in forbidden
        if word in text and not where.endswith(f"q={word}")
    ]
    assert leaks == []


def test_searching_for_deliberation_words_finds_nothing(client, db, world):
    for word in SECRETS.values():
        found = client.get("/api/v1/recommendations", params={"q": word}).json()
        assert found["total"] == 0, word
    assert client.get("/api/v1/recommendations", params={"q": "adopted first"}).json()["total"] == 1
