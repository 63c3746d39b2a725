"""@permission declares a route's action once and enforces it before the handler runs."""

from __future__ import annotations

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from council.app import create_app
from council.extensions import Extension
from council.views import permission
from tests.conftest import sign_in
from tests.factories import make_council, make_person, make_secretariat

ran: list[str] = []


@permission("council.manage")
def managed(request):
    ran.append("managed")
    return PlainTextResponse("managed")


def test_a_group_action_without_its_target_loader_is_refused_when_declared():
    with pytest.raises(TypeError, match="target loader"):
        permission("deliberations.read")


@pytest.fixture
def guarded_client(settings, database):
    from starlette.testclient import TestClient

    app = create_app(
        settings,
        database=database,
        extensions=[Extension(name="t", routes=[Route("/managed", managed)])],
    )
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def test_the_handler_never_runs_for_someone_the_action_refuses(guarded_client, db):
    make_council(db)
    member = make_person(db)
    admin = make_secretariat(db)
    db.commit()
    ran.clear()
    assert guarded_client.get("/managed", follow_redirects=False).status_code == 303
    sign_in(guarded_client, member)
    assert guarded_client.get("/managed").status_code == 403
    assert ran == []
    guarded_client.post("/sign-out", data={}, follow_redirects=False)
    guarded_client.cookies.clear()
    sign_in(guarded_client, admin)
    assert guarded_client.get("/managed").text == "managed"
    assert ran == ["managed"]
