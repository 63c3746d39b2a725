"""How each person hears of each kind of notification (at once, in a daily digest at an hour of
their time zone, or only in the workspace), and the links in emails that open those choices
without signing in.

A link opens one person's choices and nothing else: it never starts a session. It expires, and
saves once. Its one-click unsubscribe (RFC 8058, what mail programs send on their own) only
turns emails off, which is harmless, so it works until the link expires even after a save.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, select

from council import notifications, sessions
from council.errors import DomainError, Invalid
from council.i18n import gettext as _
from council.models import Delivery, EmailSettingsLink, NotificationPreference, Person

LINK_DAYS = 30
LINK_PATH = "/notifications/settings/{token}"
"""Where a link leads (the route of council.notification_settings_views)."""


class LinkExpired(DomainError):
    status_code = 410
    title = "This link has expired"


@dataclass(frozen=True)
class Choice:
    kind: notifications.Kind
    delivery: Delivery


def choices(session: Session, person: Person) -> list[Choice]:
    """Every kind of notification with the person's delivery for it, in the order the kinds
    were declared."""
    chosen = notifications.deliveries(session, person.id)
    return [Choice(kind, chosen[name]) for name, kind in notifications.KINDS.items()]


def save_choices(
    session: Session, *, person: Person, chosen: dict[str, str], digest_hour: str
) -> None:
    """Save the deliveries given for known kinds (a kind left out keeps its delivery) and the
    digest's hour (0 to 23, in the person's time zone)."""
    errors: dict[str, str] = {}
    deliveries = {}
    for name, value in chosen.items():
        if name not in notifications.KINDS:
            continue
        if value not in Delivery.__members__.values():
            errors[name] = _("Choose at once, in the daily digest, or only in the workspace.")
        else:
            deliveries[name] = Delivery(value)
    hour = digest_hour.strip()
    if hour and not (hour.isascii() and hour.isdigit() and 0 <= int(hour) <= 23):
        errors["digest_hour"] = _("Choose an hour from the list.")
    if errors:
        raise Invalid(errors)
    for name, delivery in deliveries.items():
        session.merge(NotificationPreference(person_id=person.id, kind=name, delivery=delivery))
    if hour:
        person.digest_hour = int(hour)
        session.add(person)
    session.flush()


def new_link(session: Session, *, person_id: int, kind: str | None, now: datetime) -> str:
    """A link's token for an email to this person (the row keeps only its hash). `kind` is
    what its one-click unsubscribe turns off; None for a digest."""
    token, hashed = sessions.new_token()
    session.add(
        EmailSettingsLink(
            token_hash=hashed,
            person_id=person_id,
            kind=kind,
            created_at=now,
            expires_at=now + timedelta(days=LINK_DAYS),
        )
    )
    session.flush()
    return token


def _expired() -> LinkExpired:
    return LinkExpired(
        _(
            "This link has expired or was already used. Sign in to change how "
            "you hear of the council's work, or use the link in a newer email."
        )
    )


def open_link(
    session: Session, token: str, now: datetime, *, saving: bool = True
) -> tuple[EmailSettingsLink, Person]:
    """The link and its person while it may be used: not expired, and, to save, not used."""
    row = session.exec(
        select(EmailSettingsLink, Person)
        .join(Person, Person.id == EmailSettingsLink.person_id)
        .where(EmailSettingsLink.token_hash == sessions.token_hash(token))
    ).first()
    if row is None or row[0].expires_at <= now or not row[1].is_active:
        raise _expired()
    if saving and row[0].used_at is not None:
        raise _expired()
    return row


def save_through_link(
    session: Session, *, token: str, chosen: dict[str, str], digest_hour: str, now: datetime
) -> Person:
    """Save the choices of the link's person, and use the link up."""
    link, person = open_link(session, token, now)
    save_choices(session, person=person, chosen=chosen, digest_hour=digest_hour)
    link.used_at = now
    session.add(link)
    session.flush()
    return person


def unsubscribe(session: Session, *, token: str, now: datetime) -> list[str]:
    """One click: the kind the email was about goes to the workspace only (for a digest, every
    kind it gathers). The kinds turned off."""
    link, person = open_link(session, token, now, saving=False)
    current = notifications.deliveries(session, person.id)
    if link.kind is not None:
        kinds = [link.kind] if link.kind in current else []
    else:
        kinds = [name for name, delivery in current.items() if delivery == Delivery.DIGEST]
    for name in kinds:
        session.merge(
            NotificationPreference(person_id=person.id, kind=name, delivery=Delivery.WORKSPACE)
        )
    session.flush()
    return kinds


def purge_job(session: Session, now: datetime) -> int:
    """Remove links that expired a day ago or more."""
    return session.exec(
        delete(EmailSettingsLink).where(EmailSettingsLink.expires_at < now - timedelta(days=1))
    ).rowcount
