"""What the council core tells people (council.notifications): the chair changing hands, a
recusal that makes a seat vice chair for a draft, an invitation accepted.

Each event function is called by the act, inside its transaction; the people who did the act
are not told of it. Names and numbers go into the params (a seat's or group's name with its
translations, council.names.param), and the sentence is made in the reader's language when
shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from council import names
from council.i18n import gettext as _
from council.i18n import lazy
from council.models import ChairTerm, Delivery, Invitation, Person, Seat, WorkingGroup
from council.notifications import Kind, notify, register

CHAIR_HANDOVER = "chair.handover"
VICE_CHAIR = "chair.vice_chair"
INVITATION_ACCEPTED = "invitation.accepted"


def _body(params: dict) -> str:
    if params.get("group") is None:
        return _("the council")
    return _(
        "working group %(number)s, “%(name)s”",
        number=params["group_number"],
        name=names.from_params(params, "group"),
    )


def _describe_handover(params: dict) -> str:
    body = _body(params)
    seat, other = names.from_params(params, "seat"), names.from_params(params, "other")
    if params.get("role") == "from":
        if params.get("automatic"):
            return _(
                "Your seat, %(seat)s, no longer chairs %(body)s: the rotation passed the "
                "chair to %(other)s at the end of its term.",
                seat=seat,
                body=body,
                other=other,
            )
        return _(
            "Your seat, %(seat)s, no longer chairs %(body)s: the chair was handed over to "
            "%(other)s.",
            seat=seat,
            body=body,
            other=other,
        )
    if params.get("automatic"):
        return _(
            "Your seat, %(seat)s, now chairs %(body)s: its turn in the rotation has come.",
            seat=seat,
            body=body,
        )
    if other:
        return _(
            "Your seat, %(seat)s, now chairs %(body)s: %(other)s handed the chair over.",
            seat=seat,
            body=body,
            other=other,
        )
    return _("Your seat, %(seat)s, now chairs %(body)s.", seat=seat, body=body)


def _describe_vice_chair(params: dict) -> str:
    return _(
        "Your seat, %(seat)s, acts as vice chair of %(body)s for draft %(draft)s: the "
        "chairing seat, %(chair)s, stood aside from it.",
        seat=names.from_params(params, "seat"),
        body=_body(params),
        draft=params["draft"],
        chair=names.from_params(params, "chair"),
    )


def _describe_invitation(params: dict) -> str:
    if params.get("seat"):
        return _(
            "%(name)s accepted the invitation and joined the delegation of %(seat)s.",
            name=params["name"],
            seat=names.from_params(params, "seat"),
        )
    if params.get("secretariat"):
        return _(
            "%(name)s accepted the invitation and joined the secretariat.", name=params["name"]
        )
    return _("%(name)s accepted the invitation and joined the council.", name=params["name"])


KINDS = [
    Kind(
        CHAIR_HANDOVER,
        lazy("The chair is handed to my seat or taken from it"),
        _describe_handover,
        Delivery.NOW,
    ),
    Kind(VICE_CHAIR, lazy("My seat acts as vice chair for a draft"), _describe_vice_chair),
    Kind(
        INVITATION_ACCEPTED,
        lazy("Someone accepted an invitation (secretariat)"),
        _describe_invitation,
    ),
]
register(*KINDS)


def seat_people(session: Session, seat_ids: Iterable[int | None]) -> list[int]:
    """The active heads and delegates of these seats."""
    ids = sorted({s for s in seat_ids if s is not None})
    if not ids:
        return []
    return list(
        session.exec(select(Person.id).where(Person.seat_id.in_(ids), Person.is_active)).all()
    )


def _group_params(group: WorkingGroup | None) -> dict:
    if group is None:
        return {"group": None}
    return {**names.param("group", group), "group_number": group.number}


def _chairs_url(group: WorkingGroup | None) -> str:
    return f"/groups/{group.slug}/chairs" if group is not None else "/council/chairs"


def chair_changed(
    session: Session,
    *,
    group: WorkingGroup | None,
    term: ChairTerm,
    previous_seat_id: int | None,
    by: Person | None,
    now: datetime,
    automatic: bool = False,
) -> None:
    """Tell the seat that now chairs, and the seat that no longer does."""
    seats = names.names_by_id(session, Seat, (term.seat_id, previous_seat_id))
    common = {
        "requires": "group.read" if group is not None else "council.read",
        "group": group,
        "url": _chairs_url(group),
        "now": now,
        "skip": [by.id] if by is not None else [],
        "subject": f"chair_term:{term.id}",
    }
    notify(
        session,
        people=seat_people(session, [term.seat_id]),
        kind=CHAIR_HANDOVER,
        params={
            **_group_params(group),
            "role": "to",
            **names.param("seat", seats.get(term.seat_id)),
            **names.param("other", seats.get(previous_seat_id)),
            "automatic": automatic,
        },
        dedupe_key=f"chair_term:{term.id}:to",
        **common,
    )
    if previous_seat_id is not None and previous_seat_id != term.seat_id:
        notify(
            session,
            people=seat_people(session, [previous_seat_id]),
            kind=CHAIR_HANDOVER,
            params={
                **_group_params(group),
                "role": "from",
                **names.param("seat", seats.get(previous_seat_id)),
                **names.param("other", seats.get(term.seat_id)),
                "automatic": automatic,
            },
            dedupe_key=f"chair_term:{term.id}:from",
            **common,
        )


def vice_chair_named(
    session: Session,
    *,
    group: WorkingGroup,
    vice_seat_id: int | None,
    chair_seat_id: int,
    subject: str,
    by: Person | None,
    now: datetime,
) -> None:
    """Tell the vice chair's seat that it chairs the draft the chairing seat stood aside from."""
    if vice_seat_id is None:
        return
    seats = names.names_by_id(session, Seat, (vice_seat_id, chair_seat_id))
    notify(
        session,
        people=seat_people(session, [vice_seat_id]),
        kind=VICE_CHAIR,
        url=f"{_chairs_url(group)}#recusals-heading",
        now=now,
        group=group,
        requires="group.read",
        subject=subject,
        skip=[by.id] if by is not None else [],
        params={
            **_group_params(group),
            **names.param("seat", seats.get(vice_seat_id)),
            **names.param("chair", seats.get(chair_seat_id)),
            "draft": subject.partition(":")[2],
        },
    )


def invitation_accepted(
    session: Session, *, invitation: Invitation, person: Person, now: datetime
) -> None:
    """Tell the secretariat who joined."""
    secretariat = session.exec(
        select(Person.id).where(Person.is_secretariat, Person.is_active)
    ).all()
    seat = session.get(Seat, invitation.seat_id) if invitation.seat_id is not None else None
    notify(
        session,
        people=secretariat,
        kind=INVITATION_ACCEPTED,
        now=now,
        url=f"/admin/people/{person.id}",
        requires="council.manage",
        subject=f"person:{person.id}",
        skip=[person.id],
        params={
            "name": person.name,
            **names.param("seat", seat),
            "secretariat": invitation.is_secretariat,
        },
    )
