"""The front door: what anonymous readers learn of the council, shown only as far as the council
publishes (its public_recommendations setting), the same for every reader in one language."""

from __future__ import annotations

import json
import re

import pytest

from council.middleware import ANON_CSRF_COOKIE
from tests.conftest import sign_in
from tests.factories import make_chair, make_group, make_seat
from tests.workspaces.publishing import adopt, make_public
from tests.workspaces.test_drafts import build_group

MANDATE = "Expand safe and legal routes: labour migration & protection pathways."
NAMES = {
    "es": (
        "Vías migratorias alternativas",
        "Ampliar las vías seguras y legales de migración.",
        "Red de Comunidades Migrantes",
    ),
    "fr": (
        "Voies de migration alternatives",
        "Élargir les voies sûres et légales de migration.",
        "Réseau des communautés migrantes",
    ),
}
DESCRIPTION = "The council brings together the states of North and Central America"


def translations(position: int) -> str:
    return json.dumps(
        {language: values[position] for language, values in NAMES.items()}, ensure_ascii=False
    )


@pytest.fixture
def world(db):
    world = build_group(
        db, mandate=MANDATE, name_translations=translations(0), mandate_translations=translations(1)
    )
    world.network.name_translations = translations(2)
    db.add(world.network)
    make_chair(db, None, world.mexico)
    db.commit()
    return world


def headings(html: str) -> list[str]:
    return re.findall(r"<(h[1-6])\b", html)


def test_the_front_door_shows_groups_mandates_chairing_seats_and_the_latest(client, db, world):
    item = adopt(db, world)
    make_public(db)

    page = client.get("/")

    assert page.status_code == 200 and page.template.name == "council/welcome.html"
    text = page.text
    assert DESCRIPTION in text and 'href="http://testserver/sign-in"' in text
    assert "Working group" in text and "Alternative migration pathways" in text
    assert "Narratives" in text
    assert (
        "Expand safe and legal routes: labour migration &amp; protection pathways." in text
    )  # stored text, escaped
    assert "Chaired by Migrant Communities Network." in text
    assert "No chair at present" in text  # Narratives has no chair
    assert "Mexico chairs the council." in text
    assert f'href="http://testserver/recommendations/{item.number}"' in text
    for person in (world.chair, world.member, world.colleague, world.observer):
        assert person.name not in text  # seats, never people
    assert headings(text)[0] == "h1" and headings(text).count("h1") == 1
    assert headings(text)[1] == "h2"
    assert re.search(r'<meta name="description" content="The council brings together', text)


def test_the_front_door_is_cacheable_and_sets_no_cookie(client, db, world):
    make_public(db)

    page = client.get("/")

    assert "set-cookie" not in page.headers
    assert ANON_CSRF_COOKIE not in client.cookies
    assert 'name="csrf_token"' not in page.text and "X-CSRF-Token" not in page.text
    assert page.headers["cache-control"] == "public, max-age=60"
    assert "Cookie" in page.headers["vary"] and "Accept-Language" in page.headers["vary"]
    again = client.get("/", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304 and not again.content
    spanish = client.get(
        "/", headers={"Accept-Language": "es", "If-None-Match": page.headers["etag"]}
    )
    assert spanish.status_code == 200  # another language, another body


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_front_door_speaks_the_readers_language(client, db, world, language):
    make_public(db)

    page = client.get("/", headers={"Accept-Language": language})

    name, mandate, network = NAMES[language]
    assert f'<html lang="{language}">' in page.text
    assert name in page.text and mandate in page.text and network in page.text
    assert "Alternative migration pathways" not in page.text
    assert MANDATE.split(":")[0] not in page.text
    assert "Migrant Communities Network" not in page.text


def test_a_council_that_does_not_publish_shows_only_what_it_is(client, db, world):
    item = adopt(db, world)
    make_public(db, False)

    page = client.get("/")

    assert page.status_code == 200
    assert DESCRIPTION in page.text and 'href="http://testserver/sign-in"' in page.text
    for hidden in (
        "Alternative migration pathways",
        "Narratives",
        "Expand safe and legal",
        "Migrant Communities Network",
        "Mexico",
        item.number,
    ):
        assert hidden not in page.text
    assert "set-cookie" not in page.headers


def test_signed_in_people_keep_their_own_home_page(client, db, world):
    make_public(db)
    sign_in(client, world.member)

    page = client.get("/")

    assert page.template.name == "council/home.html"
    assert page.headers.get("cache-control") != "public, max-age=60"


def add_chaired_groups(db, count: int) -> None:
    for _ in range(count):
        seat = make_seat(db)
        group = make_group(
            db,
            seats=[seat],
            mandate=f"Mandate of {seat.name}.",
            mandate_translations=translations(1),
        )
        make_chair(db, group, seat)
    db.commit()


def test_the_front_door_runs_a_fixed_number_of_queries(client, db, world, queries):
    make_public(db)
    counts = []
    for added, total in ((0, 2), (6, 8)):  # the world has two groups
        add_chaired_groups(db, added)
        queries.reset()
        page = client.get("/")
        assert page.text.count('<li class="card">') == total
        counts.append(len(queries))
    assert counts[0] == counts[1], queries.statements
