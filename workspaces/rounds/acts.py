"""What changes a round: open it, cast positions and statements, extend, close, settle.

Every write on a round first takes the round's row (SELECT ... FOR UPDATE on PostgreSQL;
SQLite writers are serialised by BEGIN IMMEDIATE) and then checks, inside that transaction,
that the round is still open and before its deadline. So a position and the close never
interleave: a position lands before the close, and is in the sealed record, or it is refused
with RoundClosed (409). The time an act records is read after that lock is held, and the
same time decides whether the round is still open: a sealed position is never stamped later
than the close that sealed it. One position per seat is also the database's rule (a unique
constraint written by one INSERT ... ON CONFLICT DO UPDATE), and one open round per draft
too (a partial unique index).

A round past its deadline is closed in the database by the worker (`JOBS`) or by the next
write that touches it (`settle_expired`, in that write's own transaction); until then it
reads as closed (`reading.as_of`).

The chair's statement may be given when the chair closes the round (it is optional then), and
after any close, by the chair or at the deadline, the chair may give it, or complete the one
given at closing, once, within `CHAIR_STATEMENT_DAYS` of the close (the setting
COUNCIL_CHAIR_STATEMENT_DAYS): `add_chair_statement`, recorded in the audit log. Completing
replaces the text with the one the chair writes (the form starts from the statement given at
closing; the audit log keeps both). Once given after the close, once published
(workspaces.statements), or once the period has passed, it is sealed; apart from that, a closed
round never changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from council import audit, live
from council.database import upsert, utcnow
from council.errors import Conflict, Invalid, NotAllowed
from council.i18n import gettext as _
from council.i18n import lazy, ngettext, zone
from council.models import Council, Person, Seat, SeatKind, WorkingGroup, WorkingGroupSeat
from council.worker import Job
from workspaces import drafts, notices, recommendations, versions
from workspaces.decisions import ANSWERING_KINDS, Choice, Outcome
from workspaces.models import Draft, DraftStatus
from workspaces.round_models import (
    ObserverStatement,
    Position,
    PositionChange,
    Round,
    RoundExtension,
    RoundKind,
)
from workspaces.rounds.reading import accepting, expired_query, past_deadline
from workspaces.rounds.sealing import apply_closing, closing_of

MAX_NOTE = 2000
MAX_TEXT = 5000
MAX_REASON = 500
MAX_STATEMENT = 10_000
LONGEST = timedelta(days=366)
"""A deadline at most this far ahead."""
CHAIR_STATEMENT_DAYS = 14
"""The default of the setting COUNCIL_CHAIR_STATEMENT_DAYS."""
_OPENABLE = (DraftStatus.DRAFTING, DraftStatus.NOT_ADOPTED)


class RoundClosed(Conflict):
    """The round closed (or passed its deadline) before this could be saved."""

    title = "This round is closed"

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or _("This round is closed: nothing in it can change any more. Its record is final.")
        )


# opening


def parse_deadline(value: str, timezone: str) -> datetime | None:
    """A `datetime-local` value (YYYY-MM-DDTHH:MM) read in the person's time zone, as UTC."""
    try:
        local = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if local.tzinfo is not None or not value.strip():
        return None
    return local.replace(tzinfo=zone(timezone))


def deadline_input(moment: datetime, timezone: str) -> str:
    """The value of a `datetime-local` input showing `moment` in the person's time zone."""
    return moment.astimezone(zone(timezone)).strftime("%Y-%m-%dT%H:%M")


def default_deadline(now: datetime, timezone: str) -> datetime:
    """A week ahead, at 17:00 in the person's time zone."""
    local = (now + timedelta(days=7)).astimezone(zone(timezone))
    return local.replace(hour=17, minute=0, second=0, microsecond=0)


def open_round(
    session: Session,
    *,
    by: Person,
    draft: Draft,
    kind: str,
    deadline: datetime | str,
    note: str = "",
    tally_visible: bool = False,
    now: datetime | None = None,
) -> Round:
    """Open a comment or decision round on the draft's latest revision (the caller checked
    round.manage). `deadline` is a datetime, or a datetime-local text in `by`'s time zone.
    `now`, when given, stands for the clock (tests, the demo)."""
    # the draft's row first: a revision saved meanwhile waits, then sees the round
    session.exec(
        select(Draft)
        .where(Draft.id == draft.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    now = now or utcnow()
    if draft.status == DraftStatus.IN_ROUND:
        settle_expired(session, now, draft=draft)  # a round past its deadline is over
    if draft.status == DraftStatus.IN_ROUND:
        raise Conflict(
            _(
                "A round is already open on this draft: the chair must close it "
                "before opening another."
            )
        )
    if draft.status not in _OPENABLE:
        raise Conflict(
            _(
                "This draft is closed (%(status)s): no round can be opened on it.",
                status=drafts.status_label(draft.status),
            )
        )
    if kind == RoundKind.DECISION:  # adopted texts are equally authentic in every language
        versions.check_gate(session, session.exec(select(Council)).one(), draft)
    note = drafts.normalise(note)
    errors: dict[str, str] = {}
    if kind not in (RoundKind.COMMENT, RoundKind.DECISION):
        errors["kind"] = _("Choose a comment round or a decision round.")
    moment = _check_deadline(errors, "deadline", deadline, by.timezone, now=now)
    drafts.check_line(errors, "note", note, MAX_NOTE)
    if errors:
        raise Invalid(errors)
    created = Round(
        draft_id=draft.id,
        kind=kind,
        revision_number=draft.latest_revision_number,
        opened_by_id=by.id,
        opened_at=now,
        deadline=moment,
        note=note,
        tally_visible=kind == RoundKind.DECISION and tally_visible,
    )
    try:
        with session.begin_nested():
            session.add(created)
            session.flush()
    except IntegrityError:
        # the partial unique index: another round was opened at the same moment
        raise Conflict(
            _(
                "A round is already open on this draft: the chair must close it "
                "before opening another."
            )
        ) from None
    draft.status = DraftStatus.IN_ROUND
    draft.updated_at = now
    session.add(draft)
    session.flush()
    audit.record(
        session,
        by=by,
        action="round.opened",
        target=created,
        draft=draft.id,
        kind=kind,
        revision=created.revision_number,
        deadline=moment.isoformat(),
        tally_visible=created.tally_visible,
        note=note,
    )
    notices.round_opened(session, round_=created, draft=draft, by=by, now=now)
    _announce(session, created, "round")
    return created


def _announce(session: Session, round_: Round, name: str) -> None:
    """Open pages of the round (and, for "round", of its draft) refresh once the act commits
    (council.live): "answers" when a seat or an observer answered, "round" when its state,
    deadline or record changed."""
    live.publish(session, live.topic("round", round_.id), name)
    if name == "round":
        live.publish(session, live.topic("draft", round_.draft_id), name)


# positions and statements


@dataclass(frozen=True)
class PositionForm:
    choice: str
    reservation: str = ""
    reason: str = ""
    paragraph_ids: Sequence[str] = ()


def cast_position(
    session: Session,
    round_: Round,
    *,
    by: Person,
    seat: Seat,
    form: PositionForm,
    now: datetime | None = None,
) -> PositionChange:
    """Cast or change `seat`'s position (by a person of that seat): one atomic upsert of the
    seat's row and one history row, under the round's lock, stamped with the time read under
    it (or `now`, when given). Returns the history row."""
    if by.seat_id != seat.id:
        raise NotAllowed(_("You can only cast the position of your own seat."))
    round_, now = _lock_open(session, round_, now)
    if round_.kind != RoundKind.DECISION:
        raise Conflict(_("Positions are taken in decision rounds; this is a comment round."))
    draft = session.get(Draft, round_.draft_id)
    if not _sits_in(session, seat, draft.working_group_id):
        raise NotAllowed(_("Only seats that sit in the working group take positions."))
    choice, text, paragraph_ids = _checked_position(session, round_, form)

    table = Position.__table__
    insert = upsert(session, table).values(
        round_id=round_.id,
        seat_id=seat.id,
        choice=choice,
        text=text,
        paragraph_ids=json.dumps(paragraph_ids),
        cast_by_id=by.id,
        cast_at=now,
        version=1,
    )
    version = session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.round_id, table.c.seat_id],
            set_={
                "choice": insert.excluded.choice,
                "text": insert.excluded.text,
                "paragraph_ids": insert.excluded.paragraph_ids,
                "cast_by_id": insert.excluded.cast_by_id,
                "cast_at": insert.excluded.cast_at,
                "version": table.c.version + 1,
            },
        ).returning(table.c.version)
    ).scalar_one()
    change = PositionChange(
        round_id=round_.id,
        seat_id=seat.id,
        version=version,
        choice=choice,
        text=text,
        paragraph_ids=json.dumps(paragraph_ids),
        cast_by_id=by.id,
        cast_at=now,
    )
    session.add(change)
    session.flush()
    audit.record(
        session,
        by=by,
        action="position.cast" if version == 1 else "position.changed",
        target=round_,
        seat=seat.id,
        seat_name=seat.name,
        choice=choice,
        text=text,
        paragraph_ids=paragraph_ids,
        version=version,
    )
    _announce(session, round_, "answers")
    return change


def submit_statement(
    session: Session,
    round_: Round,
    *,
    by: Person,
    seat: Seat,
    text: str,
    now: datetime | None = None,
) -> ObserverStatement:
    """An observer seat's statement during a decision round; submitting again replaces it."""
    if by.seat_id != seat.id:
        raise NotAllowed(_("You can only submit the statement of your own seat."))
    round_, now = _lock_open(session, round_, now)
    if round_.kind != RoundKind.DECISION:
        raise Conflict(_("Observer statements are made in decision rounds."))
    draft = session.get(Draft, round_.draft_id)
    if seat.kind != SeatKind.OBSERVER or not _follows(session, seat, draft.working_group_id):
        raise NotAllowed(_("Only observer seats that follow the working group submit statements."))
    text = drafts.normalise(text)
    errors: dict[str, str] = {}
    drafts.check_line(
        errors, "text", text, MAX_STATEMENT, required=True, missing=_("Write the statement.")
    )
    if errors:
        raise Invalid(errors)
    table = ObserverStatement.__table__
    insert = upsert(session, table).values(
        round_id=round_.id, seat_id=seat.id, text=text, author_id=by.id, submitted_at=now, revised=0
    )
    revised = session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.round_id, table.c.seat_id],
            set_={
                "text": insert.excluded.text,
                "author_id": insert.excluded.author_id,
                "submitted_at": insert.excluded.submitted_at,
                "revised": table.c.revised + 1,
            },
        ).returning(table.c.revised)
    ).scalar_one()
    audit.record(
        session,
        by=by,
        action="statement.submitted",
        target=round_,
        seat=seat.id,
        seat_name=seat.name,
        text=text,
        revised=revised,
    )
    notices.statement_submitted(session, round_=round_, draft=draft, seat=seat, by=by, now=now)
    _announce(session, round_, "answers")
    return session.exec(
        select(ObserverStatement)
        .where(ObserverStatement.round_id == round_.id, ObserverStatement.seat_id == seat.id)
        .execution_options(populate_existing=True)
    ).one()


# chair's tools


def extend_deadline(
    session: Session,
    round_: Round,
    *,
    by: Person,
    deadline: datetime | str,
    reason: str,
    now: datetime | None = None,
) -> RoundExtension:
    """Move the deadline of an open round later, with a reason (the caller checked
    round.manage)."""
    round_, now = _lock_open(session, round_, now)
    reason = " ".join(reason.split())
    errors: dict[str, str] = {}
    moment = _check_deadline(errors, "deadline", deadline, by.timezone, now=now)
    if moment is not None and moment <= round_.deadline:
        errors["deadline"] = _("The new deadline must be later than the current one.")
    drafts.check_line(
        errors,
        "reason",
        reason,
        MAX_REASON,
        required=True,
        missing=_("Give the reason for extending the deadline: it is recorded."),
    )
    if errors:
        raise Invalid(errors)
    extension = RoundExtension(
        round_id=round_.id,
        previous_deadline=round_.deadline,
        new_deadline=moment,
        reason=reason,
        by_id=by.id,
        at=now,
    )
    round_.deadline = moment
    session.add_all([extension, round_])
    session.flush()
    audit.record(
        session,
        by=by,
        action="round.extended",
        target=round_,
        previous_deadline=extension.previous_deadline.isoformat(),
        deadline=moment.isoformat(),
        reason=reason,
    )
    _announce(session, round_, "round")
    return extension


def close_round(
    session: Session, round_: Round, *, by: Person, statement: str = "", now: datetime | None = None
) -> Round:
    """The chair closes the round before its deadline (the caller checked round.manage)."""
    statement = drafts.normalise(statement)
    errors: dict[str, str] = {}
    drafts.check_line(errors, "statement", statement, MAX_STATEMENT)
    if errors:
        raise Invalid(errors)
    round_, now = _lock_open(session, round_, now)
    return _close(session, round_, by=by, statement=statement, closed_at=now)


def settle_expired(
    session: Session,
    now: datetime | None = None,
    *,
    draft: Draft | None = None,
    group: WorkingGroup | None = None,
) -> list[Round]:
    """Close every round (of the draft, of the group, or anywhere) whose deadline has passed,
    in the caller's write transaction: one query when there is none. Each is locked and
    checked again before it is closed, so a round closed (or extended) meanwhile by someone
    else is left alone. A round closed at its deadline is stamped with the deadline."""
    candidates = session.exec(expired_query(now or utcnow(), draft, group)).all()
    closed = []
    for candidate in candidates:
        round_ = _lock(session, candidate.id)
        if past_deadline(round_, now or utcnow()):
            closed.append(_close(session, round_, by=None, statement="", closed_at=round_.deadline))
    return closed


def add_chair_statement(
    session: Session,
    round_: Round,
    *,
    by: Person,
    statement: str,
    now: datetime | None = None,
    days: int = CHAIR_STATEMENT_DAYS,
) -> Round:
    """The chair's statement given, or the one given at closing completed, after any close:
    once, within `days` of the close, recorded (the caller checked round.manage). The text
    replaces the one given at closing, if any. An adopted round's recommendation is copied
    again with it."""
    round_ = _lock(session, round_.id)
    now = now or utcnow()
    if past_deadline(round_, now):
        round_ = _close(session, round_, by=None, statement="", closed_at=round_.deadline)
    if round_.closed_at is None:
        raise Conflict(_("The round is still open: give the chair's statement when you close it."))
    check_chair_statement_open(session, round_, now, days=days)
    statement = drafts.normalise(statement)
    errors: dict[str, str] = {}
    drafts.check_line(
        errors,
        "statement",
        statement,
        MAX_STATEMENT,
        required=True,
        missing=_("Write the chair's statement."),
    )
    if errors:
        raise Invalid(errors)
    previous = round_.chair_statement
    round_.chair_statement, round_.chair_statement_at = statement, now
    round_.chair_statement_by_id = by.id
    round_.chair_statement_final_at = now
    session.add(round_)
    session.flush()
    audit.record(
        session,
        by=by,
        action="round.chair_statement",
        target=round_,
        statement=statement,
        completed=bool(previous),
        previous=previous,
    )
    _announce(session, round_, "round")
    if round_.outcome == Outcome.ADOPTED:
        recommendations.refresh(session, round_, now=now)
    return round_


def chair_statement_until(round_: Round, *, days: int = CHAIR_STATEMENT_DAYS) -> datetime | None:
    """Until when the chair's statement of a closed round may be given or completed (None
    while the round is open)."""
    if round_.closed_at is None:
        return None
    return round_.closed_at + timedelta(days=days)


def may_add_chair_statement(
    round_: Round, now: datetime, *, days: int = CHAIR_STATEMENT_DAYS, published: bool = False
) -> bool:
    """Whether the closed round's statement may still be given or completed (`published`:
    whether it was made public, which seals it too)."""
    return _chair_statement_refusal(round_, now, days=days, published=published) is None


def check_chair_statement_open(
    session: Session, round_: Round, now: datetime, *, days: int = CHAIR_STATEMENT_DAYS
) -> None:
    """Refuse (409) when the closed round's statement is sealed: given after the close
    already, published, or past its period."""
    from workspaces import statements  # it reads rounds to publish them

    refusal = _chair_statement_refusal(
        round_, now, days=days, published=statements.of_round(session, round_) is not None
    )
    if refusal:
        raise RoundClosed(refusal)


def _chair_statement_refusal(
    round_: Round, now: datetime, *, days: int, published: bool
) -> str | None:
    if round_.closed_at is None:
        return _("The round is still open: give the chair's statement when you close it.")
    if round_.chair_statement_final_at is not None:
        return _(
            "The chair's statement of this round was already given after its close: it "
            "is sealed with the rest of the record."
        )
    if published:
        return _(
            "The chair's statement of this round is published: it is sealed with the "
            "rest of the record."
        )
    if now >= chair_statement_until(round_, days=days):
        return ngettext(
            "The chair's statement may be given or completed within %(num)s day of the close "
            "only: that time has passed, and the record is sealed.",
            "The chair's statement may be given or completed within %(num)s days of the close "
            "only: that time has passed, and the record is sealed.",
            days,
        )
    return None


# the clock


def close_due_rounds(session: Session, now: datetime) -> int:
    """The worker's job: store the close of every round past its deadline; how many."""
    return len(settle_expired(session, now))


JOBS = [
    Job(
        "rounds.close_due",
        close_due_rounds,
        every=timedelta(seconds=5),
        label=lazy("Close the rounds whose deadline has passed"),
    )
]


# closing


def _close(
    session: Session, round_: Round, *, by: Person | None, statement: str, closed_at: datetime
) -> Round:
    """Seal the round (outcome, tally and a copy of every final position), then its draft;
    publish the recommendation of an adopted round."""
    draft = session.exec(
        select(Draft).where(Draft.id == round_.draft_id).execution_options(populate_existing=True)
    ).one()
    group = session.get(WorkingGroup, draft.working_group_id)
    closing = closing_of(session, round_, group)
    apply_closing(round_, draft, closing, closed_at=closed_at, by=by, statement=statement)
    session.add_all([round_, draft])
    session.flush()
    audit.record(
        session,
        by=by,
        action="round.closed",
        target=round_,
        draft=draft.id,
        kind=round_.kind,
        revision=round_.revision_number,
        closed_by="chair" if by else "deadline",
        statement=statement,
        **closing.details,
    )
    published = None
    if round_.outcome == Outcome.ADOPTED:
        revision = drafts.revision(session, draft, round_.revision_number)
        published = recommendations.publish(
            session,
            round_,
            draft=draft,
            group=group,
            paragraphs=drafts.paragraphs(session, revision),
            by=by,
        )
    notices.round_closed(
        session, round_=round_, draft=draft, group=group, by=by, recommendation=published
    )
    _announce(session, round_, "round")
    return round_


# helpers


def _lock(session: Session, round_id: int) -> Round:
    """The round's row, locked until the transaction ends, read afresh."""
    return session.exec(
        select(Round)
        .where(Round.id == round_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _lock_open(session: Session, round_: Round, now: datetime | None) -> tuple[Round, datetime]:
    """The round's row locked, and the time of the act: read now that the lock is held (or
    `now`, when given); refused unless the round is open at that time."""
    locked = _lock(session, round_.id)
    now = now or utcnow()
    if not accepting(locked, now):
        raise RoundClosed()
    return locked, now


def _sits_in(session: Session, seat: Seat, group_id: int) -> bool:
    return (
        seat.kind in ANSWERING_KINDS
        and session.get(WorkingGroupSeat, (group_id, seat.id)) is not None
    )


def _follows(session: Session, seat: Seat, group_id: int) -> bool:
    return session.get(WorkingGroupSeat, (group_id, seat.id)) is not None


def _checked_position(
    session: Session, round_: Round, form: PositionForm
) -> tuple[str, str, list[str]]:
    errors: dict[str, str] = {}
    try:
        choice = Choice(form.choice)
    except ValueError:
        raise Invalid({"choice": _("Choose the seat's position.")}) from None
    text = ""
    paragraph_ids: list[str] = []
    if choice is Choice.SUPPORT_WITH_RESERVATION:
        text = drafts.normalise(form.reservation)
        drafts.check_line(
            errors,
            "reservation",
            text,
            MAX_TEXT,
            required=True,
            missing=_("Write the reservation: it will be published as a footnote."),
        )
        paragraph_ids = sorted(set(form.paragraph_ids))
        if paragraph_ids:
            revision = drafts.revision(
                session, session.get(Draft, round_.draft_id), round_.revision_number
            )
            known = {
                p.paragraph_id for p in drafts.paragraphs(session, revision) if p.number is not None
            }  # headings are not cited
            if not set(paragraph_ids) <= known:
                errors["paragraph_ids"] = _("Choose paragraphs of the text put to the round.")
    elif choice is Choice.OBJECT:
        text = drafts.normalise(form.reason)
        drafts.check_line(
            errors,
            "reason",
            text,
            MAX_TEXT,
            required=True,
            missing=_("Give the reason for the objection: it is required."),
        )
    if errors:
        raise Invalid(errors)
    return choice.value, text, paragraph_ids


def _check_deadline(
    errors: dict[str, str], name: str, value: datetime | str, timezone: str, *, now: datetime
) -> datetime | None:
    moment = value if isinstance(value, datetime) else parse_deadline(value, timezone)
    if moment is None or moment.tzinfo is None:
        errors[name] = _("Give the deadline as a date and a time.")
        return None
    if moment <= now:
        errors[name] = _("The deadline must be in the future.")
    elif moment > now + LONGEST:
        errors[name] = _("The deadline must be within a year.")
    return moment
