"""A small council with one of everything the main pages show, for the tests that run outside
checkers over them (the Nu Html Checker, schemathesis): published recommendations in two
languages with headings, footnotes and an observer's statement; a published chair's statement;
a draft with comments, an amendment and an open comment round; an open decision round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from council.database import utcnow
from council.models import Council, Seat
from council.permissions import load_actor
from tests.workspaces.publishing import adopt, paragraph_ids, public_world, translate
from tests.workspaces.test_drafts import Group, start
from tests.workspaces.test_statements import failed_round
from workspaces import amendments, comments, rounds, statements
from workspaces.round_models import RoundKind
from workspaces.rounds import PositionForm

# a text whose headings skip a level (# then ###): the pages fit them in their outline
TEXT = "\n\n".join(
    [
        "# Recommendation",
        "The member states should increase labour migration pathways by at least 50,000 places.",
        "### Priorities",
        "Workers must never pay recruitment fees.",
        "| Programme | Places |\n|---|---:|\n| Seasonal | 30,000 |\n| Multi-year | 20,000 |",
        "## Review",
        "The council reviews the programmes every year.",
    ]
)


@dataclass
class Showcase:
    world: Group
    recommendation: str  # its number
    statement: str  # the published chair's statement's number
    draft_id: int  # with comments, an amendment and an open comment round
    comment_round_id: int
    decision_round_id: int  # open, on another draft
    adopted_round_id: int  # closed: it adopted the recommendation
    amendment_id: int


def build(db: Session) -> Showcase:
    world = public_world(db, number=5)
    statement = statements.publish(
        db, failed_round(db, world, statement="No consensus."), by=world.chair
    )
    council = db.exec(select(Council)).one()
    council.official_languages = "en,es"
    db.add(council)
    adopted = adopt(
        db,
        world,
        text=TEXT,
        when=utcnow() - timedelta(days=1),
        reservation="Subject to our budget.",
        statement="Adopted by consensus.",
        observer_statement="We welcome the text.",
        versions={"es": ("Vías laborales", {"# Recommendation": "# Recomendación"})},
    )

    draft = start(db, world, text=TEXT, title="Reception of returnees")
    ids = paragraph_ids(db, draft)
    thread = comments.post_comment(
        db,
        by=world.member,
        draft=draft,
        paragraph_id=ids[1],
        revision_number=1,
        body="## A heading in a comment\n\nShould the figure be higher?",
    )
    comments.reply(
        db, by=world.colleague, to=thread, body="It was agreed in May.", revision_number=1
    )
    comments.post_comment(
        db,
        by=world.colleague,
        draft=draft,
        paragraph_id=None,
        revision_number=1,
        body="A comment on the whole draft.",
    )
    now = utcnow()
    amendment = amendments.propose(
        db,
        actor=load_actor(db, world.colleague, now),
        draft=draft,
        now=now,
        justification="A firmer commitment.",
        changes=[
            amendments.ChangeForm(
                ids[3], amendments.REPLACE, "Workers never pay any recruitment fee."
            )
        ],
    )
    amendments.support(
        db, actor=load_actor(db, world.member, now), amendment=amendment, draft=draft, now=now
    )
    amendments.comment(
        db,
        actor=load_actor(db, world.member, now),
        amendment=amendment,
        draft=draft,
        body="We support it.",
        now=now,
    )
    comment_round = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.COMMENT,
        deadline=now + timedelta(days=5),
        now=now,
    )

    other = start(db, world, text=TEXT, title="Labour mobility")
    translate(db, world, other, "es", "Movilidad laboral", {})
    decision_round = rounds.open_round(
        db,
        by=world.chair,
        draft=other,
        kind=RoundKind.DECISION,
        deadline=now + timedelta(days=5),
        now=now,
    )
    rounds.cast_position(
        db,
        decision_round,
        by=world.member,
        seat=db.get(Seat, world.mexico.id),
        now=now,
        form=PositionForm("support_with_reservation", reservation="Within our budget."),
    )
    db.flush()
    return Showcase(
        world=world,
        recommendation=adopted.number,
        statement=statement.number,
        draft_id=draft.id,
        comment_round_id=comment_round.id,
        decision_round_id=decision_round.id,
        adopted_round_id=adopted.round_id,
        amendment_id=amendment.id,
    )
