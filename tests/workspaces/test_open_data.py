"""Open data: every published recommendation and chair's statement as JSON Lines, for the
readers of the published pages, cacheable, naming seats and never people."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from council.models import Council
from tests.conftest import sign_in
from tests.workspaces.publishing import adopt, make_public, public_world
from tests.workspaces.test_recommendation_versions import SPANISH
from tests.workspaces.test_statements import STATEMENT, _forbidden, failed_round
from workspaces import statements

RECOMMENDATIONS = "/open-data/recommendations.jsonl"
STATEMENTS = "/open-data/statements.jsonl"


@pytest.fixture
def world(db):
    return public_world(db, number=4)


def in_two_languages(db) -> None:
    council = db.exec(select(Council)).one()
    council.official_languages = "en,es"
    db.add(council)


def lines(response) -> list[dict]:
    assert response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


def test_every_published_text_is_one_line_naming_seats_never_people(client, db, world):
    round_ = failed_round(db, world, statement=STATEMENT, title="Border closures")
    said = statements.publish(db, round_, by=world.chair)
    in_two_languages(db)
    first = adopt(db, world, versions={"es": SPANISH}, reservation="Only with funding.")
    later = adopt(db, world, title="Recruitment fees", versions={"es": ("Tarifas", {})})
    db.commit()

    answer = client.get(RECOMMENDATIONS)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/jsonl; charset=utf-8"
    published = lines(answer)
    assert [item["number"] for item in published] == [first.number, later.number]
    item = published[0]
    assert item["languages"] == ["en", "es"]
    assert item["texts"]["es"]["title"] == SPANISH[0]
    assert [p["number"] for p in item["texts"]["en"]["paragraphs"]] == [None, 1, 2, 3, 4, 5]
    assert item["footnotes"][0]["seat"] == "Mexico"
    assert item["footnotes"][0]["text"] == "Only with funding."
    assert item["adoption"]["audit_head"]
    assert item["url"] == f"http://testserver/recommendations/{first.number}"

    stated = lines(client.get(STATEMENTS))
    assert [entry["number"] for entry in stated] == [said.number]
    assert stated[0]["statement"]["text"] == STATEMENT
    assert stated[0]["outcome"] == "not_adopted"
    assert {p["seat"] for p in stated[0]["decision"]["positions"]} >= {"Mexico", "Canada"}

    everything = answer.text + client.get(STATEMENTS).text
    assert [word for word in _forbidden(db) if word in everything] == []


def test_the_downloads_follow_the_councils_visibility_and_caching(client, db, world):
    adopt(db, world)
    db.commit()
    for url in (RECOMMENDATIONS, STATEMENTS):
        public = client.get(url)
        assert public.status_code == 200
        assert public.headers["cache-control"] == "public, max-age=60"
        again = client.get(url, headers={"If-None-Match": public.headers["etag"]})
        assert again.status_code == 304
        assert "set-cookie" not in public.headers

    make_public(db, False)
    for url in (RECOMMENDATIONS, STATEMENTS):
        hidden = client.get(url)
        assert hidden.status_code == 401
        assert hidden.json()["error"] == "sign_in_required"
    sign_in(client, world.observer)
    member = client.get(RECOMMENDATIONS)
    assert member.status_code == 200 and len(lines(member)) == 1
    assert member.headers["cache-control"] == "private, no-store"


def test_follow_up_and_published_reports_are_open_data_too(client, db, world):
    from datetime import UTC, datetime

    from council.models import Seat
    from tests.workspaces.test_recommendation_versions import FRENCH
    from tests.workspaces.test_reports import NARRATIVE, composed, published_statement
    from workspaces import followup, reports

    council = db.exec(select(Council)).one()
    council.official_languages = "en,es,fr"
    db.add(council)
    item = adopt(db, world, versions={"es": SPANISH, "fr": FRENCH})
    followup.address(
        db, recommendation=item, seat_ids=[world.mexico.id], by=world.chair, now=datetime.now(UTC)
    )
    followup.report(
        db,
        recommendation=item,
        seat=db.get(Seat, world.mexico.id),
        by=world.member,
        now=datetime.now(UTC),
        form=followup.ReportForm(
            status="under_way", narrative=NARRATIVE, links="https://example.org/plan The plan"
        ),
    )
    report = reports.publish(
        db, composed(db, world, item, published_statement(db, world)), by=world.chair
    )
    composed(db, world, item, published_statement(db, world, title="Other"))  # a draft
    db.commit()

    (reported,) = lines(client.get("/open-data/follow-up.jsonl"))
    assert reported["recommendation"] == item.number and reported["seat"] == "Mexico"
    assert (reported["status"], reported["narrative"]) == ("under_way", NARRATIVE)
    assert reported["links"] == [{"url": "https://example.org/plan", "title": "The plan"}]
    (published,) = lines(client.get("/open-data/reports.jsonl"))
    assert published["number"] == report.number
    assert published["record"]["sections"][0]["items"][0]["number"] == item.number
    everything = client.get("/open-data/follow-up.jsonl").text + json.dumps(published)
    assert world.member.name not in everything and world.chair.name not in everything

    make_public(db, False)
    for url in ("/open-data/follow-up.jsonl", "/open-data/reports.jsonl"):
        assert client.get(url).status_code == 401
