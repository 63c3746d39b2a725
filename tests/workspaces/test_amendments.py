"""Amendments over HTTP and in the database: propose, support, withdraw, decide in batches,
merge, sub-amendments, outdating and re-basing, who may do what, provenance to the record."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council.database import utcnow
from council.models import AuditRecord
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_person
from tests.workspaces.publishing import paragraph_ids
from tests.workspaces.test_drafts import TEXT, build_group, start
from workspaces import drafts, rounds
from workspaces.amendment_models import Amendment, AmendmentChange, AmendmentStatus
from workspaces.models import Draft, Origin
from workspaces.round_models import RoundKind


@pytest.fixture
def world(db):
    world = build_group(db)
    world.draft = start(db, world)  # sponsored by Mexico; TEXT starts with a heading
    db.commit()
    world.ids = paragraph_ids(db, world.draft)  # [heading, p1, p2, p3 (list), p4, p5]
    return world


def propose(
    client: TestClient,
    draft_id: int,
    *changes: tuple[str, str, str],
    justification: str = "Clearer.",
    query: str = "",
    url: str = "",
):
    """Post the amendment form with `changes` as (paragraph id, action, text)."""
    url = url or f"/drafts/{draft_id}/amendments/new{query}"
    data = {"change_count": str(len(changes)), "justification": justification, "do": "propose"}
    for i, (pid, action, text) in enumerate(changes):
        data |= {
            f"changes-{i}-paragraph": pid,
            f"changes-{i}-action": action,
            f"changes-{i}-text": text,
        }
    return post_form(client, url, data, follow_redirects=False)


def decide(
    client: TestClient, draft_id: int, verdicts: dict[int, tuple], *, page: str | None = None
):
    """verdicts: amendment id -> (verdict, reason, {change position: text})."""
    html = page or client.get(f"/drafts/{draft_id}/amendments/decide").text
    base = re.search(r'name="base_number" value="(\d+)"', html).group(1)
    data = {"csrf_token": csrf_from(html), "base_number": base}
    for amendment_id, (verdict, reason, *texts) in verdicts.items():
        data[f"decision-{amendment_id}-verdict"] = verdict
        data[f"decision-{amendment_id}-reason"] = reason
        for position, text in (texts[0] if texts else {}).items():
            data[f"decision-{amendment_id}-text-{position}"] = text
    return client.post(f"/drafts/{draft_id}/amendments/decide", data=data, follow_redirects=False)


def amendment(db, draft: Draft, number: int) -> Amendment:
    db.expire_all()
    return db.exec(
        select(Amendment).where(Amendment.draft_id == draft.id, Amendment.number == number)
    ).one()


def latest(db, draft: Draft):
    db.expire_all()
    fresh = db.get(Draft, draft.id)
    return drafts.paragraphs(db, drafts.latest_revision(db, fresh))


def test_an_amendment_is_proposed_supported_and_accepted_into_the_next_revision(client, db, world):
    sign_in(client, world.colleague)  # Canada: not a sponsor
    made = propose(
        client,
        world.draft.id,
        (world.ids[2], "replace", "Workers must never pay any recruitment fee."),
    )
    assert made.status_code == 303
    first = amendment(db, world.draft, 1)
    assert made.headers["location"].endswith(f"/amendments/{first.id}")
    assert (first.seat_id, first.status) == (world.canada.id, AmendmentStatus.OPEN)
    refused = propose(
        client, world.draft.id, (world.ids[4], "delete", ""), justification="Not needed."
    )
    assert refused.status_code == 303

    client.cookies.clear()
    sign_in(client, world.member)  # Mexico supports Canada's amendment
    supported = post_form(
        client,
        f"/amendments/{first.id}/support",
        page=f"/amendments/{first.id}",
        follow_redirects=False,
    )
    assert supported.status_code == 303
    page = client.get(f"/amendments/{first.id}")
    assert "Supported by: Mexico" in page.text
    assert "<ins>" in page.text  # the change shown as a comparison
    draft_page = client.get(f"/drafts/{world.draft.id}")
    assert "2 open amendments" not in draft_page.text  # one each on two paragraphs
    assert draft_page.text.count("1 open amendment") == 2

    client.cookies.clear()
    sign_in(client, world.chair)
    second = amendment(db, world.draft, 2)
    decided = decide(
        client,
        world.draft.id,
        {first.id: ("accept", ""), second.id: ("refuse", "The paragraph is needed.")},
    )
    assert decided.status_code == 303, decided.text

    db.expire_all()
    draft = db.get(Draft, world.draft.id)
    assert draft.latest_revision_number == 2
    revision = drafts.latest_revision(db, draft)
    assert revision.summary == "Amendments accepted: 1. Refused: 2."
    rows = {p.paragraph_id: p for p in drafts.paragraphs(db, revision)}
    assert rows[world.ids[2]].source == "Workers must never pay any recruitment fee."
    assert (rows[world.ids[2]].origin, rows[world.ids[2]].origin_amendment_id) == (
        Origin.AMENDMENT,
        first.id,
    )
    assert rows[world.ids[1]].origin == Origin.ORIGINAL  # untouched text keeps its origin
    assert world.ids[4] in rows  # the refused deletion did nothing
    first, second = amendment(db, draft, 1), amendment(db, draft, 2)
    assert (first.status, first.revision_made) == (AmendmentStatus.ACCEPTED, 2)
    assert (second.status, second.decision_reason) == (
        AmendmentStatus.REFUSED,
        "The paragraph is needed.",
    )
    page = client.get(f"/drafts/{draft.id}")
    assert "From amendment 1 by Canada, accepted on" in page.text
    actions = db.exec(
        select(AuditRecord.action)
        .where(AuditRecord.action.like("amendment.%"))
        .order_by(AuditRecord.id)
    ).all()
    assert actions == [
        "amendment.proposed",
        "amendment.proposed",
        "amendment.supported",
        "amendment.refused",
        "amendment.accepted",
    ]


def test_accepting_with_an_editorial_change_is_shown_as_such(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[5], "replace", "The council reviews them yearly"))
    client.cookies.clear()
    sign_in(client, world.chair)
    first = amendment(db, world.draft, 1)

    decided = decide(
        client,
        world.draft.id,
        {first.id: ("edit", "", {1: "The council reviews the programmes yearly."})},
    )

    assert decided.status_code == 303
    first = amendment(db, world.draft, 1)
    assert first.edited
    rows = {p.paragraph_id: p for p in latest(db, world.draft)}
    assert rows[world.ids[5]].source == "The council reviews the programmes yearly."
    assert "with an editorial change" in client.get(f"/amendments/{first.id}").text.lower()
    assert "(with an editorial change)" in client.get(f"/drafts/{world.draft.id}").text


def test_amendments_on_a_changed_paragraph_become_outdated_and_can_be_rebased(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    propose(client, world.draft.id, (world.ids[5], "replace", "Canada's other text."))
    client.cookies.clear()
    sign_in(client, world.member)
    propose(client, world.draft.id, (world.ids[2], "replace", "Mexico's text."))
    client.cookies.clear()
    sign_in(client, world.chair)
    decide(client, world.draft.id, {amendment(db, world.draft, 3).id: ("accept", "")})

    assert amendment(db, world.draft, 1).status == AmendmentStatus.OUTDATED
    assert amendment(db, world.draft, 2).status == AmendmentStatus.OPEN  # another paragraph
    page = client.get(f"/amendments/{amendment(db, world.draft, 1).id}")
    assert "has changed since" in page.text

    client.cookies.clear()
    sign_in(client, world.colleague)
    outdated = amendment(db, world.draft, 1)
    rebased = propose(
        client,
        world.draft.id,
        (world.ids[2], "replace", "Mexico's text, and Canada's."),
        url=f"/amendments/{outdated.id}/rebase",
    )
    assert rebased.status_code == 303
    again = amendment(db, world.draft, 1)
    assert (again.status, again.revision_number) == (AmendmentStatus.OPEN, 2)


def test_a_sub_amendment_is_decided_first_and_rewrites_its_parent(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[1], "insert", "Canada's new paragraph."))
    parent = amendment(db, world.draft, 1)
    client.cookies.clear()
    sign_in(client, world.member)
    new_id = client.get(f"/drafts/{world.draft.id}/amendments/new?parent=1")
    assert new_id.status_code == 200
    key = db.exec(select(AmendmentChange.new_paragraph_id)).one()
    assert f'<option value="{key}"' in new_id.text
    made = propose(
        client, world.draft.id, (key, "replace", "Mexico's better paragraph."), query="?parent=1"
    )
    assert made.status_code == 303
    sub = amendment(db, world.draft, 2)
    assert sub.parent_id == parent.id
    client.cookies.clear()
    sign_in(client, world.chair)

    too_soon = decide(client, world.draft.id, {parent.id: ("accept", "")})
    assert too_soon.status_code == 422
    assert "sub-amendments first" in too_soon.text
    both = decide(client, world.draft.id, {parent.id: ("accept", ""), sub.id: ("accept", "")})

    assert both.status_code == 303
    texts = [p.source for p in latest(db, world.draft)]
    assert texts[2] == "Mexico's better paragraph.", texts  # inserted after paragraph 1
    assert amendment(db, world.draft, 2).status == AmendmentStatus.ACCEPTED


def test_the_chair_merges_amendments_on_one_paragraph(client, db, world):
    for person, text in ((world.colleague, "Canada's fees."), (world.member, "Mexico's fees.")):
        client.cookies.clear()
        sign_in(client, person)
        propose(client, world.draft.id, (world.ids[2], "replace", text))
    client.cookies.clear()
    sign_in(client, world.chair)
    one, two = amendment(db, world.draft, 1), amendment(db, world.draft, 2)

    clash = decide(client, world.draft.id, {one.id: ("accept", ""), two.id: ("accept", "")})
    assert clash.status_code == 422
    assert "change the same paragraph" in clash.text
    merged = post_form(
        client,
        f"/drafts/{world.draft.id}/amendments/merge",
        {
            "base_number": "1",
            "amendment_ids": [str(one.id), str(two.id)],
            "text": "Nobody pays recruitment fees.",
            "reason": "",
        },
        follow_redirects=False,
    )

    assert merged.status_code == 303, merged.text
    assert {amendment(db, world.draft, n).status for n in (1, 2)} == {AmendmentStatus.MERGED}
    page = client.get(f"/drafts/{world.draft.id}")
    assert "merge of amendments 1, 2, accepted on" in page.text


def test_two_tabs_deciding_the_same_amendment_one_wins_the_other_gets_409(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    client.cookies.clear()
    sign_in(client, world.chair)
    first = amendment(db, world.draft, 1)
    page = client.get(f"/drafts/{world.draft.id}/amendments/decide").text  # two tabs

    won = decide(client, world.draft.id, {first.id: ("accept", "")}, page=page)
    lost = decide(client, world.draft.id, {first.id: ("refuse", "No.")}, page=page)

    assert won.status_code == 303
    assert lost.status_code == 409
    assert "Nothing was saved" in lost.text
    assert amendment(db, world.draft, 1).status == AmendmentStatus.ACCEPTED
    assert db.get(Draft, world.draft.id).latest_revision_number == 2


def test_nothing_is_decided_while_a_decision_round_freezes_the_text(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    rounds.open_round(
        db,
        by=world.chair,
        draft=db.get(Draft, world.draft.id),
        kind=RoundKind.DECISION,
        deadline=utcnow() + timedelta(days=3),
    )
    db.commit()
    client.cookies.clear()
    sign_in(client, world.chair)
    first = amendment(db, world.draft, 1)

    page = client.get(f"/drafts/{world.draft.id}/amendments/decide")
    refused = post_form(
        client,
        f"/drafts/{world.draft.id}/amendments/decide",
        {"base_number": "1", f"decision-{first.id}-verdict": "accept"},
        page=f"/drafts/{world.draft.id}/amendments",
    )

    assert page.status_code == 409
    assert refused.status_code == 409
    assert amendment(db, world.draft, 1).status == AmendmentStatus.OPEN


@pytest.mark.parametrize("who", ["observer", "outsider", "secretariat"])
def test_only_seats_sitting_in_the_group_propose(client, db, world, who):
    sign_in(client, getattr(world, who))
    page = client.get(f"/drafts/{world.draft.id}/amendments/new")
    assert page.status_code in (403, 404)
    assert db.exec(select(Amendment)).all() == []


def test_only_the_acting_chair_decides(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    for person in (world.member, world.colleague, world.observer):
        client.cookies.clear()
        sign_in(client, person)
        assert client.get(f"/drafts/{world.draft.id}/amendments/decide").status_code == 403
    assert amendment(db, world.draft, 1).status == AmendmentStatus.OPEN


def test_a_recused_chair_does_not_decide_and_the_secretariat_acts_without_a_vice_chair(
    client, db, world
):
    from council import chairs

    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    chairs.recuse(
        db,
        group=world.group,
        subject=f"draft:{world.draft.id}",
        reason="Sponsor's partner.",
        by=world.secretariat,
        now=utcnow(),
    )
    db.commit()
    client.cookies.clear()
    sign_in(client, world.chair)
    assert client.get(f"/drafts/{world.draft.id}/amendments/decide").status_code == 403
    client.cookies.clear()
    sign_in(client, world.secretariat)
    assert client.get(f"/drafts/{world.draft.id}/amendments/decide").status_code == 200


def test_a_former_chair_no_longer_decides(client, db, world):
    from council.models import ChairTerm

    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    term = db.exec(select(ChairTerm).where(ChairTerm.working_group_id == world.group.id)).one()
    term.ends_at = utcnow() - timedelta(minutes=1)
    term.starts_at = min(term.starts_at, term.ends_at - timedelta(days=1))
    db.add(term)
    db.commit()
    client.cookies.clear()
    sign_in(client, world.chair)
    assert client.get(f"/drafts/{world.draft.id}/amendments/decide").status_code == 403


def test_the_proposing_seat_withdraws_its_amendment_and_no_one_else(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    first = amendment(db, world.draft, 1)
    client.cookies.clear()
    sign_in(client, world.member)
    assert client.get(f"/amendments/{first.id}/withdraw").status_code == 403
    same_seat = make_person(
        db, seat=db.get(type(world.canada), world.canada.id), name="Another Canadian"
    )
    db.commit()
    client.cookies.clear()
    sign_in(client, same_seat)
    withdrawn = post_form(client, f"/amendments/{first.id}/withdraw", follow_redirects=False)
    assert withdrawn.status_code == 303
    assert amendment(db, world.draft, 1).status == AmendmentStatus.WITHDRAWN


def test_only_sponsors_and_the_chair_revise_the_whole_text(client, db, world):
    sign_in(client, world.colleague)  # Canada does not sponsor
    page = client.get(f"/drafts/{world.draft.id}/revise")
    assert page.status_code == 403
    assert "Propose an amendment" in page.text
    assert "Revise the whole text" not in client.get(f"/drafts/{world.draft.id}").text
    for person in (world.member, world.chair, world.secretariat):
        client.cookies.clear()
        sign_in(client, person)
        assert client.get(f"/drafts/{world.draft.id}/revise").status_code == 200
        assert "Revise the whole text" in client.get(f"/drafts/{world.draft.id}").text


def test_a_whole_text_revision_records_its_seat_and_outdates_amendments(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    revision = drafts.revise(
        db,
        by=world.member,
        draft=db.get(Draft, world.draft.id),
        base_number=1,
        text=TEXT.replace("never", "not"),
        summary="Softer.",
    )
    db.commit()
    rows = {p.paragraph_id: p for p in drafts.paragraphs(db, revision)}
    assert (rows[world.ids[2]].origin, rows[world.ids[2]].origin_seat_id) == (
        Origin.REVISION,
        world.mexico.id,
    )
    assert rows[world.ids[1]].origin == Origin.ORIGINAL
    assert amendment(db, world.draft, 1).status == AmendmentStatus.OUTDATED


def test_a_rejected_proposal_comes_back_filled_in(client, db, world):
    sign_in(client, world.colleague)
    response = propose(
        client,
        world.draft.id,
        (world.ids[2], "replace", "First.\n\nSecond paragraph."),
        justification="",
    )
    assert response.status_code == 422
    assert "One paragraph per change" in response.text
    assert "Say why" in response.text
    assert "Second paragraph." in response.text
    added = post_form(
        client,
        f"/drafts/{world.draft.id}/amendments/new",
        {
            "change_count": "1",
            "do": "add",
            "changes-0-paragraph": world.ids[2],
            "changes-0-text": "Kept.",
        },
    )
    assert added.status_code == 200
    assert 'name="changes-1-paragraph"' in added.text and "Kept." in added.text


def test_the_adopted_record_and_api_keep_each_paragraphs_origin_by_seat(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    client.cookies.clear()
    sign_in(client, world.chair)
    decide(client, world.draft.id, {amendment(db, world.draft, 1).id: ("accept", "")})
    when = utcnow() - timedelta(hours=3)
    draft = db.get(Draft, world.draft.id)
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=when + timedelta(days=7),
        now=when,
    )
    for person, seat in ((world.member, world.mexico), (world.colleague, world.canada)):
        rounds.cast_position(
            db, round_, by=person, seat=seat, form=rounds.PositionForm("support"), now=when
        )
    rounds.close_round(db, round_, by=world.chair, statement="", now=when + timedelta(hours=1))
    db.commit()
    from workspaces import recommendations

    published = recommendations.of_draft(db, draft)
    record = json.loads(published.record)
    origins = {p["id"]: p["origin"] for p in record["paragraphs"]}
    assert origins[world.ids[2]]["kind"] == "amendment"
    assert (origins[world.ids[2]]["amendment"], origins[world.ids[2]]["seat"]) == (1, "Canada")
    assert origins[world.ids[1]] == {"kind": "original", "revision": 1}
    assert "Claire" not in json.dumps(origins)  # seats, never people

    for language, phrase in (
        ("en", "From amendment 1 by Canada"),
        ("es", "enmienda 1"),
        ("fr", "amendement 1"),
    ):
        page = client.get(
            f"/recommendations/{published.number}",
            headers={"Accept-Language": language},
            cookies={"language": language},
        )
        assert phrase in page.text, language
    api = client.get(f"/api/v1/recommendations/{published.number}").json()
    assert {p["id"]: p.get("origin") for p in api["paragraphs"]}[world.ids[2]]["seat"] == "Canada"


def test_the_sponsors_and_chair_hear_of_a_proposal_and_the_proposer_of_the_decision(
    client, db, world
):
    from council.models import Notification

    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    told = {
        n.person_id
        for n in db.exec(
            select(Notification).where(Notification.kind == "amendment.proposed")
        ).all()
    }
    assert told == {world.member.id, world.chair.id}  # Mexico sponsors; the chair decides
    client.cookies.clear()
    sign_in(client, world.chair)
    decide(client, world.draft.id, {amendment(db, world.draft, 1).id: ("refuse", "Too late.")})

    decided = db.exec(select(Notification).where(Notification.kind == "amendment.decided")).all()
    assert [n.person_id for n in decided] == [world.colleague.id]
    assert json.loads(decided[0].params)["reason"] == "Too late."


def test_amendment_pages_read_in_a_fixed_number_of_queries(client, db, world, queries):
    from council.permissions import load_actor
    from workspaces import amendments

    def add(count: int) -> None:
        actor = load_actor(db, world.colleague, utcnow())
        draft = db.get(Draft, world.draft.id)
        for n in range(count):
            made = amendments.propose(
                db,
                actor=actor,
                draft=draft,
                now=utcnow(),
                justification="Why.",
                changes=[amendments.ChangeForm(world.ids[1 + n % 5], "replace", f"Text {n}.")],
            )
            amendments.support(
                db,
                actor=load_actor(db, world.member, utcnow()),
                amendment=made,
                draft=draft,
                now=utcnow(),
            )
        db.commit()

    def count(url: str) -> int:
        queries.reset()
        assert client.get(url).status_code == 200
        return len(queries)

    sign_in(client, world.chair)
    add(2)
    client.get(f"/drafts/{world.draft.id}")  # a visit since: the same page queries as later
    few = [
        count(f"/drafts/{world.draft.id}{page}")
        for page in ("", "/amendments", "/amendments/decide")
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("workspaces.amendments.PROPOSALS_PER_WINDOW", 100)
        add(12)
    many = [
        count(f"/drafts/{world.draft.id}{page}")
        for page in ("", "/amendments", "/amendments/decide")
    ]
    assert many == few


def test_a_tab_refusing_an_amendment_another_tab_refused_meanwhile_gets_409(client, db, world):
    sign_in(client, world.colleague)
    propose(client, world.draft.id, (world.ids[2], "replace", "Canada's text."))
    propose(client, world.draft.id, (world.ids[4], "replace", "Canada's other text."))
    client.cookies.clear()
    sign_in(client, world.chair)
    first, second = amendment(db, world.draft, 1), amendment(db, world.draft, 2)
    page = client.get(f"/drafts/{world.draft.id}/amendments/decide").text

    decide(client, world.draft.id, {first.id: ("refuse", "No.")}, page=page)
    late = decide(
        client,
        world.draft.id,
        {first.id: ("refuse", "Still no."), second.id: ("accept", "")},
        page=page,
    )

    assert late.status_code == 409  # not a batch that quietly leaves amendment 1 out
    assert amendment(db, world.draft, 2).status == AmendmentStatus.OPEN
    assert amendment(db, world.draft, 1).decision_reason == "No."
