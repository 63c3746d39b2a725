"""What a page says about itself and how its headings follow each other: each page's own
description, headings of stored texts fitted under the page's (none skips a level), and htmx
loaded only where members use it."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from tests.conftest import sign_in
from tests.workspaces.publishing import adopt, make_public
from tests.workspaces.test_drafts import build_group, start
from workspaces import rendering
from workspaces.recommendation_models import RecommendationRendering

TEXT = "\n\n".join(
    [
        "# Recommendation",
        "States open 50,000 places.",
        "### Priorities",
        "Workers never pay recruitment fees.",
        "## Review",
        "Every year.",
    ]
)
HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


@pytest.fixture
def world(db):
    world = build_group(db)
    make_public(db)
    return world


def outline(page: str) -> list[tuple[int, str]]:
    main = page.split('<main id="main"', 1)[1]
    return [
        (int(level), re.sub(r"<[^>]+>", "", text).strip()) for level, text in HEADING.findall(main)
    ]


def assert_no_level_skipped(headings: list[tuple[int, str]]) -> None:
    previous = 0
    for level, text in headings:
        assert level <= previous + 1, f"h{level} {text!r} follows h{previous}: {headings}"
        previous = level


def description(page: str) -> str:
    found = DESCRIPTION.findall(page)
    assert len(found) == 1, found
    return html.unescape(found[0])


def test_the_recommendation_s_headings_come_under_its_title(client, db, world):
    item = adopt(db, world, text=TEXT, reservation="Within our budget.")
    db.commit()

    page = client.get(f"/recommendations/{item.number}").text

    headings = outline(page)
    # "###" right under "#" comes one level down; "##" is a level under "#" as written
    assert headings[:4] == [
        (1, "Labour pathways"),
        (2, "Recommendation"),
        (3, "Priorities"),
        (3, "Review"),
    ]
    assert_no_level_skipped(headings)
    stored = db.exec(
        select(RecommendationRendering).where(RecommendationRendering.recommendation_id == item.id)
    ).first()
    assert stored.version == rendering.version(item) and "<h2>Recommendation</h2>" in stored.html


def test_the_draft_s_headings_come_under_the_text_section(client, db, world):
    draft = start(db, world, text=TEXT)
    db.commit()
    sign_in(client, world.member)

    headings = outline(client.get(f"/drafts/{draft.id}").text)

    assert (2, "Text") in headings
    text = headings[headings.index((2, "Text")) + 1 :][:3]
    assert text == [(3, "Recommendation"), (4, "Priorities"), (4, "Review")]
    assert_no_level_skipped(headings)


def test_each_page_describes_itself(client, db, world):
    world.group.mandate = "Open safe, orderly and regular pathways for work."
    db.add(world.group)
    item = adopt(db, world, text="Workers never pay recruitment fees. They are protected.")
    db.commit()

    assert description(client.get(f"/recommendations/{item.number}").text) == item.summary
    assert description(client.get("/recommendations").text).startswith(
        "What the council's working groups adopted"
    )
    default = description(client.get("/sign-in").text)
    assert default.startswith("Test Council on Migration: the workspace where member states")
    sign_in(client, world.member)
    assert description(client.get(f"/groups/{world.group.slug}").text) == (
        "Open safe, orderly and regular pathways for work."
    )


def test_only_members_pages_load_htmx(client, db, world):
    item = adopt(db, world)
    db.commit()

    for path in ("/", "/sign-in", "/recommendations", f"/recommendations/{item.number}"):
        page = client.get(path).text
        assert "htmx-4.0.1.min.js" not in page and "htmx-config" not in page, path
    sign_in(client, world.member)
    for path in ("/", f"/recommendations/{item.number}"):
        assert "htmx-4.0.1.min.js" in client.get(path).text, path
