"""Local accounts: argon2 passwords and a sign-in rate limit shared by every worker."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from council.models import Person, SignInAttempt
from council.settings import Settings

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("an unguessable placeholder that equalises timing")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash with other argon2 parameters from now on. Only the test suite calls this, with a
    cheaper cost, so that hundreds of sign-ins do not take minutes; the application always
    uses argon2-cffi's recommended parameters."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("an unguessable placeholder that equalises timing")


class SignInRefused(Exception):
    """Wrong email or password: deliberately the same answer for both."""


class TooManyAttempts(Exception):
    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def _keys(email: str, address: str) -> tuple[str, str]:
    return f"account:{email}", f"address:{address}"


def check_rate_limit(session: Session, *, email: str, address: str, settings: Settings,
                     now: datetime) -> None:
    since = now - timedelta(minutes=settings.sign_in_window_minutes)
    account_key, address_key = _keys(normalise_email(email), address)
    counts = dict(session.exec(
        select(SignInAttempt.key, func.count()).where(
            SignInAttempt.key.in_((account_key, address_key)), SignInAttempt.at > since)
        .group_by(SignInAttempt.key)
    ).all())
    if (counts.get(account_key, 0) >= settings.sign_in_max_per_account
            or counts.get(address_key, 0) >= settings.sign_in_max_per_address):
        raise TooManyAttempts(settings.sign_in_window_minutes)


def record_failure(session: Session, *, email: str, address: str, now: datetime) -> None:
    for key in _keys(normalise_email(email), address):
        session.add(SignInAttempt(key=key, at=now))


def authenticate(session: Session, *, email: str, password: str, address: str,
                 settings: Settings, now: datetime) -> Person:
    """The person these credentials belong to; raises TooManyAttempts or SignInRefused.

    The caller records a failure in the request's transaction and keeps it despite the
    refusal (council.web.keep_changes)."""
    email = normalise_email(email)
    check_rate_limit(session, email=email, address=address, settings=settings, now=now)
    person = session.exec(select(Person).where(Person.email == email)).first()
    ok = _password_matches(person.password_hash if person else None, password)
    if not ok or person is None or not person.is_active:
        raise SignInRefused()
    session.exec(delete(SignInAttempt).where(SignInAttempt.key == _keys(email, address)[0]))
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
        session.add(person)
    return person


ATTEMPTS_KEPT = timedelta(days=1)


def purge_attempts(session: Session, now: datetime) -> int:
    """The worker's job: failed sign-ins older than any rate-limit window."""
    return session.exec(delete(SignInAttempt).where(
        col(SignInAttempt.at) <= now - ATTEMPTS_KEPT)).rowcount
