"""What the working-group spaces tell people (council.notifications), and who hears it.

- a round opens, or closes with its outcome: the group's people and its acting chair;
- a decision round's deadline is 72 and then 24 hours away while a seat has not answered:
  every head and delegate of that seat, once each (the `rounds.remind` job), and whenever the
  chair reminds them from the chair's desk (at most once in a few hours);
- a reply in a thread: who wrote in it before; a mention: the person named;
- a new revision: the people of the sponsoring seats and whoever commented on the draft;
- an observer statement: the acting chair;
- an amendment proposed: the sponsoring seats' people and the acting chair (who decides it);
- an amendment accepted, refused, merged or outdated: the people of the seat that proposed it;
- a recommendation adopted: the group's people (observers too: it is published).

Every event is told inside the act's transaction, never to the person who did the act, and
`notify` keeps out whoever may not see it (an observer of a group closed to observers, say).
Names, titles and numbers go into the params; the sentence is made in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from council import chairs, names, rotation
from council.i18n import format_datetime, lazy
from council.i18n import gettext as _
from council.models import Delivery, Notification, Person, Seat, WorkingGroup, WorkingGroupSeat
from council.notices import seat_people
from council.notifications import Kind, notify, register
from council.worker import Job
from workspaces.decisions import ANSWERING_KINDS, Outcome
from workspaces.models import Comment, Draft, DraftSponsor, Revision, RevisionParagraph
from workspaces.recommendation_models import Recommendation
from workspaces.round_models import Position, Round, RoundKind

ROUND_OPENED = "round.opened"
ROUND_REMINDER = "round.reminder"
ROUND_CLOSED = "round.closed"
RECOMMENDATION_ADOPTED = "recommendation.adopted"
COMMENT_REPLY = "comment.reply"
COMMENT_MENTION = "comment.mention"
DRAFT_REVISED = "draft.revised"
STATEMENT_SUBMITTED = "statement.submitted"
AMENDMENT_PROPOSED = "amendment.proposed"
AMENDMENT_DECIDED = "amendment.decided"

REMINDERS = ((timedelta(hours=24), "24h"), (timedelta(hours=72), "72h"))
"""How long before a decision round's deadline a seat that has not answered is reminded;
only the nearest of those reached is sent (a round opened 20 hours before its deadline gets
the 24-hour reminder, not both)."""


# the sentences


def _when(params: dict, name: str = "deadline") -> str:
    return format_datetime(datetime.fromisoformat(params[name]), params.get("timezone"))


def _describe_opened(params: dict) -> str:
    if params["kind"] == RoundKind.DECISION:
        return _(
            "Round %(round)s, a decision round on “%(title)s”, is open: the seats give "
            "their positions until %(deadline)s.",
            round=params["round"],
            title=params["title"],
            deadline=_when(params),
        )
    return _(
        "Round %(round)s, a comment round on “%(title)s”, is open until %(deadline)s.",
        round=params["round"],
        title=params["title"],
        deadline=_when(params),
    )


def _describe_reminder(params: dict) -> str:
    if params.get("by_chair"):
        return _(
            "The chair of working group %(number)s reminds %(seat)s that its answer is due "
            "in round %(round)s on “%(title)s”: it closes on %(deadline)s.",
            number=params["group_number"],
            seat=names.from_params(params, "seat"),
            round=params["round"],
            title=params["title"],
            deadline=_when(params),
        )
    return _(
        "The answer of %(seat)s is due in round %(round)s on “%(title)s”: it closes on "
        "%(deadline)s.",
        seat=names.from_params(params, "seat"),
        round=params["round"],
        title=params["title"],
        deadline=_when(params),
    )


def _describe_closed(params: dict) -> str:
    values = {"round": params["round"], "title": params["title"]}
    outcome = params.get("outcome")
    if outcome == Outcome.ADOPTED:
        return _("Round %(round)s on “%(title)s” has closed: the text was adopted.", **values)
    if outcome == Outcome.NOT_ADOPTED:
        return _("Round %(round)s on “%(title)s” has closed: the text was not adopted.", **values)
    if outcome == Outcome.NO_QUORUM:
        return _(
            "Round %(round)s on “%(title)s” has closed without a quorum: the text was not adopted.",
            **values,
        )
    return _("The comment round %(round)s on “%(title)s” has closed.", **values)


def _describe_adopted(params: dict) -> str:
    return _(
        "“%(title)s” was adopted in round %(round)s and published as recommendation %(number)s.",
        title=params["title"],
        round=params["round"],
        number=params["number"],
    )


def _describe_reply(params: dict) -> str:
    if params.get("paragraph"):
        return _(
            "%(author)s replied in a thread you wrote in, on paragraph %(paragraph)s of "
            "“%(title)s”.",
            author=params["author"],
            paragraph=params["paragraph"],
            title=params["title"],
        )
    return _(
        "%(author)s replied in a thread you wrote in, on “%(title)s”.",
        author=params["author"],
        title=params["title"],
    )


def _describe_mention(params: dict) -> str:
    if params.get("paragraph"):
        return _(
            "%(author)s mentioned you in a comment on paragraph %(paragraph)s of “%(title)s”.",
            author=params["author"],
            paragraph=params["paragraph"],
            title=params["title"],
        )
    return _(
        "%(author)s mentioned you in a comment on “%(title)s”.",
        author=params["author"],
        title=params["title"],
    )


def _describe_revised(params: dict) -> str:
    return _(
        "%(author)s saved revision %(number)s of “%(title)s”: %(summary)s",
        author=params["author"],
        number=params["number"],
        title=params["title"],
        summary=params["summary"],
    )


def _describe_statement(params: dict) -> str:
    return _(
        "%(seat)s submitted an observer statement in round %(round)s on “%(title)s”.",
        seat=names.from_params(params, "seat"),
        round=params["round"],
        title=params["title"],
    )


def _describe_amendment_proposed(params: dict) -> str:
    if params.get("seat"):
        return _(
            "%(seat)s proposed amendment %(number)s to “%(title)s”.",
            seat=names.from_params(params, "seat"),
            number=params["number"],
            title=params["title"],
        )
    return _(
        "The chair proposed editorial change %(number)s to “%(title)s”.",
        number=params["number"],
        title=params["title"],
    )


def _describe_amendment_decided(params: dict) -> str:
    values = {"number": params["number"], "title": params["title"]}
    status = params["status"]
    if status == "accepted":
        return _("Amendment %(number)s to “%(title)s” was accepted.", **values)
    if status == "refused":
        return _(
            "Amendment %(number)s to “%(title)s” was refused: %(reason)s",
            reason=params.get("reason", ""),
            **values,
        )
    if status == "merged":
        return _(
            "Amendment %(number)s to “%(title)s” was merged with others and accepted.", **values
        )
    return _(
        "Amendment %(number)s to “%(title)s” is outdated: the text it amends has "
        "changed. Re-base it or withdraw it.",
        **values,
    )


KINDS = [
    Kind(ROUND_OPENED, lazy("A round opens in my working group"), _describe_opened),
    Kind(
        ROUND_REMINDER,
        lazy("My seat's answer is due in a decision round"),
        _describe_reminder,
        Delivery.NOW,
    ),
    Kind(ROUND_CLOSED, lazy("A round of my working group closes"), _describe_closed),
    Kind(
        RECOMMENDATION_ADOPTED,
        lazy("A recommendation of my working group is adopted"),
        _describe_adopted,
    ),
    Kind(COMMENT_REPLY, lazy("Someone replies in a thread I wrote in"), _describe_reply),
    Kind(COMMENT_MENTION, lazy("Someone mentions me in a comment"), _describe_mention),
    Kind(
        DRAFT_REVISED,
        lazy("A draft I sponsor or commented on has a new revision"),
        _describe_revised,
    ),
    Kind(
        STATEMENT_SUBMITTED,
        lazy("An observer submits a statement in a round I chair"),
        _describe_statement,
    ),
    Kind(
        AMENDMENT_PROPOSED,
        lazy("An amendment is proposed to a draft I sponsor or chair"),
        _describe_amendment_proposed,
    ),
    Kind(
        AMENDMENT_DECIDED,
        lazy("An amendment of my seat is decided or outdated"),
        _describe_amendment_decided,
    ),
]
register(*KINDS)  # at import, so that the acts can tell even without an application


# who


def group_people(session: Session, group: WorkingGroup, now: datetime) -> list[int]:
    """The people of every seat of the group (observers' too: `notify` asks whether they may
    see) and whoever acts as its chair."""
    ids = set(
        session.exec(
            select(Person.id)
            .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Person.seat_id)
            .where(WorkingGroupSeat.working_group_id == group.id, Person.is_active)
        ).all()
    )
    return sorted(ids | set(acting_chairs(session, group, now)))


def acting_chairs(
    session: Session, group: WorkingGroup, now: datetime, draft: Draft | None = None
) -> list[int]:
    """Who acts as the group's chair (for `draft`: the vice chair's head when the chairing
    seat stood aside from it)."""
    term = chairs.current_term(session, group.id, now)
    if term is None:
        return []
    if (
        draft is not None
        and chairs.find_recusal(session, group.id, term.seat_id, f"draft:{draft.id}") is not None
    ):
        vice = chairs.vice_chairs(session, {group.id: term.seat_id})[group.id]
        heads = [p.id for p in chairs.seat_people(session, vice)][:1] if vice else []
        return heads
    acting = rotation.acting_person_ids(session, [term]).get(term.id)
    return [acting] if acting is not None else []


def _skip(by: Person | None) -> list[int]:
    return [by.id] if by is not None else []


def _round_params(round_: Round, draft: Draft) -> dict:
    return {
        "round": round_.id,
        "title": draft.title,
        "kind": round_.kind,
        "deadline": round_.deadline.isoformat(),
    }


def round_url(round_: Round) -> str:
    return f"/rounds/{round_.id}"


def comment_url(comment: Comment) -> str:
    root = comment.parent_id or comment.id
    return f"/drafts/{comment.draft_id}?thread={root}#comment-{comment.id}"


# rounds


def round_opened(
    session: Session, *, round_: Round, draft: Draft, by: Person, now: datetime
) -> None:
    group = session.get(WorkingGroup, draft.working_group_id)
    notify(
        session,
        people=group_people(session, group, now),
        kind=ROUND_OPENED,
        url=round_url(round_),
        now=now,
        group=group,
        requires="deliberations.read",
        subject=f"round:{round_.id}",
        params=_round_params(round_, draft),
        skip=_skip(by),
    )


def round_closed(
    session: Session,
    *,
    round_: Round,
    draft: Draft,
    group: WorkingGroup,
    by: Person | None,
    recommendation: Recommendation | None,
) -> None:
    """The outcome; an adoption is told once, as the recommendation it published (which
    the group's observers read too)."""
    now = round_.closed_at
    people = group_people(session, group, now)
    if recommendation is not None:
        notify(
            session,
            people=people,
            kind=RECOMMENDATION_ADOPTED,
            url=f"/recommendations/{recommendation.number}",
            now=now,
            group=group,
            requires="recommendations.read",
            subject=f"recommendation:{recommendation.id}",
            params={**_round_params(round_, draft), "number": recommendation.number},
            skip=_skip(by),
        )
        return
    notify(
        session,
        people=people,
        kind=ROUND_CLOSED,
        url=round_url(round_),
        now=now,
        group=group,
        requires="deliberations.read",
        subject=f"round:{round_.id}",
        params={**_round_params(round_, draft), "outcome": round_.outcome},
        skip=_skip(by),
    )


def statement_submitted(
    session: Session, *, round_: Round, draft: Draft, seat: Seat, by: Person, now: datetime
) -> None:
    group = session.get(WorkingGroup, draft.working_group_id)
    notify(
        session,
        people=acting_chairs(session, group, now, draft),
        kind=STATEMENT_SUBMITTED,
        url=f"{round_url(round_)}#statements",
        now=now,
        group=group,
        requires="deliberations.read",
        subject=f"round:{round_.id}",
        params={**_round_params(round_, draft), **names.param("seat", seat)},
        skip=_skip(by),
    )


def remind_due(session: Session, now: datetime) -> int:
    """The worker's job: remind the seats that have not answered an open decision round whose
    deadline is 72, then 24, hours away or less; each person once per reminder (the dedupe
    key), nobody once a person of the seat has answered. How many notifications it made."""
    horizon = max(before for before, _label in REMINDERS)
    rows = session.exec(
        select(Round, Draft, WorkingGroup, Seat)
        .join(Draft, Draft.id == Round.draft_id)
        .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
        .join(WorkingGroupSeat, WorkingGroupSeat.working_group_id == WorkingGroup.id)
        .join(Seat, and_(Seat.id == WorkingGroupSeat.seat_id, Seat.kind.in_(ANSWERING_KINDS)))
        .join(
            Position, and_(Position.round_id == Round.id, Position.seat_id == Seat.id), isouter=True
        )
        .where(
            Round.kind == RoundKind.DECISION,
            Round.closed_at.is_(None),
            Round.deadline > now,
            Round.deadline <= now + horizon,
            Position.round_id.is_(None),
        )
        .order_by(Round.id, Seat.id)
    ).all()
    due = []
    for round_, draft, group, seat in rows:
        label = next(label for before, label in REMINDERS if round_.deadline - now <= before)
        due.append((round_, draft, group, seat, f"round:{round_.id}:seat:{seat.id}:{label}"))
    if not due:
        return 0
    people: dict[int, list[int]] = {}
    for person_id, seat_id in session.exec(
        select(Person.id, Person.seat_id).where(
            Person.seat_id.in_({seat.id for *_rest, seat, _key in due}), Person.is_active
        )
    ).all():
        people.setdefault(seat_id, []).append(person_id)
    told = set(
        session.exec(
            select(Notification.person_id, Notification.dedupe_key).where(
                Notification.dedupe_key.in_([key for *_rest, key in due])
            )
        ).all()
    )
    made = 0
    for round_, draft, group, seat, key in due:
        waiting = [p for p in people.get(seat.id, []) if (p, key) not in told]
        if waiting:
            made += len(
                notify(
                    session,
                    people=waiting,
                    kind=ROUND_REMINDER,
                    url=round_url(round_),
                    now=now,
                    group=group,
                    requires="position.cast",
                    subject=f"round:{round_.id}",
                    params={**_round_params(round_, draft), **names.param("seat", seat)},
                    dedupe_key=key,
                )
            )
    return made


def chair_reminded(
    session: Session,
    *,
    round_: Round,
    draft: Draft,
    group: WorkingGroup,
    seats: Iterable[Seat],
    by: Person,
    now: datetime,
) -> list[Notification]:
    """The chair's reminder (the chair's desk): every head and delegate of each seat that has
    not answered, in one kind with the deadline reminders (so the same choice of delivery)."""
    seats = list(seats)
    people: dict[int, list[int]] = {}
    for person_id, seat_id in session.exec(
        select(Person.id, Person.seat_id).where(
            Person.seat_id.in_([seat.id for seat in seats]), Person.is_active
        )
    ).all():
        people.setdefault(seat_id, []).append(person_id)
    made: list[Notification] = []
    for seat in seats:
        made.extend(
            notify(
                session,
                people=people.get(seat.id, []),
                kind=ROUND_REMINDER,
                url=round_url(round_),
                now=now,
                group=group,
                requires="position.cast",
                subject=f"round:{round_.id}",
                params={
                    **_round_params(round_, draft),
                    **names.param("seat", seat),
                    "by_chair": True,
                    "group_number": group.number,
                },
                skip=_skip(by),
            )
        )
    return made


JOBS = [
    Job(
        "rounds.remind",
        remind_due,
        every=timedelta(minutes=5),
        label=lazy("Remind the seats whose answer is due in a decision round"),
    )
]


# comments and revisions


def _paragraph_number(session: Session, draft: Draft, comment: Comment) -> int | None:
    """The number the comment's paragraph is cited by; None on a heading (the notice then
    names the draft only), on the whole draft or on removed text."""
    if comment.paragraph_id is None:
        return None
    return session.exec(
        select(RevisionParagraph.number)
        .join(Revision, Revision.id == RevisionParagraph.revision_id)
        .where(
            Revision.draft_id == draft.id,
            Revision.number == draft.latest_revision_number,
            RevisionParagraph.paragraph_id == comment.paragraph_id,
        )
    ).first()


def comment_posted(
    session: Session,
    *,
    comment: Comment,
    draft: Draft,
    by: Person,
    mentioned: Iterable[int],
    now: datetime,
) -> None:
    """A mention tells the person named; a reply tells who wrote in the thread before (once:
    someone both mentioned and in the thread hears of the mention)."""
    group = session.get(WorkingGroup, draft.working_group_id)
    common = {
        "url": comment_url(comment),
        "now": now,
        "group": group,
        "requires": "deliberations.read",
        "subject": f"comment:{comment.id}",
        "skip": _skip(by),
        "params": {
            "author": by.name,
            "title": draft.title,
            "paragraph": _paragraph_number(session, draft, comment),
        },
    }
    mentioned = sorted(set(mentioned))
    if mentioned:
        notify(
            session,
            people=mentioned,
            kind=COMMENT_MENTION,
            dedupe_key=f"comment:{comment.id}:mention",
            **common,
        )
    if comment.parent_id is not None:
        writers = session.exec(
            select(Comment.author_id).where(
                or_(Comment.id == comment.parent_id, Comment.parent_id == comment.parent_id),
                Comment.id != comment.id,
            )
        ).all()
        notify(session, people=set(writers) - set(mentioned), kind=COMMENT_REPLY, **common)


def comment_edited(
    session: Session,
    *,
    comment: Comment,
    draft: Draft,
    by: Person,
    mentioned: Iterable[int],
    now: datetime,
) -> None:
    """Whoever an edit newly mentions is told (once: the dedupe key)."""
    mentioned = sorted(set(mentioned))
    if not mentioned:
        return
    group = session.get(WorkingGroup, draft.working_group_id)
    notify(
        session,
        people=mentioned,
        kind=COMMENT_MENTION,
        url=comment_url(comment),
        now=now,
        group=group,
        requires="deliberations.read",
        subject=f"comment:{comment.id}",
        skip=_skip(by),
        dedupe_key=f"comment:{comment.id}:mention",
        params={
            "author": by.name,
            "title": draft.title,
            "paragraph": _paragraph_number(session, draft, comment),
        },
    )


def draft_revised(
    session: Session, *, draft: Draft, revision: Revision, by: Person, now: datetime
) -> None:
    group = session.get(WorkingGroup, draft.working_group_id)
    sponsors = session.exec(
        select(DraftSponsor.seat_id).where(DraftSponsor.draft_id == draft.id)
    ).all()
    commenters = session.exec(
        select(Comment.author_id).where(Comment.draft_id == draft.id).distinct()
    ).all()
    notify(
        session,
        people={*seat_people(session, sponsors), *commenters},
        kind=DRAFT_REVISED,
        url=f"/drafts/{draft.id}/compare?from={revision.number - 1}&to={revision.number}",
        now=now,
        group=group,
        requires="deliberations.read",
        subject=f"draft:{draft.id}",
        skip=_skip(by),
        params={
            "author": by.name,
            "title": draft.title,
            "number": revision.number,
            "summary": revision.summary,
        },
    )


# amendments


def amendment_proposed(
    session: Session, *, amendment, draft: Draft, seat: Seat | None, by: Person, now: datetime
) -> None:
    group = session.get(WorkingGroup, draft.working_group_id)
    sponsors = session.exec(
        select(DraftSponsor.seat_id).where(DraftSponsor.draft_id == draft.id)
    ).all()
    people = {*seat_people(session, sponsors), *acting_chairs(session, group, now, draft)}
    notify(
        session,
        people=people,
        kind=AMENDMENT_PROPOSED,
        url=f"/amendments/{amendment.id}",
        now=now,
        group=group,
        requires="deliberations.read",
        subject=f"draft:{draft.id}",
        skip=_skip(by),
        params={
            "number": amendment.number,
            "title": draft.title,
            **names.param("seat", seat if amendment.kind == "amendment" else None),
        },
    )


def amendment_decided(
    session: Session, *, amendment, draft: Draft, by: Person, now: datetime
) -> None:
    """Told to the proposing seat's people (a seat's amendment only)."""
    if amendment.kind != "amendment":
        return
    group = session.get(WorkingGroup, draft.working_group_id)
    notify(
        session,
        people=seat_people(session, [amendment.seat_id]),
        kind=AMENDMENT_DECIDED,
        url=f"/amendments/{amendment.id}",
        now=now,
        group=group,
        requires="deliberations.read",
        subject=f"draft:{draft.id}",
        skip=_skip(by),
        params={
            "number": amendment.number,
            "title": draft.title,
            "status": amendment.status,
            "reason": amendment.decision_reason,
        },
    )
