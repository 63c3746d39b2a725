"""Issue 15, live pages: a second person's comment appears on the first person's open draft
page, and a seat's answer moves the chair's open round page, without a reload."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect
from sqlalchemy import select

from council.models import Person, Seat, SeatKind, WorkingGroup, WorkingGroupSeat
from tests.browser.conftest import ConsoleLog, sign_in
from workspaces.models import Draft
from workspaces.round_models import Position, Round

READER = "marc.andre.gagnon@demo.council.example"  # Canada's delegate
WRITER = "rebecca.lawson@demo.council.example"  # head of the United States
CHAIR = "jorge.castaneda.mora@demo.council.example"  # Mexico's delegate, acting chair of WG5


def _open_live(page: Page, path: str) -> None:
    """Open `path` and wait until its event stream is connected."""
    with page.expect_response(lambda r: "/events?" in r.url and r.status == 200):
        page.goto(path)


def _wg5_round(live_database) -> tuple[int, int, str]:
    """The demo's open decision round (group 5), its draft, and the email of a person of a
    seat that has not answered it (not the chair)."""
    with live_database.transaction(write=False) as session:
        round_ = session.execute(
            select(Round)
            .join(Draft, Draft.id == Round.draft_id)
            .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
            .where(WorkingGroup.slug == "wg5", Round.closed_at.is_(None), Round.kind == "decision")
        ).scalar_one()
        answered = select(Position.seat_id).where(Position.round_id == round_.id)
        email = session.execute(
            select(Person.email)
            .join(Seat, Seat.id == Person.seat_id)
            .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
            .join(Draft, Draft.working_group_id == WorkingGroupSeat.working_group_id)
            .where(
                Draft.id == round_.draft_id,
                Seat.kind == SeatKind.MEMBER_STATE,
                Seat.id.not_in(answered),
                Person.email != CHAIR,
                Person.is_active,
            )
            .order_by(Person.id)
            .limit(1)
        ).scalar_one()
        return round_.id, round_.draft_id, email


def test_a_comment_and_an_answer_appear_on_open_pages(new_context, demo_password, live_database):
    log = ConsoleLog()
    round_id, draft_id, voter_email = _wg5_round(live_database)
    reader = log.watch(new_context().new_page())
    writer = log.watch(new_context().new_page())
    sign_in(reader, READER, demo_password)
    sign_in(writer, WRITER, demo_password)
    _open_live(reader, f"/drafts/{draft_id}")

    comment = f"Live: does paragraph 2 cover seasonal work? ({uuid.uuid4().hex[:8]})"
    writer.goto(f"/drafts/{draft_id}")
    paragraph = writer.locator("div.paragraph:not(.unnumbered)").nth(1)  # paragraph 2
    paragraph.get_by_role("link", name="Comment on paragraph 2").click()
    writer.get_by_label("Your comment on paragraph 2").fill(comment)
    writer.get_by_role("button", name="Post comment on paragraph 2").click()
    expect(writer.locator("div.comment-thread", has_text=comment)).to_be_visible()

    under = reader.locator("div.paragraph:not(.unnumbered)").nth(1)  # paragraph 2
    expect(under.locator("div.comment-thread", has_text=comment)).to_have_count(1)
    under.locator("details.comment-summary > summary").click()
    expect(under.locator("div.comment-thread", has_text=comment)).to_be_visible()
    assert reader.evaluate("performance.getEntriesByType('navigation').length") == 1

    chair = log.watch(new_context().new_page())
    sign_in(chair, CHAIR, demo_password)
    _open_live(chair, f"/rounds/{round_id}")
    answers = chair.locator("#answers")
    counted = re.search(r"answered: (\d+) of (\d+)", answers.inner_text())
    assert counted, answers.inner_text()
    before, total = int(counted.group(1)), int(counted.group(2))
    chair.evaluate("window.__stillHere = true")

    voter = log.watch(new_context().new_page())
    sign_in(voter, voter_email, demo_password)
    voter.goto(f"/rounds/{round_id}")
    voter.get_by_label("Support", exact=True).check()
    voter.get_by_role("button", name=re.compile(r"^(Cast|Change) the position$")).click()
    expect(voter.get_by_role("region", name=re.compile("Your seat's position"))).to_be_visible()

    expect(chair.locator("#answers")).to_contain_text(
        f"Seats that have answered: {before + 1} of {total}."
    )
    assert chair.evaluate("window.__stillHere === true"), "the round page was reloaded"
    assert not log.csp_violations(), "\n".join(log.csp_violations())
    errors = [line for line in log.lines if line.startswith(("pageerror", "error"))]
    assert not errors, "\n".join(errors)
