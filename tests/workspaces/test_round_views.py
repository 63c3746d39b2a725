"""Round pages over HTTP: open, cast, statements, deadlines, extend, close, sealing, who may."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from council.database import utcnow
from council.models import AuditRecord, Seat, SeatRole
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_chair, make_group, make_person, make_seat
from tests.workspaces.test_drafts import build_group, start
from workspaces import drafts, rounds
from workspaces.models import Draft, DraftStatus
from workspaces.round_models import Position, Round, RoundKind
from workspaces.rounds import PositionForm


@pytest.fixture
def world(db):
    world = build_group(db)
    db.commit()
    return world


def open_round(db, world, draft, kind=RoundKind.DECISION, **fields) -> Round:
    opened = rounds.open_round(
        db, by=world.chair, draft=draft, kind=kind, deadline=utcnow() + timedelta(days=7), **fields
    )
    db.commit()
    return opened


def cast(db, round_, person, choice, **fields):
    rounds.cast_position(
        db,
        round_,
        by=person,
        seat=db.get(Seat, person.seat_id),
        form=PositionForm(choice, **fields),
    )
    db.commit()


def fresh(db, model, id_):
    return db.exec(
        select(model).where(model.id == id_).execution_options(populate_existing=True)
    ).one()


def test_the_chair_opens_a_decision_round_and_everyone_sees_it(client, db, world):
    world.chair.timezone = "America/Mexico_City"
    db.add(world.chair)
    draft = start(db, world)
    db.commit()
    sign_in(client, world.chair)

    form = client.get(f"/drafts/{draft.id}/rounds/new")
    assert form.status_code == 200 and form.template.name == "workspaces/round_new.html"
    assert 'type="datetime-local"' in form.text and "America/Mexico_City" in form.text
    deadline = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT17:00")
    opened = post_form(
        client,
        f"/drafts/{draft.id}/rounds/new",
        {"kind": "decision", "deadline": deadline, "note": "Answer soon."},
        follow_redirects=False,
    )

    assert opened.status_code == 303
    round_ = db.exec(select(Round)).one()
    assert opened.headers["location"] == f"http://testserver/rounds/{round_.id}"
    assert rounds.deadline_input(round_.deadline, "America/Mexico_City") == deadline
    assert not round_.tally_visible
    page = client.get(f"/rounds/{round_.id}")
    assert page.template.name == "workspaces/round.html"
    assert "Mexico City time" in page.text  # the zone is named by its city
    assert "Answer soon." in page.text and "Seats that have answered: 0 of 3." in page.text
    assert "Migrant Communities Network" in page.text  # a participant not yet consulted
    sign_in(client, world.member)
    draft_page = client.get(f"/drafts/{draft.id}")
    assert "Decision round" in draft_page.text and "Go to the round" in draft_page.text
    assert f'href="http://testserver/drafts/{draft.id}/revise"' not in draft_page.text
    home = client.get("/")
    assert "Open rounds" in home.text and "Your seat has not answered" in home.text


def test_invalid_round_forms_answer_422_and_keep_what_was_typed(client, db, world):
    draft = start(db, world)
    db.commit()
    sign_in(client, world.chair)

    response = post_form(
        client,
        f"/drafts/{draft.id}/rounds/new",
        {"kind": "decision", "deadline": "2001-01-01T10:00", "note": "Kept."},
    )

    assert response.status_code == 422
    assert "The deadline must be in the future." in response.text
    assert "Kept.</textarea>" in response.text
    assert db.exec(select(Round)).first() is None


def test_a_comment_round_keeps_the_revise_link(client, db, world):
    draft = start(db, world)
    open_round(db, world, draft, kind=RoundKind.COMMENT)
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}")

    assert "Comment round" in page.text
    assert f'href="http://testserver/drafts/{draft.id}/revise"' in page.text
    assert client.get(f"/drafts/{draft.id}/revise").status_code == 200


def test_positions_are_cast_changed_and_hidden_from_other_seats(client, db, world):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    paragraph = drafts.paragraphs(db, drafts.latest_revision(db, draft))[1]
    sign_in(client, world.member)
    url = f"/rounds/{round_.id}"

    first = post_form(
        client,
        f"{url}/position",
        {
            "choice": "support_with_reservation",
            "reservation": "Needs a review clause.",
            "paragraph_ids": [paragraph.paragraph_id],
        },
        page=url,
        follow_redirects=False,
    )
    second = post_form(
        client, f"{url}/position", {"choice": "support"}, page=url, follow_redirects=False
    )

    assert (first.status_code, second.status_code) == (303, 303)
    assert second.headers["location"].endswith(url)
    mine = client.get(url).text
    assert "Your seat's position" in mine and "History: 2 positions cast" in mine
    assert "Needs a review clause." in mine  # in the history
    sign_in(client, world.colleague)
    theirs = client.get(url).text
    assert "Seats that have answered: 1 of 3." in theirs and "Answered:</span> Mexico" in theirs
    assert "Needs a review clause." not in theirs  # the tally is hidden until close
    assert db.exec(select(Position)).one().version == 2


def test_an_open_tally_shows_every_position_while_open(client, db, world):
    draft = start(db, world)
    round_ = open_round(db, world, draft, tally_visible=True)
    cast(db, round_, world.member, "object", reason="Not without funding.")
    sign_in(client, world.colleague)

    page = client.get(f"/rounds/{round_.id}").text

    assert "Not without funding." in page and "Positions" in page


def test_an_invalid_position_answers_422_with_the_form_and_htmx_gets_the_fragment(
    client, db, world
):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    sign_in(client, world.member)
    url = f"/rounds/{round_.id}"

    plain = post_form(client, f"{url}/position", {"choice": "object", "reason": " "}, page=url)
    token = csrf_from(client.get(url).text)
    swapped = client.post(
        f"{url}/position", data={"csrf_token": token, "choice": ""}, headers={"HX-Request": "true"}
    )

    assert plain.status_code == 422 and plain.template.name == "workspaces/round.html"
    assert "Give the reason for the objection" in plain.text
    assert swapped.status_code == 422
    assert swapped.template.name == "workspaces/_round_position.html"
    assert "Choose the seat&#39;s position." in swapped.text
    assert db.exec(select(Position)).first() is None


def test_a_position_after_the_close_gets_a_409_page(client, db, world):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    sign_in(client, world.member)
    url = f"/rounds/{round_.id}"
    page = client.get(url)
    rounds.close_round(db, round_, by=world.chair)
    db.commit()

    late = client.post(
        f"{url}/position", data={"csrf_token": csrf_from(page.text), "choice": "support"}
    )

    assert late.status_code == 409 and late.template.name == "errors/error.html"
    assert "This round is closed" in late.text
    assert db.exec(select(Position)).first() is None


def test_a_round_past_its_deadline_refuses_positions_and_reads_as_closed(client, db, world):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    cast(db, round_, world.member, "support")
    cast(db, round_, world.colleague, "support")
    sign_in(client, world.member)
    page = client.get(f"/rounds/{round_.id}")
    round_.deadline = utcnow() - timedelta(minutes=5)
    db.add(round_)
    db.commit()

    late = client.post(
        f"/rounds/{round_.id}/position",
        data={"csrf_token": csrf_from(page.text), "choice": "abstain"},
    )

    assert late.status_code == 409
    shown = client.get(f"/rounds/{round_.id}").text
    assert "Closed at its deadline" in shown and "Adopted by consensus" in shown
    draft_page = client.get(f"/drafts/{draft.id}").text
    assert "Rounds" in draft_page and "Adopted" in draft_page
    assert fresh(db, Round, round_.id).closed_at is None  # stored by the worker, not a read
    assert rounds.close_due_rounds(db, utcnow()) == 1
    stored = fresh(db, Round, round_.id)
    assert stored.closed_at == stored.deadline and stored.outcome == "adopted"
    assert fresh(db, Draft, draft.id).status == DraftStatus.ADOPTED


def test_reading_the_draft_page_shows_an_expired_round_closed_without_storing_it(client, db, world):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    round_.deadline = utcnow() - timedelta(seconds=1)
    db.add(round_)
    db.commit()
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}")

    assert page.status_code == 200 and "No quorum" in page.text
    assert fresh(db, Round, round_.id).closed_at is None
    assert fresh(db, Draft, draft.id).status == DraftStatus.IN_ROUND


def test_the_chair_extends_and_closes_with_a_statement(client, db, world):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    cast(db, round_, world.member, "support")
    cast(db, round_, world.colleague, "object", reason="The number is too high.")
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"
    chair_page = client.get(url).text
    assert "Not answered yet" in chair_page and "Close the round" in chair_page

    refused = post_form(client, f"{url}/extend", {"deadline": "", "reason": ""})
    new_deadline = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT12:00")
    extended = post_form(
        client,
        f"{url}/extend",
        {"deadline": new_deadline, "reason": "Capitals need time."},
        follow_redirects=False,
    )
    closed = post_form(
        client, f"{url}/close", {"statement": "Consensus was not reached."}, follow_redirects=False
    )

    assert refused.status_code == 422 and "Give the reason" in refused.text
    assert (extended.status_code, closed.status_code) == (303, 303)
    page = client.get(url).text
    assert "Capitals need time." in page
    assert "Not adopted: a deciding seat objected." in page
    assert "Consensus was not reached." in page and "The number is too high." in page
    assert fresh(db, Draft, draft.id).status == DraftStatus.DRAFTING
    assert client.get(f"{url}/close").status_code == 409
    assert post_form(client, f"{url}/close", {}, page=url).status_code == 409
    assert (
        post_form(
            client, f"{url}/extend", {"deadline": new_deadline, "reason": "More."}, page=url
        ).status_code
        == 409
    )
    audit = db.exec(
        select(AuditRecord.action)
        .where(AuditRecord.action.like("round.%"))
        .order_by(AuditRecord.id)
    ).all()
    assert audit == ["round.opened", "round.extended", "round.closed"]


def test_a_chair_statement_after_a_deadline_close_is_added_once(client, db, world):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    round_.deadline = utcnow() - timedelta(minutes=1)
    db.add(round_)
    db.commit()
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"

    assert "Add the chair's statement" in client.get(url).text
    added = post_form(
        client,
        f"{url}/chair-statement",
        {"statement": "We will try again."},
        follow_redirects=False,
    )

    assert added.status_code == 303
    assert "We will try again." in client.get(url).text
    assert client.get(f"{url}/chair-statement").status_code == 409


def test_an_observer_of_a_closed_group_submits_a_statement_but_cannot_read_the_round(
    client, db, world
):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    sign_in(client, world.observer)
    url = f"/rounds/{round_.id}"

    assert client.get(url).status_code == 403
    home = client.get("/").text
    assert f'href="http://testserver{url}/statement"' in home
    form = client.get(f"{url}/statement")
    submitted = post_form(
        client, f"{url}/statement", {"text": "IOM stands ready to help."}, follow_redirects=False
    )

    assert form.status_code == 200 and "Text put to the round" in form.text
    assert submitted.status_code == 303
    assert submitted.headers["location"].endswith(f"{url}/statement")
    assert (
        post_form(
            client, f"{url}/position", {"choice": "support"}, page=f"{url}/statement"
        ).status_code
        == 403
    )
    sign_in(client, world.member)
    page = client.get(url).text
    assert "IOM stands ready to help." in page and "Observer statement" in page


@pytest.mark.parametrize("who", ["outsider", "observer", "secretariat", "former", "other_chair"])
def test_people_outside_the_chair_are_refused_the_chairs_tools(client, db, world, who):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    other_seat = make_seat(db, name="Honduras")
    other = make_group(db, seats=[other_seat], slug="other")
    people = {
        "outsider": world.outsider,
        "observer": world.observer,
        "secretariat": world.secretariat,
        "former": make_person(db, seat=world.canada, role=SeatRole.HEAD),
        "other_chair": make_person(db, seat=other_seat),
    }
    make_chair(db, world.group, world.canada, people["former"], days_before=300, days_after=-200)
    make_chair(db, other, other_seat, people["other_chair"])
    db.commit()
    sign_in(client, people[who])
    url = f"/rounds/{round_.id}"

    for path in (f"{url}/close", f"{url}/extend", f"/drafts/{draft.id}/rounds/new"):
        assert client.get(path).status_code == 403, path
        assert post_form(client, path, {}, page="/").status_code == 403, path
    assert fresh(db, Round, round_.id).closed_at is None


@pytest.mark.parametrize("who", ["outsider", "observer", "secretariat"])
def test_people_without_a_seat_in_the_group_cannot_cast(client, db, world, who):
    draft = start(db, world)
    round_ = open_round(db, world, draft)
    sign_in(client, getattr(world, who))

    refused = post_form(client, f"/rounds/{round_.id}/position", {"choice": "support"}, page="/")

    assert refused.status_code == 403
    assert db.exec(select(Position)).first() is None


def test_the_round_page_runs_the_same_queries_for_10_and_30_seats(client, db, world, queries):
    draft = start(db, world)
    round_ = open_round(db, world, draft, tally_visible=True)
    sign_in(client, world.chair)

    def count_for(total: int) -> int:
        seats = db.exec(select(Seat).where(Seat.name.like("Extra %"))).all()
        for n in range(len(seats), total):
            seat = make_seat(db, name=f"Extra {n:02d}")
            from council.models import WorkingGroupSeat

            db.add(WorkingGroupSeat(working_group_id=world.group.id, seat_id=seat.id))
            person = make_person(db, seat=seat)
            db.flush()
            cast(db, round_, person, "object" if n % 3 else "support", reason="Because.")
        db.commit()
        queries.reset()
        page = client.get(f"/rounds/{round_.id}")
        assert page.status_code == 200
        assert f"Seats that have answered: {total} of {total + 3}." in page.text
        return len(queries)

    ten, thirty = count_for(10), count_for(30)
    assert ten == thirty
    closed = rounds.close_round(db, fresh(db, Round, round_.id), by=world.chair)
    db.commit()
    queries.reset()
    assert client.get(f"/rounds/{closed.id}").status_code == 200
    assert len(json.loads(closed.sealed_positions)) == 30


def test_editing_a_comment_of_a_closed_comment_round_gets_a_409_page(client, db, world):
    from workspaces import comments

    draft = start(db, world)
    round_ = open_round(db, world, draft, kind=RoundKind.COMMENT)
    comment = comments.post_comment(
        db, by=world.member, draft=draft, body="In the round.", paragraph_id=None, revision_number=1
    )
    db.commit()
    sign_in(client, world.member)
    form = client.get(f"/comments/{comment.id}/edit")
    assert form.status_code == 200
    assert "1 comment was written during this round." in client.get(f"/rounds/{round_.id}").text
    rounds.close_round(db, round_, by=world.chair)
    db.commit()

    late = client.post(
        f"/comments/{comment.id}/edit",
        data={"csrf_token": csrf_from(form.text), "body": "Changed."},
    )

    assert late.status_code == 409 and "sealed" in late.text
    assert "/edit#edit-form" not in client.get(f"/drafts/{draft.id}").text
    assert "They are sealed" in client.get(f"/rounds/{round_.id}").text


def test_the_close_form_says_what_closing_now_would_record_and_warns_early(client, db, world):
    round_ = open_round(db, world, start(db, world))
    cast(db, round_, world.member, "support")  # 1 of 3 deciding seats: no quorum yet
    sign_in(client, world.chair)

    early = client.get(f"/rounds/{round_.id}/close")

    assert "Closing now would record: No quorum." in early.text
    assert "Closing now records “No quorum” for good" in early.text
    cast(db, round_, world.colleague, "support")
    cast(db, round_, world.chair, "support")
    ready = client.get(f"/rounds/{round_.id}/close")
    assert "Closing now would record: Adopted." in ready.text
    assert "for good: wait" not in ready.text and "alert-error" not in ready.text
    assert fresh(db, Round, round_.id).closed_at is None  # the preview wrote nothing


def test_the_close_form_warns_of_a_text_not_adopted_while_time_is_left(client, db, world):
    round_ = open_round(db, world, start(db, world))
    cast(db, round_, world.member, "support")
    cast(db, round_, world.colleague, "object", reason="Not acceptable as it stands.")
    cast(db, round_, world.chair, "support")
    sign_in(client, world.chair)

    page = client.get(f"/rounds/{round_.id}/close")

    assert "Closing now would record: Not adopted." in page.text
    assert "seats may still change their positions" in page.text


def test_a_closed_round_no_longer_speaks_as_if_it_were_open(client, db, world):
    round_ = open_round(db, world, start(db, world))
    sign_in(client, world.member)
    assert "frozen while the round is open" in client.get(f"/rounds/{round_.id}").text
    rounds.close_round(db, fresh(db, Round, round_.id), by=world.chair, statement="")
    db.commit()

    closed = client.get(f"/rounds/{round_.id}").text

    assert "frozen while the round is open" not in closed
    assert "until the round closes" not in closed
    assert "Sealed: the final positions are part of the round" in closed
