"""The email outbox: notifications told by email, at once or in a daily digest.

A message is a row written in the same transaction as what it tells (`enqueue_at_once`, from
`notifications.notify`; `enqueue_digests`, a job), so it is sent if and only if that commits.
The worker drains the outbox outside any long transaction, because an SMTP server must never
keep SQLite's write lock (or a PostgreSQL row lock) waiting:

1. claim a batch of due messages in one short transaction (PostgreSQL: `FOR UPDATE SKIP
   LOCKED`, so two workers take different rows; SQLite: its write lock serialises claims), for
   `CLAIM` minutes, after which a worker that died is presumed dead and the message due again;
2. for each, in a short transaction: check that the person may still see what it tells and
   still wants such emails (else the message is cancelled), and compose it in their language;
3. hand it to the mail server, with no transaction open;
4. record the result in a short transaction, only if the claim is still this worker's: sent,
   or failed and due again after an exponential back-off, or given up after `MAX_ATTEMPTS`.

Each message keeps one Message-ID on every attempt, so a copy that a crash between steps 3
and 4 would send again is recognisable as the same message by mail programs.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

import jinja2
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, delete, select

from council import i18n, names, notification_settings, notifications
from council.database import Database
from council.i18n import lazy
from council.mail import Mail, MailError, Postman, message_id
from council.models import (
    Council,
    Delivery,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Person,
    WorkingGroup,
)
from council.settings import Settings
from council.worker import Job

log = logging.getLogger(__name__)

BATCH = 20
CLAIM = timedelta(minutes=15)
"""Longer than a batch can take (BATCH × the SMTP time-out), so no claim runs out while its
worker still sends."""
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=2)
DIGEST_WINDOW = timedelta(hours=2)
"""A digest goes within this time after its hour (a worker that was stopped catches up),
never later in the day."""
DIGEST_GAP = timedelta(hours=20)
"""At most one digest in this time, whatever changes of hour or time zone."""
DIGEST_AGE = timedelta(days=7)
"""What waited longer than this for a digest is left to the workspace."""
DIGEST_ITEMS = 100
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "mail"


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4, 8... minutes, at most two hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


# Writing messages, in the transaction of what they tell


def enqueue_at_once(session: Session, made: list[Notification], now: datetime) -> int:
    """One message for each notification its person gets by email at once."""
    messages = [
        OutboxMessage(
            key=secrets.token_hex(16),
            person_id=n.person_id,
            notification_id=n.id,
            created_at=now,
            next_attempt_at=now,
        )
        for n in made
        if n.delivery == Delivery.NOW
    ]
    session.add_all(messages)
    if messages:
        session.flush()
    return len(messages)


def digest_due(person: Person, last_digest: datetime | None, now: datetime) -> bool:
    """Whether the person's digest goes now: their hour has come in their time zone (within
    the last DIGEST_WINDOW), and they got none in the last DIGEST_GAP."""
    local = now.astimezone(i18n.zone(person.timezone))
    hour = local.replace(hour=person.digest_hour, minute=0, second=0, microsecond=0)
    if hour > local:
        hour -= timedelta(days=1)
    if now - hour.astimezone(UTC) >= DIGEST_WINDOW:
        return False
    return last_digest is None or now - last_digest >= DIGEST_GAP


def enqueue_digests(session: Session, now: datetime) -> int:
    """A digest message for each person whose hour has come, of their notifications kept
    for it (not emailed yet, recent, of a kind still wanted by email, about what they may
    still see); those are marked emailed, so no later digest repeats them. How many digests."""
    waiting = (
        select(Notification.person_id)
        .where(
            Notification.delivery == Delivery.DIGEST,
            col(Notification.emailed_at).is_(None),
            Notification.created_at > now - DIGEST_AGE,
            Notification.created_at <= now,
        )
        .distinct()
    )
    people = session.exec(select(Person).where(col(Person.id).in_(waiting), Person.is_active)).all()
    if not people:
        return 0
    last = dict(
        session.exec(
            select(OutboxMessage.person_id, func.max(OutboxMessage.created_at))
            .where(
                OutboxMessage.is_digest, col(OutboxMessage.person_id).in_([p.id for p in people])
            )
            .group_by(OutboxMessage.person_id)
        ).all()
    )
    groups: dict[int, WorkingGroup] = {}
    made = 0
    for person in people:
        if not digest_due(person, last.get(person.id), now):
            continue
        wanted = notifications.deliveries(session, person.id)
        pending = session.exec(
            select(Notification)
            .where(
                Notification.person_id == person.id,
                Notification.delivery == Delivery.DIGEST,
                col(Notification.emailed_at).is_(None),
                Notification.created_at > now - DIGEST_AGE,
                Notification.created_at <= now,
            )
            .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        ).all()
        _load_groups(session, groups, pending)
        chosen = [
            n
            for n in pending
            if wanted.get(n.kind, Delivery.WORKSPACE) != Delivery.WORKSPACE
            and notifications.may_see(session, person, n, now, groups=groups)
        ]
        if not chosen:
            continue
        for notification in chosen:
            notification.emailed_at = now
        session.add_all(chosen)
        session.add(
            OutboxMessage(
                key=secrets.token_hex(16),
                person_id=person.id,
                is_digest=True,
                digest=json.dumps([n.id for n in chosen]),
                created_at=now,
                next_attempt_at=now,
            )
        )
        made += 1
    session.flush()
    return made


def _load_groups(
    session: Session, groups: dict[int, WorkingGroup], items: list[Notification]
) -> None:
    missing = {n.working_group_id for n in items} - set(groups) - {None}
    if missing:
        groups.update(
            {
                g.id: g
                for g in session.exec(
                    select(WorkingGroup).where(col(WorkingGroup.id).in_(missing))
                ).all()
            }
        )


# Sending, outside long transactions


def claim(database: Database, now: datetime, *, batch: int = BATCH) -> tuple[str, list[int]]:
    """Take up to `batch` due messages for this worker (a token of the claim, their ids)."""
    token = secrets.token_hex(16)
    with database.transaction() as session:
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(col(OutboxMessage.claimed_until).is_(None), OutboxMessage.claimed_until <= now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(session.exec(due).all())
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(ids))
                .values(claim_token=token, claimed_until=now + CLAIM)
            )
    return token, ids


def _mine(message_id_: int, token: str):
    return update(OutboxMessage).where(
        OutboxMessage.id == message_id_,
        OutboxMessage.claim_token == token,
        OutboxMessage.status == OutboxStatus.PENDING,
    )


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


class Outbox:
    """Drains the outbox: composes each message in its reader's language and sends it."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def catalogues(self) -> dict:
        return i18n.load_catalogues(self.settings.languages)

    @cached_property
    def templates(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html",), default=False, default_for_string=False
            ),
            extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.install_gettext_callables(
            i18n.gettext, i18n.raw_ngettext, newstyle=True, pgettext=i18n.raw_pgettext
        )
        env.filters["datetime"] = i18n.format_datetime
        return env

    @property
    def base_url(self) -> str:
        return self.settings.base_url or DEVELOPMENT_BASE_URL

    def drain(self, database: Database, now: datetime) -> int:
        """Send what is due now, batch after batch; how many messages were sent."""
        total = Outcome()
        with Postman(self.settings) as postman:
            while True:
                token, ids = claim(database, now)
                for id_ in ids:
                    self._deliver(database, postman, id_, token, now, total)
                if len(ids) < BATCH:
                    break
        if total.failed:
            log.warning(
                "outbox: %s sent, %s not sent (%s), %s cancelled",
                total.sent,
                total.failed,
                "; ".join(sorted(set(total.errors))),
                total.cancelled,
            )
        return total.sent

    def _deliver(
        self,
        database: Database,
        postman: Postman,
        id_: int,
        token: str,
        now: datetime,
        outcome: Outcome,
    ) -> None:
        with database.transaction() as session:
            message = session.get(OutboxMessage, id_)
            if message is None or message.claim_token != token:
                return
            attempts, notification_ids = message.attempts + 1, _told(message)
            try:
                with session.begin_nested():
                    mail = self.compose(session, message, now)
            except Exception as error:  # a bug must not retry the message for ever
                log.exception("outbox: message %s could not be composed", id_)
                mail, failure = None, MailError(f"{type(error).__name__}: {error}")
            else:
                failure = None
                if mail is None:
                    session.execute(
                        _mine(id_, token).values(
                            status=OutboxStatus.CANCELLED, claim_token=None, claimed_until=None
                        )
                    )
                    outcome.cancelled += 1
                    return
        if mail is not None:
            try:
                postman.send(mail)
            except MailError as error:
                failure = error
        if failure is not None:
            outcome.failed += 1
            outcome.errors.append(str(failure))
            give_up = failure.permanent or attempts >= MAX_ATTEMPTS
            with database.transaction() as session:
                session.execute(
                    _mine(id_, token).values(
                        status=OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
                        attempts=attempts,
                        last_error=str(failure)[:2000],
                        claim_token=None,
                        claimed_until=None,
                        next_attempt_at=now + retry_delay(attempts),
                    )
                )
            return
        with database.transaction() as session:
            session.execute(
                _mine(id_, token).values(
                    status=OutboxStatus.SENT,
                    attempts=attempts,
                    sent_at=now,
                    last_error="",
                    claim_token=None,
                    claimed_until=None,
                )
            )
            if notification_ids:
                session.execute(
                    update(Notification)
                    .where(
                        col(Notification.id).in_(notification_ids),
                        col(Notification.emailed_at).is_(None),
                    )
                    .values(emailed_at=now)
                )
        outcome.sent += 1

    def compose(self, session: Session, message: OutboxMessage, now: datetime) -> Mail | None:
        """The email of `message` in its reader's language, with a fresh settings link; None
        when nothing is left to tell (the person left, may no longer see it, or turned such
        emails off)."""
        person = session.get(Person, message.person_id)
        if person is None or not person.is_active or not person.email:
            return None
        ids = json.loads(message.digest) if message.is_digest else [message.notification_id]
        told = session.exec(
            select(Notification)
            .where(col(Notification.id).in_(ids))
            .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        ).all()
        groups: dict[int, WorkingGroup] = {}
        _load_groups(session, groups, told)
        if not message.is_digest and told:
            wanted = notifications.deliveries(session, person.id)
            if wanted.get(told[0].kind, Delivery.WORKSPACE) == Delivery.WORKSPACE:
                return None
        told = [n for n in told if notifications.may_see(session, person, n, now, groups=groups)]
        if not told:
            return None
        council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
        language = self._language(person, council)
        link_token = notification_settings.new_link(
            session, person_id=person.id, kind=None if message.is_digest else told[0].kind, now=now
        )
        settings_link = self.base_url + notification_settings.LINK_PATH.format(token=link_token)
        with i18n.speaking(language, self.catalogues[language]):
            context = {
                "person": person,
                "council_name": (
                    names.shown(council, council).text
                    if council
                    else i18n.gettext("Council Workspace")
                ),
                "settings_link": settings_link,
                "link_days": notification_settings.LINK_DAYS,
                "timezone": person.timezone,
            }
            if message.is_digest:
                context["sections"] = self._sections(
                    told, groups, council, context["council_name"], person.timezone
                )
                context["count"] = len(told)
                name = "digest"
                subject = i18n.ngettext(
                    "%(council)s: %(num)s notification in your daily digest",
                    "%(council)s: %(num)s notifications in your daily digest",
                    len(told),
                    council=context["council_name"],
                )
            else:
                context["item"] = self._item(told[0], person.timezone)
                name = "notification"
                subject = context["item"]["sentence"]
            text = self.templates.get_template(f"{name}.txt").render(context)
            html = self.templates.get_template(f"{name}.html").render(
                {**context, "language": language}
            )
        return Mail(
            to=person.email,
            subject=" ".join(subject.split())[:200],
            body=text,
            html=html,
            language=language,
            message_id=message_id(self.settings, f"outbox.{message.key}"),
            headers=(
                ("List-Unsubscribe", f"<{settings_link}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ),
        )

    def _language(self, person: Person, council: Council | None) -> str:
        for language in (
            person.language,
            council.default_language if council else None,
            self.settings.default_language,
        ):
            if language in self.catalogues:
                return language
        return next(iter(self.catalogues))

    def _link(self, url: str) -> str:
        return self.base_url + url if url.startswith("/") else url

    def _item(self, notification: Notification, timezone: str) -> dict:
        return {
            "sentence": notifications.describe(notification, timezone),
            "link": self._link(notification.url),
            "at": notification.created_at,
        }

    def _sections(
        self,
        told: list[Notification],
        groups: dict[int, WorkingGroup],
        council: Council | None,
        council_name: str,
        timezone: str,
    ) -> list[dict]:
        """The digest's items by working group, then by draft (or other subject), each list
        newest first (`told` is), the groups and drafts in the order of their newest item."""
        sections: dict = {}
        for notification in told[:DIGEST_ITEMS]:
            group = groups.get(notification.working_group_id)
            section = sections.setdefault(
                notification.working_group_id,
                {
                    "title": names.shown(group, council).text if group else council_name,
                    "topics": {},
                },
            )
            params = json.loads(notification.params or "{}")
            topic_key = params.get("draft_id") or notification.subject or notification.id
            topic = section["topics"].setdefault(
                topic_key, {"title": params.get("draft_title") or "", "entries": []}
            )
            topic["entries"].append(self._item(notification, timezone))
        return [
            {"title": s["title"], "topics": list(s["topics"].values())} for s in sections.values()
        ]


def _told(message: OutboxMessage) -> list[int]:
    return [] if message.is_digest else [message.notification_id]


def purge_job(session: Session, now: datetime) -> int:
    """Forget sent, cancelled and given-up messages after 30 days, and expired links."""
    done = session.exec(
        delete(OutboxMessage).where(
            OutboxMessage.status != OutboxStatus.PENDING,
            OutboxMessage.created_at < now - timedelta(days=30),
        )
    ).rowcount
    return done + notification_settings.purge_job(session, now)


def jobs(settings: Settings) -> list[Job]:
    outbox = Outbox(settings)
    return [
        Job(
            "mail.outbox",
            outbox.drain,
            every=timedelta(seconds=10),
            transactional=False,
            label=lazy("Send the emails waiting in the outbox"),
        ),
        Job(
            "mail.digests",
            enqueue_digests,
            every=timedelta(minutes=15),
            label=lazy("Prepare each person's daily digest at their hour"),
        ),
        Job(
            "mail.purge",
            purge_job,
            every=timedelta(hours=1),
            label=lazy("Remove old sent emails and expired settings links"),
        ),
    ]
