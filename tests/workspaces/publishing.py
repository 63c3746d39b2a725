"""Recommendations made the real way, for the tests: a draft, a decision round, positions,
the close. Shared by the tests of publication, pages, feeds, API and PDF."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from council.database import utcnow
from council.models import Seat
from tests.workspaces.test_drafts import TEXT, Group, start
from workspaces import drafts, recommendations, rounds
from workspaces.recommendation_models import Recommendation
from workspaces.round_models import RoundKind
from workspaces.rounds import PositionForm


def paragraph_ids(db: Session, draft) -> list[str]:
    revision = drafts.latest_revision(db, draft)
    return [p.paragraph_id for p in drafts.paragraphs(db, revision)]


def adopt(db: Session, world: Group, *, title: str = "Labour pathways", text: str = TEXT,
          language: str = "en", reservation: str = "", reservation_paragraphs=(1,),
          statement: str = "", observer_statement: str = "", when=None) -> Recommendation:
    """Start a draft, put it to a decision round, Mexico supports (with `reservation` on the
    paragraphs at those 0-based places, if given), Canada supports, the chair closes."""
    when = when or utcnow() - timedelta(days=2)
    draft = start(db, world, title=title, text=text, language=language)
    round_ = rounds.open_round(db, by=world.chair, draft=draft, kind=RoundKind.DECISION,
                               deadline=when + timedelta(days=7), now=when)
    ids = paragraph_ids(db, draft)
    mexico = (PositionForm("support_with_reservation", reservation=reservation,
                           paragraph_ids=[ids[i] for i in reservation_paragraphs])
              if reservation else PositionForm("support"))
    rounds.cast_position(db, round_, by=world.member, seat=db.get(Seat, world.mexico.id),
                         form=mexico, now=when + timedelta(minutes=1))
    rounds.cast_position(db, round_, by=world.colleague, seat=db.get(Seat, world.canada.id),
                         form=PositionForm("support"), now=when + timedelta(minutes=2))
    if observer_statement:
        rounds.submit_statement(db, round_, by=world.observer,
                                seat=db.get(Seat, world.observer_seat.id),
                                text=observer_statement, now=when + timedelta(minutes=3))
    rounds.close_round(db, round_, by=world.chair, statement=statement,
                       now=when + timedelta(hours=1))
    return recommendations.of_draft(db, draft)
