"""Invitations: the secretariat invites a person by email into a seat with a role (or into the
secretariat). The emailed link is single-use and expires; the invitee sets a password or signs
in through a provider, and becomes a person of the council."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from council import accounts, audit, auth, notices, seats, sessions
from council.errors import Conflict, Invalid, NotFound
from council.i18n import gettext as _
from council.mail import Mail
from council.models import Invitation, Person, Seat, SeatRole

INVITATION_DAYS = 7
INVITES_PER_HOUR = 60


@dataclass
class InvitationForm:
    email: str
    name: str
    seat_id: int | None = None
    seat_role: str | None = None
    is_secretariat: bool = False
    language: str = "en"


def status(invitation: Invitation, now: datetime) -> str:
    if invitation.used_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "open"


def is_open(invitation: Invitation, now: datetime) -> bool:
    return status(invitation, now) == "open"


def open_for_email(session: Session, email: str, now: datetime) -> Invitation | None:
    return session.exec(
        select(Invitation)
        .where(
            Invitation.email == auth.normalise_email(email),
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            Invitation.expires_at > now,
        )
        .order_by(col(Invitation.created_at).desc())
    ).first()


def invite(
    session: Session, *, by: Person, form: InvitationForm, languages: tuple[str, ...], now: datetime
) -> tuple[Invitation, str]:
    """A new open invitation and the token for its link (only its hash is stored)."""
    email = auth.normalise_email(form.email)
    errors: dict[str, str] = {}
    if not seats.EMAIL_PATTERN.match(email) or len(email) > 320:
        errors["email"] = _("Enter a valid email address.")
    elif session.exec(select(Person.id).where(Person.email == email)).first() is not None:
        errors["email"] = _("Someone already has an account with this email.")
    elif open_for_email(session, email, now) is not None:
        errors["email"] = _(
            "An invitation to this email is still open: send it again or withdraw it."
        )
    if not form.name:
        errors["name"] = _("This field is required.")
    elif len(form.name) > 200:
        errors["name"] = _("At most %(limit)s characters.", limit=200)
    if form.seat_id is not None and session.get(Seat, form.seat_id) is None:
        errors["seat_id"] = _("Choose a seat from the list.")
    if form.seat_id is not None and form.seat_role not in SeatRole.__members__.values():
        errors["seat_role"] = _("Choose whether the person is the head or a delegate.")
    if form.seat_id is not None and form.is_secretariat:
        errors["is_secretariat"] = _("The secretariat belongs to no seat.")
    if form.language not in languages:
        errors["language"] = _("Choose one of the offered languages.")
    if errors:
        raise Invalid(errors)
    token, hashed = sessions.new_token()
    invitation = Invitation(
        token_hash=hashed,
        email=email,
        name=form.name,
        seat_id=form.seat_id,
        seat_role=SeatRole(form.seat_role) if form.seat_id is not None else None,
        is_secretariat=form.is_secretariat,
        language=form.language,
        invited_by_id=by.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        by=by,
        action="invitation.created",
        target=invitation,
        email=email,
        name=form.name,
        seat_id=invitation.seat_id,
        seat_role=invitation.seat_role,
        is_secretariat=invitation.is_secretariat,
    )
    return invitation, token


def get(session: Session, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound()
    return invitation


def resend(session: Session, *, by: Person, invitation: Invitation, now: datetime) -> str:
    """A fresh link and a fresh week for an invitation not yet accepted; the old link dies."""
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise Conflict(_("This invitation was already accepted or withdrawn."))
    token, invitation.token_hash = sessions.new_token()
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    session.add(invitation)
    audit.record(
        session, by=by, action="invitation.resent", target=invitation, email=invitation.email
    )
    return token


def revoke(session: Session, *, by: Person, invitation: Invitation, now: datetime) -> None:
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise Conflict(_("This invitation was already accepted or withdrawn."))
    invitation.revoked_at = now
    session.add(invitation)
    audit.record(
        session, by=by, action="invitation.revoked", target=invitation, email=invitation.email
    )


def find_open(session: Session, token: str, now: datetime) -> Invitation:
    return find_open_by_hash(session, sessions.token_hash(token), now)


def find_open_by_hash(session: Session, hashed: str, now: datetime) -> Invitation:
    invitation = session.exec(select(Invitation).where(Invitation.token_hash == hashed)).first()
    if invitation is None or not is_open(invitation, now):
        raise NotFound(
            _(
                "This invitation link has expired, was withdrawn or was already "
                "used. Ask the secretariat for a new invitation."
            )
        )
    return invitation


def accept(
    session: Session,
    *,
    invitation: Invitation,
    name: str,
    password: str,
    method: str,
    now: datetime,
    repeat: str | None = None,
) -> Person:
    """Use the invitation once: the person it describes, with a password when one is given."""
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("This field is required.")
    if repeat is not None:
        errors.update(accounts.check_new_password(password, repeat))
    if errors:
        raise Invalid(errors)
    claimed = session.exec(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        raise Conflict(_("This invitation was already used."))
    inviter = session.get(Person, invitation.invited_by_id) if invitation.invited_by_id else None
    person = seats.save_person(
        session,
        by=inviter,
        now=now,
        form=seats.PersonForm(
            email=invitation.email,
            name=name,
            seat_id=invitation.seat_id,
            seat_role=invitation.seat_role,
            is_secretariat=invitation.is_secretariat,
            language=invitation.language,
            password=password,
        ),
    )
    invitation.person_id = person.id
    invitation.used_at = now
    session.add(invitation)
    audit.record(
        session,
        by=person,
        action="invitation.accepted",
        target=invitation,
        person_id=person.id,
        method=method,
    )
    notices.invitation_accepted(session, invitation=invitation, person=person, now=now)
    return person


def _invitation_sentence(
    invitation: Invitation, *, council: str, seat: str | None, inviter: str | None
) -> str:
    """One whole sentence per role and inviter, so that each language builds it its own way."""
    if invitation.is_secretariat:
        if inviter:
            return _(
                "%(inviter)s invites you to join %(council)s as a member of the secretariat.",
                inviter=inviter,
                council=council,
            )
        return _(
            "The secretariat invites you to join %(council)s as a member of the secretariat.",
            council=council,
        )
    if seat and invitation.seat_role == SeatRole.HEAD:
        if inviter:
            return _(
                "%(inviter)s invites you to join %(council)s as head of the delegation of "
                "%(seat)s.",
                inviter=inviter,
                council=council,
                seat=seat,
            )
        return _(
            "The secretariat invites you to join %(council)s as head of the delegation "
            "of %(seat)s.",
            council=council,
            seat=seat,
        )
    if seat:
        if inviter:
            return _(
                "%(inviter)s invites you to join %(council)s as a delegate of %(seat)s.",
                inviter=inviter,
                council=council,
                seat=seat,
            )
        return _(
            "The secretariat invites you to join %(council)s as a delegate of %(seat)s.",
            council=council,
            seat=seat,
        )
    if inviter:
        return _("%(inviter)s invites you to join %(council)s.", inviter=inviter, council=council)
    return _("The secretariat invites you to join %(council)s.", council=council)


def invitation_mail(
    *,
    invitation: Invitation,
    link: str,
    council_name: str,
    seat_name: str | None,
    inviter_name: str | None,
    language: str,
) -> Mail:
    paragraphs = [
        _("Hello %(name)s,", name=invitation.name),
        _invitation_sentence(
            invitation, council=council_name, seat=seat_name, inviter=inviter_name
        ),
        _(
            "To accept, open this link and choose a password, or sign in through your "
            "organisation's account. The link works once and expires in %(days)s days:",
            days=INVITATION_DAYS,
        ),
        link,
        _("If you did not expect this invitation, you can ignore this email."),
    ]
    return Mail(
        to=invitation.email,
        language=language,
        subject=_("Invitation to %(council)s", council=council_name),
        body="\n\n".join(paragraphs) + "\n",
    )


def list_invitations(session: Session) -> list[tuple[Invitation, Seat | None]]:
    return list(
        session.exec(
            select(Invitation, Seat)
            .join(Seat, Seat.id == Invitation.seat_id, isouter=True)
            .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
        ).all()
    )
