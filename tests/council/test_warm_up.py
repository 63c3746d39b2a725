"""A production process does before its first request what that request would otherwise wait
for (council.web.warm_up): the first draft page after a start or a deploy took a second."""

from __future__ import annotations

from starlette.testclient import TestClient

from council.app import create_app
from tests.conftest import make_settings


def test_a_production_process_compiles_every_template_before_its_first_request(
    database_url, database, tmp_path
):
    settings = make_settings(database_url, tmp_path, environment="production")
    app = create_app(settings, database=database)
    env = app.state.templates.env
    with TestClient(app):  # the lifespan has started: no request yet
        compiled = {name for _loader, name in env.cache}
        free_names_found = all(
            "council_free_names" in env.get_template(name).__dict__ for name in env.list_templates()
        )

    assert set(env.list_templates()) <= compiled
    assert free_names_found


def test_other_processes_start_without_it(database_url, database, tmp_path):
    """Tests build an application each; they compile only what they render."""
    app = create_app(make_settings(database_url, tmp_path), database=database)
    env = app.state.templates.env
    with TestClient(app):
        compiled = {name for _loader, name in env.cache}
    assert not set(env.list_templates()) <= compiled
