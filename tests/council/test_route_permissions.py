"""Every route of the application against every role, generated from the route table.

A new route fails here until it has an entry in EXAMPLES: the path parameters that reach a
real object of the world below, and the target its permission is checked against. The expected
answer comes from the route's declared `permission` and `can(...)`, the same function the
handlers and templates use, so a hidden button and a refused request never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from starlette.routing import Mount, Route

from council import sessions
from council.app import create_app
from council.database import utcnow
from council.middleware import session_cookie_name
from council.models import Person, SeatKind, SeatRole, WorkingGroup
from council.permissions import ANONYMOUS, can, load_actor
from tests.conftest import csrf_from
from tests.factories import (
    make_chair,
    make_council,
    make_group,
    make_person,
    make_seat,
    make_secretariat,
)

ROLES = ("anonymous", "secretariat", "chair", "member", "outsider", "observer")


@dataclass
class World:
    group: WorkingGroup
    other_group: WorkingGroup
    people: dict[str, Person]
    extra: dict = field(default_factory=dict)


def build_world(db) -> World:
    make_council(db)
    chair_state = make_seat(db, name="Costa Rica")
    member_state = make_seat(db, name="Belize")
    participant = make_seat(db, SeatKind.PARTICIPANT, name="Migrant Network")
    observer_seat = make_seat(db, SeatKind.OBSERVER, name="Observer Org")
    outsider_state = make_seat(db, name="Panama")
    group = make_group(db, seats=[chair_state, member_state, participant, observer_seat],
                       name="Humanitarian protection", slug="protection")
    other = make_group(db, seats=[outsider_state], name="Narratives", slug="narratives")
    people = {
        "secretariat": make_secretariat(db),
        "chair": make_person(db, seat=chair_state, role=SeatRole.DELEGATE),
        "member": make_person(db, seat=member_state, role=SeatRole.DELEGATE),
        "outsider": make_person(db, seat=outsider_state, role=SeatRole.HEAD),
        "observer": make_person(db, seat=observer_seat, role=SeatRole.HEAD),
    }
    make_chair(db, group, chair_state, people["chair"])
    world = World(group, other, people)
    for extend in WORLD_EXTENSIONS:
        extend(db, world)
    return world


# Later areas add objects to the world (a draft, a round...) by appending here.
WORLD_EXTENSIONS: list = []

# route name -> world -> (path params, target of the permission check)
EXAMPLES = {
    "home": lambda w: ({}, None),
    "healthz": lambda w: ({}, None),
    "sign_in": lambda w: ({}, None),
    "sign_out": lambda w: ({}, None),
    "account": lambda w: ({}, None),
    "choose_language": lambda w: ({}, None),
    "working_group": lambda w: ({"slug": w.group.slug}, w.group),
}


def _routes():
    from council.app import core_routes
    from council.extensions import load_extensions

    routes = [r for e in load_extensions() for r in e.routes] + core_routes()
    for route in routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route), route
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            yield route, method


ROUTE_CASES = [(route.name, method) for route, method in _routes()]


def test_every_route_declares_a_permission_and_has_an_example():
    missing_permission = [
        route.name for route, _ in _routes() if not hasattr(route.endpoint, "permission")
    ]
    missing_example = sorted({route.name for route, _ in _routes()} - set(EXAMPLES))
    assert not missing_permission, f"routes without @permission: {missing_permission}"
    assert not missing_example, f"routes without an entry in EXAMPLES: {missing_example}"


def _as(client, app, db, person: Person | None) -> None:
    if person is None:
        return
    token = sessions.start(db, person, settings=app.state.settings, now=utcnow())
    client.cookies.set(session_cookie_name("http"), token)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method"), ROUTE_CASES)
def test_route_answers_as_the_permission_table_says(name, method, role, app, client, db):
    world = build_world(db)
    route = next(r for r, m in _routes() if r.name == name and m == method)
    params, target = EXAMPLES[name](world)
    person = world.people.get(role)
    _as(client, app, db, person)
    db.commit()
    url = app.url_path_for(name, **params)
    action = route.endpoint.permission
    actor = load_actor(db, person, utcnow()) if person else ANONYMOUS
    allowed = action == "public" or can(actor, action, target)

    if method == "GET":
        response = client.get(url, follow_redirects=False)
    else:
        token = csrf_from(client.get("/").text)
        response = client.post(url, data={"csrf_token": token}, follow_redirects=False)

    assert response.status_code < 500, response.text
    if allowed:
        assert response.status_code != 403, f"{role} was refused {method} {url}"
        if method == "GET":
            assert response.status_code in (200, 303), f"{role} {method} {url}"
    elif person is None:
        assert response.status_code == 303, f"anonymous {method} {url}"
        assert response.headers["location"].startswith("http://testserver/sign-in")
    else:
        assert response.status_code == 403, f"{role} was not refused {method} {url}"
