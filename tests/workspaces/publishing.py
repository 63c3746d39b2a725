"""Recommendations made the real way, for the tests: a draft, a decision round, positions,
the close. Shared by the tests of publication, pages, feeds, API and PDF."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlmodel import Session, select

from council.database import utcnow
from council.models import Council, Seat
from council.permissions import load_actor
from tests.factories import make_chair, make_group
from tests.workspaces.test_drafts import TEXT, Group, build_group, start
from workspaces import drafts, recommendations, rounds, versions
from workspaces.recommendation_models import Recommendation
from workspaces.round_models import RoundKind
from workspaces.rounds import PositionForm


def paragraph_ids(db: Session, draft) -> list[str]:
    revision = drafts.latest_revision(db, draft)
    return [p.paragraph_id for p in drafts.paragraphs(db, revision)]


def adopt(
    db: Session,
    world: Group,
    *,
    title: str = "Labour pathways",
    text: str = TEXT,
    language: str = "en",
    reservation: str = "",
    reservation_paragraphs=(1,),
    statement: str = "",
    observer_statement: str = "",
    when=None,
    versions: dict[str, tuple[str, dict[str, str]]] | None = None,
) -> Recommendation:
    """Start a draft, translate it into `versions` (language -> title, original paragraph ->
    its translation), put it to a decision round, Mexico supports (with `reservation` on the
    paragraphs at those 0-based places, if given), Canada supports, the chair closes."""
    when = when or utcnow() - timedelta(days=2)
    draft = start(db, world, title=title, text=text, language=language)
    for code, (translated_title, texts) in (versions or {}).items():
        translate(db, world, draft, code, translated_title, texts)
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=when + timedelta(days=7),
        now=when,
    )
    ids = paragraph_ids(db, draft)
    mexico = (
        PositionForm(
            "support_with_reservation",
            reservation=reservation,
            paragraph_ids=[ids[i] for i in reservation_paragraphs],
        )
        if reservation
        else PositionForm("support")
    )
    rounds.cast_position(
        db,
        round_,
        by=world.member,
        seat=db.get(Seat, world.mexico.id),
        form=mexico,
        now=when + timedelta(minutes=1),
    )
    rounds.cast_position(
        db,
        round_,
        by=world.colleague,
        seat=db.get(Seat, world.canada.id),
        form=PositionForm("support"),
        now=when + timedelta(minutes=2),
    )
    if observer_statement:
        rounds.submit_statement(
            db,
            round_,
            by=world.observer,
            seat=db.get(Seat, world.observer_seat.id),
            text=observer_statement,
            now=when + timedelta(minutes=3),
        )
    rounds.close_round(
        db, round_, by=world.chair, statement=statement, now=when + timedelta(hours=1)
    )
    return recommendations.of_draft(db, draft)


def translate(
    db: Session, world: Group, draft, language: str, title: str, texts: dict[str, str]
) -> None:
    """Mexico's delegate translates the draft's title and every paragraph (a paragraph not in
    `texts` becomes "[language] original")."""
    council = db.exec(select(Council)).one()
    actor = load_actor(db, world.member, utcnow())
    for p in drafts.paragraphs(db, drafts.latest_revision(db, draft)):
        versions.save_paragraph(
            db,
            actor=actor,
            council=council,
            draft=draft,
            language=language,
            paragraph_id=p.paragraph_id,
            text=texts.get(p.source, f"[{language}] {p.source}"),
            seen_original=p.source,
            seen_translation="",
            now=utcnow(),
        )
    versions.save_title(
        db,
        actor=actor,
        council=council,
        draft=draft,
        language=language,
        title=title,
        purpose="",
        now=utcnow(),
    )


def days_ago(days: int):
    return utcnow() - timedelta(days=days)


def make_public(db: Session, public: bool = True) -> None:
    """Turn the council's public_recommendations setting on (or off), committed."""
    council = db.exec(select(Council)).one()
    council.public_recommendations = public
    db.add(council)
    db.commit()


def public_world(db: Session, **group_fields) -> Group:
    """tests.workspaces.test_drafts.build_group, in a council that publishes."""
    world = build_group(db, **group_fields)
    make_public(db)
    return world


def other_group(db: Session, world: Group) -> Group:
    """A second working group with the same seats and chair, to adopt in."""
    group = make_group(
        db,
        seats=[world.mexico, world.canada, world.network, world.observer_seat],
        name="Humanitarian protection",
        slug="protection",
        number=6,
    )
    make_chair(db, group, world.network, world.chair)
    return dataclasses.replace(world, group=group)
