"""Issue 16: amendments, with and without JavaScript.

In working group 6 of the demo (the Central American Migrant Communities Network chairs, through
its head), on a draft Mexico sponsors: Canada's delegate follows "Propose an amendment" on
paragraph 2 and replaces its text; Mexico's delegate proposes to delete paragraph 4, then states
Mexico's support for Canada's amendment; the chair accepts Canada's and refuses Mexico's, with a
reason, in one batch. The draft then says paragraph 2 comes from amendment 1 by Canada; once the
draft is adopted, the public recommendation says so too, by seat, naming no person.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from council.database import Database, utcnow
from council.demo import SEATS, _email
from council.models import Council, Person, Seat, SeatKind, SeatRole, WorkingGroup, WorkingGroupSeat
from council.permissions import load_actor
from tests.browser.conftest import DELEGATE, ConsoleLog, sign_in
from tests.browser.test_accessibility import assert_accessible
from workspaces import drafts, recommendations, rounds, versions
from workspaces.models import Draft
from workspaces.round_models import RoundKind

CANADA = DELEGATE  # Marc-André Gagnon, Canada's delegate: Canada does not sponsor the draft
MEXICO = _email("Jorge Castañeda Mora")  # Mexico's delegate: Mexico sponsors the draft
CHAIR = _email("Rosa Elena Pacheco")  # head of the Migrant Communities Network, chairs WG6
GROUP = "wg6"
PEOPLE = [name for _seat, _kind, *people in SEATS for name in people if name]

OPENING = "The council recommends the following commitments on integration."
FEES = "Workers must never pay recruitment fees."
CLASSES = "Member states should offer free language classes to newcomers."
REVIEW = "The council reviews these commitments every year."


@dataclass
class DemoDraft:
    id: int
    title: str
    paragraph_ids: list[str]  # in order; the text starts with a heading, so [0] is unnumbered


def _person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def start_demo_draft(
    live_database: Database,
    *,
    group: str,
    by: str,
    sponsors: Sequence[str],
    title: str,
    paragraphs: Sequence[str],
) -> DemoDraft:
    """A draft started (as `by`) in the demo's working group `group`, straight in the database:
    `paragraphs` become the numbered paragraphs 1, 2, …, under a heading."""
    text = "\n\n".join(["# Commitments", *paragraphs])
    with live_database.transaction() as session:
        working_group = session.exec(select(WorkingGroup).where(WorkingGroup.slug == group)).one()
        seat_ids = session.exec(select(Seat.id).where(Seat.name.in_(sponsors))).all()
        draft = drafts.start_draft(
            session,
            by=_person(session, by),
            group=working_group,
            title=title,
            purpose="Better integration of newcomers.",
            sponsor_seat_ids=seat_ids,
            text=text,
            language="en",
        )
        revision = drafts.latest_revision(session, draft)
        ids = [p.paragraph_id for p in drafts.paragraphs(session, revision)]
        return DemoDraft(draft.id, title, ids)


def adopt_demo_draft(live_database: Database, draft_id: int, *, chair: str) -> str:
    """The chair opens a decision round on the draft, the head of every member state sitting in
    its group supports it, the chair closes the round: the number of the recommendation."""
    with live_database.transaction() as session:
        draft = session.get(Draft, draft_id)
        by = _person(session, chair)
        _translate(session, draft, by)  # the council adopts texts in its three languages
        round_ = rounds.open_round(
            session,
            by=by,
            draft=draft,
            kind=RoundKind.DECISION,
            deadline=utcnow() + timedelta(days=5),
        )
        seats = session.exec(
            select(Seat)
            .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
            .where(
                WorkingGroupSeat.working_group_id == draft.working_group_id,
                Seat.kind == SeatKind.MEMBER_STATE,
            )
        ).all()
        for seat in seats:
            head = session.exec(
                select(Person).where(Person.seat_id == seat.id, Person.seat_role == SeatRole.HEAD)
            ).first()
            rounds.cast_position(
                session, round_, by=head, seat=seat, form=rounds.PositionForm("support")
            )
        rounds.close_round(session, round_, by=by, statement="Adopted by consensus.")
    with live_database.transaction(write=False) as session:
        published = recommendations.of_draft(session, session.get(Draft, draft_id))
        assert published is not None, "the draft was not adopted"
        return published.number


def _translate(session, draft: Draft, by: Person) -> None:
    """Every paragraph and the title of `draft` in the council's other official languages."""
    council = session.exec(select(Council)).one()
    actor = load_actor(session, by, utcnow())
    for language in versions.version_languages(council, draft):
        for p in drafts.paragraphs(session, drafts.latest_revision(session, draft)):
            versions.save_paragraph(
                session,
                actor=actor,
                council=council,
                draft=draft,
                language=language,
                paragraph_id=p.paragraph_id,
                text=f"[{language}] {p.source}" if not p.source.startswith("#") else p.source,
                seen_original=p.source,
                seen_translation="",
                now=utcnow(),
            )
        versions.save_title(
            session,
            actor=actor,
            council=council,
            draft=draft,
            language=language,
            title=f"[{language}] {draft.title}",
            purpose="",
            now=utcnow(),
        )


def _propose(
    page: Page, draft: DemoDraft, paragraph: int, *, action: str, text: str, justification: str
) -> str:
    """From the draft page, propose an amendment to the numbered `paragraph`: its page's URL."""
    page.goto(f"/drafts/{draft.id}")
    page.get_by_role(
        "link", name=f"Propose an amendment to paragraph {paragraph}", exact=True
    ).click()
    expect(page).to_have_url(
        re.compile(
            rf"/drafts/{draft.id}/amendments/new\?paragraph={draft.paragraph_ids[paragraph]}$"
        )
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Propose an amendment")
    chosen = page.get_by_label("Paragraph", exact=True)
    expect(chosen).to_have_value(draft.paragraph_ids[paragraph])  # the paragraph followed
    expect(chosen.locator("option:checked")).to_have_text(re.compile(rf"^Paragraph {paragraph}: "))
    page.get_by_label(action, exact=True).check()
    page.get_by_label("Proposed text (Markdown)").fill(text)
    page.get_by_label("Justification", exact=True).fill(justification)
    page.get_by_role("button", name="Propose", exact=True).click()
    expect(page).to_have_url(re.compile(r"/amendments/\d+$"))
    return page.url


def _journey(
    pages: dict[str, Page], password: str, live_database: Database, *, javascript: bool
) -> None:
    marker = uuid.uuid4().hex[:8]
    draft = start_demo_draft(
        live_database,
        group=GROUP,
        by=MEXICO,
        sponsors=["Mexico"],
        title=f"Integration commitments ({marker})",
        paragraphs=[OPENING, FEES, CLASSES, REVIEW],
    )
    canadas_text = f"No worker should ever pay a recruitment fee or related cost ({marker})."
    canadas_reason = f"Closes the loophole of related costs ({marker})."
    mexicos_reason = f"The review belongs in the council's rules ({marker})."
    refusal = f"The yearly review is needed in the text ({marker})."
    draft_url = f"/drafts/{draft.id}"

    # Canada's delegate proposes a new text for paragraph 2
    canada = pages["canada"]
    sign_in(canada, CANADA, password)
    canada.goto(draft_url)
    expect(canada.get_by_role("link", name="Revise the whole text")).to_have_count(0)
    first_url = _propose(
        canada,
        draft,
        2,
        action="Replace it with the text below",
        text=canadas_text,
        justification=canadas_reason,
    )
    expect(canada.get_by_role("heading", level=1)).to_contain_text("Amendment 1")
    expect(canada.get_by_text("Proposed by Canada (Marc-André Gagnon)")).to_be_visible()
    changes = canada.get_by_role("region", name="Proposed changes")
    expect(changes).to_contain_text("Replace paragraph 2")
    expect(changes.locator("ins").first).to_be_visible()  # shown as a comparison
    expect(changes).to_contain_text(canadas_reason)
    expect(canada.get_by_role("button", name="State my seat's support")).to_have_count(0)
    if javascript:
        assert_accessible(canada)

    # Mexico's delegate proposes to delete paragraph 4, then supports Canada's amendment
    mexico = pages["mexico"]
    sign_in(mexico, MEXICO, password)
    _propose(mexico, draft, 4, action="Delete it", text="", justification=mexicos_reason)
    expect(mexico.get_by_role("heading", level=1)).to_contain_text("Amendment 2")
    expect(mexico.get_by_role("region", name="Proposed changes")).to_contain_text(
        "Delete paragraph 4"
    )
    mexico.goto(draft_url)
    mexico.get_by_role("navigation", name="This draft").get_by_role(
        "link", name="Amendments"
    ).click()
    expect(mexico).to_have_url(re.compile(rf"/drafts/{draft.id}/amendments$"))
    open_ones = mexico.get_by_role("region", name="Open amendments")
    expect(open_ones.get_by_role("article")).to_have_count(2)
    open_ones.get_by_role("link", name="Amendment 1", exact=True).click()
    expect(mexico).to_have_url(first_url)
    support = mexico.get_by_role("region", name="Support")
    expect(support).to_contain_text("No seat has stated its support yet.")
    support.get_by_role("button", name="State my seat's support").click()
    expect(mexico).to_have_url(re.compile(r"/amendments/\d+#supporters$"))
    expect(support).to_contain_text("Supported by: Mexico")
    expect(support.get_by_role("button", name="Withdraw my seat's support")).to_be_visible()

    # the chair accepts Canada's amendment and refuses Mexico's, in one batch
    chair = pages["chair"]
    sign_in(chair, CHAIR, password)
    chair.goto(draft_url)
    chair.get_by_role("navigation", name="This draft").get_by_role(
        "link", name="Amendments"
    ).click()
    chair.get_by_role("link", name="Decide amendments").click()
    expect(chair).to_have_url(re.compile(rf"/drafts/{draft.id}/amendments/decide$"))
    first = chair.get_by_role("group", name="Amendment 1", exact=True)
    second = chair.get_by_role("group", name="Amendment 2", exact=True)
    expect(first).to_contain_text("1 seat supports it · Supported by: Mexico")
    expect(second).to_contain_text("Delete paragraph 4")
    if javascript:
        assert_accessible(chair)
    first.get_by_role("group", name="Decision on Amendment 1").get_by_label(
        "Accept", exact=True
    ).check()
    second.get_by_role("group", name="Decision on Amendment 2").get_by_label(
        "Refuse, for the reason below"
    ).check()
    second.get_by_label("Reason for refusing").fill(refusal)
    chair.get_by_role("button", name="Record these decisions").click()

    # the draft now reads Canada's text, and says where it came from
    expect(chair).to_have_url(re.compile(rf"{draft_url}$"))
    paragraph_2 = chair.locator(f"#p-{draft.paragraph_ids[2]}")
    expect(paragraph_2.locator(".paragraph-body")).to_have_text(canadas_text)
    expect(paragraph_2).to_contain_text(re.compile(r"From amendment 1 by Canada, accepted on \w+"))
    paragraph_4 = chair.locator(f"#p-{draft.paragraph_ids[4]}")
    expect(paragraph_4.locator(".paragraph-body")).to_have_text(REVIEW)  # refused: kept
    expect(paragraph_4).to_contain_text("Original text")
    expect(chair.get_by_text(FEES, exact=True)).to_have_count(0)

    # everyone reads the decisions
    mexico.goto(f"/drafts/{draft.id}/amendments")
    decided = mexico.get_by_role("region", name="Decided and withdrawn")
    expect(decided.get_by_role("article")).to_have_count(2)
    expect(mexico.get_by_role("region", name="Open amendments")).to_contain_text(
        "No open amendment."
    )
    decided.get_by_role("link", name="Amendment 2", exact=True).click()
    expect(mexico.get_by_text(f"Reason: {refusal}")).to_be_visible()
    canada.goto(draft_url)
    expect(canada.locator(f"#p-{draft.paragraph_ids[2]}")).to_contain_text(
        "From amendment 1 by Canada"
    )

    # adopted, the public record keeps the origin by seat and names no one
    number = adopt_demo_draft(live_database, draft.id, chair=CHAIR)
    reader = pages["reader"]
    response = reader.goto(f"/recommendations/{number}")
    assert response is not None and response.status == 200
    expect(reader.get_by_role("heading", level=1)).to_contain_text(draft.title)
    adopted = reader.locator(f"#p-{draft.paragraph_ids[2]}")
    expect(adopted.locator(".paragraph-body")).to_have_text(canadas_text)
    expect(adopted.locator(".paragraph-origin")).to_have_text(
        re.compile(r"^\s*From amendment 1 by Canada, accepted on \w+")
    )
    expect(reader.locator(f"#p-{draft.paragraph_ids[4]}")).to_contain_text("Original text")
    text = reader.locator("main").inner_text()
    named = [name for name in PEOPLE if name in text]
    assert not named, f"the public recommendation names people: {named}"
    if javascript:
        assert_accessible(reader)


def _pages(
    new_context: Callable[..., BrowserContext], log: ConsoleLog, javascript: bool
) -> dict[str, Page]:
    return {
        role: log.watch(new_context(java_script_enabled=javascript).new_page())
        for role in ("canada", "mexico", "chair", "reader")
    }


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_amendments_proposed_supported_decided_and_kept_in_the_record(
    new_context, demo_password, live_database, javascript
):
    log = ConsoleLog()
    pages = _pages(new_context, log, javascript)
    _journey(pages, demo_password, live_database, javascript=javascript)
    if javascript:
        assert pages["chair"].evaluate("typeof window.htmx") == "object", "htmx did not load"
        errors = [line for line in log.lines if line.startswith(("pageerror", "error"))]
        assert not errors, "\n".join(errors)
    assert not log.csp_violations(), "\n".join(log.csp_violations())
