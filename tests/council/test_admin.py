"""The secretariat's area: seats, people, working groups and who sits in them."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council import audit
from council.models import (
    AuditRecord,
    AuthSession,
    Person,
    Seat,
    SeatKind,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)
from tests.conftest import post_form, sign_in
from tests.factories import make_council, make_group, make_person, make_seat, make_secretariat

ADMIN_PAGES = [
    "/admin",
    "/admin/council",
    "/admin/seats",
    "/admin/seats/new",
    "/admin/people",
    "/admin/people/new",
    "/admin/groups",
    "/admin/groups/new",
]


@pytest.fixture
def secretariat(db):
    make_council(db)
    person = make_secretariat(db, name="Ana Secretaria")
    db.commit()
    return person


@pytest.fixture
def admin(client, secretariat):
    sign_in(client, secretariat)
    return client


def fresh(db, model, key):
    db.expire_all()
    return db.get(model, key)


def audit_actions(db, target_type: str, target_id) -> list[str]:
    db.expire_all()
    return list(
        db.exec(
            select(AuditRecord.action)
            .where(AuditRecord.target_type == target_type, AuditRecord.target_id == str(target_id))
            .order_by(AuditRecord.id)
        ).all()
    )


# seats


def test_secretariat_creates_a_seat(admin, db, secretariat):
    page = admin.get("/admin/seats/new")
    assert page.status_code == 200
    assert page.template.name == "admin/seat_form.html"

    response = post_form(
        admin,
        "/admin/seats/new",
        {"name": "Guatemala", "kind": "member_state", "description": "MFA"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    seat = db.exec(select(Seat).where(Seat.name == "Guatemala")).one()
    assert (seat.kind, seat.description) == ("member_state", "MFA")
    assert response.headers["location"].endswith(f"/admin/seats#seat-{seat.id}")
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "seat.created")).one()
    assert (record.target_id, record.actor_id) == (str(seat.id), secretariat.id)
    listing = admin.get("/admin/seats")
    assert listing.template.name == "admin/seats.html"
    assert "Guatemala" in listing.text


def test_secretariat_edits_a_seat_and_sees_its_people(admin, db):
    seat = make_seat(db, name="Honduras")
    make_person(db, seat=seat, role=SeatRole.HEAD, name="Head of Honduras")
    db.commit()

    page = admin.get(f"/admin/seats/{seat.id}")
    assert page.status_code == 200
    assert "Head of Honduras" in page.text
    assert 'value="Honduras"' in page.text

    response = post_form(
        admin,
        f"/admin/seats/{seat.id}",
        {"name": "Republic of Honduras", "kind": "member_state"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert fresh(db, Seat, seat.id).name == "Republic of Honduras"
    assert audit_actions(db, "Seat", seat.id) == ["seat.updated"]


def test_rejected_seat_comes_back_filled_in_with_errors_beside_fields(admin, db):
    make_seat(db, name="Belize")
    db.commit()

    response = post_form(
        admin,
        "/admin/seats/new",
        {"name": "belize", "kind": "kingdom", "description": "typed text"},
    )

    assert response.status_code == 422
    assert response.template.name == "admin/seat_form.html"
    assert 'value="belize"' in response.text
    assert "typed text" in response.text
    assert 'id="name-error"' in response.text and "Another seat already has this name." in (
        response.text
    )
    assert 'id="kind-error"' in response.text
    assert db.exec(select(Seat).where(Seat.name == "belize")).first() is None


def test_unknown_or_huge_ids_are_not_found(admin):
    assert admin.get("/admin/seats/999999").status_code == 404
    assert admin.get("/admin/seats/99999999999999999999").status_code == 404
    assert admin.get("/admin/people/99999999999999999999").status_code == 404
    assert admin.get("/admin/groups/no-such-group/edit").status_code == 404


# people


def test_secretariat_creates_a_person_who_can_then_sign_in(admin, app, db):
    seat = make_seat(db, name="Mexico")
    db.commit()

    response = post_form(
        admin,
        "/admin/people/new",
        {
            "email": "  Rosa@Example.org ",
            "name": "Rosa Díaz",
            "seat_id": str(seat.id),
            "seat_role": "head",
            "is_active": "on",
            "language": "es",
            "password": "a long enough password",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    person = db.exec(select(Person).where(Person.email == "rosa@example.org")).one()
    assert (person.seat_id, person.seat_role, person.language) == (seat.id, "head", "es")
    assert person.is_active and not person.is_secretariat
    assert audit_actions(db, "Person", person.id) == ["person.created"]
    with TestClient(app) as rosa:
        sign_in(rosa, person, password="a long enough password")
        assert rosa.get("/account").status_code == 200


def test_secretariat_edits_a_person(admin, db):
    seat = make_seat(db)
    person = make_person(db, seat=seat, role=SeatRole.DELEGATE, name="Old Name")
    db.commit()

    page = admin.get(f"/admin/people/{person.id}")
    assert page.status_code == 200
    assert page.template.name == "admin/person_form.html"
    assert 'value="Old Name"' in page.text

    response = post_form(
        admin,
        f"/admin/people/{person.id}",
        {
            "email": person.email,
            "name": "New Name",
            "seat_id": str(seat.id),
            "seat_role": "head",
            "is_active": "on",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    changed = fresh(db, Person, person.id)
    assert (changed.name, changed.seat_role) == ("New Name", "head")
    assert audit_actions(db, "Person", person.id) == ["person.updated"]
    listing = admin.get("/admin/people")
    assert listing.template.name == "admin/people.html"
    assert "New Name" in listing.text and seat.name in listing.text


def test_rejected_person_comes_back_filled_in_with_errors_beside_fields(admin, db, secretariat):
    seat = make_seat(db, name="Panama")
    db.commit()

    response = post_form(
        admin,
        "/admin/people/new",
        {
            "email": "not-an-email",
            "name": "Typed Name",
            "seat_id": str(seat.id),
            "seat_role": "head",
            "is_secretariat": "on",
            "is_active": "on",
            "password": "short",
            "language": "de",
        },
    )

    assert response.status_code == 422
    assert 'value="not-an-email"' in response.text
    assert 'value="Typed Name"' in response.text
    assert f'<option value="{seat.id}" selected>' in response.text
    for field in ("email", "is_secretariat", "password", "language"):
        assert f'id="{field}-error"' in response.text, field
    assert "short" not in response.text  # a password is never sent back
    assert db.exec(select(Person).where(Person.name == "Typed Name")).first() is None


def test_a_seat_that_is_not_a_number_is_a_field_error(admin, db):
    response = post_form(
        admin,
        "/admin/people/new",
        {
            "email": "x@example.org",
            "name": "X",
            "seat_id": "abc",
            "seat_role": "head",
        },
    )
    assert response.status_code == 422
    assert 'id="seat_id-error"' in response.text


def test_deactivating_a_person_signs_them_out_at_once(admin, app, db):
    seat = make_seat(db)
    member = make_person(db, seat=seat, name="Leaving Delegate")
    db.commit()
    with TestClient(app) as member_client:
        sign_in(member_client, member)
        assert member_client.get("/account").status_code == 200

        response = post_form(
            admin,
            f"/admin/people/{member.id}",
            {
                "email": member.email,
                "name": member.name,
                "seat_id": str(seat.id),
                "seat_role": "delegate",  # "is_active" unticked
            },
            follow_redirects=False,
        )
        assert response.status_code == 303

        assert not db.exec(select(AuthSession).where(AuthSession.person_id == member.id)).all()
        again = member_client.get("/account", follow_redirects=False)
        assert again.status_code == 303
        assert "/sign-in" in again.headers["location"]
    assert not fresh(db, Person, member.id).is_active


def test_moving_a_person_to_another_seat_ends_their_sessions(admin, app, db):
    first, second = make_seat(db), make_seat(db)
    member = make_person(db, seat=first)
    db.commit()
    with TestClient(app) as member_client:
        sign_in(member_client, member)
        post_form(
            admin,
            f"/admin/people/{member.id}",
            {
                "email": member.email,
                "name": member.name,
                "seat_id": str(second.id),
                "seat_role": "delegate",
                "is_active": "on",
            },
        )
        assert member_client.get("/account", follow_redirects=False).status_code == 303
    assert fresh(db, Person, member.id).seat_id == second.id


def test_a_new_password_set_by_the_secretariat_signs_the_person_out(admin, app, db):
    member = make_person(db, seat=make_seat(db))
    db.commit()
    with TestClient(app) as member_client:
        sign_in(member_client, member)
        response = post_form(
            admin,
            f"/admin/people/{member.id}",
            {
                "email": member.email,
                "name": member.name,
                "seat_id": str(member.seat_id),
                "seat_role": "delegate",
                "is_active": "on",
                "password": "a brand new password",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert member_client.get("/account", follow_redirects=False).status_code == 303
        sign_in(member_client, member, password="a brand new password")
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "person.updated")).one()
    assert json.loads(record.details)["password_reset"] is True
    assert "brand new" not in record.details


def test_secretariat_cannot_lock_itself_out(admin, db, secretariat):
    response = post_form(
        admin,
        f"/admin/people/{secretariat.id}",
        {
            "email": secretariat.email,
            "name": secretariat.name,
            "seat_id": "",
            "seat_role": "delegate",
        },
    )
    assert response.status_code == 422
    assert 'id="is_active-error"' in response.text
    assert 'id="is_secretariat-error"' in response.text
    assert fresh(db, Person, secretariat.id).is_active


def test_people_list_makes_the_same_queries_for_5_and_30_people(admin, db, queries):
    seats = [make_seat(db) for _ in range(3)]

    def count_for(total: int) -> int:
        existing = len(db.exec(select(Person.id)).all())
        for n in range(existing, total):
            make_person(db, seat=seats[n % 3] if n % 4 else None)
        db.commit()
        queries.reset()
        response = admin.get("/admin/people")
        assert response.status_code == 200
        return len(queries)

    with_5, with_30 = count_for(5), count_for(30)
    assert with_5 == with_30, (with_5, with_30)


# working groups

GROUP = {
    "name": "Humanitarian protection in the region",
    "number": "1",
    "mandate": "Protect people on the move.",
    "decision_rule": "consensus",
    "quorum_numerator": "2",
    "quorum_denominator": "3",
    "chair_term_months": "12",
    "participants_block": "on",
}


def test_secretariat_creates_a_working_group(admin, db):
    page = admin.get("/admin/groups/new")
    assert page.status_code == 200
    assert page.template.name == "admin/group_form.html"

    response = post_form(admin, "/admin/groups/new", GROUP, follow_redirects=False)

    assert response.status_code == 303
    group = db.exec(select(WorkingGroup).where(WorkingGroup.number == 1)).one()
    assert response.headers["location"].endswith(f"/admin/groups/{group.slug}/seats")
    assert (group.chair_term_months, group.participants_block) == (12, True)
    assert not group.observers_read_deliberations
    assert audit_actions(db, "WorkingGroup", group.id) == ["group.created"]


def test_secretariat_edits_a_working_group(admin, db):
    group = make_group(db, name="Narratives", number=6)
    db.commit()

    page = admin.get(f"/admin/groups/{group.slug}/edit")
    assert page.status_code == 200 and 'value="Narratives"' in page.text

    response = post_form(
        admin,
        f"/admin/groups/{group.slug}/edit",
        {
            **GROUP,
            "name": "Integration and narratives",
            "number": "6",
            "decision_rule": "two_thirds",
            "observers_read_deliberations": "on",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    changed = fresh(db, WorkingGroup, group.id)
    assert (changed.name, changed.decision_rule) == ("Integration and narratives", "two_thirds")
    assert changed.observers_read_deliberations
    assert changed.slug == group.slug  # addresses stay stable
    assert audit_actions(db, "WorkingGroup", group.id) == ["group.updated"]


def test_group_number_fields_that_are_not_whole_numbers_are_field_errors(admin, db):
    response = post_form(
        admin,
        "/admin/groups/new",
        {
            **GROUP,
            "number": "one",
            "quorum_numerator": "2.5",
            "quorum_denominator": "3",
            "chair_term_months": "99999999999999999999",
        },
    )

    assert response.status_code == 422
    assert response.template.name == "admin/group_form.html"
    for field in ("number", "quorum_numerator", "chair_term_months"):
        assert f'id="{field}-error"' in response.text, field
    assert 'value="one"' in response.text and 'value="2.5"' in response.text
    assert "Enter a whole number." in response.text
    assert 'value="Humanitarian protection in the region"' in response.text
    assert db.exec(select(WorkingGroup)).first() is None


def test_group_rules_are_checked(admin, db):
    make_group(db, name="Taken", number=3)
    db.commit()
    response = post_form(
        admin,
        "/admin/groups/new",
        {
            **GROUP,
            "name": "taken",
            "number": "3",
            "quorum_numerator": "4",
            "quorum_denominator": "3",
            "chair_term_months": "0",
            "decision_rule": "vote",
        },
    )
    assert response.status_code == 422
    for field in ("name", "number", "quorum_numerator", "chair_term_months", "decision_rule"):
        assert f'id="{field}-error"' in response.text, field


def test_secretariat_sets_who_sits_in_a_group_in_rotation_order(admin, db):
    belize, mexico = make_seat(db, name="Belize"), make_seat(db, name="Mexico")
    network = make_seat(db, SeatKind.PARTICIPANT, name="Migrant Network")
    observer = make_seat(db, SeatKind.OBSERVER, name="Observer Org")
    leaving = make_seat(db, name="Panama")
    group = make_group(db, seats=[leaving])
    db.commit()

    page = admin.get(f"/admin/groups/{group.slug}/seats")
    assert page.status_code == 200
    assert page.template.name == "admin/group_seats.html"
    assert f'id="seat-{leaving.id}" name="seat_ids" value="{leaving.id}" checked' in page.text

    response = post_form(
        admin,
        f"/admin/groups/{group.slug}/seats",
        {
            "seat_ids": [str(belize.id), str(mexico.id), str(network.id), str(observer.id)],
            f"order-{mexico.id}": "1",
            f"order-{network.id}": "2",
            f"order-{belize.id}": "3",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    db.expire_all()
    rows = {
        row.seat_id: row.rotation_position
        for row in db.exec(
            select(WorkingGroupSeat).where(WorkingGroupSeat.working_group_id == group.id)
        )
    }
    assert rows == {mexico.id: 1, network.id: 2, belize.id: 3, observer.id: None}
    actions = audit_actions(db, "WorkingGroup", group.id)
    assert actions.count("group.seat_added") == 4
    assert actions.count("group.seat_removed") == 1
    assert actions[-1] == "group.rotation_changed"
    rotation = db.exec(
        select(AuditRecord).where(AuditRecord.action == "group.rotation_changed")
    ).one()
    assert json.loads(rotation.details)["after"] == [mexico.id, network.id, belize.id]
    assert audit.verify(db).ok


def test_a_rotation_place_that_is_not_a_whole_number_is_a_field_error(admin, db):
    seat = make_seat(db, name="Costa Rica")
    group = make_group(db)
    db.commit()

    response = post_form(
        admin,
        f"/admin/groups/{group.slug}/seats",
        {"seat_ids": [str(seat.id)], f"order-{seat.id}": "first"},
    )

    assert response.status_code == 422
    assert f'id="order-{seat.id}-error"' in response.text
    assert 'value="first"' in response.text
    assert f'value="{seat.id}" checked' in response.text
    assert not db.exec(select(WorkingGroupSeat)).all()


# who may enter


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_delegate_is_refused(client, db, path):
    make_council(db)
    delegate = make_person(db, seat=make_seat(db))
    db.commit()
    sign_in(client, delegate)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, db, path):
    make_council(db)
    db.commit()
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("http://testserver/sign-in?next=")


def test_a_delegate_cannot_post_changes(client, db):
    make_council(db)
    seat = make_seat(db, name="Nicaragua")
    delegate = make_person(db, seat=seat)
    db.commit()
    sign_in(client, delegate)
    response = post_form(
        client, f"/admin/seats/{seat.id}", {"name": "Renamed", "kind": "member_state"}, page="/"
    )
    assert response.status_code == 403
    assert fresh(db, Seat, seat.id).name == "Nicaragua"


def test_secretariat_publishes_the_recommendations_and_it_is_recorded(admin, db):
    from council.models import Council

    page = admin.get("/admin/council")
    assert page.status_code == 200 and 'name="public_recommendations"' in page.text
    refused = post_form(
        admin,
        "/admin/council",
        {"name": "  ", "default_language": "de", "public_recommendations": "on"},
    )
    assert refused.status_code == 422
    assert "checked" in refused.text  # the rejected form comes back as it was sent
    saved = post_form(
        admin,
        "/admin/council",
        {
            "name": "Council on Migration",
            "name_es": "Consejo sobre Migración",
            "default_language": "es",
            "official_languages": ["en", "es"],
            "public_recommendations": "on",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    council = db.exec(select(Council).execution_options(populate_existing=True)).one()
    # the plain name is the default language's: Spanish now, the English one a translation
    assert (council.name, council.default_language, council.public_recommendations) == (
        "Consejo sobre Migración",
        "es",
        True,
    )
    assert json.loads(council.name_translations) == {"en": "Council on Migration"}
    record = db.exec(
        select(AuditRecord).where(AuditRecord.action == "council.settings_changed")
    ).one()
    assert json.loads(record.details)["changes"]["public_recommendations"] == [False, True]
