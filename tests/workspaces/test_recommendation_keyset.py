"""Keyset pagination of the library and the API list: a page is found from the item before it
through the (adopted_at, id) index, never by skipping rows, so a deep page costs what the
first does; the page numbers and totals stay as the API document says."""

from __future__ import annotations

import pytest

from tests.workspaces.publishing import adopt, days_ago, public_world
from workspaces import recommendations


@pytest.fixture
def world(db):
    return public_world(db)


@pytest.fixture
def made(db, world):
    """Five recommendations, two adopted at the same moment (the id decides between them)."""
    items = [adopt(db, world, title=f"Text {n}", when=days_ago(30 - n)) for n in range(4)]
    items.append(adopt(db, world, title="Text 4", when=items[3].adopted_at))
    db.commit()
    return items


def test_following_the_links_reads_every_recommendation_once_newest_first(client, made, queries):
    expected = [
        item.number for item in sorted(made, key=lambda r: (r.adopted_at, r.id), reverse=True)
    ]
    url, seen, pages = "/api/v1/recommendations?per_page=2", [], []
    while url:
        queries.reset()
        answer = client.get(url).json()
        listed = [q for q in queries.statements if "FROM recommendation" in q and "ORDER BY" in q]
        if "after=" in url:  # found from the cursor's row, not by skipping rows
            assert listed and all("recommendation_1.number" in q for q in listed), listed
        seen += [item["number"] for item in answer["items"]]
        pages.append((answer["page"], answer["pages"], answer["total"]))
        url = answer["links"]["next"]
    assert seen == expected
    assert pages == [(1, 3, 5), (2, 3, 5), (3, 3, 5)]


def test_the_previous_link_reads_back_the_page_before(client, made):
    first = client.get("/api/v1/recommendations?per_page=2").json()
    second = client.get(first["links"]["next"]).json()
    third = client.get(second["links"]["next"]).json()
    assert "after=" in second["links"]["next"]
    back = client.get(third["links"]["prev"]).json()
    assert "before=" in third["links"]["prev"]
    assert [i["number"] for i in back["items"]] == [i["number"] for i in second["items"]]
    assert second["links"]["prev"] == first["links"]["self"]  # the first page needs none


def test_a_cursor_that_is_no_number_is_refused_by_the_api_and_ignored_by_the_page(client, made):
    refused = client.get("/api/v1/recommendations?after=1%20OR%201=1")
    assert refused.status_code == 400 and refused.json()["parameter"] == "after"
    page = client.get("/recommendations?after=nonsense")
    assert page.status_code == 200 and made[0].number in page.text


def test_the_library_page_by_cursor_equals_the_page_by_number(db, made):
    filters = recommendations.Filters()
    by_number = recommendations.library(db, filters, page=2, per_page=2)
    first = recommendations.library(db, filters, page=1, per_page=2)
    by_cursor = recommendations.library(db, filters, page=2, per_page=2, after=first.after)
    assert [i.id for i in by_cursor.items] == [i.id for i in by_number.items]
    third = recommendations.library(db, filters, page=3, per_page=2, after=by_cursor.after)
    back = recommendations.library(db, filters, page=2, per_page=2, before=third.before)
    assert [i.id for i in back.items] == [i.id for i in by_number.items]
    assert first.before is None and third.after is None
