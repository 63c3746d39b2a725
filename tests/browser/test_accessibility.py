"""axe-core (bundled with axe-playwright-python, so offline) finds no serious or critical
accessibility violation on the pages people meet first."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlmodel import select

from council.database import utcnow
from council.demo import _email
from council.models import Person
from council.permissions import load_actor
from tests.browser.conftest import DELEGATE, SECRETARIAT, sign_in
from workspaces import amendments
from workspaces.amending import DELETE, INSERT, REPLACE
from workspaces.amendment_models import AmendmentChange
from workspaces.models import Draft

BLOCKING_IMPACTS = {"serious", "critical"}
ADMIN_PAGES = ["/admin", "/admin/council", "/admin/seats", "/admin/people", "/admin/groups"]


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {', '.join(map(str, node['target']))}" for node in v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe found on {page.url}:\n{report}"


@pytest.mark.parametrize("path", ["/", "/sign-in"], ids=["welcome", "sign-in"])
def test_anonymous_pages_are_accessible(page: Page, path):
    response = page.goto(path)
    assert response.status == 200
    if path == "/":  # the demo publishes: the whole front door, groups and latest included
        expect(page.get_by_role("heading", level=2, name="Working groups")).to_be_visible()
        expect(page.get_by_role("heading", level=2, name="Latest recommendations")).to_be_visible()
    assert_accessible(page)


def test_sign_in_page_with_errors_is_accessible(page: Page):
    page.goto("/sign-in")
    page.get_by_label("Email").fill("nobody@demo.council.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or password is not correct.")
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/groups/wg2", 200), ("/account", 200), ("/no-such-page", 404)],
    ids=["home", "working-group", "account", "not-found"],
)
def test_delegate_pages_are_accessible(page: Page, demo_password, path, status):
    sign_in(page, DELEGATE, demo_password)
    response = page.goto(path)
    assert response.status == status
    assert_accessible(page)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_secretariat_pages_are_accessible(page: Page, demo_password, path):
    sign_in(page, SECRETARIAT, demo_password, next=path)
    response = page.goto(path)
    if response.status == 404:
        pytest.skip(f"{path} answers 404: that part of the secretariat area is not built yet")
    assert response.status == 200
    assert_accessible(page)


AMENDMENT_CHAIR = _email("Daniela Solís Vargas")  # head of Costa Rica, chairs working group 1


@dataclass
class AmendedDraft:
    draft_id: int
    paragraph_ids: list[str]
    accepted: int  # amendment 1, accepted with an editorial change
    refused: int  # amendment 2
    supported: int  # amendment 3: open, supported, discussed
    inserting: int  # amendment 4: open, with sub-amendment 5
    sub: int


@pytest.fixture(scope="module")
def amended_draft(live_database) -> AmendedDraft:
    """A draft of working group 1 with amendments in every state the pages show: decided
    (accepted with an editorial change, refused), open with support and a discussion, open
    with a sub-amendment."""
    from tests.browser.test_amendment_journey import start_demo_draft

    draft = start_demo_draft(
        live_database,
        group="wg1",
        by=_email("Lucía Coj Ixcoy"),
        sponsors=["Guatemala"],
        title="Reception standards for children travelling alone",
        paragraphs=[
            "Children travelling alone are received by child protection services.",
            "A guardian is appointed within 24 hours.",
            "No child is held in immigration detention.",
            "Member states report on reception every year.",
        ],
    )
    ids = draft.paragraph_ids
    with live_database.transaction() as session:
        now = utcnow()

        def actor(name: str):
            email = _email(name)
            person = session.exec(select(Person).where(Person.email == email)).one()
            return load_actor(session, person, now)

        def propose(name: str, paragraph_id: str, action: str, text: str, **options):
            return amendments.propose(
                session,
                actor=actor(name),
                draft=session.get(Draft, draft.id),
                changes=[amendments.ChangeForm(paragraph_id, action, text)],
                justification=f"Why {name} proposes it.",
                now=now,
                **options,
            )

        accepted = propose("Daniel Whitaker", ids[2], REPLACE, "A guardian is appointed at once.")
        refused = propose("Rogelio Castillo Pérez", ids[4], DELETE, "")
        amendments.decide(
            session,
            actor=actor("Daniela Solís Vargas"),
            draft=session.get(Draft, draft.id),
            base_number=1,
            now=now,
            decisions=[
                amendments.Decision(
                    accepted.id,
                    amendments.ACCEPT_EDITED,
                    "",
                    {1: "A guardian is appointed within 12 hours."},
                ),
                amendments.Decision(
                    refused.id, amendments.REFUSE, "Reporting keeps the commitments visible."
                ),
            ],
        )
        supported = propose(
            "Alejandra Ruiz Domínguez", ids[3], REPLACE, "No child is ever held in detention."
        )
        draft_row = session.get(Draft, draft.id)
        amendments.support(
            session, actor=actor("Claire Tremblay"), amendment=supported, draft=draft_row, now=now
        )
        amendments.comment(
            session,
            actor=actor("Marta Zelaya Funes"),
            amendment=supported,
            draft=draft_row,
            body="Does this cover families too?",
            now=now,
        )
        inserting = propose(
            "Kareem Tillett", ids[1], INSERT, "Their views are heard in every decision about them."
        )
        session.flush()
        key = session.exec(
            select(AmendmentChange.new_paragraph_id).where(
                AmendmentChange.amendment_id == inserting.id
            )
        ).one()
        sub = propose(
            "Beatriz Menjívar",
            key,
            REPLACE,
            "Their views are heard, in their language, in every decision about them.",
            parent=inserting,
        )
        session.flush()
        return AmendedDraft(
            draft.id, ids, accepted.id, refused.id, supported.id, inserting.id, sub.id
        )


AMENDMENT_PAGES = {
    "draft-with-provenance": "/drafts/{d.draft_id}",
    "amendments": "/drafts/{d.draft_id}/amendments",
    "amendment-open": "/amendments/{d.supported}",
    "amendment-accepted": "/amendments/{d.accepted}",
    "amendment-refused": "/amendments/{d.refused}",
    "sub-amendment": "/amendments/{d.sub}",
    "propose": "/drafts/{d.draft_id}/amendments/new?paragraph={d.paragraph_ids[2]}",
    "sub-amendment-form": "/drafts/{d.draft_id}/amendments/new?parent=4",
    "decide": "/drafts/{d.draft_id}/amendments/decide",
    "merge": "/drafts/{d.draft_id}/amendments/merge",
}


@pytest.mark.parametrize("name", list(AMENDMENT_PAGES))
def test_amendment_pages_are_accessible(page: Page, demo_password, amended_draft, name):
    sign_in(page, AMENDMENT_CHAIR, demo_password)
    path = AMENDMENT_PAGES[name].format(d=amended_draft)
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    for details in page.locator("details").all():
        details.evaluate("element => { element.open = true; }")
    assert_accessible(page)


def test_amendment_forms_with_errors_are_accessible(page: Page, demo_password, amended_draft):
    sign_in(page, AMENDMENT_CHAIR, demo_password)
    page.goto(f"/drafts/{amended_draft.draft_id}/amendments/decide")
    page.get_by_role("button", name="Record these decisions").click()  # every one left open
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page)

    page.goto(
        f"/drafts/{amended_draft.draft_id}/amendments/new"
        f"?paragraph={amended_draft.paragraph_ids[2]}"
    )
    page.get_by_label("Proposed text (Markdown)").fill("First.\n\nSecond paragraph.")
    page.get_by_label("Justification", exact=True).fill("Two paragraphs, on purpose.")
    page.get_by_role("button", name="Propose", exact=True).click()
    expect(page.get_by_text("One paragraph per change").first).to_be_visible()
    assert_accessible(page)


@dataclass
class DemoVersions:
    draft_id: int
    outdated: str  # a paragraph whose French translation is outdated
    missing: str  # a paragraph with no French translation


@pytest.fixture(scope="module")
def demo_versions(live_database) -> DemoVersions:
    """Working group 1's demo draft, only read: its versions have outdated and missing
    paragraphs (workspaces.demo.OUTDATED_IN_DEMO, MISSING_IN_DEMO)."""
    from council.models import WorkingGroup
    from workspaces import drafts
    from workspaces.demo import MISSING_IN_DEMO, OUTDATED_IN_DEMO

    with live_database.transaction(write=False) as session:
        draft = session.exec(
            select(Draft)
            .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
            .where(WorkingGroup.slug == "wg1")
            .order_by(Draft.id)
        ).first()
        ids = {
            p.source: p.paragraph_id
            for p in drafts.paragraphs(session, drafts.latest_revision(session, draft))
        }
        missing = next(source for source, code in MISSING_IN_DEMO if code == "fr")
        return DemoVersions(draft.id, ids[next(iter(OUTDATED_IN_DEMO))], ids[missing])


VERSION_PAGES = {
    "versions": "/drafts/{d.draft_id}/versions",
    "version": "/drafts/{d.draft_id}/versions/fr",
    "version-paragraph-outdated": "/drafts/{d.draft_id}/versions/fr/paragraphs/{d.outdated}",
    "version-paragraph-missing": "/drafts/{d.draft_id}/versions/fr/paragraphs/{d.missing}",
    "version-title": "/drafts/{d.draft_id}/versions/es/title",
}


@pytest.mark.parametrize("name", list(VERSION_PAGES))
def test_language_version_pages_are_accessible(page: Page, demo_password, demo_versions, name):
    sign_in(page, AMENDMENT_CHAIR, demo_password)  # sits in working group 1, may translate
    path = VERSION_PAGES[name].format(d=demo_versions)
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    for details in page.locator("details").all():
        details.evaluate("element => { element.open = true; }")
    assert_accessible(page)


@pytest.fixture(scope="module")
def published_statement(live_database) -> str:
    """A decision round on working group 2's demo draft that a member state's objection
    failed, whose chair's statement the acting chair published (through the real acts)."""
    from datetime import timedelta

    from council import chairs
    from council.models import Seat, SeatKind, WorkingGroup, WorkingGroupSeat
    from workspaces import rounds, statements

    with live_database.transaction() as session:
        now = utcnow()
        group = session.exec(select(WorkingGroup).where(WorkingGroup.slug == "wg2")).one()
        draft = session.exec(
            select(Draft).where(Draft.working_group_id == group.id).order_by(Draft.id)
        ).first()
        chair = session.get(Person, chairs.current_term(session, group.id, now).acting_person_id)
        seat = session.exec(
            select(Seat)
            .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
            .where(
                WorkingGroupSeat.working_group_id == group.id, Seat.kind == SeatKind.MEMBER_STATE
            )
            .order_by(Seat.name)
        ).first()
        objector = session.exec(select(Person).where(Person.seat_id == seat.id)).first()
        round_ = rounds.open_round(
            session,
            by=chair,
            draft=draft,
            kind="decision",
            deadline=now + timedelta(days=3),
            now=now - timedelta(hours=2),
        )
        rounds.cast_position(
            session,
            round_,
            by=objector,
            seat=seat,
            form=rounds.PositionForm("object", reason="Not in this form."),
            now=now - timedelta(hours=1),
        )
        rounds.close_round(
            session,
            round_,
            by=chair,
            now=now,
            statement="The working group could not agree. The chair will "
            "consult the delegations before the next meeting.",
        )
        return statements.publish(session, round_, by=chair, now=now).number


def test_a_published_chair_statement_is_accessible(page: Page, published_statement):
    response = page.goto(f"/statements/{published_statement}")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chair's statement on")
    assert_accessible(page)
    page.goto("/recommendations")  # the library lists it by working group
    expect(page.get_by_role("region", name="Chair's statements")).to_contain_text(
        published_statement
    )
    assert_accessible(page)
