"""Dates people read (council.dates): moments in the reader's zone named by city, in three
languages; "in 4 days" / "2 hours ago" / "tomorrow" from a fixed now; a deadline across a
daylight-saving change; the chair's clock; <time datetime> precision; and the account form's
time zone, chosen by country from a short list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from babel.support import NullTranslations
from sqlmodel import select

from council import dates, i18n
from council.app import create_app
from council.models import Person, SeatRole
from tests.conftest import post_form, sign_in
from tests.factories import make_chair, make_council, make_group, make_person, make_seat

NOW = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)  # a Friday
DEADLINE = datetime(2026, 12, 9, 0, 0, tzinfo=UTC)  # Tuesday 8 December, 18:00 in Mexico City
HTML_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$")


def speaking(language: str):
    """Babel's words (dates, cities, "in 4 days") without our catalogues: what this module
    decides, whatever the catalogues hold."""
    return i18n.speaking(language, NullTranslations())


# moments, in three languages and several zones


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "America/Mexico_City", "Tuesday, December 8, 2026, 6:00\u202fPM (Mexico City time)"),
        ("en", "America/New_York", "Tuesday, December 8, 2026, 7:00\u202fPM (New York time)"),
        ("en", "UTC", "Wednesday, December 9, 2026, 12:00\u202fAM (UTC)"),
        (
            "es",
            "America/Mexico_City",
            "martes, 8 de diciembre de 2026, 18:00 (Ciudad de México time)",
        ),
        ("es", "America/Guatemala", "martes, 8 de diciembre de 2026, 18:00 (Guatemala time)"),
        ("fr", "America/Toronto", "mardi 8 décembre 2026, 19:00 (Toronto time)"),
        ("fr", "America/Port-au-Prince", "mardi 8 décembre 2026, 19:00 (Port-au-Prince time)"),
    ],
)
def test_a_moment_reads_with_its_weekday_to_the_minute_in_the_readers_zone_named_by_city(
    language, zone, expected
):
    with speaking(language):
        assert dates.moment_text(DEADLINE.replace(second=40), zone) == expected


def test_the_zone_is_named_by_its_city_in_the_readers_language():
    cities = {}
    for language in ("en", "es", "fr"):
        with speaking(language):
            cities[language] = dates.city("America/Mexico_City")
    assert cities == {"en": "Mexico City", "es": "Ciudad de México", "fr": "Mexico"}


@pytest.mark.parametrize(
    ("language", "in_four_days", "two_hours_ago"),
    [
        ("en", "in 4 days", "2 hours ago"),
        ("es", "dentro de 4 días", "hace 2 horas"),
        ("fr", "dans 4 jours", "il y a 2 heures"),
    ],
)
def test_relative_wording_in_three_languages(language, in_four_days, two_hours_ago):
    with speaking(language):
        assert dates.relative(DEADLINE, NOW, "America/Mexico_City") == in_four_days
        assert dates.relative(NOW - timedelta(hours=2), NOW, "UTC") == two_hours_ago


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        (
            NOW + timedelta(hours=9, minutes=40),
            "UTC",
            "in 10 hours",
        ),  # tomorrow, but hours say more
        (NOW + timedelta(hours=17, minutes=30), "UTC", "tomorrow"),  # 09:00 the next day
        (NOW + timedelta(hours=8), "UTC", "in 8 hours"),  # later today
        (NOW - timedelta(hours=29), "UTC", "yesterday"),
        (NOW - timedelta(days=3), "UTC", "3 days ago"),
        (NOW + timedelta(minutes=20), "UTC", "in 20 minutes"),
        (NOW + timedelta(days=21), "UTC", "in 3 weeks"),
    ],
)
def test_relative_boundaries_from_a_fixed_now(moment, zone, expected):
    with speaking("en"):
        assert dates.relative(moment, NOW, zone) == expected


def test_tomorrow_is_a_day_of_the_readers_calendar():
    now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # Friday 19:00 in Los Angeles
    deadline = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)  # Saturday 12:00 in Los Angeles
    with speaking("en"):
        assert dates.relative(deadline, now, "UTC") == "in 17 hours"
        assert dates.relative(deadline, now, "America/Los_Angeles") == "tomorrow"


def test_in_4_days_counts_calendar_days_so_the_weekday_agrees():
    """Friday 23:00 to Tuesday 01:00 is 74 hours, and Tuesday is four days on."""
    now = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)  # Friday 23:00 in New York
    deadline = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)  # Tuesday 01:00 in New York
    with speaking("en"):
        assert dates.relative(deadline, now, "America/New_York") == "in 4 days"
        assert dates.moment_text(deadline, "America/New_York").startswith("Tuesday")


def test_a_deadline_across_the_november_change_keeps_its_wall_time():
    """New York leaves daylight time on 1 November 2026; Mexico City has none since 2022. A
    round opened on 28 October with a deadline typed as 3 November, 17:00 in New York."""
    from workspaces.rounds import parse_deadline

    opened = datetime(2026, 10, 28, 21, 0, tzinfo=UTC)  # 17:00 in New York (UTC-4 then)
    deadline = parse_deadline("2026-11-03T17:00", "America/New_York")
    assert deadline == datetime(2026, 11, 3, 22, 0, tzinfo=UTC)  # UTC-5 by then
    with speaking("en"):
        assert dates.moment_text(deadline, "America/New_York") == (
            "Tuesday, November 3, 2026, 5:00\u202fPM (New York time)"
        )
        assert dates.relative(deadline, opened, "America/New_York") == "in 6 days"
        # two hours apart when the round opened, one at its deadline
        assert dates.differs(deadline, "America/Mexico_City", "America/New_York")
        assert dates.in_two_zones(deadline, "America/Mexico_City", "America/New_York") == (
            "Tuesday, November 3, 2026, 4:00\u202fPM (Mexico City time), 5:00\u202fPM your time"
        )
    with speaking("es"):
        assert dates.moment_text(deadline, "America/Mexico_City").startswith(
            "martes, 3 de noviembre de 2026, 16:00"
        )


def test_the_chairs_clock_gives_the_date_too_when_the_readers_day_differs():
    late = datetime(2026, 12, 9, 5, 30, tzinfo=UTC)  # 23:30 in Mexico City, 00:30 in New York
    with speaking("en"):
        assert dates.in_two_zones(late, "America/Mexico_City", "America/New_York") == (
            "Tuesday, December 8, 2026, 11:30\u202fPM (Mexico City time), "
            "Wednesday, December 9, 2026, 12:30\u202fAM your time"
        )
    assert not dates.differs(late, "America/Toronto", "America/New_York")  # same clock
    assert not dates.differs(late, None, "America/New_York")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 9, 0, 0, tzinfo=UTC), "2026-12-09T00:00+00:00"),
        (datetime(2026, 12, 9, 0, 0, 7, tzinfo=UTC), "2026-12-09T00:00:07+00:00"),
        (datetime(2026, 12, 9, 0, 0, 7, 123456, tzinfo=UTC), "2026-12-09T00:00:07.123+00:00"),
    ],
)
def test_time_elements_get_at_most_milliseconds(moment, expected):
    assert dates.machine(moment) == expected
    assert HTML_TIME.match(dates.machine(moment))


# the time zones offered


def test_the_short_list_is_the_regions_countries_by_name_each_with_its_cities():
    with speaking("es"):
        groups = dates.region_choices("es")
    labels = [group.label for group in groups]
    for country in (
        "Canadá",
        "Estados Unidos",
        "México",
        "Guatemala",
        "Belice",
        "Honduras",
        "El Salvador",
        "Nicaragua",
        "Costa Rica",
        "Panamá",
    ):
        assert country in labels
    assert labels == sorted(labels, key=dates._sort_key)
    mexico = dict(next(g for g in groups if g.label == "México").zones)
    assert mexico["America/Mexico_City"] == "Ciudad de México"
    assert sum(len(group.zones) for group in groups) < 40
    assert "Europe/Paris" not in dates.REGION_ZONES


def test_every_other_zone_is_offered_once_and_old_names_are_not():
    with speaking("fr"):
        others = [name for group in dates.other_choices("fr") for name, _city in group.zones]
    assert len(others) == len(set(others)) and not set(others) & dates.REGION_ZONES
    assert "Europe/Paris" in others and "Asia/Kolkata" in others
    assert "Asia/Calcutta" not in others and "Etc/GMT+5" not in others
    assert dates.offered("UTC") and dates.offered("America/Toronto")
    assert not dates.offered("Mars/Olympus_Mons") and not dates.offered("Etc/GMT+5")
    assert dates.proposal("Asia/Calcutta", "UTC") == "Asia/Kolkata"  # a browser's old name
    assert dates.proposal("UTC", "UTC") is None and dates.proposal("Nowhere", "UTC") is None


# the chair's clock, from the database


def test_the_chairs_zone_is_the_acting_persons_else_the_heads(db):
    make_council(db)
    seat = make_seat(db, name="Mexico")
    group = make_group(db, seats=[seat])
    head = make_person(db, seat=seat, role=SeatRole.HEAD, timezone="America/Mexico_City")
    delegate = make_person(db, seat=seat, timezone="America/Tijuana")
    now = datetime.now(UTC)
    assert dates.chair_timezone(db, group.id, now) is None  # no one chairs
    term = make_chair(db, group, seat)
    assert dates.chair_timezone(db, group.id, now) == "America/Mexico_City"  # the head acts
    term.acting_person_id = delegate.id
    db.add(term)
    db.flush()
    assert dates.chair_timezone(db, group.id, now) == "America/Tijuana"
    delegate.is_active = False  # someone who leaves loses the chair at once
    db.add(delegate)
    db.flush()
    assert dates.chair_timezone(db, group.id, now) == head.timezone


# the account form


@pytest.fixture
def app(settings, database):
    return create_app(settings, database=database, extensions=[])


@pytest.fixture
def person(db):
    make_council(db)
    person = make_person(db, email="ana@example.org")
    db.commit()
    return person


def saved_zone(db, person) -> str:
    return db.exec(
        select(Person.timezone)
        .where(Person.id == person.id)
        .execution_options(populate_existing=True)
    ).one()


def test_the_account_form_offers_countries_with_cities_not_six_hundred_zones(client, person):
    sign_in(client, person)
    page = client.get("/account").text
    first = page[
        page.index('<select id="timezone"') : page.index("</select>", page.index('id="timezone"'))
    ]
    assert '<optgroup label="Mexico">' in first and '<optgroup label="Canada">' in first
    assert '<option value="America/Mexico_City">Mexico City</option>' in first
    assert '<option value="UTC" selected>' in first
    assert first.count("<option") < 45
    assert 'value="Europe/Paris">Paris</option>' in page  # in the second list
    assert 'value="Europe/Paris"' not in first


def test_a_zone_chosen_in_either_list_is_saved(client, db, person):
    sign_in(client, person)
    saved = post_form(
        client,
        "/account",
        {"language": "", "timezone": "America/Tegucigalpa", "timezone_other": ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved_zone(db, person) == "America/Tegucigalpa"
    assert '<option value="America/Tegucigalpa" selected>' in client.get("/account").text
    other = post_form(
        client,
        "/account",
        {"language": "", "timezone": "other", "timezone_other": "Europe/Madrid"},
        follow_redirects=False,
    )
    assert other.status_code == 303 and saved_zone(db, person) == "Europe/Madrid"
    page = client.get("/account").text
    assert '<option value="other" selected>' in page
    assert '<option value="Europe/Madrid" selected>' in page


@pytest.mark.parametrize(
    "fields",
    [
        {"timezone": "Mars/Olympus_Mons", "timezone_other": ""},
        {"timezone": "other", "timezone_other": "Mars/Olympus_Mons"},
        {"timezone": "other", "timezone_other": ""},
        {"timezone": "Etc/GMT+5", "timezone_other": ""},
    ],
)
def test_an_unknown_zone_is_refused_with_the_form_filled_in(client, db, person, fields):
    person.language = "fr"
    db.add(person)
    db.commit()
    sign_in(client, person)
    response = post_form(client, "/account", {"language": "es", **fields})
    assert response.status_code == 422
    assert response.template.name == "council/account.html"
    assert 'id="timezone-error"' in response.text
    assert '<option value="es" selected>' in response.text  # what was typed stays
    assert saved_zone(db, person) == "UTC"


def test_an_older_zone_a_person_has_is_kept_when_they_save_their_language(client, db, person):
    person.timezone = "America/Montreal"  # an old name an earlier list offered
    db.add(person)
    db.commit()
    sign_in(client, person)
    page = client.get("/account").text
    assert '<option value="America/Montreal" selected>' in page
    saved = post_form(
        client,
        "/account",
        {"language": "fr", "timezone": "other", "timezone_other": "America/Montreal"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved_zone(db, person) == "America/Montreal"


def test_the_browsers_zone_is_proposed_in_the_form_and_saved_only_by_saving(client, db, person):
    sign_in(client, person)
    page = client.get("/account", params={"proposed_timezone": "America/New_York"})
    assert page.status_code == 200
    assert '<option value="America/New_York" selected>' in page.text
    assert "This browser is set to New York time" in page.text
    assert 'id="timezone-proposal"' not in page.text  # the notice has brought them here
    assert saved_zone(db, person) == "UTC"  # a GET never writes
    for unknown in ("Mars/Olympus_Mons", "UTC", ""):
        ignored = client.get("/account", params={"proposed_timezone": unknown}).text
        assert '<option value="UTC" selected>' in ignored
        assert 'id="timezone-proposed"' not in ignored


def test_the_proposal_is_offered_only_to_a_person_still_on_the_default_zone(client, db, person):
    sign_in(client, person)
    notice = client.get("/account").text
    assert '<form id="timezone-proposal"' in notice and "js/timezone.js" in notice
    assert 'data-stored-zone="UTC" hidden' in notice  # the script shows it, or nothing does
    person.timezone = "America/Managua"
    db.add(person)
    db.commit()
    assert 'id="timezone-proposal"' not in client.get("/account").text


# what pages say of now


def render_closes(actor, value):
    """The deadline macro as a page renders it, with the request's clock at NOW."""
    from starlette.datastructures import State

    from council.web import make_templates

    request = type("Request", (), {"state": State({"now": NOW})})()
    template = make_templates().env.from_string(
        '{% from "_dates.html" import closes with context %}{{ closes(value) }}'
    )
    with speaking("en"):
        return template.render(
            request=request, actor=actor, timezone="America/Mexico_City", value=value
        ), request.state


def test_a_member_page_says_how_long_until_and_is_marked_not_to_be_stored():
    from council.permissions import Actor

    html, state = render_closes(Actor(person=Person(name="Ana", email="a@example.org")), DEADLINE)
    assert html == (
        'Closes in 4 days, on <time datetime="2026-12-09T00:00+00:00">Tuesday, '
        "December 8, 2026, 6:00\u202fPM (Mexico City time)</time>."
    )
    assert state.relative_dates  # render() then answers "private, no-store"


def test_a_page_caches_may_share_says_only_the_date():
    from council.permissions import ANONYMOUS

    html, state = render_closes(ANONYMOUS, DEADLINE)
    assert html == (
        '<time datetime="2026-12-09T00:00+00:00">Tuesday, December 8, 2026, '
        "6:00\u202fPM (Mexico City time)</time>"
    )
    assert not getattr(state, "relative_dates", False)
