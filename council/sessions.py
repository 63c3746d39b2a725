"""Server-side sessions: a random token in the cookie, its hash and expiry in the database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select, update

from council.bookkeeping import Bookkeeping
from council.models import AuthSession, Person
from council.settings import Settings

TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    """What the database keeps of a secret token (sessions, reset links, invitations, sign-in
    flows): its SHA-256, so a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A token for a cookie or a link (256 random bits) and the hash the database keeps."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def start(
    session: Session, person: Person, *, settings: Settings, now: datetime, user_agent: str = ""
) -> str:
    token, hashed = new_token()
    session.add(
        AuthSession(
            id=hashed,
            person_id=person.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            user_agent=user_agent[:300],
        )
    )
    session.flush()
    return token


def resolve(
    session: Session,
    token: str | None,
    *,
    settings: Settings,
    now: datetime,
    seen: datetime | None = None,
) -> tuple[AuthSession, Person] | None:
    """The live session and its person, or None when unknown, idle, expired or deactivated.

    `seen`: a later use of the session that is noted but not written yet (note_seen)."""
    if not token:
        return None
    row = session.exec(
        select(AuthSession, Person)
        .join(Person, Person.id == AuthSession.person_id)
        .where(AuthSession.id == token_hash(token))
    ).first()
    if row is None:
        return None
    auth, person = row
    last_seen = max(auth.last_seen_at, seen) if seen else auth.last_seen_at
    idle_limit = last_seen + timedelta(minutes=settings.session_idle_minutes)
    if now >= auth.expires_at or now >= idle_limit or not person.is_active:
        return None
    return auth, person


def touch(session: Session, auth: AuthSession, now: datetime) -> None:
    """Record activity, at most once a minute so reads rarely write."""
    if now - auth.last_seen_at >= TOUCH_EVERY:
        auth.last_seen_at = now
        session.add(auth)


SEEN = "session_seen"


def note_seen(bookkeeping: Bookkeeping, auth: AuthSession, now: datetime) -> None:
    """A read used the session: its idle time restarts when the next batch is written."""
    if now - auth.last_seen_at >= TOUCH_EVERY:
        bookkeeping.note(SEEN, auth.id, now)


def pending_seen(bookkeeping: Bookkeeping, token: str | None) -> datetime | None:
    return bookkeeping.pending(SEEN, token_hash(token)) if token else None


def write_seen(session: Session, notes: dict[str, datetime]) -> None:
    """The bookkeeping writer: each session's last use, never moved backwards."""
    for session_id, seen in notes.items():
        session.exec(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.last_seen_at < seen)
            .values(last_seen_at=seen)
        )


def end(session: Session, token: str) -> None:
    session.exec(delete(AuthSession).where(AuthSession.id == token_hash(token)))


def end_all(session: Session, person_id: int, *, keep_token: str | None = None) -> None:
    statement = delete(AuthSession).where(AuthSession.person_id == person_id)
    if keep_token:
        statement = statement.where(AuthSession.id != token_hash(keep_token))
    session.exec(statement)


def purge_expired(session: Session, *, now: datetime) -> int:
    return session.exec(delete(AuthSession).where(col(AuthSession.expires_at) <= now)).rowcount


def purge_job(session: Session, now: datetime) -> int:
    """The worker's job: sessions past their absolute end."""
    return purge_expired(session, now=now)
