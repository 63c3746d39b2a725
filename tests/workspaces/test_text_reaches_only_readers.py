"""No route shows a draft's text, a comment or a round to someone the draft page refuses.

Every GET route of the route table is visited as an observer of a group closed to observers
and as a delegate of a seat outside the group; none may show a paragraph or a comment of the
group's drafts (the statement form of an observer included: it asks `can()` the same
question as the draft page).
"""

from __future__ import annotations

import pytest

from council.database import utcnow
from council.permissions import can, load_actor
from tests.council.test_route_permissions import EXAMPLES, _as, _routes, build_world

TEXTS = (
    "<p>First paragraph.</p>",
    "<p>Second paragraph.</p>",
    "A first comment.",
    "<p>One.</p>",
    "<p>Two.</p>",
)
GET_ROUTES = sorted({route.name for route, method in _routes() if method == "GET"})


@pytest.mark.parametrize("role", ["observer", "outsider"])
def test_no_route_shows_the_text_to_who_may_not_read_the_drafts(role, app, client, db):
    world = build_world(db)
    assert not world.group.observers_read_deliberations
    person = world.people[role]
    assert not can(load_actor(db, person, utcnow()), "deliberations.read", world.group)
    _as(client, app, db, person)
    db.commit()
    shown = []
    for name in GET_ROUTES:
        params, _target = EXAMPLES[name](world)
        response = client.get(app.url_path_for(name, **params), follow_redirects=False)
        assert response.status_code < 500, name
        shown += [(name, text) for text in TEXTS if text in response.text]
    assert shown == []


def test_an_observer_of_an_open_group_reads_the_text_on_the_statement_form(app, client, db):
    world = build_world(db)
    world.group.observers_read_deliberations = True
    db.add(world.group)
    _as(client, app, db, world.people["observer"])
    db.commit()
    page = client.get(app.url_path_for("statement_submit", round_id=world.extra["round"].id))
    assert page.status_code == 200
    assert "<p>One.</p>" in page.text
