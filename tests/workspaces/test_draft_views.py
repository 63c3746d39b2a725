"""Draft pages over HTTP: start, revise, conflicts, limits, differences, visits, permissions."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council.models import AuditRecord
from tests.conftest import csrf_from, post_form, sign_in
from tests.workspaces.test_drafts import TEXT, build_group, start
from workspaces import drafts
from workspaces.models import Draft, DraftStatus, DraftVisit, Revision


@pytest.fixture
def world(db):
    world = build_group(db)
    db.commit()
    return world


def new_draft_form(world, **fields) -> dict:
    return {
        "title": "Labour pathways",
        "purpose": "Safe and legal work routes.",
        "language": "en",
        "sponsor_seat_ids": [str(world.mexico.id)],
        "text": TEXT,
        **fields,
    }


def revise_form(client, draft_id: int, text: str, summary: str):
    page = client.get(f"/drafts/{draft_id}/revise")
    base = re.search(r'name="base_number" value="(\d+)"', page.text).group(1)
    return client.post(
        f"/drafts/{draft_id}/revise",
        follow_redirects=False,
        data={
            "csrf_token": csrf_from(page.text),
            "base_number": base,
            "text": text,
            "summary": summary,
        },
    )


def test_a_member_starts_a_draft_and_revises_it_twice(client, db, world):
    sign_in(client, world.member)
    form_page = client.get("/groups/pathways/drafts/new")
    assert form_page.status_code == 200
    assert form_page.template.name == "workspaces/draft_new.html"
    assert f'value="{world.mexico.id}" checked' in form_page.text  # own seat suggested

    created = post_form(
        client, "/groups/pathways/drafts/new", new_draft_form(world), follow_redirects=False
    )

    assert created.status_code == 303
    draft = db.exec(select(Draft)).one()
    assert created.headers["location"] == f"http://testserver/drafts/{draft.id}"
    first = revise_form(
        client, draft.id, TEXT + "\n\nEmployers bear the cost.", "Adds employers' costs."
    )
    second = revise_form(
        client,
        draft.id,
        TEXT.replace("50,000", "60,000") + "\n\nEmployers bear the cost.",
        "Raises the target.",
    )
    assert (first.status_code, second.status_code) == (303, 303)

    page = client.get(f"/drafts/{draft.id}")
    assert page.status_code == 200
    assert page.template.name == "workspaces/draft.html"
    db.refresh(draft)
    assert draft.latest_revision_number == 3
    revision = drafts.latest_revision(db, draft)
    for paragraph in drafts.paragraphs(db, revision):
        anchor = f'id="p-{paragraph.paragraph_id}"'
        link = f'href="#p-{paragraph.paragraph_id}"'
        assert anchor in page.text
        assert (link in page.text) == (paragraph.number is not None)  # headings: no number
    assert "60,000" in page.text and "3 of 3" in page.text
    assert "Raises the target." in page.text
    actions = db.exec(
        select(AuditRecord.action)
        .where(AuditRecord.action.like("draft.%"))
        .order_by(AuditRecord.id)
    ).all()
    assert actions == ["draft.started", "draft.revised", "draft.revised"]


def test_the_group_page_lists_drafts_and_offers_to_start_one(client, db, world):
    start(db, world, title="Labour pathways for Central America")
    db.commit()
    sign_in(client, world.member)

    page = client.get("/groups/pathways")

    assert "Labour pathways for Central America" in page.text
    assert 'href="http://testserver/groups/pathways/drafts/new"' in page.text
    listing = client.get("/groups/pathways/drafts")
    assert listing.template.name == "workspaces/group_drafts.html"
    assert "Labour pathways for Central America" in listing.text
    assert "Jorge Castañeda" in listing.text
    home = client.get("/")
    assert "Drafts you can work on" in home.text
    assert "Labour pathways for Central America" in home.text


def test_an_observer_of_a_closed_group_sees_no_drafts_link_and_gets_403(client, db, world):
    draft = start(db, world)
    db.commit()
    sign_in(client, world.observer)

    assert "Labour pathways" not in client.get("/groups/pathways").text
    for url in (
        f"/drafts/{draft.id}",
        f"/drafts/{draft.id}/history",
        f"/drafts/{draft.id}/compare",
        f"/drafts/{draft.id}/changes",
        f"/drafts/{draft.id}/revisions/1",
        "/groups/pathways/drafts",
    ):
        assert client.get(url).status_code == 403, url


def test_an_observer_reads_drafts_when_the_group_opens_its_deliberations(client, db, world):
    world.group.observers_read_deliberations = True
    db.add(world.group)
    draft = start(db, world)
    db.commit()
    sign_in(client, world.observer)

    assert client.get(f"/drafts/{draft.id}").status_code == 200
    assert client.get("/groups/pathways/drafts").status_code == 200
    assert client.get(f"/drafts/{draft.id}/revise").status_code == 403
    assert client.get("/groups/pathways/drafts/new").status_code == 403
    assert "Start a draft" not in client.get("/groups/pathways").text


def test_a_delegate_of_another_group_gets_403(client, db, world):
    draft = start(db, world)
    db.commit()
    sign_in(client, world.outsider)

    assert client.get(f"/drafts/{draft.id}").status_code == 403
    assert client.get(f"/drafts/{draft.id}/revise").status_code == 403
    refused = post_form(client, "/groups/pathways/drafts/new", new_draft_form(world), page="/")
    assert refused.status_code == 403
    assert db.exec(select(Draft).where(Draft.id != draft.id)).first() is None


def test_anonymous_visitors_are_sent_to_sign_in(client, db, world):
    draft = start(db, world)
    db.commit()

    response = client.get(f"/drafts/{draft.id}#p-x", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == (
        f"http://testserver/sign-in?next=%2Fdrafts%2F{draft.id}"
    )


def test_a_stale_revision_shows_both_texts_and_keeps_the_submitted_one(client, db, world):
    draft = start(db, world)
    db.commit()
    sign_in(client, world.member)
    page = client.get(f"/drafts/{draft.id}/revise")
    assert 'name="base_number" value="1"' in page.text
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=TEXT + "\n\nCanada's new paragraph.",
        summary="Canada adds a paragraph.",
    )
    db.commit()

    mine = TEXT + "\n\nMexico's new paragraph."
    response = client.post(
        f"/drafts/{draft.id}/revise",
        data={
            "csrf_token": csrf_from(page.text),
            "base_number": "1",
            "text": mine,
            "summary": "Mexico adds a paragraph.",
        },
    )

    assert response.status_code == 409
    assert response.template.name == "workspaces/draft_revise.html"
    assert "Someone revised this meanwhile" in response.text
    assert "Canada&#39;s new paragraph." in response.text  # the latest text
    assert "Mexico&#39;s new paragraph.</textarea>" in response.text  # kept in the form
    assert 'value="Mexico adds a paragraph."' in response.text
    assert 'name="base_number" value="2"' in response.text
    assert "Claire Tremblay" in response.text
    db.refresh(draft)
    assert draft.latest_revision_number == 2

    resubmitted = client.post(
        f"/drafts/{draft.id}/revise",
        follow_redirects=False,
        data={
            "csrf_token": csrf_from(response.text),
            "base_number": "2",
            "text": mine,
            "summary": "Mexico adds a paragraph.",
        },
    )
    assert resubmitted.status_code == 303
    db.refresh(draft)
    assert draft.latest_revision_number == 3


def test_limit_errors_answer_422_and_keep_what_was_typed(client, db, world):
    sign_in(client, world.member)

    long_title = "T" * 201
    response = post_form(
        client,
        "/groups/pathways/drafts/new",
        new_draft_form(world, title=long_title, text="My careful text."),
    )
    assert response.status_code == 422
    assert response.template.name == "workspaces/draft_new.html"
    assert "At most 200 characters (this has 201)." in response.text
    assert f'value="{long_title}"' in response.text
    assert "My careful text.</textarea>" in response.text

    big = "word " * 45_000
    response = post_form(
        client, "/groups/pathways/drafts/new", new_draft_form(world, title="Kept title", text=big)
    )
    assert response.status_code == 422
    assert "at most 200 KB" in response.text
    assert 'value="Kept title"' in response.text

    response = post_form(
        client, "/groups/pathways/drafts/new", new_draft_form(world, title="Kept title", text=" ")
    )
    assert response.status_code == 422
    assert "Write the text of the draft." in response.text
    assert db.exec(select(Draft)).first() is None


def test_invalid_utf8_in_a_form_is_refused_clearly_and_never_500(client, db, world):
    sign_in(client, world.member)
    token = csrf_from(client.get("/groups/pathways/drafts/new").text)
    fields = (
        f"csrf_token={token}&title=Caf%C3%A9&language=en&sponsor_seat_ids={world.mexico.id}&text="
    ).encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}

    encoded = client.post(
        "/groups/pathways/drafts/new", content=fields + b"caf%E9+%FF", headers=headers
    )
    raw = client.post(
        "/groups/pathways/drafts/new",
        content=fields + b"caf\xe9 \xff\xfe",
        headers=headers,
        follow_redirects=False,
    )

    assert encoded.status_code == 422
    assert "not valid UTF-8" in encoded.text
    assert raw.status_code < 500


def test_the_compare_page_marks_words_and_labels_paragraphs(client, db, world):
    draft = start(db, world)
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=TEXT.replace("50,000", "60,000") + "\n\nA new closing paragraph.",
        summary="Raises the target.",
    )
    db.commit()
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}/compare?from=1&to=2")

    assert page.status_code == 200
    assert page.template.name == "workspaces/draft_compare.html"
    assert "<del>" in page.text and "<ins>" in page.text
    assert re.search(r"<del><span class=\"visually-hidden\">\[deleted\] </span>50", page.text)
    assert ">Changed</strong>" in page.text and ">Added</strong>" in page.text
    assert '<option value="1" selected>' in page.text
    assert client.get(f"/drafts/{draft.id}/compare").status_code == 200  # defaults: 1 to 2
    assert client.get(f"/drafts/{draft.id}/compare?from=1&to=9").status_code == 404
    assert client.get(f"/drafts/{draft.id}/compare?from=x&to=").status_code == 200


def test_history_lists_every_revision_with_author_and_summary(client, db, world):
    draft = start(db, world)
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=TEXT + "\n\nTwo.",
        summary="Canada's addition.",
    )
    db.commit()
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}/history")

    assert page.template.name == "workspaces/draft_history.html"
    assert "Claire Tremblay" in page.text and "Jorge Castañeda" in page.text
    assert "Canada&#39;s addition." in page.text
    assert f'href="http://testserver/drafts/{draft.id}/compare?from=1&amp;to=2"' in page.text
    old = client.get(f"/drafts/{draft.id}/revisions/1")
    assert old.status_code == 200 and "not the current text" in old.text
    assert client.get(f"/drafts/{draft.id}/revisions/7").status_code == 404
    assert client.get(f"/drafts/{draft.id}/revisions/0").status_code == 404


@pytest.fixture
def reader(app) -> TestClient:
    """A client without the application's lifespan, so no background task writes the notes:
    what is in the tables is what the requests wrote, until the test flushes them."""
    return TestClient(app, base_url="http://testserver")


def visit_of(db, person, draft) -> tuple[int, int | None] | None:
    db.expire_all()
    visit = db.get(DraftVisit, (person.id, draft.id))
    return visit and (visit.revision_number, visit.previous_revision_number)


def test_opening_a_draft_writes_no_visit_until_the_bookkeeping_is_flushed(
    reader, app, database, db, world
):
    draft = start(db, world, by=world.colleague)
    db.commit()
    sign_in(reader, world.member)

    assert reader.get(f"/drafts/{draft.id}").status_code == 200

    assert visit_of(db, world.member, draft) is None  # the read wrote nothing
    assert app.state.bookkeeping.pending(drafts.VISITS, (world.member.id, draft.id))
    assert app.state.bookkeeping.flush(database) >= 1
    assert visit_of(db, world.member, draft) == (1, None)


def test_what_changed_since_the_last_visit(reader, app, database, db, world):
    draft = start(db, world, by=world.colleague)
    db.commit()
    sign_in(reader, world.member)
    reader.get(f"/drafts/{draft.id}")  # sees revision 1
    app.state.bookkeeping.flush(database)
    assert visit_of(db, world.member, draft) == (1, None)
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=TEXT + "\n\nSecond thoughts.",
        summary="Two.",
    )
    drafts.revise(
        db,
        by=world.chair,
        draft=draft,
        base_number=2,
        text=TEXT.replace("every year", "every two years") + "\n\nSecond thoughts.",
        summary="Three.",
    )
    db.commit()

    changes = reader.get(f"/drafts/{draft.id}/changes")
    assert changes.template.name == "workspaces/draft_changes.html"
    assert "You had last seen revision 1" in changes.text
    assert "From revision 1 to revision 3" in changes.text
    assert "Second thoughts." in changes.text and "<ins>" in changes.text

    page = reader.get(f"/drafts/{draft.id}")
    assert "2 new revisions since your last visit" in page.text
    assert visit_of(db, world.member, draft) == (1, None)  # noted, not written yet
    # this process reads its own note meanwhile
    again = reader.get(f"/drafts/{draft.id}/changes")
    assert "From revision 1 to revision 3" in again.text  # still what was new at that visit
    assert "new revisions since your last visit" not in reader.get(f"/drafts/{draft.id}").text
    app.state.bookkeeping.flush(database)
    assert visit_of(db, world.member, draft) == (3, 1)
    assert "From revision 1 to revision 3" in reader.get(f"/drafts/{draft.id}/changes").text

    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=3,
        text=TEXT + "\n\nFourth.",
        summary="Four.",
    )
    db.commit()
    assert "1 new revision since your last visit" in reader.get(f"/drafts/{draft.id}").text
    assert "From revision 3 to revision 4" in reader.get(f"/drafts/{draft.id}/changes").text
    app.state.bookkeeping.flush(database)
    assert visit_of(db, world.member, draft) == (4, 3)


def test_the_drafts_list_runs_the_same_queries_for_3_and_15_drafts(client, db, world, queries):
    sign_in(client, world.member)

    def count_for(total: int) -> tuple[int, int]:
        while len(db.exec(select(Draft)).all()) < total:
            start(
                db,
                world,
                title=f"Draft {total}",
                sponsor_seat_ids=[world.mexico.id, world.canada.id],
            )
        db.commit()
        queries.reset()
        assert client.get("/groups/pathways/drafts").status_code == 200
        listing = len(queries)
        queries.reset()
        assert client.get("/groups/pathways").status_code == 200
        return listing, len(queries)

    assert count_for(3) == count_for(15)


def test_hostile_markdown_is_shown_inert(client, db, world):
    draft = start(
        db,
        world,
        text="Hello <script>alert(1)</script>\n\n[x](javascript:alert(1))"
        "\n\n<img src=x onerror=alert(1)>",
    )
    db.commit()
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}").text

    assert "<script>alert" not in page and 'href="javascript:' not in page
    assert "<img" not in page and "&lt;script&gt;" in page
    assert "[x](javascript:alert(1))" in page  # shown as text, not as a link


def test_a_sponsor_withdraws_a_draft_with_a_reason(client, db, world):
    draft = start(db, world)
    db.commit()
    sign_in(client, world.member)

    assert "Withdraw this draft" in client.get(f"/drafts/{draft.id}").text
    missing = post_form(client, f"/drafts/{draft.id}/withdraw", {"reason": ""})
    assert missing.status_code == 422
    done = post_form(
        client,
        f"/drafts/{draft.id}/withdraw",
        {"reason": "Merged into the pathways draft."},
        follow_redirects=False,
    )

    assert done.status_code == 303
    db.refresh(draft)
    assert draft.status == DraftStatus.WITHDRAWN
    page = client.get(f"/drafts/{draft.id}")
    assert "Withdrawn" in page.text and "Withdraw this draft" not in page.text
    assert client.get(f"/drafts/{draft.id}/revise").status_code == 409


def test_a_member_of_a_non_sponsoring_seat_cannot_withdraw(client, db, world):
    draft = start(db, world)
    db.commit()
    sign_in(client, world.colleague)

    assert "Withdraw this draft" not in client.get(f"/drafts/{draft.id}").text
    assert client.get(f"/drafts/{draft.id}/withdraw").status_code == 403
    refused = post_form(
        client, f"/drafts/{draft.id}/withdraw", {"reason": "No."}, page=f"/drafts/{draft.id}"
    )
    assert refused.status_code == 403


def test_a_revision_with_an_unknown_base_is_treated_as_stale(client, db, world):
    draft = start(db, world)
    db.commit()
    sign_in(client, world.member)

    response = post_form(
        client,
        f"/drafts/{draft.id}/revise",
        {"base_number": "abc", "text": "New.", "summary": "New."},
    )

    assert response.status_code == 409
    assert db.exec(select(Revision).where(Revision.number == 2)).first() is None


def test_the_demo_gives_every_group_a_revised_draft_in_several_languages(db):
    from council import demo

    demo.build(db, password="demo password")

    rows = db.exec(select(Draft)).all()
    assert len({d.working_group_id for d in rows}) == 6
    assert all(
        d.status in (DraftStatus.DRAFTING, DraftStatus.IN_ROUND, DraftStatus.ADOPTED)
        and d.latest_revision_number >= 2
        for d in rows
    )
    assert sum(d.status == DraftStatus.ADOPTED for d in rows) == 4  # issues 8 and 19
    assert {"en", "es", "fr"} <= {d.language for d in rows}
    for draft in rows:
        authors = db.exec(select(Revision.author_id).where(Revision.draft_id == draft.id)).all()
        assert len(set(authors)) >= 2  # several seats wrote it (the chair too, deciding)
        numbers = range(1, draft.latest_revision_number + 1)
        for old, new in zip(numbers, numbers[1:], strict=False):
            kinds = {c.kind for c in drafts.compare(db, draft, old, new).changes}
            assert kinds - {"unchanged"}, (draft.title, old, new)
    assert any(
        "moved" in {c.kind for c in drafts.compare(db, d, 1, d.latest_revision_number).changes}
        or any(c.moved for c in drafts.compare(db, d, 1, d.latest_revision_number).changes)
        for d in rows
    )


def test_paths_with_a_quoted_slug_do_not_break(client, db, world):
    sign_in(client, world.member)

    assert client.get(f"/groups/{quote('nope')}/drafts").status_code == 404
    assert client.get("/drafts/999999").status_code == 404


@pytest.mark.parametrize(
    "language, heading, status",
    [
        ("fr", 'Historique\u00a0: <span lang="en">Labour pathways</span>', "Retiré"),
        ("es", 'Historial: <span lang="en">Labour pathways</span>', "Retirado"),
    ],
)
def test_headings_and_status_follow_the_reader_language(
    client, db, world, language, heading, status
):
    draft = start(db, world)
    drafts.withdraw(db, by=world.member, draft=draft, reason="Merged into another draft.")
    db.commit()
    sign_in(client, world.member)
    history = client.get(f"/drafts/{draft.id}/history", headers={"Accept-Language": language})
    assert f"<h1>{heading}</h1>" in history.text  # the colon is spaced as the language wants
    page = client.get(f"/drafts/{draft.id}", headers={"Accept-Language": language})
    assert f">{status}</span>" in page.text  # a withdrawn draft, not a withdrawn invitation


def test_a_table_in_the_text_scrolls_in_a_labelled_box_the_keyboard_reaches(client, db, world):
    table = "| Year | 2026 | 2027 |\n|---|---|---|\n| Places | 50,000 | 60,000 |"
    draft = start(db, world, text=TEXT + "\n\n" + table)
    db.commit()
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}").text

    box = '<div class="table-scroll" tabindex="0" role="region" aria-label="Table"><table>'
    assert page.count(box) == 1 and "</table></div>" in page
    assert page.count("<table>") == 1  # every table of the text in a box
