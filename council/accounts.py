"""Account safety: password change and reset, request throttling, and the people's linked
identities at OpenID providers (who may be linked, and when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from council import audit, auth, invitations, sessions
from council.database import serialise
from council.errors import Conflict, Invalid, NotFound
from council.i18n import gettext as _
from council.mail import Mail
from council.models import Identity, Invitation, PasswordReset, Person, SignInAttempt
from council.settings import Settings

RESET_MINUTES = 60
RESETS_PER_WINDOW = 3


def throttle(session: Session, *, keys: dict[str, int], window_minutes: int, now: datetime) -> None:
    """Count one request under each key; raise TooManyAttempts when a key is over its limit.

    Shares the sign-in attempts table, so every worker sees the same counts."""
    since = now - timedelta(minutes=window_minutes)
    serialise(session, *keys)  # two requests at once count one after the other
    counts = dict(
        session.exec(
            select(SignInAttempt.key, func.count())
            .where(col(SignInAttempt.key).in_(list(keys)), SignInAttempt.at > since)
            .group_by(SignInAttempt.key)
        ).all()
    )
    if any(counts.get(key, 0) >= limit for key, limit in keys.items()):
        raise auth.TooManyAttempts(window_minutes)
    for key in keys:
        session.add(SignInAttempt(key=key, at=now))


def check_new_password(password: str, repeat: str, field: str = "password") -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        errors[field] = _("At least %(limit)s characters.", limit=auth.MIN_PASSWORD_LENGTH)
    elif len(password) > auth.MAX_PASSWORD_LENGTH:
        errors[field] = _("At most %(limit)s characters.", limit=auth.MAX_PASSWORD_LENGTH)
    elif password != repeat:
        errors[f"{field}_repeat"] = _("The two passwords are not the same.")
    return errors


def change_password(
    session: Session,
    *,
    person: Person,
    current: str,
    new: str,
    repeat: str,
    keep_token: str | None,
    address: str,
    settings: Settings,
    now: datetime,
) -> None:
    """Set a new password (the current one is required when there is one) and end the
    person's other sessions. A wrong current password counts as a failed sign-in."""
    errors = check_new_password(new, repeat)
    if person.password_hash:
        try:
            auth.authenticate(
                session,
                email=person.email,
                password=current,
                address=address,
                settings=settings,
                now=now,
            )
        except auth.SignInRefused:
            errors["current"] = _("This is not your current password.")
    if errors:
        raise Invalid(errors)
    person.password_hash = auth.hash_password(new)
    session.add(person)
    sessions.end_all(session, person.id, keep_token=keep_token)
    audit.record(session, by=person, action="password.changed", target=person)


def request_reset(session: Session, *, email: str, now: datetime) -> tuple[Person, str] | None:
    """A reset link for an active person with this email, or None; the caller answers the same
    either way, so the page never tells whether the email is known."""
    person = session.exec(select(Person).where(Person.email == auth.normalise_email(email))).first()
    if person is None or not person.is_active:
        return None
    token, hashed = sessions.new_token()
    session.add(
        PasswordReset(
            token_hash=hashed,
            person_id=person.id,
            created_at=now,
            expires_at=now + timedelta(minutes=RESET_MINUTES),
        )
    )
    session.flush()
    return person, token


def reset_mail(*, person: Person, link: str, council_name: str, language: str) -> Mail:
    body = "\n\n".join(
        [
            _("Hello %(name)s,", name=person.name),
            _(
                "Someone, probably you, asked to reset the password of your account at "
                "%(council)s. To choose a new password, open this link within %(minutes)s minutes:",
                council=council_name,
                minutes=RESET_MINUTES,
            ),
            link,
            _(
                "The link works once. If you did not ask for it, ignore this email: your password "
                "stays as it is."
            ),
        ]
    )
    return Mail(
        to=person.email,
        language=language,
        body=body + "\n",
        subject=_("Reset your password for %(council)s", council=council_name),
    )


def find_reset(session: Session, token: str, now: datetime) -> tuple[PasswordReset, Person]:
    row = session.exec(
        select(PasswordReset, Person)
        .join(Person, Person.id == PasswordReset.person_id)
        .where(PasswordReset.token_hash == sessions.token_hash(token))
    ).first()
    if (
        row is None
        or row[0].used_at is not None
        or row[0].expires_at <= now
        or not row[1].is_active
    ):
        raise NotFound(
            _("This password reset link has expired or was already used. Ask for a new one.")
        )
    return row


def reset_password(session: Session, *, token: str, new: str, repeat: str, now: datetime) -> Person:
    """Use a reset link once: the new password, every session ended, the other links void."""
    reset, person = find_reset(session, token, now)
    errors = check_new_password(new, repeat)
    if errors:
        raise Invalid(errors)
    claimed = session.exec(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        raise Conflict(_("This password reset link was already used."))
    session.exec(
        update(PasswordReset)
        .where(PasswordReset.person_id == person.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    person.password_hash = auth.hash_password(new)
    session.add(person)
    sessions.end_all(session, person.id)
    audit.record(session, by=person, action="password.reset", target=person)
    return person


def linked_identities(session: Session, person: Person) -> list[Identity]:
    return list(
        session.exec(
            select(Identity).where(Identity.person_id == person.id).order_by(Identity.linked_at)
        ).all()
    )


def remove_identity(
    session: Session, *, person: Person, identity_id: int, local_sign_in: bool
) -> Identity:
    identity = session.get(Identity, identity_id)
    if identity is None or identity.person_id != person.id:
        raise NotFound()
    others = session.exec(
        select(func.count())
        .select_from(Identity)
        .where(Identity.person_id == person.id, Identity.id != identity.id)
    ).one()
    if not others and not (local_sign_in and person.password_hash):
        raise Conflict(
            _("This is your only way to sign in. Set a password or link another account first.")
        )
    session.delete(identity)
    audit.record(
        session,
        by=person,
        action="identity.removed",
        target=person,
        provider=identity.provider,
        issuer=identity.issuer,
        subject=identity.subject,
    )
    return identity


class IdentityRefused(Exception):
    """A provider vouched for someone this council cannot let in; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IdentityClaims:
    """What the provider vouched for, in the terms the rules below need."""

    provider: str
    provider_label: str
    issuer: str
    subject: str
    email: str
    email_verified: bool
    allowed_domains: tuple[str, ...] = ()


def sign_in_with_identity(
    session: Session, *, claims: IdentityClaims, intent: dict, now: datetime
) -> Person:
    """The person this identity signs in, linking it first when the rules allow.

    Once linked, the issuer and subject alone find the person. A first sign-in links only to an
    account the secretariat invited with the same email, and only when the provider says that
    email is verified (and, when the provider has allowed domains, is in one of them). A person
    already signed in may link an account of their own (`intent["link_person_id"]`). Anything
    else is refused and nothing is created.
    """
    identity = session.exec(
        select(Identity).where(Identity.issuer == claims.issuer, Identity.subject == claims.subject)
    ).first()
    linking_to = intent.get("link_person_id")
    if identity is not None:
        person = session.get(Person, identity.person_id)
        if linking_to and identity.person_id != linking_to:
            raise IdentityRefused(
                _("This account is already linked to another person of the council.")
            )
        if person is None or not person.is_active:
            raise IdentityRefused(_("Your council account is not active. Contact the secretariat."))
        if intent.get("invitation"):
            raise IdentityRefused(
                _(
                    "This account is already linked to a council account: "
                    "sign in with it instead of accepting the invitation."
                )
            )
        identity.last_used_at = now
        if claims.email and claims.email_verified:
            identity.email = claims.email
        session.add(identity)
        return person
    _check_email(claims)
    if linking_to:
        person = session.get(Person, linking_to)
        if person is None or not person.is_active:
            raise IdentityRefused(_("Your council account is not active. Contact the secretariat."))
    else:
        person = _invited_person(session, claims, intent.get("invitation"), now)
    identity = Identity(
        person_id=person.id,
        provider=claims.provider,
        issuer=claims.issuer,
        subject=claims.subject,
        email=claims.email,
        linked_at=now,
        last_used_at=now,
    )
    session.add(identity)
    session.flush()
    audit.record(
        session,
        by=person,
        action="identity.linked",
        target=person,
        provider=claims.provider,
        issuer=claims.issuer,
        subject=claims.subject,
        email=claims.email,
    )
    return person


def _check_email(claims: IdentityClaims) -> None:
    if not claims.email or not claims.email_verified:
        raise IdentityRefused(
            _(
                "Your account at %(provider)s does not have a verified email "
                "address, so it cannot be linked to a council account. Verify "
                "your email with %(provider)s, or ask the secretariat.",
                provider=claims.provider_label,
            )
        )
    domain = claims.email.rpartition("@")[2]
    if claims.allowed_domains and domain not in claims.allowed_domains:
        raise IdentityRefused(
            _(
                "The council accepts accounts at %(provider)s only for these "
                "email domains: %(domains)s.",
                provider=claims.provider_label,
                domains=", ".join(claims.allowed_domains),
            )
        )


def _invited_person(
    session: Session, claims: IdentityClaims, invitation_hash: str | None, now: datetime
) -> Person:
    """The account invited with this verified email: created now from an open invitation, or
    made earlier from an accepted one."""
    not_invited = IdentityRefused(
        _(
            "No invitation to this council was sent to %(email)s, the address your account at "
            "%(provider)s gives. Ask the secretariat for an invitation, or sign in another way and "
            "link this account from your account page.",
            email=claims.email,
            provider=claims.provider_label,
        )
    )
    if invitation_hash:
        invitation = invitations.find_open_by_hash(session, invitation_hash, now)
        if invitation.email != claims.email:
            raise IdentityRefused(
                _(
                    "This invitation was sent to %(invited)s, but your account at %(provider)s "
                    "gives %(email)s. Sign in with the account of the invited address.",
                    invited=invitation.email,
                    provider=claims.provider_label,
                    email=claims.email,
                )
            )
        return invitations.accept(
            session,
            invitation=invitation,
            name=invitation.name,
            password="",
            method=f"oidc:{claims.provider}",
            now=now,
        )
    invitation = invitations.open_for_email(session, claims.email, now)
    if invitation is not None:
        return invitations.accept(
            session,
            invitation=invitation,
            name=invitation.name,
            password="",
            method=f"oidc:{claims.provider}",
            now=now,
        )
    accepted = session.exec(
        select(Person)
        .join(Invitation, Invitation.person_id == Person.id)
        .where(
            Invitation.email == claims.email,
            Person.email == claims.email,
            col(Invitation.used_at).is_not(None),
        )
    ).first()
    if accepted is None:
        raise not_invited
    if not accepted.is_active:
        raise IdentityRefused(_("Your council account is not active. Contact the secretariat."))
    return accepted
