"""Chair pages over HTTP: history, handover, rotation settings, acting person, recusal, and the
home-page notice of the incoming chair."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from starlette.testclient import TestClient

from council.database import utcnow
from council.models import (
    AuditRecord,
    ChairRecusal,
    ChairTerm,
    Notification,
    Seat,
    SeatKind,
    SeatRole,
)
from council.rotation import add_months
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_council, make_group, make_person, make_seat, make_secretariat

SEAT_NAMES = {  # the pages name seats in their reader's language
    "Belize": '{"es": "Belice", "fr": "Belize"}',
    "Canada": '{"es": "Canadá", "fr": "Canada"}',
    "Mexico": '{"es": "México", "fr": "Mexique"}',
    "Network": '{"es": "Red", "fr": "Réseau"}',
}


@pytest.fixture
def world(db):
    make_council(db, name="Council on Migration")
    seats = {
        name: make_seat(db, name=name, name_translations=SEAT_NAMES[name])
        for name in ("Belize", "Canada", "Mexico")
    }
    seats["Network"] = make_seat(
        db, SeatKind.PARTICIPANT, name="Network", name_translations=SEAT_NAMES["Network"]
    )
    for place, name in enumerate(("Belize", "Canada", "Mexico"), start=1):
        seats[name].council_rotation_position = place
    group = make_group(
        db,
        seats=list(seats.values()),
        slug="pathways",
        number=5,
        name="Alternative migration pathways",
        name_translations='{"es": "Vías migratorias alternativas", '
        '"fr": "Voies de migration alternatives"}',
    )
    heads = {
        n: make_person(db, seat=s, role=SeatRole.HEAD, name=f"Head of {n}")
        for n, s in seats.items()
    }
    delegate = make_person(
        db, seat=seats["Belize"], role=SeatRole.DELEGATE, name="Delegate of Belize"
    )
    started = utcnow() - timedelta(days=40)
    past = ChairTerm(
        working_group_id=group.id,
        seat_id=seats["Network"].id,
        starts_at=add_months(started, -6),
        ends_at=started,
    )
    running = ChairTerm(
        working_group_id=group.id,
        seat_id=seats["Belize"].id,
        starts_at=started,
        ends_at=add_months(started, 6),
    )
    council_term = ChairTerm(
        seat_id=seats["Canada"].id, starts_at=started, ends_at=add_months(started, 24)
    )
    db.add_all([past, running, council_term])
    secretariat = make_secretariat(db, name="Ana Secretaria")
    db.commit()
    return {
        "group": group,
        "seats": seats,
        "heads": heads,
        "delegate": delegate,
        "term": running,
        "secretariat": secretariat,
    }


def signed_in(app, person) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    sign_in(client, person)
    return client


def fresh_term(db, term_id: int) -> ChairTerm:
    db.expire_all()
    return db.get(ChairTerm, term_id)


def test_history_page_shows_past_current_and_whose_turn_is_next(client, world):
    sign_in(client, world["heads"]["Mexico"])
    response = client.get("/groups/pathways/chairs")
    assert response.status_code == 200
    assert response.template.name == "council/chairs.html"
    text = response.text
    assert "Chair of working group 5" in text
    assert "Next in turn: Canada" in text
    for seat in ("Belize", "Network", "Mexico"):
        assert seat in text
    assert "Hand the chair over" not in text  # Mexico does not chair
    assert "Rotation settings" not in text


def test_council_history_page(client, world):
    sign_in(client, world["heads"]["Canada"])
    response = client.get("/council/chairs")
    assert response.status_code == 200
    assert "Chair of the council" in response.text and "Next in turn: Mexico" in response.text
    assert "Hand the chair over" in response.text  # Canada's head chairs the council


def test_anonymous_history_page_asks_to_sign_in(client, world):
    response = client.get("/groups/pathways/chairs", follow_redirects=False)
    assert response.status_code == 303 and "/sign-in" in response.headers["location"]


def test_the_chair_hands_over_and_powers_move_at_once(app, db, world):
    outgoing = signed_in(app, world["heads"]["Belize"])
    incoming = signed_in(app, world["heads"]["Canada"])
    form = outgoing.get("/groups/pathways/chairs/handover")
    assert form.status_code == 200 and form.template.name == "council/chair_handover.html"
    assert "Canada — next in order" in form.text

    response = outgoing.post(
        "/groups/pathways/chairs/handover",
        data={
            "csrf_token": csrf_from(form.text),
            "confirm": "1",
            "seat_id": world["seats"]["Canada"].id,
            "reason": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "/groups/pathways/chairs?handed_over=" in response.headers["location"]
    assert fresh_term(db, world["term"].id).ended_early_at is not None
    entry = db.exec(select(AuditRecord).where(AuditRecord.action == "chair.handed_over")).one()
    assert entry.actor_id == world["heads"]["Belize"].id

    assert outgoing.get("/groups/pathways/chairs/handover").status_code == 403
    again = outgoing.post(
        "/groups/pathways/chairs/handover",
        data={
            "csrf_token": csrf_from(form.text),
            "seat_id": world["seats"]["Mexico"].id,
            "reason": "x",
        },
    )
    assert again.status_code == 403
    assert incoming.get("/groups/pathways/chairs/handover").status_code == 200
    home = incoming.get("/")
    assert "You chair working group 5: Alternative migration pathways since" in home.text
    assert "You chair" not in outgoing.get("/").text


def test_handover_to_a_seat_out_of_turn_without_reason_is_refused_with_the_form(client, world):
    sign_in(client, world["secretariat"])
    mexico = world["seats"]["Mexico"].id
    response = post_form(
        client, "/groups/pathways/chairs/handover", {"seat_id": mexico, "reason": ""}
    )
    assert response.status_code == 422
    assert response.template.name == "council/chair_handover.html"
    assert "Give the reason for passing over the seat next in order." in response.text
    assert f'<option value="{mexico}" selected>' in response.text

    asked = post_form(
        client,
        "/groups/pathways/chairs/handover",
        {"seat_id": mexico, "reason": "Canada declines its turn."},
    )
    assert asked.status_code == 200
    assert (
        "Canada, next in order, is passed over, for this reason: Canada declines its turn."
        in asked.text
    )
    done = post_form(
        client,
        "/groups/pathways/chairs/handover",
        {"seat_id": mexico, "reason": "Canada declines its turn.", "confirm": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get("/groups/pathways/chairs")
    assert "Canada declines its turn." in page.text


def test_handover_asks_to_confirm_what_it_will_do_and_then_says_what_happened(app, db, world):
    outgoing = signed_in(app, world["heads"]["Belize"])
    form = outgoing.get("/groups/pathways/chairs/handover")
    canada = world["seats"]["Canada"].id
    data = {"csrf_token": csrf_from(form.text), "seat_id": canada, "reason": ""}

    asked = outgoing.post("/groups/pathways/chairs/handover", data=data)
    assert asked.status_code == 200
    assert asked.template.name == "council/chair_handover_confirm.html"
    assert "Belize hands the chair of working group 5 over to Canada." in asked.text
    assert "The term of Belize ends now" in asked.text
    assert "The people of both seats are notified" in asked.text
    assert 'name="confirm" value="1"' in asked.text
    assert f'name="seat_id" value="{canada}"' in asked.text
    assert fresh_term(db, world["term"].id).ended_early_at is None  # nothing handed over yet
    assert not db.exec(select(AuditRecord).where(AuditRecord.action == "chair.handed_over")).all()
    assert not db.exec(select(Notification)).all()
    change = re.search(r'href="([^"]*handover\?[^"]*)"', asked.text).group(1)
    refilled = outgoing.get(change.replace("&amp;", "&"))
    assert f'<option value="{canada}" selected>' in refilled.text

    done = outgoing.post("/groups/pathways/chairs/handover", data={**data, "confirm": "1"})
    assert done.status_code == 200 and done.template.name == "council/chairs.html"
    assert "The chair of working group 5 has been handed over: Canada chairs from now" in done.text
    assert "The people of the seats concerned have been notified." in done.text
    assert fresh_term(db, world["term"].id).ended_early_at is not None
    assert db.exec(select(AuditRecord).where(AuditRecord.action == "chair.handed_over")).one()
    told = {
        n.person_id: n.params
        for n in db.exec(select(Notification).where(Notification.kind == "chair.handover")).all()
    }
    # both seats' people, but not the person who handed over
    assert set(told) == {world["heads"]["Canada"].id, world["delegate"].id}
    assert '"role": "to"' in told[world["heads"]["Canada"].id]
    assert '"role": "from"' in told[world["delegate"].id]
    assert "has been handed over" not in outgoing.get("/groups/pathways/chairs").text

    council_chair = signed_in(app, world["heads"]["Canada"])
    council = council_chair.get("/council/chairs/handover")
    asked = council_chair.post(
        "/council/chairs/handover",
        data={"csrf_token": csrf_from(council.text), "seat_id": world["seats"]["Mexico"].id},
    )
    assert "Canada hands the chair of the council over to Mexico." in asked.text


def test_the_acting_chair_hands_over_to_the_next_seat_only(app, db, world):
    chair = signed_in(app, world["heads"]["Belize"])
    form = chair.get("/groups/pathways/chairs/handover")
    mexico = world["seats"]["Mexico"].id
    assert f'<option value="{mexico}"' not in form.text, "only the next seat is offered"
    assert 'name="reason"' not in form.text
    refused = chair.post(
        "/groups/pathways/chairs/handover",
        data={"csrf_token": csrf_from(form.text), "seat_id": mexico, "reason": "We prefer Mexico."},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert "Only the secretariat can hand the chair" in refused.text
    assert fresh_term(db, world["term"].id).ended_early_at is None
    assert not db.exec(select(AuditRecord).where(AuditRecord.action == "chair.handed_over")).all()


def test_a_member_may_not_hand_over(client, world):
    sign_in(client, world["heads"]["Mexico"])
    response = post_form(
        client,
        "/groups/pathways/chairs/handover",
        {"seat_id": world["seats"]["Mexico"].id, "reason": "me"},
        page="/groups/pathways/chairs",
    )
    assert response.status_code == 403


def test_a_term_that_ran_out_reads_as_handed_over_and_writes_nothing(app, db, world, monkeypatch):
    now = utcnow()
    monkeypatch.setattr("council.middleware.utcnow", lambda: now)  # the clock stands still
    running = fresh_term(db, world["term"].id)
    running.ends_at = now - timedelta(seconds=1)
    db.add(running)
    db.commit()
    rows = chair_rows(db)
    acts = (
        select(func.count())
        .select_from(AuditRecord)
        .where(  # sign-ins are audited
            ~col(AuditRecord.action).startswith("security.")
        )
    )
    audited = db.exec(acts).one()

    incoming = signed_in(app, world["heads"]["Canada"])
    assert "You chair working group 5" in incoming.get("/").text
    page = incoming.get("/groups/pathways/chairs")
    assert page.status_code == 200 and "Next in turn: Mexico" in page.text
    assert "Hand the chair over" in page.text
    assert "Name who acts as chair" not in page.text  # once the term is recorded
    former = signed_in(app, world["heads"]["Belize"])
    assert "You chair working group 5" not in former.get("/").text
    assert "Hand the chair over" not in former.get("/groups/pathways/chairs").text
    assert former.get("/groups/pathways/chairs/handover").status_code == 403

    assert chair_rows(db) == rows
    assert db.exec(acts).one() == audited


def chair_rows(db) -> list[tuple]:
    db.expire_all()
    return [
        (t.id, t.seat_id, t.starts_at, t.ends_at, t.ended_early_at, t.acting_person_id)
        for t in db.exec(select(ChairTerm).order_by(ChairTerm.id)).all()
    ]


def test_the_secretariat_sets_the_rotation(client, db, world):
    sign_in(client, world["secretariat"])
    seats = world["seats"]
    page = client.get("/council/chairs/rotation")
    assert page.status_code == 200 and page.template.name == "council/chair_rotation.html"
    response = post_form(
        client,
        "/council/chairs/rotation",
        {
            "term_months": "12",
            f"place-{seats['Mexico'].id}": "1",
            f"place-{seats['Belize'].id}": "2",
            f"place-{seats['Canada'].id}": "",
            f"place-{seats['Network'].id}": "3",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.expire_all()
    order = db.exec(
        select(Seat.name)
        .where(Seat.council_rotation_position.is_not(None))
        .order_by(Seat.council_rotation_position)
    ).all()
    assert order == ["Mexico", "Belize", "Network"]
    entry = db.exec(select(AuditRecord).where(AuditRecord.action == "chair.rotation_changed")).one()
    assert json.loads(entry.details)["after"]["term_months"] == 12

    bad = post_form(
        client,
        "/groups/pathways/chairs/rotation",
        {"term_months": "a year", f"place-{seats['Mexico'].id}": "-1"},
    )
    assert bad.status_code == 422
    assert "Enter a whole number." in bad.text and 'value="a year"' in bad.text


def test_the_seat_head_names_the_acting_chair(app, db, world):
    head = signed_in(app, world["heads"]["Belize"])
    delegate = world["delegate"]
    url = f"/chair-terms/{world['term'].id}/acting"
    page = head.get(url)
    assert page.status_code == 200 and page.template.name == "council/chair_acting.html"
    response = head.post(
        url,
        data={"csrf_token": csrf_from(page.text), "person_id": delegate.id},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert fresh_term(db, world["term"].id).acting_person_id == delegate.id
    bad = head.post(url, data={"csrf_token": csrf_from(page.text), "person_id": "someone"})
    assert bad.status_code == 422 and "Choose a person of the seat." in bad.text
    assert signed_in(app, delegate).get(url).status_code == 403


def test_the_chair_recuses_itself_from_a_draft_and_withdraws(client, db, world):
    sign_in(client, world["heads"]["Belize"])
    url = "/groups/pathways/recusals?subject=draft:42&next=/drafts/42"
    page = client.get(url)
    assert page.status_code == 200 and page.template.name == "council/chair_recusals.html"
    assert "Stand aside from draft 42" in page.text and "Vice chair: Canada." in page.text
    response = client.post(
        "/groups/pathways/recusals",
        data={
            "csrf_token": csrf_from(page.text),
            "subject": "draft:42",
            "reason": "We sponsor it.",
            "next": "/drafts/42",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/drafts/42"
    recusal = db.exec(select(ChairRecusal)).one()
    assert (recusal.subject_key, recusal.reason) == ("draft:42", "We sponsor it.")

    listing = client.get("/groups/pathways/recusals")
    assert "Chair draft 42 again" in listing.text
    withdrawn = client.post(
        "/groups/pathways/recusals",
        data={"csrf_token": csrf_from(listing.text), "subject": "draft:42", "withdraw": "1"},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    db.expire_all()
    assert db.exec(select(ChairRecusal)).all() == []
    bad = client.post(
        "/groups/pathways/recusals",
        data={"csrf_token": csrf_from(listing.text), "subject": "draft:nope"},
    )
    assert bad.status_code == 422


def test_an_unsafe_next_address_is_not_followed(client, world):
    sign_in(client, world["heads"]["Belize"])
    response = post_form(
        client,
        "/groups/pathways/recusals",
        {"subject": "draft:42", "next": "//evil.example/"},
        page="/groups/pathways/recusals",
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/groups/pathways/recusals"


@pytest.mark.parametrize(
    "language, sentences",
    [
        (
            "fr",
            [
                "Transmettre la présidence\u00a0: Voies de migration alternatives",
                "Belize préside le groupe de travail 5 jusqu’au",
                "Canada — suivante dans l’ordre",
            ],
        ),
        (
            "es",
            [
                "Traspasar la presidencia: Vías migratorias alternativas",
                "Belice preside el grupo de trabajo 5 hasta el",
                "Canadá — siguiente en el orden",
            ],
        ),
    ],
)
def test_handover_page_speaks_in_whole_sentences(client, world, language, sentences):
    sign_in(client, world["heads"]["Belize"])
    response = client.get("/groups/pathways/chairs/handover", headers={"Accept-Language": language})
    assert response.status_code == 200
    for sentence in sentences:
        assert sentence in response.text


@pytest.mark.parametrize(
    "language, sentence, option",
    [
        (
            "es",
            "Belice preside el grupo de trabajo 5 del",
            "Head of Belize (jefe o jefa de delegación)",
        ),
        ("fr", "Belize préside le groupe de travail 5 du", "Head of Belize (chef de délégation)"),
    ],
)
def test_acting_chair_page_in_the_reader_language(client, world, language, sentence, option):
    sign_in(client, world["heads"]["Belize"])
    page = client.get(
        f"/chair-terms/{world['term'].id}/acting", headers={"Accept-Language": language}
    )
    assert page.status_code == 200
    assert sentence in page.text and option in page.text


def test_council_chair_pages_in_french(client, world):
    sign_in(client, world["heads"]["Canada"])
    french = {"Accept-Language": "fr"}
    handover = client.get("/council/chairs/handover", headers=french)
    assert "Canada préside le Conseil jusqu’au" in handover.text
    history = client.get("/groups/pathways/chairs", headers=french)  # with a past term
    assert '<th scope="col">Début</th>' in history.text  # a term's start, not "De"
    assert "Vous présidez le Conseil depuis le" in client.get("/", headers=french).text
