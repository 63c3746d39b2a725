"""Issue 9: the secretariat invites people by email; the single-use link expires in 7 days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from council import i18n, invitations
from council.database import utcnow
from council.models import AuditRecord, Invitation, Person, SeatRole
from tests.conftest import make_settings, post_form, sign_in
from tests.factories import make_council, make_person, make_seat, make_secretariat
from tests.mail_server import Inbox, smtp_server, smtp_settings


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def settings(database_url, tmp_path, inbox):
    return make_settings(
        database_url, tmp_path, base_url="https://council.example", **smtp_settings(inbox)
    )


@pytest.fixture
def secretariat(db):
    make_council(db, name="North and Central American Council on Migration")
    person = make_secretariat(db, name="Sara Secretariat")
    db.commit()
    return person


def invite_through_the_form(client, **fields):
    data = {
        "name": "Nora Ruiz",
        "email": "Nora@Ministry.example",
        "seat_id": "",
        "seat_role": "delegate",
        "language": "en",
        **fields,
    }
    return post_form(client, "/admin/invitations/new", data, follow_redirects=False)


def path_of(link: str) -> str:
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("https", "council.example")  # COUNCIL_BASE_URL
    return parts.path


def test_an_invitation_arrives_by_email_and_its_link_lets_the_person_in(
    client, db, secretariat, inbox
):
    seat = make_seat(db, name="Honduras")
    db.commit()
    sign_in(client, secretariat)
    response = invite_through_the_form(client, seat_id=str(seat.id), seat_role="head")
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/admin/invitations"

    (message,) = inbox.wait_for(1)
    assert message["To"] == "nora@ministry.example"
    assert message["Subject"] == "Invitation to North and Central American Council on Migration"
    body = message.get_content()
    assert "Sara Secretariat invites you" in body and "head of the delegation of Honduras" in body
    (link,) = inbox.links_in(message)
    listing = client.get("/admin/invitations")
    assert "nora@ministry.example" in listing.text and "Open until" in listing.text

    client.cookies.clear()
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert page.template.name == "auth/invitation.html"
    assert "as head of the delegation of Honduras" in page.text
    accepted = post_form(
        client,
        path_of(link),
        {
            "name": "Nora Ruiz Pérez",
            "password": "a long new password",
            "password_repeat": "a long new password",
        },
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    person = db.exec(select(Person).where(Person.email == "nora@ministry.example")).one()
    assert (person.name, person.seat_id, person.seat_role) == (
        "Nora Ruiz Pérez",
        seat.id,
        SeatRole.HEAD,
    )
    home = client.get("/")
    assert home.template.name == "council/home.html"
    assert "Nora Ruiz Pérez" in client.get("/account").text

    invitation = db.exec(select(Invitation)).one()
    assert invitation.used_at is not None and invitation.person_id == person.id
    again = client.get(path_of(link))
    assert again.status_code == 404
    assert "already used" in again.text
    actions = db.exec(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert actions[-4:] == [
        "invitation.created",
        "person.created",
        "invitation.accepted",
        "security.signed_in",
    ]

    client.cookies.clear()
    sign_in(client, person, password="a long new password")


def test_the_link_expires_after_seven_days(client, db, secretariat):
    invitation, token = invitations.invite(
        db,
        by=secretariat,
        languages=("en",),
        now=utcnow() - timedelta(days=7, minutes=1),
        form=invitations.InvitationForm(email="late@example.org", name="Late"),
    )
    db.commit()
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 404
    assert "has expired" in page.text
    assert (
        post_form(
            client,
            f"/invitations/{token}",
            {
                "name": "Late",
                "password": "a long new password",
                "password_repeat": "a long new password",
            },
            page="/sign-in",
        ).status_code
        == 404
    )
    assert db.exec(select(Person).where(Person.email == "late@example.org")).first() is None


def test_the_invitee_must_choose_a_good_password(client, db, secretariat):
    _, token = invitations.invite(
        db,
        by=secretariat,
        languages=("en",),
        now=utcnow(),
        form=invitations.InvitationForm(email="n@example.org", name="N"),
    )
    db.commit()
    short = post_form(
        client,
        f"/invitations/{token}",
        {"name": "N", "password": "short", "password_repeat": "short"},
    )
    assert short.status_code == 422
    assert "At least 10 characters." in short.text
    different = post_form(
        client,
        f"/invitations/{token}",
        {"name": "N", "password": "a long new password", "password_repeat": "another one!!"},
    )
    assert different.status_code == 422
    assert "The two passwords are not the same." in different.text
    assert client.get(f"/invitations/{token}").status_code == 200  # still open


def test_sending_again_kills_the_old_link_and_withdrawing_kills_the_new(
    client, db, secretariat, inbox
):
    sign_in(client, secretariat)
    invite_through_the_form(client)
    (first,) = inbox.links_in(inbox.wait_for(1)[0])
    invitation = db.exec(select(Invitation)).one()
    resent = post_form(
        client,
        f"/admin/invitations/{invitation.id}/resend",
        page="/admin/invitations",
        follow_redirects=False,
    )
    assert resent.status_code == 303
    (second,) = inbox.links_in(inbox.wait_for(2)[1])
    assert first != second
    assert client.get(path_of(first)).status_code == 404
    assert client.get(path_of(second)).status_code == 200

    withdrawn = post_form(
        client,
        f"/admin/invitations/{invitation.id}/revoke",
        page="/admin/invitations",
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    assert client.get(path_of(second)).status_code == 404
    assert "Withdrawn" in client.get("/admin/invitations").text
    actions = set(db.exec(select(AuditRecord.action)).all())
    assert {"invitation.created", "invitation.resent", "invitation.revoked"} <= actions


def test_the_form_refuses_a_known_email_an_open_invitation_and_a_seated_secretariat(
    client, db, secretariat
):
    make_person(db, email="taken@example.org")
    seat = make_seat(db)
    db.commit()
    sign_in(client, secretariat)
    taken = invite_through_the_form(client, email="taken@example.org")
    assert taken.status_code == 422
    assert "Someone already has an account with this email." in taken.text
    assert invite_through_the_form(client, email="once@example.org").status_code == 303
    twice = invite_through_the_form(client, email="once@example.org")
    assert twice.status_code == 422 and "still open" in twice.text
    seated = invite_through_the_form(
        client, email="s@example.org", seat_id=str(seat.id), is_secretariat="on"
    )
    assert seated.status_code == 422
    assert "The secretariat belongs to no seat." in seated.text
    assert 'value="s@example.org"' in seated.text  # the form comes back filled in


def test_a_failed_email_makes_no_invitation(client, db, secretariat, inbox, app):
    from dataclasses import replace

    app.state.settings = replace(app.state.settings, smtp_port=1)  # nothing listens there
    sign_in(client, secretariat)
    response = invite_through_the_form(client)
    assert response.status_code == 502
    assert "The invitation email could not be sent" in response.text
    assert db.exec(select(Invitation)).first() is None


def test_invitations_are_rate_limited(client, db, secretariat, monkeypatch):
    monkeypatch.setattr(invitations, "INVITES_PER_HOUR", 2)
    sign_in(client, secretariat)
    assert invite_through_the_form(client, email="a@example.org").status_code == 303
    assert invite_through_the_form(client, email="b@example.org").status_code == 303
    third = invite_through_the_form(client, email="c@example.org")
    assert third.status_code == 429
    assert "Too many requests" in third.text


def test_only_the_secretariat_sees_the_invitations(client, db, secretariat):
    member = make_person(db, seat=make_seat(db))
    db.commit()
    sign_in(client, member)
    assert client.get("/admin/invitations").status_code == 403
    assert invite_through_the_form(client).status_code == 403


def test_the_invitation_email_is_written_in_the_chosen_language(client, db, secretariat, inbox):
    sign_in(client, secretariat)
    invite_through_the_form(client, language="es")
    (message,) = inbox.wait_for(1)
    assert message["Content-Language"] == "es"
    assert db.exec(select(Invitation)).one().language == "es"


@pytest.mark.parametrize(
    "language, inviter, role, seat, sentence",
    [
        (
            "en",
            "Sara",
            SeatRole.HEAD,
            "Honduras",
            "Sara invites you to join the Council as head of the delegation of Honduras.",
        ),
        (
            "en",
            None,
            None,
            None,
            "The secretariat invites you to join the Council as a member of the secretariat.",
        ),
        (
            "es",
            "Sara",
            SeatRole.DELEGATE,
            "Honduras",
            "Sara le invita a incorporarse a the Council como delegado o delegada de Honduras.",
        ),
        (
            "es",
            None,
            SeatRole.HEAD,
            "Honduras",
            "La Secretaría le invita a incorporarse a the "
            "Council como jefe o jefa de la delegación de Honduras.",
        ),
        (
            "fr",
            None,
            SeatRole.DELEGATE,
            "Honduras",
            "Le Secrétariat vous invite à rejoindre the Council en tant que délégué(e) (Honduras).",
        ),
    ],
)
def test_the_invitation_email_says_the_role_in_one_sentence(
    language, inviter, role, seat, sentence
):
    invitation = Invitation(
        email="nora@ministry.example",
        name="Nora",
        token_hash="x",
        seat_id=1 if seat else None,
        seat_role=role,
        is_secretariat=seat is None,
        language=language,
    )
    translations = i18n.load_catalogues((language,))[language]
    with i18n.speaking(language, translations):
        mail = invitations.invitation_mail(
            invitation=invitation,
            link="https://x/l",
            council_name="the Council",
            seat_name=seat,
            inviter_name=inviter,
            language=language,
        )
    assert sentence in mail.body


def test_the_invitation_list_says_withdrawn_of_an_invitation(client, db, secretariat):
    _, token = invitations.invite(
        db,
        by=secretariat,
        languages=("en",),
        now=utcnow(),
        form=invitations.InvitationForm(email="a@b.example", name="A"),
    )
    invitations.revoke(
        db, by=secretariat, invitation=db.exec(select(Invitation)).one(), now=utcnow()
    )
    db.commit()
    sign_in(client, secretariat)
    listing = client.get("/admin/invitations", headers={"Accept-Language": "es"})
    assert "Retirada" in listing.text  # an invitation (feminine), not a draft ("Retirado")


@pytest.mark.parametrize("seat_id", ["²", "99999999999999999999", "-3", "x"])
def test_a_seat_that_is_not_one_of_the_list_is_refused_beside_the_field(
    client, db, secretariat, seat_id
):
    sign_in(client, secretariat)
    refused = invite_through_the_form(client, email="odd@example.org", seat_id=seat_id)
    assert refused.status_code == 422
    assert "Choose a seat from the list." in refused.text
