"""Rounds: open one on the latest revision, cast positions and statements, extend, close.

Every write on a round first takes the round's row (SELECT ... FOR UPDATE on PostgreSQL;
SQLite writers are serialised by BEGIN IMMEDIATE) and then checks, inside that transaction,
that the round is still open and before its deadline. So a position and the close never
interleave: a position lands before the close, and is in the sealed record, or it is refused
with RoundClosed (409). One position per seat is also the database's rule (a unique
constraint written by one INSERT ... ON CONFLICT DO UPDATE), and one open round per draft
too (a partial unique index).

No job closes rounds at their deadline: `settle_expired` closes, at once, every round past its
deadline that a page or a write is about to touch, and reading code treats a round past its
deadline as closed even before that.

The chair's statement is given when the chair closes the round. A round that closed itself at
its deadline may receive it once afterwards (`add_chair_statement`, recorded in the audit
log); apart from that, a closed round never changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from council import audit
from council.database import upsert, utcnow
from council.errors import Conflict, Invalid, NotAllowed, NotFound
from council.i18n import gettext as _
from council.i18n import zone
from council.models import Person, Seat, SeatKind, WorkingGroup, WorkingGroupSeat
from council.permissions import Actor, can
from workspaces import drafts, recommendations
from workspaces.decisions import (
    ANSWERING_KINDS,
    Choice,
    Decision,
    Outcome,
    RuleSettings,
    SeatAnswer,
    decide,
    kind_order,
)
from workspaces.models import Comment, Draft, DraftStatus, RevisionParagraph
from workspaces.round_models import (
    ObserverStatement,
    Position,
    PositionChange,
    Round,
    RoundExtension,
    RoundKind,
)

MAX_NOTE = 2000
MAX_TEXT = 5000
MAX_REASON = 500
MAX_STATEMENT = 10_000
LONGEST = timedelta(days=366)
"""A deadline at most this far ahead."""
_OPENABLE = (DraftStatus.DRAFTING, DraftStatus.NOT_ADOPTED)


class RoundClosed(Conflict):
    """The round closed (or passed its deadline) before this could be saved."""

    title = "This round is closed"

    def __init__(self, message: str = ""):
        super().__init__(message or _(
            "This round is closed: nothing in it can change any more. Its record is final."))


# reading


def get_round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id)
    if found is None:
        raise NotFound()
    return found


def open_round_of(session: Session, draft: Draft) -> Round | None:
    return session.exec(
        select(Round).where(Round.draft_id == draft.id, Round.closed_at.is_(None))
    ).first()


def draft_rounds(session: Session, draft: Draft) -> list[Round]:
    """Every round of the draft, the latest first."""
    return list(session.exec(
        select(Round).where(Round.draft_id == draft.id)
        .order_by(Round.opened_at.desc(), Round.id.desc())
    ).all())


def adopted_round(session: Session, draft: Draft) -> Round | None:
    """The decision round that adopted the draft: its revision_number is the adopted text."""
    return session.exec(
        select(Round).where(Round.draft_id == draft.id, Round.outcome == Outcome.ADOPTED)
    ).first()


def past_deadline(round_: Round, now: datetime) -> bool:
    """Open in the database but already over: it reads as closed and is closed when touched."""
    return round_.closed_at is None and round_.deadline <= now


def accepting(round_: Round, now: datetime) -> bool:
    return round_.closed_at is None and round_.deadline > now


def any_expired(session: Session, now: datetime, *, draft: Draft | None = None,
                group: WorkingGroup | None = None) -> bool:
    """One query: is a round (of the draft, of the group, or anywhere) past its deadline?"""
    return session.exec(_expired_query(now, draft, group).limit(1)).first() is not None


def _expired_query(now: datetime, draft: Draft | None, group: WorkingGroup | None):
    query = select(Round).where(Round.closed_at.is_(None), Round.deadline <= now)
    if draft is not None:
        query = query.where(Round.draft_id == draft.id)
    if group is not None:
        query = query.join(Draft, Draft.id == Round.draft_id).where(
            Draft.working_group_id == group.id)
    return query.order_by(Round.id)


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
    round.manage). `deadline` is a datetime, or a datetime-local text in `by`'s time zone."""
    now = now or utcnow()
    # the draft's row first: a revision saved meanwhile waits, then sees the round
    session.exec(select(Draft).where(Draft.id == draft.id).with_for_update()
                 .execution_options(populate_existing=True)).one()
    if draft.status == DraftStatus.IN_ROUND:
        raise Conflict(_("A round is already open on this draft: the chair must close it "
                         "before opening another."))
    if draft.status not in _OPENABLE:
        raise Conflict(_("This draft is closed (%(status)s): no round can be opened on it.",
                         status=drafts.status_label(draft.status)))
    note = drafts.normalise(note)
    errors: dict[str, str] = {}
    if kind not in (RoundKind.COMMENT, RoundKind.DECISION):
        errors["kind"] = _("Choose a comment round or a decision round.")
    moment = _check_deadline(errors, "deadline", deadline, by.timezone, now=now)
    drafts.check_line(errors, "note", note, MAX_NOTE)
    if errors:
        raise Invalid(errors)
    created = Round(draft_id=draft.id, kind=kind, revision_number=draft.latest_revision_number,
                    opened_by_id=by.id, opened_at=now, deadline=moment, note=note,
                    tally_visible=kind == RoundKind.DECISION and tally_visible)
    try:
        with session.begin_nested():
            session.add(created)
            session.flush()
    except IntegrityError:
        # the partial unique index: another round was opened at the same moment
        raise Conflict(_("A round is already open on this draft: the chair must close it "
                         "before opening another.")) from None
    draft.status = DraftStatus.IN_ROUND
    draft.updated_at = now
    session.add(draft)
    session.flush()
    audit.record(session, by=by, action="round.opened", target=created, draft=draft.id,
                 kind=kind, revision=created.revision_number, deadline=moment.isoformat(),
                 tally_visible=created.tally_visible, note=note)
    return created


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
    seat's row and one history row, under the round's lock. Returns the history row."""
    now = now or utcnow()
    if by.seat_id != seat.id:
        raise NotAllowed(_("You can only cast the position of your own seat."))
    round_ = _lock_open(session, round_, now)
    if round_.kind != RoundKind.DECISION:
        raise Conflict(_("Positions are taken in decision rounds; this is a comment round."))
    draft = session.get(Draft, round_.draft_id)
    if not _sits_in(session, seat, draft.working_group_id):
        raise NotAllowed(_("Only seats that sit in the working group take positions."))
    choice, text, paragraph_ids = _checked_position(session, round_, form)

    table = Position.__table__
    insert = upsert(session, table).values(
        round_id=round_.id, seat_id=seat.id, choice=choice, text=text,
        paragraph_ids=json.dumps(paragraph_ids), cast_by_id=by.id, cast_at=now, version=1)
    version = session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.round_id, table.c.seat_id],
            set_={"choice": insert.excluded.choice, "text": insert.excluded.text,
                  "paragraph_ids": insert.excluded.paragraph_ids,
                  "cast_by_id": insert.excluded.cast_by_id, "cast_at": insert.excluded.cast_at,
                  "version": table.c.version + 1},
        ).returning(table.c.version)
    ).scalar_one()
    change = PositionChange(round_id=round_.id, seat_id=seat.id, version=version, choice=choice,
                            text=text, paragraph_ids=json.dumps(paragraph_ids), cast_by_id=by.id,
                            cast_at=now)
    session.add(change)
    session.flush()
    audit.record(session, by=by, action="position.cast" if version == 1 else "position.changed",
                 target=round_, seat=seat.id, seat_name=seat.name, choice=choice, text=text,
                 paragraph_ids=paragraph_ids, version=version)
    return change


def submit_statement(session: Session, round_: Round, *, by: Person, seat: Seat, text: str,
                     now: datetime | None = None) -> ObserverStatement:
    """An observer seat's statement during a decision round; submitting again replaces it."""
    now = now or utcnow()
    if by.seat_id != seat.id:
        raise NotAllowed(_("You can only submit the statement of your own seat."))
    round_ = _lock_open(session, round_, now)
    if round_.kind != RoundKind.DECISION:
        raise Conflict(_("Observer statements are made in decision rounds."))
    draft = session.get(Draft, round_.draft_id)
    if seat.kind != SeatKind.OBSERVER or not _follows(session, seat, draft.working_group_id):
        raise NotAllowed(_("Only observer seats that follow the working group submit "
                           "statements."))
    text = drafts.normalise(text)
    errors: dict[str, str] = {}
    drafts.check_line(errors, "text", text, MAX_STATEMENT, required=True,
                      missing=_("Write the statement."))
    if errors:
        raise Invalid(errors)
    table = ObserverStatement.__table__
    insert = upsert(session, table).values(round_id=round_.id, seat_id=seat.id, text=text,
                                            author_id=by.id, submitted_at=now, revised=0)
    revised = session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.round_id, table.c.seat_id],
            set_={"text": insert.excluded.text, "author_id": insert.excluded.author_id,
                  "submitted_at": insert.excluded.submitted_at, "revised": table.c.revised + 1},
        ).returning(table.c.revised)
    ).scalar_one()
    audit.record(session, by=by, action="statement.submitted", target=round_, seat=seat.id,
                 seat_name=seat.name, text=text, revised=revised)
    return session.exec(
        select(ObserverStatement).where(ObserverStatement.round_id == round_.id,
                                        ObserverStatement.seat_id == seat.id)
        .execution_options(populate_existing=True)
    ).one()


# chair's tools


def extend_deadline(session: Session, round_: Round, *, by: Person, deadline: datetime | str,
                    reason: str, now: datetime | None = None) -> RoundExtension:
    """Move the deadline of an open round later, with a reason (the caller checked
    round.manage)."""
    now = now or utcnow()
    round_ = _lock_open(session, round_, now)
    reason = " ".join(reason.split())
    errors: dict[str, str] = {}
    moment = _check_deadline(errors, "deadline", deadline, by.timezone, now=now)
    if moment is not None and moment <= round_.deadline:
        errors["deadline"] = _("The new deadline must be later than the current one.")
    drafts.check_line(errors, "reason", reason, MAX_REASON, required=True,
                      missing=_("Give the reason for extending the deadline: it is recorded."))
    if errors:
        raise Invalid(errors)
    extension = RoundExtension(round_id=round_.id, previous_deadline=round_.deadline,
                               new_deadline=moment, reason=reason, by_id=by.id, at=now)
    round_.deadline = moment
    session.add_all([extension, round_])
    session.flush()
    audit.record(session, by=by, action="round.extended", target=round_,
                 previous_deadline=extension.previous_deadline.isoformat(),
                 deadline=moment.isoformat(), reason=reason)
    return extension


def close_round(session: Session, round_: Round, *, by: Person, statement: str = "",
                now: datetime | None = None) -> Round:
    """The chair closes the round before its deadline (the caller checked round.manage)."""
    now = now or utcnow()
    statement = drafts.normalise(statement)
    errors: dict[str, str] = {}
    drafts.check_line(errors, "statement", statement, MAX_STATEMENT)
    if errors:
        raise Invalid(errors)
    round_ = _lock_open(session, round_, now)
    return _close(session, round_, by=by, statement=statement, closed_at=now)


def settle_expired(session: Session, now: datetime | None = None, *,
                   draft: Draft | None = None, group: WorkingGroup | None = None) -> list[Round]:
    """Close every round (of the draft, of the group, or anywhere) whose deadline has passed:
    one query when there is none. Each is locked and checked again before it is closed, so a
    round closed meanwhile by someone else is left alone."""
    now = now or utcnow()
    candidates = session.exec(_expired_query(now, draft, group)).all()
    closed = []
    for candidate in candidates:
        round_ = _lock(session, candidate.id)
        if past_deadline(round_, now):
            closed.append(_close(session, round_, by=None, statement="",
                                 closed_at=round_.deadline))
    return closed


def add_chair_statement(session: Session, round_: Round, *, by: Person, statement: str,
                        now: datetime | None = None) -> Round:
    """The chair's statement on a round that closed itself at its deadline: once, recorded."""
    now = now or utcnow()
    round_ = _lock(session, round_.id)
    if past_deadline(round_, now):
        round_ = _close(session, round_, by=None, statement="", closed_at=round_.deadline)
    if round_.closed_at is None:
        raise Conflict(_("The round is still open: give the chair's statement when you close "
                         "it."))
    if round_.closed_by_id is not None or round_.chair_statement_at is not None:
        raise RoundClosed(_("This round already has its record: a chair's statement can only "
                            "be added once to a round that closed at its deadline."))
    statement = drafts.normalise(statement)
    errors: dict[str, str] = {}
    drafts.check_line(errors, "statement", statement, MAX_STATEMENT, required=True,
                      missing=_("Write the chair's statement."))
    if errors:
        raise Invalid(errors)
    round_.chair_statement, round_.chair_statement_at = statement, now
    round_.chair_statement_by_id = by.id
    session.add(round_)
    session.flush()
    audit.record(session, by=by, action="round.chair_statement", target=round_,
                 statement=statement)
    if round_.outcome == Outcome.ADOPTED:
        recommendations.refresh(session, round_, now=now)
    return round_


def may_add_chair_statement(round_: Round) -> bool:
    return (round_.closed_at is not None and round_.closed_by_id is None
            and round_.chair_statement_at is None)


# closing


def _close(session: Session, round_: Round, *, by: Person | None, statement: str,
           closed_at: datetime) -> Round:
    """Seal the round: outcome, tally and a copy of every final position; then the draft."""
    draft = session.exec(select(Draft).where(Draft.id == round_.draft_id)
                         .execution_options(populate_existing=True)).one()
    group = session.get(WorkingGroup, draft.working_group_id)
    details: dict = {}
    sealed: list[dict] = []
    if round_.kind == RoundKind.DECISION:
        decision, sealed = _decide(session, round_, group)
        settings = _settings(group)
        round_.outcome, round_.outcome_reason = decision.outcome.value, decision.reason
        round_.rule_settings = json.dumps({**asdict(settings), "rule": str(settings.rule)})
        round_.tally = json.dumps(asdict(decision.tally), sort_keys=True)
        tally = decision.tally
        details = {"outcome": decision.outcome.value, "reason": decision.reason,
                   "supports": tally.supports, "objections": tally.objections,
                   "abstentions": tally.abstentions, "answered": tally.answered,
                   "quorum": tally.quorum, "deciding_answered": tally.deciding_answered}
        draft.status = (DraftStatus.ADOPTED if decision.outcome is Outcome.ADOPTED
                        else DraftStatus.DRAFTING)
    else:
        draft.status = DraftStatus.DRAFTING
    round_.sealed_positions = json.dumps(sealed, ensure_ascii=False)
    round_.closed_at = closed_at
    round_.closed_by_id = by.id if by else None
    if statement:
        round_.chair_statement, round_.chair_statement_at = statement, closed_at
        round_.chair_statement_by_id = by.id if by else None
    draft.updated_at = max(draft.updated_at, closed_at)
    session.add_all([round_, draft])
    session.flush()
    audit.record(session, by=by, action="round.closed", target=round_, draft=draft.id,
                 kind=round_.kind, revision=round_.revision_number,
                 closed_by="chair" if by else "deadline", statement=statement, **details)
    if round_.outcome == Outcome.ADOPTED:
        revision = drafts.revision(session, draft, round_.revision_number)
        recommendations.publish(session, round_, draft=draft, group=group,
                                paragraphs=drafts.paragraphs(session, revision), by=by)
    return round_


def _settings(group: WorkingGroup) -> RuleSettings:
    return RuleSettings(rule=group.decision_rule, quorum_numerator=group.quorum_numerator,
                        quorum_denominator=group.quorum_denominator,
                        participants_block=group.participants_block)


def _decide(session: Session, round_: Round, group: WorkingGroup
            ) -> tuple[Decision, list[dict]]:
    """The decision over the group's member-state and participant seats, and the sealed copy
    of every final position (a seat that left the group since keeps its row, not counted)."""
    seats = _group_seats(session, group)
    rows = session.exec(
        select(Position, Seat, Person)
        .join(Seat, Seat.id == Position.seat_id).join(Person, Person.id == Position.cast_by_id)
        .where(Position.round_id == round_.id)
        .execution_options(populate_existing=True)
    ).all()
    by_seat = {position.seat_id: position for position, _seat, _person in rows}
    answers = [SeatAnswer(seat.id, seat.kind, Choice(by_seat[seat.id].choice)
                          if seat.id in by_seat else None) for seat in seats]
    counted = {seat.id for seat in seats}
    sealed = [{
        "seat_id": seat.id, "seat": seat.name, "kind": seat.kind, "choice": position.choice,
        "text": position.text, "paragraph_ids": json.loads(position.paragraph_ids),
        "cast_by_id": person.id, "cast_by": person.name, "cast_at": position.cast_at.isoformat(),
        "version": position.version, "counted": seat.id in counted,
    } for position, seat, person in sorted(rows, key=lambda r: (kind_order(r[1].kind),
                                                                r[1].name))]
    return decide(answers, _settings(group)), sealed


# what a round page shows


@dataclass(frozen=True)
class PositionView:
    seat_id: int
    seat: str
    kind: str
    choice: str
    text: str
    paragraph_ids: list[str]
    cast_by: str
    cast_at: datetime
    version: int = 1
    counted: bool = True


@dataclass(frozen=True)
class StatementView:
    seat: str
    text: str
    author: str
    submitted_at: datetime
    revised: int


@dataclass
class RoundPage:
    """Everything the round page shows, loaded in a fixed number of queries."""

    round: Round
    draft: Draft
    group: WorkingGroup
    paragraphs: list[RevisionParagraph]
    opened_by: str
    closed_by: str | None
    statement_by: str | None
    seats: list[Seat]
    """The group's member-state and participant seats."""
    answered: set[int]
    positions: list[PositionView]
    """Everyone's positions: after close, or while open when the round shows its tally."""
    own: PositionView | None
    own_history: list[PositionView]
    statements: list[StatementView]
    extensions: list[RoundExtension]
    tally: dict | None = None
    rule: dict | None = None
    paragraph_numbers: dict[str, int] = field(default_factory=dict)
    comments: int = 0
    """In a comment round: how many comments were written during it."""

    @property
    def is_open(self) -> bool:
        return self.round.closed_at is None

    @property
    def unanswered(self) -> list[Seat]:
        return [seat for seat in self.seats if seat.id not in self.answered]

    @property
    def participants_not_consulted(self) -> list[Seat]:
        return [seat for seat in self.unanswered if seat.kind == SeatKind.PARTICIPANT]

    @property
    def answered_seats(self) -> list[Seat]:
        return [seat for seat in self.seats if seat.id in self.answered]

    def positions_of(self, kind: str) -> list[PositionView]:
        return [p for p in self.positions if p.kind == kind]


def round_page(session: Session, round_: Round, *, actor: Actor) -> RoundPage:
    """The round as `actor` may see it: the tally and others' positions only once closed, or
    while open when the round chose to show them; the actor's own seat always."""
    draft = session.get(Draft, round_.draft_id)
    group = session.get(WorkingGroup, draft.working_group_id)
    revision = drafts.revision(session, draft, round_.revision_number)
    paragraphs = drafts.paragraphs(session, revision)
    names = _names(session, {round_.opened_by_id, round_.closed_by_id,
                             round_.chair_statement_by_id})
    seats = _group_seats(session, group)
    own_seat = actor.seat.id if actor.seat is not None and actor.signed_in else None
    closed = round_.closed_at is not None
    if closed:
        positions = [_sealed_view(item) for item in json.loads(round_.sealed_positions or "[]")]
        answered = {p.seat_id for p in positions if p.counted}
    else:
        positions = _live_positions(session, round_)
        answered = {p.seat_id for p in positions}
    own = next((p for p in positions if p.seat_id == own_seat), None)
    history = _history(session, round_, own_seat) if own is not None else []
    if not closed and not round_.tally_visible:
        positions = []
    return RoundPage(
        round=round_, draft=draft, group=group, paragraphs=paragraphs,
        opened_by=names.get(round_.opened_by_id, ""),
        closed_by=names.get(round_.closed_by_id),
        statement_by=names.get(round_.chair_statement_by_id),
        seats=seats, answered=answered, positions=positions, own=own, own_history=history,
        statements=_statements(session, round_), extensions=_extensions(session, round_),
        tally=json.loads(round_.tally) if round_.tally else None,
        rule=json.loads(round_.rule_settings) if round_.rule_settings else None,
        paragraph_numbers={p.paragraph_id: p.position for p in paragraphs},
        comments=(round_comment_count(session, round_) if round_.kind == RoundKind.COMMENT
                  else 0),
    )


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(Person.id, Person.name).where(Person.id.in_(wanted))).all())


def _group_seats(session: Session, group: WorkingGroup) -> list[Seat]:
    seats = session.exec(
        select(Seat).join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
        .where(WorkingGroupSeat.working_group_id == group.id, Seat.kind.in_(ANSWERING_KINDS))
    ).all()
    return sorted(seats, key=lambda s: (kind_order(s.kind), s.name))


def _live_positions(session: Session, round_: Round) -> list[PositionView]:
    rows = session.exec(
        select(Position, Seat.name, Seat.kind, Person.name)
        .join(Seat, Seat.id == Position.seat_id).join(Person, Person.id == Position.cast_by_id)
        .where(Position.round_id == round_.id)
        .execution_options(populate_existing=True)
    ).all()
    views = [PositionView(p.seat_id, seat, kind, p.choice, p.text, json.loads(p.paragraph_ids),
                          person, p.cast_at, p.version) for p, seat, kind, person in rows]
    return sorted(views, key=lambda v: (kind_order(v.kind), v.seat))


def _sealed_view(item: dict) -> PositionView:
    return PositionView(item["seat_id"], item["seat"], item["kind"], item["choice"],
                        item["text"], item["paragraph_ids"], item["cast_by"],
                        datetime.fromisoformat(item["cast_at"]), item["version"],
                        item["counted"])


def _history(session: Session, round_: Round, seat_id: int | None) -> list[PositionView]:
    if seat_id is None:
        return []
    rows = session.exec(
        select(PositionChange, Seat.name, Seat.kind, Person.name)
        .join(Seat, Seat.id == PositionChange.seat_id)
        .join(Person, Person.id == PositionChange.cast_by_id)
        .where(PositionChange.round_id == round_.id, PositionChange.seat_id == seat_id)
        .order_by(PositionChange.version.desc())
    ).all()
    return [PositionView(c.seat_id, seat, kind, c.choice, c.text, json.loads(c.paragraph_ids),
                         person, c.cast_at, c.version) for c, seat, kind, person in rows]


def _statements(session: Session, round_: Round) -> list[StatementView]:
    rows = session.exec(
        select(ObserverStatement, Seat.name, Person.name)
        .join(Seat, Seat.id == ObserverStatement.seat_id)
        .join(Person, Person.id == ObserverStatement.author_id)
        .where(ObserverStatement.round_id == round_.id).order_by(Seat.name)
    ).all()
    return [StatementView(seat, s.text, person, s.submitted_at, s.revised)
            for s, seat, person in rows]


def _extensions(session: Session, round_: Round) -> list[RoundExtension]:
    return list(session.exec(
        select(RoundExtension).where(RoundExtension.round_id == round_.id)
        .order_by(RoundExtension.at)
    ).all())


def own_statement(session: Session, round_: Round, seat: Seat | None) -> ObserverStatement | None:
    if seat is None:
        return None
    return session.exec(select(ObserverStatement).where(
        ObserverStatement.round_id == round_.id, ObserverStatement.seat_id == seat.id)).first()


# comments of comment rounds


def comment_round_id(session: Session, draft: Draft, now: datetime | None = None) -> int | None:
    """The comment round open on the draft, to which a comment written now belongs."""
    now = now or utcnow()
    return session.exec(
        select(Round.id).where(Round.draft_id == draft.id, Round.closed_at.is_(None),
                               Round.kind == RoundKind.COMMENT, Round.opened_at <= now,
                               Round.deadline > now)
    ).first()


def comment_sealed(comment: Comment, now: datetime | None = None) -> bool:
    """Whether the comment belongs to a comment round that has closed (or is past its
    deadline): then nothing in it changes. The round is read through the comment's session,
    whose identity map keeps it, so a page of comments costs one query per round."""
    if comment.round_id is None:
        return False
    session = object_session(comment)
    round_ = session.get(Round, comment.round_id) if session is not None else None
    return round_ is not None and not accepting(round_, now or utcnow())


def round_comment_count(session: Session, round_: Round) -> int:
    return session.exec(select(func.count()).select_from(Comment).where(
        Comment.round_id == round_.id, Comment.withdrawn_at.is_(None))).one()


# lists


@dataclass(frozen=True)
class OpenRound:
    round: Round
    draft: Draft
    group: WorkingGroup
    answered: bool | None
    """Whether the actor's seat has answered (None when it takes no position)."""
    readable: bool


def open_rounds_for(session: Session, actor: Actor, now: datetime, *, limit: int = 10
                    ) -> list[OpenRound]:
    """Rounds open now in the groups where the actor reads, chairs, or makes statements: one
    query. Rounds past their deadline read as closed, so they are left out."""
    if not actor.signed_in:
        return []
    seat_id = actor.seat.id if actor.seat is not None else -1
    query = (
        select(Round, Draft, WorkingGroup, Position.version)
        .join(Draft, Draft.id == Round.draft_id)
        .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
        .join(Position, (Position.round_id == Round.id) & (Position.seat_id == seat_id),
              isouter=True)
        .where(Round.closed_at.is_(None), Round.deadline > now)
        .order_by(Round.deadline, Round.id)
        .limit(limit)
    )
    if not actor.is_secretariat:
        group_ids = actor.sitting | actor.chairing | actor.following
        if not group_ids:
            return []
        query = query.where(Draft.working_group_id.in_(sorted(group_ids)))
    found = []
    for round_, draft, group, version in session.exec(query).all():
        readable = can(actor, "deliberations.read", group)
        statement = can(actor, "statement.submit", draft) and round_.kind == RoundKind.DECISION
        if not readable and not statement:
            continue
        takes_position = (round_.kind == RoundKind.DECISION
                          and can(actor, "position.cast", draft))
        found.append(OpenRound(round_, draft, group,
                               (version is not None) if takes_position else None, readable))
    return found


def open_round_counts(session: Session, round_ids: Sequence[int]) -> dict[int, int]:
    """How many seats have answered, per round: one grouped query."""
    if not round_ids:
        return {}
    return dict(session.exec(
        select(Position.round_id, func.count()).where(Position.round_id.in_(round_ids))
        .group_by(Position.round_id)
    ).all())


# helpers


def _lock(session: Session, round_id: int) -> Round:
    """The round's row, locked until the transaction ends, read afresh."""
    return session.exec(
        select(Round).where(Round.id == round_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _lock_open(session: Session, round_: Round, now: datetime) -> Round:
    locked = _lock(session, round_.id)
    if not accepting(locked, now):
        raise RoundClosed()
    return locked


def _sits_in(session: Session, seat: Seat, group_id: int) -> bool:
    return seat.kind in ANSWERING_KINDS and session.get(
        WorkingGroupSeat, (group_id, seat.id)) is not None


def _follows(session: Session, seat: Seat, group_id: int) -> bool:
    return session.get(WorkingGroupSeat, (group_id, seat.id)) is not None


def _checked_position(session: Session, round_: Round, form: PositionForm
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
        drafts.check_line(errors, "reservation", text, MAX_TEXT, required=True,
                          missing=_("Write the reservation: it will be published as a footnote."))
        paragraph_ids = sorted(set(form.paragraph_ids))
        if paragraph_ids:
            revision = drafts.revision(session, session.get(Draft, round_.draft_id),
                                       round_.revision_number)
            known = {p.paragraph_id for p in drafts.paragraphs(session, revision)}
            if not set(paragraph_ids) <= known:
                errors["paragraph_ids"] = _("Choose paragraphs of the text put to the round.")
    elif choice is Choice.OBJECT:
        text = drafts.normalise(form.reason)
        drafts.check_line(errors, "reason", text, MAX_TEXT, required=True,
                          missing=_("Give the reason for the objection: it is required."))
    if errors:
        raise Invalid(errors)
    return choice.value, text, paragraph_ids


def _check_deadline(errors: dict[str, str], name: str, value: datetime | str, timezone: str,
                    *, now: datetime) -> datetime | None:
    moment = value if isinstance(value, datetime) else parse_deadline(value, timezone)
    if moment is None or moment.tzinfo is None:
        errors[name] = _("Give the deadline as a date and a time.")
        return None
    if moment <= now:
        errors[name] = _("The deadline must be in the future.")
    elif moment > now + LONGEST:
        errors[name] = _("The deadline must be within a year.")
    return moment


def choice_label(choice: str) -> str:
    return {
        Choice.SUPPORT: _("Support"),
        Choice.SUPPORT_WITH_RESERVATION: _("Support with a reservation"),
        Choice.ABSTAIN: _("Abstain"),
        Choice.OBJECT: _("Object"),
    }.get(choice, choice)


def outcome_label(outcome: str | None) -> str:
    return {
        Outcome.ADOPTED: _("Adopted"),
        Outcome.NOT_ADOPTED: _("Not adopted"),
        Outcome.NO_QUORUM: _("No quorum"),
    }.get(outcome, outcome or "")
