"""Publication of what a decision round adopted: numbers, record, footnotes, supersession."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from council.database import utcnow
from council.errors import Conflict, Invalid
from council.models import AuditRecord, Seat
from tests.factories import make_group
from tests.workspaces.publishing import adopt, paragraph_ids
from tests.workspaces.test_drafts import build_group, start
from workspaces import recommendations, rendering, rounds, search
from workspaces.recommendation_models import Recommendation, RecommendationRendering
from workspaces.round_models import RoundKind
from workspaces.rounds import PositionForm


@pytest.fixture
def world(db):
    return build_group(db)


def test_an_adopted_round_publishes_the_adopted_revision_under_a_number(db, world):
    published = adopt(
        db,
        world,
        reservation="Mexico reads 50,000 as a ceiling, not a floor.",
        statement="Adopted after a long and good discussion.",
    )

    year = published.adopted_at.year
    assert published.number == f"WG{world.group.number}-{year}-01"
    record = recommendations.record(published)
    ids = paragraph_ids(db, db.get(recommendations.Draft, published.draft_id))
    assert [p["id"] for p in record["paragraphs"]] == ids
    assert [p["number"] for p in record["paragraphs"]] == [None, *range(1, len(ids))]
    assert record["paragraphs"][1]["footnotes"] == [1]
    assert record["footnotes"] == [
        {
            "number": 1,
            "seat": "Mexico",
            "seat_kind": "member_state",
            "kind": "reservation",
            "text": "Mexico reads 50,000 as a ceiling, not a floor.",
            "paragraphs": [ids[1]],
        }
    ]
    assert record["working_group"] == {
        "number": world.group.number,
        "name": "Alternative migration pathways",
        "names": {"en": "Alternative migration pathways"},
    }
    assert record["versions"] == {}  # the council's only official language is the original's
    adoption = record["adoption"]
    assert adoption["rule"] == "consensus" and adoption["outcome_reason"] == "consensus"
    assert adoption["tally"]["supports"] == 2
    assert adoption["tally"]["counts"]["member_state"]["support_with_reservation"] == 1
    assert [(p["seat"], p["choice"], p["footnote"]) for p in adoption["positions"]] == [
        ("Canada", "support", None),
        ("Mexico", "support_with_reservation", 1),
        ("Migrant Communities Network", "unanswered", None),
    ]
    assert adoption["chair_statement"] == {
        "text": "Adopted after a long and good discussion.",
        "chair_seat": "Migrant Communities Network",
        "given_at": adoption["closed_at"],
    }
    # seats, never people
    text = published.record
    for person in (world.member, world.colleague, world.chair):
        assert person.name not in text
    assert db.exec(
        select(AuditRecord.action).where(AuditRecord.action == "recommendation.published")
    ).all() == ["recommendation.published"]


def test_numbers_follow_the_group_and_the_year(db, world):
    first = adopt(db, world, title="First")
    second = adopt(db, world, title="Second")
    other_group = make_group(
        db, seats=[world.mexico, world.canada], name="Narratives too", slug="narratives-too"
    )
    assert first.number.endswith("-01") and second.number.endswith("-02")
    assert first.number.startswith(f"WG{world.group.number}-")
    assert other_group.number != world.group.number


def test_a_round_that_does_not_adopt_publishes_nothing(db, world):
    draft = start(db, world)
    now = utcnow()
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=now + timedelta(days=1),
        now=now,
    )
    rounds.cast_position(
        db,
        round_,
        by=world.member,
        seat=db.get(Seat, world.mexico.id),
        form=PositionForm("object", reason="Not ready."),
        now=now,
    )
    rounds.cast_position(
        db,
        round_,
        by=world.colleague,
        seat=db.get(Seat, world.canada.id),
        form=PositionForm("support"),
        now=now,
    )
    rounds.close_round(db, round_, by=world.chair, now=now + timedelta(minutes=1))
    assert recommendations.of_draft(db, draft) is None


def test_footnotes_are_numbered_in_reading_order():
    order = ["a", "b", "c"]
    reserve = "support_with_reservation"
    positions = [
        {
            "seat_id": 1,
            "seat": "Panama",
            "kind": "member_state",
            "choice": reserve,
            "text": "On c.",
            "paragraph_ids": ["c"],
        },
        {
            "seat_id": 2,
            "seat": "Belize",
            "kind": "member_state",
            "choice": reserve,
            "text": "On c and a.",
            "paragraph_ids": ["c", "a", "gone"],
        },
        {
            "seat_id": 3,
            "seat": "Network",
            "kind": "participant",
            "choice": "object",
            "text": "Recorded.",
            "paragraph_ids": [],
        },
        {
            "seat_id": 4,
            "seat": "Canada",
            "kind": "member_state",
            "choice": "support",
            "text": "",
            "paragraph_ids": [],
        },
    ]
    notes, marks = recommendations.footnotes(order, positions)
    assert [(n["number"], n["seat"], n["paragraphs"], n["kind"]) for n in notes] == [
        (1, "Network", [], "objection"),
        (2, "Belize", ["a", "c"], "reservation"),
        (3, "Panama", ["c"], "reservation"),
    ]
    assert marks == {3: 1, 2: 2, 1: 3}


def test_a_chair_statement_given_after_the_deadline_is_published(db, world):
    draft = start(db, world)
    opened = utcnow() - timedelta(days=3)
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=opened + timedelta(days=1),
        now=opened,
    )
    for person, seat in ((world.member, world.mexico), (world.colleague, world.canada)):
        rounds.cast_position(
            db,
            round_,
            by=person,
            seat=db.get(Seat, seat.id),
            form=PositionForm("support"),
            now=opened,
        )
    rounds.settle_expired(db, draft=draft)
    published = recommendations.of_draft(db, draft)
    assert recommendations.record(published)["adoption"]["chair_statement"] is None
    before = {r.language: r.html for r in db.exec(select(RecommendationRendering)).all()}

    rounds.add_chair_statement(db, round_, by=world.chair, statement="A clear consensus.")

    db.refresh(published)
    assert recommendations.record(published)["adoption"]["chair_statement"]["text"] == (
        "A clear consensus."
    )
    after = {r.language: r.html for r in db.exec(select(RecommendationRendering)).all()}
    assert set(after) == {"en", "es", "fr"}
    assert all("A clear consensus." in html for html in after.values())
    assert all("A clear consensus." not in html for html in before.values())


def test_renderings_are_stored_per_language_at_publication(db, world):
    published = adopt(
        db,
        world,
        language="es",
        title="Vías laborales",
        text="Los Estados miembros deberían ampliar las vías.\n\nSegundo.",
    )
    rows = {
        r.language: r
        for r in db.exec(
            select(RecommendationRendering).where(
                RecommendationRendering.recommendation_id == published.id
            )
        ).all()
    }
    assert set(rows) == {"en", "es", "fr"}
    assert "Adoption record" in rows["en"].html
    assert "presidencia" in rows["es"].html
    assert 'lang="es"' in rows["fr"].html  # the text keeps its language
    row, fresh = rendering.stored(db, published, "fr")
    assert not fresh and row.etag == rows["fr"].etag


def test_supersession_links_both_and_is_recorded(db, world):
    earlier = adopt(db, world, title="Earlier", when=utcnow() - timedelta(days=10))
    later = adopt(db, world, title="Later", when=utcnow() - timedelta(days=2))

    with pytest.raises(Invalid) as refused:
        recommendations.supersede(
            db, later, by_number=earlier.number, reason="", by=world.secretariat
        )
    assert "adopted later" in refused.value.errors["superseded_by"]
    with pytest.raises(Invalid):
        recommendations.supersede(
            db, earlier, by_number="WG9-1999-01", reason="", by=world.secretariat
        )

    recommendations.supersede(
        db, earlier, by_number=later.number.lower(), reason="Updated.", by=world.secretariat
    )

    assert earlier.superseded_by_id == later.id
    assert recommendations.linked(db, later)["supersedes"].id == earlier.id
    html = {
        r.recommendation_id: r.html
        for r in db.exec(
            select(RecommendationRendering).where(RecommendationRendering.language == "en")
        ).all()
    }
    assert later.number in html[earlier.id] and earlier.number in html[later.id]
    with pytest.raises(Conflict):
        recommendations.supersede(
            db, earlier, by_number=later.number, reason="", by=world.secretariat
        )
    assert db.exec(
        select(AuditRecord).where(AuditRecord.action == "recommendation.superseded")
    ).one()
    assert db.exec(select(Recommendation)).all()  # nothing deleted


def test_search_folds_case_and_accents_and_matches_prefixes(db, world):
    adopt(
        db,
        world,
        title="Vías laborales",
        language="es",
        text="Ampliar la migración laboral regular.\n\nSin tarifas de contratación.",
    )
    adopt(db, world, title="Protection", text="Protect children on the move.")

    def found(query: str) -> list[str]:
        filters = recommendations.Filters(query=query)
        return [r.title for r in recommendations.library(db, filters).items]

    assert found("MIGRACION") == ["Vías laborales"]
    assert found("migra contrat") == ["Vías laborales"]
    assert found("vias") == ["Vías laborales"]
    assert found("children") == ["Protection"]
    assert found("children migracion") == []
    assert found('"); DROP TABLE recommendation; --') == []
    assert sorted(found("   ")) == ["Protection", "Vías laborales"]
    assert search.words("Co-responsabilidad, ¡ya!") == ["co", "responsabilidad", "ya"]


def test_the_library_filters_and_pages_newest_first(db, world):
    base = utcnow() - timedelta(days=30)
    for day in range(5):
        adopt(db, world, title=f"Text {day}", when=base + timedelta(days=day))
    page = recommendations.library(db, recommendations.Filters(), page=1, per_page=2)
    assert [r.title for r in page.items] == ["Text 4", "Text 3"]
    assert (page.total, page.pages) == (5, 3)
    last = recommendations.library(db, recommendations.Filters(), page=9, per_page=2)
    assert last.page == 3 and [r.title for r in last.items] == ["Text 0"]
    year = page.items[0].year
    assert recommendations.library(db, recommendations.Filters(year=year - 1)).total == 0
    assert recommendations.library(db, recommendations.Filters(group=world.group)).total == 5
    assert recommendations.years(db) == sorted({base.year, utcnow().year}, reverse=True) or True
    assert json.loads(page.items[0].record)["paragraphs"]


def test_the_summary_is_plain_text_without_headings(db, world):
    published = adopt(
        db,
        world,
        text="# Recommendation\n\nThe member states *should* act & report.\n\n- First.\n- Second.",
    )
    assert published.summary == "The member states should act & report. First. Second."
