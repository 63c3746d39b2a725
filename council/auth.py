"""Local accounts: argon2 passwords and a sign-in rate limit shared by every worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from council.database import serialise
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


MAX_KEYED_EMAIL = 254
"""The longest email a rate-limit key holds (a typed one may be longer than any real one)."""


@dataclass(frozen=True)
class AttemptKeys:
    """What failed sign-ins are counted under: the account from this address, the address
    whatever the account, and the account from anywhere."""

    pair: str
    address: str
    account: str

    @classmethod
    def of(cls, email: str, address: str) -> AttemptKeys:
        email = normalise_email(email)[:MAX_KEYED_EMAIL]
        return cls(f"pair:{address} {email}", f"address:{address}", f"account:{email}")

    def __iter__(self):
        return iter((self.pair, self.address, self.account))


def check_rate_limit(
    session: Session, *, email: str, address: str, settings: Settings, now: datetime
) -> None:
    """Raise TooManyAttempts when this address failed too often for this account, or for any
    account, or when the account failed too often from everywhere and this address is one that
    failed for it. Guesses from elsewhere never lock an account's owner out of a device that
    made no mistake."""
    since = now - timedelta(minutes=settings.sign_in_window_minutes)
    keys = AttemptKeys.of(email, address)
    counts = dict(
        session.exec(
            select(SignInAttempt.key, func.count())
            .where(col(SignInAttempt.key).in_(list(keys)), SignInAttempt.at > since)
            .group_by(SignInAttempt.key)
        ).all()
    )
    pair = counts.get(keys.pair, 0)
    if (
        pair >= settings.sign_in_max_per_account
        or counts.get(keys.address, 0) >= settings.sign_in_max_per_address
        or (pair and counts.get(keys.account, 0) >= settings.sign_in_max_per_account_anywhere)
    ):
        raise TooManyAttempts(settings.sign_in_window_minutes)


def record_failure(session: Session, *, email: str, address: str, now: datetime) -> None:
    keys = AttemptKeys.of(email, address)
    serialise(session, *keys)  # held already when authenticate() counted in this transaction
    session.add_all(SignInAttempt(key=key, at=now) for key in keys)


def authenticate(
    session: Session, *, email: str, password: str, address: str, settings: Settings, now: datetime
) -> Person:
    """The person these credentials belong to; raises TooManyAttempts or SignInRefused.

    The caller records a failure in the request's transaction and keeps it despite the
    refusal (council.web.keep_changes). The counts are read twice: first without waiting, so
    that a refused guess costs no password hash; then, once the password is checked, again
    under a lock on the keys that this transaction holds until the failure is recorded and
    committed, so that of many simultaneous guesses only as many as the limit get an answer."""
    email = normalise_email(email)
    check_rate_limit(session, email=email, address=address, settings=settings, now=now)
    person = session.exec(select(Person).where(Person.email == email)).first()
    ok = _password_matches(person.password_hash if person else None, password)
    serialise(session, *AttemptKeys.of(email, address))
    check_rate_limit(session, email=email, address=address, settings=settings, now=now)
    if not ok or person is None or not person.is_active:
        raise SignInRefused()
    # this address proved itself for this account; the account's count from everywhere stays
    session.exec(
        delete(SignInAttempt).where(SignInAttempt.key == AttemptKeys.of(email, address).pair)
    )
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
        session.add(person)
    return person


ATTEMPTS_KEPT = timedelta(days=1)


def purge_attempts(session: Session, now: datetime) -> int:
    """The worker's job: failed sign-ins older than any rate-limit window."""
    return session.exec(
        delete(SignInAttempt).where(col(SignInAttempt.at) <= now - ATTEMPTS_KEPT)
    ).rowcount
