"""Deadlines as members read them (council.dates): in their own zone, and the chair's when it
differs; "closes in 4 days" from the request's clock on private pages that are not stored;
<time datetime> to the millisecond at most."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_time

from council.database import utcnow
from tests.conftest import post_form, sign_in
from tests.workspaces.test_drafts import build_group, start
from workspaces import comments, rounds
from workspaces.models import Draft
from workspaces.round_models import Round, RoundKind

TIME_ELEMENT = re.compile(r'<time[^>]* datetime="([^"]*)"')
HTML_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$")
NEW_YORK, MEXICO_CITY = ZoneInfo("America/New_York"), ZoneInfo("America/Mexico_City")


@pytest.fixture
def world(db):
    world = build_group(db)
    world.chair.timezone = "America/Mexico_City"
    world.member.timezone = "America/New_York"
    db.add_all([world.chair, world.member])
    db.commit()
    return world


def four_days_on_in_new_york():
    """18:00 in New York, four calendar days from today there."""
    local = (utcnow().astimezone(NEW_YORK) + timedelta(days=4)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    return local.astimezone(ZoneInfo("UTC"))


def open_round(db, world, deadline, kind=RoundKind.DECISION) -> Round:
    opened = rounds.open_round(
        db, by=world.chair, draft=start(db, world), kind=kind, deadline=deadline
    )
    db.commit()
    return opened


def short_time(moment, zone) -> str:
    return format_time(moment.astimezone(zone), format="short", locale="en")


def test_a_member_reads_the_deadline_in_their_zone_and_the_chairs(client, db, world):
    deadline = four_days_on_in_new_york()
    round_ = open_round(db, world, deadline)
    sign_in(client, world.member)

    page = client.get(f"/rounds/{round_.id}")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"  # true only now
    chair_time = short_time(deadline, MEXICO_CITY)
    assert "Closes in 4 days, on <time" in page.text
    assert f"{chair_time} (Mexico City time), 6:00\u202fPM your time" in page.text
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:00\+00:00">', page.text)
    home = client.get("/")
    assert "closes in 4 days, on <time" in home.text
    assert home.headers["cache-control"] == "private, no-store"


def test_the_chair_reads_one_clock_on_the_round_and_its_forms(client, db, world):
    deadline = four_days_on_in_new_york()
    round_ = open_round(db, world, deadline)
    sign_in(client, world.chair)

    for path in (
        f"/rounds/{round_.id}",
        f"/rounds/{round_.id}/close",
        f"/rounds/{round_.id}/extend",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f"{short_time(deadline, MEXICO_CITY)} (Mexico City time)" in page.text, path
        assert not re.search(r"M your time", page.text), path
        assert re.search(r"Closes in [34] days, on <time", page.text), path


def test_the_saved_zone_and_language_are_used_on_the_round_page(client, db, world):
    deadline = four_days_on_in_new_york()
    round_ = open_round(db, world, deadline)
    sign_in(client, world.member)
    saved = post_form(
        client,
        "/account",
        {"language": "es", "timezone": "other", "timezone_other": "Europe/Madrid"},
        follow_redirects=False,
    )
    assert saved.status_code == 303

    page = client.get(f"/rounds/{round_.id}").text

    madrid = deadline.astimezone(ZoneInfo("Europe/Madrid"))
    assert "dentro de" in page and "Madrid" in page
    assert format_time(madrid, format="short", locale="es") in page


def test_a_round_closed_by_the_chair_says_how_long_ago(client, db, world):
    round_ = open_round(db, world, four_days_on_in_new_york())
    rounds.close_round(db, round_, by=world.chair, now=utcnow() - timedelta(hours=2))
    db.commit()
    sign_in(client, world.member)

    page = client.get(f"/rounds/{round_.id}").text

    assert "Closed by the chair 2 hours ago, on <time" in page
    assert "Closes in" not in page  # a closed round's deadline is a date, nothing more
    draft_page = client.get(f"/drafts/{round_.draft_id}").text
    assert "closed 2 hours ago, on <time" in draft_page


def test_every_time_element_has_at_most_milliseconds(client, db, world):
    round_ = open_round(db, world, utcnow() + timedelta(days=3, seconds=7), kind=RoundKind.COMMENT)
    comments.post_comment(
        db,
        by=world.member,
        draft=db.get(Draft, round_.draft_id),
        body="Written at seconds and microseconds.",
        paragraph_id=None,
        revision_number=1,
    )
    db.commit()
    sign_in(client, world.member)

    stamps = []
    for path in (f"/rounds/{round_.id}", f"/drafts/{round_.draft_id}", "/"):
        stamps += TIME_ELEMENT.findall(client.get(path).text)

    assert len(stamps) >= 3
    assert all(HTML_TIME.match(stamp) for stamp in stamps), stamps
