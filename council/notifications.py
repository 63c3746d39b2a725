"""Notifications: who is told what, in the workspace and by email.

A domain act calls `notify(...)` inside its own transaction with the people concerned; each
one who may see the subject (`can(actor, requires, group)`, checked now and again when the
notification is shown or emailed) gets a row, delivered as their preference for that kind
says: at once, in the daily digest, or only in the workspace. Kinds are declared by the core
and by extensions (`Extension.notification_kinds`), each with its words and default delivery.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select, update

from council import permissions
from council.errors import NotFound
from council.models import (
    Delivery,
    Notification,
    NotificationPreference,
    Person,
    WorkingGroup,
)


@dataclass(frozen=True)
class Kind:
    """A kind of notification. `label` (a lazy msgid) names it on the settings page;
    `describe(params)` gives its sentence in the active language; `default` is the delivery
    of people who did not choose."""

    name: str
    label: str
    describe: Callable[[dict], str]
    default: Delivery = Delivery.DIGEST


KINDS: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    for kind in kinds:
        KINDS[kind.name] = kind


def describe(notification: Notification, timezone: str | None = None) -> str:
    """The notification's sentence in the active language; times in it are shown in
    `timezone` (the reader's), which reaches `Kind.describe` as params["timezone"]."""
    kind = KINDS.get(notification.kind)
    params = json.loads(notification.params or "{}")
    return kind.describe({**params, "timezone": timezone or "UTC"}) if kind else notification.kind


def deliveries(session: Session, person_id: int) -> dict[str, Delivery]:
    """Every kind's delivery for this person: their choice, else the kind's default."""
    chosen = dict(
        session.exec(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.person_id == person_id
            )
        ).all()
    )
    return {name: Delivery(chosen.get(name, kind.default)) for name, kind in KINDS.items()}


def may_see(
    session: Session,
    person: Person,
    notification: Notification,
    now: datetime,
    *,
    groups: dict[int, WorkingGroup] | None = None,
) -> bool:
    """Whether the person may still see what the notification is about."""
    actor = permissions.load_actor(session, person, now, settle=False)
    if notification.working_group_id is None:
        return permissions.can(actor, notification.requires, None)
    group = (groups or {}).get(notification.working_group_id) or session.get(
        WorkingGroup, notification.working_group_id
    )
    return group is not None and permissions.can(actor, notification.requires, group)


def notify(
    session: Session,
    *,
    people: Iterable[int],
    kind: str,
    url: str,
    now: datetime,
    group: WorkingGroup | None = None,
    requires: str = "council.read",
    subject: str = "",
    params: dict | None = None,
    dedupe_key: str | None = None,
    skip: Iterable[int] = (),
) -> list[Notification]:
    """Tell each of `people` (ids; those in `skip`, e.g. the author of the act, excepted) who
    may see the subject. With a `dedupe_key`, a person is told once whatever the retries
    (a reminder, say). Returns the notifications made."""
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    ids = sorted(set(people) - set(skip))
    if not ids:
        return []
    persons = session.exec(select(Person).where(Person.id.in_(ids), Person.is_active)).all()
    made = []
    for person in persons:
        probe = Notification(
            person_id=person.id,
            kind=kind,
            url=url,
            requires=requires,
            working_group_id=group.id if group else None,
            delivery=Delivery.WORKSPACE,
        )
        if not may_see(session, person, probe, now, groups={group.id: group} if group else None):
            continue
        probe.delivery = deliveries(session, person.id)[kind]
        probe.subject, probe.created_at = subject, now
        probe.params = json.dumps(params or {}, ensure_ascii=False, sort_keys=True)
        probe.dedupe_key = dedupe_key
        if dedupe_key is not None:
            try:
                with session.begin_nested():
                    session.add(probe)
                    session.flush()
            except IntegrityError:
                continue  # told already
        else:
            session.add(probe)
            session.flush()
        made.append(probe)
    from council import outbox  # outbox reads this module: imported when first needed

    outbox.enqueue_at_once(session, made, now)  # emailed at once: in this same transaction
    return made


# reading: what a person is shown, never what they may no longer see


@dataclass(frozen=True)
class _Subject:
    """What the permission rules read of a notification's group, without loading the group."""

    working_group_id: int
    observers_read_deliberations: bool


def _allowed(actor: permissions.Actor, requires: str, group: object | None) -> bool:
    try:
        return permissions.can(actor, requires, group)
    except (KeyError, TypeError):  # a right since renamed, or one about another kind of target
        return False


def visible_unread_count(session: Session, actor: permissions.Actor) -> int:
    """How many unread notifications the actor may still see: one grouped query (the number
    in the navigation of every page)."""
    if not actor.signed_in:
        return 0
    rows = session.exec(
        select(
            Notification.working_group_id,
            Notification.requires,
            WorkingGroup.observers_read_deliberations,
            func.count(),
        )
        .join(WorkingGroup, WorkingGroup.id == Notification.working_group_id, isouter=True)
        .where(Notification.person_id == actor.person.id, Notification.read_at.is_(None))
        .group_by(
            Notification.working_group_id,
            Notification.requires,
            WorkingGroup.observers_read_deliberations,
        )
    ).all()
    return sum(
        count
        for group_id, requires, observers, count in rows
        if _allowed(
            actor, requires, None if group_id is None else _Subject(group_id, bool(observers))
        )
    )


@dataclass(frozen=True)
class Shown:
    """A notification as its reader sees it: its sentence in their language."""

    notification: Notification
    text: str
    group: WorkingGroup | None

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


PAGE_SIZE = 50


def shown_to(
    session: Session,
    actor: permissions.Actor,
    *,
    limit: int = PAGE_SIZE,
    before: int | None = None,
    unread: bool = False,
    kinds: Iterable[str] | None = None,
) -> list[Shown]:
    """The actor's notifications, newest first (those with an id below `before`, only unread
    ones, only of `kinds`), leaving out what they may no longer see: one query."""
    if not actor.signed_in:
        return []
    query = (
        select(Notification, WorkingGroup)
        .join(WorkingGroup, WorkingGroup.id == Notification.working_group_id, isouter=True)
        .where(Notification.person_id == actor.person.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(Notification.id < before)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if kinds is not None:
        query = query.where(Notification.kind.in_(list(kinds)))
    timezone = actor.person.timezone
    return [
        Shown(notification, describe(notification, timezone), group)
        for notification, group in session.exec(query).all()
        if _allowed(actor, notification.requires, group)
        and (group is not None or notification.working_group_id is None)
    ]


def open_notification(
    session: Session, *, actor: permissions.Actor, notification_id: int, now: datetime
) -> str:
    """Mark one of the actor's notifications read and give the address it points to."""
    notification = session.get(Notification, notification_id)
    if notification is None or not actor.signed_in or notification.person_id != actor.person.id:
        raise NotFound()
    group = (
        session.get(WorkingGroup, notification.working_group_id)
        if notification.working_group_id is not None
        else None
    )
    if not _allowed(actor, notification.requires, group):
        raise NotFound()
    mark_read(session, person_id=actor.person.id, now=now, ids=[notification.id])
    url = notification.url
    return url if url.startswith("/") and not url.startswith("//") else "/"


def unread_count(session: Session, person_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
    ).one()


def mark_read(
    session: Session, *, person_id: int, now: datetime, ids: Iterable[int] | None = None
) -> int:
    """Mark the person's notifications read (all of them, or those of `ids`)."""
    statement = update(Notification).where(
        Notification.person_id == person_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    return session.exec(statement.values(read_at=now)).rowcount
