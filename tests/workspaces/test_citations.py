"""A citation ("paragraph 2") names the same text on the draft, in the round, in a reservation
and in the published recommendation; comparisons show the words read, not Markdown marks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from council.database import utcnow
from council.errors import Invalid
from council.models import Seat
from tests.conftest import post_form, sign_in
from tests.workspaces.publishing import public_world
from tests.workspaces.test_drafts import build_group, start
from workspaces import drafts, recommendations, rounds
from workspaces.round_models import RoundKind
from workspaces.rounds import PositionForm

TEXT = "# Title\n\nFirst *point*.\n\n## Measures\n\nSecond."


def cited_numbers(html: str, paragraph_ids: list[str]) -> list[str | None]:
    """The number shown in the margin of each paragraph (None: it has no number link)."""
    found = [
        re.search(rf'class="paragraph-number" href="#p-{pid}"[^>]*>.*?</span>(\d+)</a>', html, re.S)
        for pid in paragraph_ids
    ]
    return [match.group(1) if match else None for match in found]


def open_round(db, world, draft):
    return rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=utcnow() + timedelta(days=7),
    )


def test_a_paragraph_is_cited_by_the_same_number_everywhere(client, db):
    world = public_world(db)
    draft = start(db, world, text=TEXT)
    round_ = open_round(db, world, draft)
    db.commit()
    ids = [p.paragraph_id for p in drafts.paragraphs(db, drafts.latest_revision(db, draft))]
    title, first, measures, second = ids
    sign_in(client, world.member)

    draft_page = client.get(f"/drafts/{draft.id}").text
    assert cited_numbers(draft_page, ids) == [None, "1", None, "2"]
    assert f'<div class="paragraph unnumbered" id="p-{measures}">' in draft_page

    url = f"/rounds/{round_.id}"
    round_page = client.get(url).text
    assert cited_numbers(round_page, ids) == [None, "1", None, "2"]
    choices = re.findall(
        r'<label for="paragraph-(\w+)">Paragraph (\d+): <span[^>]*>([^<]*)<', round_page
    )
    assert choices == [(first, "1", "First point."), (second, "2", "Second.")]  # no heading
    cast = post_form(
        client,
        f"{url}/position",
        {
            "choice": "support_with_reservation",
            "reservation": "Not the second paragraph.",
            "paragraph_ids": [second],
        },
        page=url,
        follow_redirects=False,
    )
    assert cast.status_code == 303
    assert re.search(rf'Concerns paragraphs:\s*<a href="#p-{second}">2</a>', client.get(url).text)

    rounds.cast_position(
        db,
        round_,
        by=world.colleague,
        seat=db.get(Seat, world.canada.id),
        form=PositionForm("support"),
    )
    rounds.close_round(db, round_, by=world.chair, statement="")
    db.commit()
    published = recommendations.of_draft(db, draft)

    public = client.get(f"/recommendations/{published.number}").text
    assert cited_numbers(public, ids) == [None, "1", None, "2"]
    assert re.search(rf'Concerns paragraph\s*<a href="#p-{second}">2</a>', public)
    api = client.get(f"/api/v1/recommendations/{published.number}").json()
    assert [(p["id"], p["number"]) for p in api["paragraphs"]] == [
        (title, None),
        (first, 1),
        (measures, None),
        (second, 2),
    ]


def test_a_reservation_cannot_concern_a_heading(db):
    world = build_group(db)
    draft = start(db, world, text=TEXT)
    round_ = open_round(db, world, draft)
    heading = drafts.paragraphs(db, drafts.latest_revision(db, draft))[2]

    with pytest.raises(Invalid) as refused:
        rounds.cast_position(
            db,
            round_,
            by=world.member,
            seat=db.get(Seat, world.mexico.id),
            form=PositionForm(
                "support_with_reservation", reservation="No.", paragraph_ids=[heading.paragraph_id]
            ),
        )

    assert "paragraph_ids" in refused.value.errors


def test_comparisons_show_the_words_read_without_markdown_marks(client, db):
    world = build_group(db)
    draft = start(db, world, text="# Title\n\nStates **share** data.\n\n- Item one")
    drafts.revise(
        db,
        by=world.member,
        draft=draft,
        base_number=1,
        text="# New title\n\nStates **share** arrival data.\n\n- Item one\n- Item two",
        summary="Adds an item.",
    )
    db.commit()
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}/compare?from=1&to=2").text
    shown = " ".join(re.findall(r'<div class="change-text"[^>]*>(.*?)</div>', page, re.S))
    stale = drafts.difference_from(db, drafts.revision(db, draft, 1), "# Title\n\n**Bold**.")

    assert "Title" in shown and "share" in shown and "Item two" in shown
    for mark in ("#", "**", "- "):
        assert mark not in shown
        assert all(mark not in change.html for change in stale)
    assert re.search(r"Added</strong>\s*— paragraph 3", page)  # "- Item two", after a heading
