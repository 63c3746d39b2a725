"""Issue 6: the chair opens a decision round, three delegates take positions (one with a
reservation), one changes it, the chair closes the round and the outcome shows."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from council.database import utcnow
from council.demo import _email
from council.models import Person, Seat
from tests.browser.conftest import DELEGATE, sign_in
from tests.browser.test_accessibility import assert_accessible
from workspaces import rounds
from workspaces.round_models import Round

CHAIR = _email("Claire Tremblay")  # Canada's head chairs working group 2
TITLE = "Partager la responsabilité : un mécanisme régional de solidarité"
UNITED_STATES = _email("Rebecca Lawson")
MEXICO = _email("Alejandra Ruiz Domínguez")


def _as(new_context, email: str, password: str) -> Page:
    page = new_context().new_page()
    sign_in(page, email, password)
    return page


def _take_position(
    page: Page,
    url: str,
    choice: str,
    *,
    reservation: str = "",
    reason: str = "",
    paragraph: int | None = None,
) -> None:
    page.goto(url)
    page.get_by_label(choice, exact=True).check()
    if reservation:
        page.get_by_label("Reservation", exact=True).fill(reservation)
    if paragraph is not None:
        page.get_by_label(re.compile(rf"^Paragraph {paragraph}:")).check()
    if reason:
        page.get_by_label("Reason for the objection").fill(reason)
    page.get_by_role("button", name=re.compile(r"^(Cast|Change) the position$")).click()
    mine = page.get_by_role("region", name=re.compile("Your seat's position"))
    expect(mine.get_by_role("paragraph").first).to_have_text(choice)


def test_a_decision_round_from_opening_to_the_outcome(
    page: Page, new_context, demo_password, live_database, console
):
    sign_in(page, CHAIR, demo_password)
    page.get_by_role("link", name=re.compile("Working group 2")).first.click()
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("link", name="Open a round").click()
    page.get_by_label("Decision round").check()
    deadline = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT17:00")
    page.get_by_label("Deadline").fill(deadline)
    page.get_by_label("Note (optional)").fill("Please answer within the week.")
    page.get_by_role("button", name="Open the round").click()

    expect(page).to_have_url(re.compile(r"/rounds/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Decision round")
    expect(page.get_by_role("status").first).to_contain_text("Open until")
    expect(page.get_by_text(re.compile(r"Closes in \d days, on .*\(UTC\)")).first).to_be_visible()
    round_url = page.url
    round_id = int(round_url.rsplit("/", 1)[1])
    assert_accessible(page)

    canada = _as(new_context, DELEGATE, demo_password)
    console.watch(canada)
    _take_position(canada, round_url, "Object", reason="The amount is not yet agreed.")
    united_states = _as(new_context, UNITED_STATES, demo_password)
    _take_position(
        united_states,
        round_url,
        "Support with a reservation",
        paragraph=2,
        reservation="Our share depends on the annual budget.",
    )
    mexico = _as(new_context, MEXICO, demo_password)
    _take_position(mexico, round_url, "Support")
    # Canada changes its position: both are in its history
    _take_position(canada, round_url, "Support")
    expect(canada.get_by_text("History: 2 positions cast")).to_be_visible()
    expect(canada.get_by_text("Our share depends on the annual budget.")).to_have_count(0)
    assert_accessible(canada)

    with live_database.transaction() as session:  # three more member states reach the quorum
        round_ = session.get(Round, round_id)
        for seat in ("Guatemala", "Honduras", "El Salvador"):
            seat_row = session.exec(select(Seat).where(Seat.name == seat)).one()
            head = session.exec(select(Person).where(Person.seat_id == seat_row.id)).first()
            rounds.cast_position(
                session, round_, by=head, seat=seat_row, form=rounds.PositionForm("support")
            )

    page.goto(round_url)
    expect(page.get_by_text("Seats that have answered: 6 of 11.")).to_be_visible()
    page.get_by_role("link", name="Close the round").click()
    page.get_by_label("Chair's statement (optional)").fill(
        "Adopted by consensus, with the reservation of the United States."
    )
    page.get_by_role("button", name="Close the round now").click()

    expect(page).to_have_url(round_url)
    outcome = page.get_by_role("region", name="Outcome")
    expect(outcome).to_contain_text("Adopted")
    expect(outcome).to_contain_text("Adopted by consensus, with the reservation")
    positions = page.get_by_role("region", name="Positions")
    expect(positions).to_contain_text("Our share depends on the annual budget.")
    expect(positions).to_contain_text("changed once")
    assert_accessible(page)

    canada.goto(round_url)
    expect(canada.get_by_role("button", name=re.compile("the position$"))).to_have_count(0)
    draft_page = canada.get_by_role("link", name=TITLE).first
    draft_page.click()
    expect(canada.get_by_role("region", name="Rounds")).to_contain_text("Adopted")
    canada.get_by_role("link", name=re.compile(r"^WG2-\d{4}-\d{2}$")).click()
    # an English reader reads the English version, equally authentic; the original is a click away
    expect(canada.get_by_role("heading", level=1)).to_contain_text(
        "Sharing responsibility: a regional solidarity mechanism"
    )
    canada.locator("a[hreflang=fr]").first.click()
    expect(canada.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(canada.locator("#fn-1")).to_contain_text("Our share depends on the annual budget.")
    assert not console.csp_violations(), "\n".join(console.csp_violations())
