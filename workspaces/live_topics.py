"""What the pages of drafts and rounds subscribe to (council.live): "draft:<id>" and
"round:<id>", each for whoever may read the deliberations of its working group."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from council import live
from council.models import WorkingGroup
from workspaces.models import Draft
from workspaces.round_models import Round


def draft_group(session: Session, draft_id: int) -> WorkingGroup | None:
    return session.execute(
        select(WorkingGroup)
        .join(Draft, Draft.working_group_id == WorkingGroup.id)
        .where(Draft.id == draft_id)
    ).scalar_one_or_none()


def round_group(session: Session, round_id: int) -> WorkingGroup | None:
    return session.execute(
        select(WorkingGroup)
        .join(Draft, Draft.working_group_id == WorkingGroup.id)
        .join(Round, Round.draft_id == Draft.id)
        .where(Round.id == round_id)
    ).scalar_one_or_none()


live.register_topic("draft", draft_group)
live.register_topic("round", round_group)
