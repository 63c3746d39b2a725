"""What a page costs does not grow with the council: the signed-in home page runs the same
queries for a few drafts, rounds and recommendations as for many; and the macros a page's
repeated parts import are made once per page (council.web.Template) with the same result."""

from __future__ import annotations

import re
from datetime import timedelta

import jinja2
import pytest

from council import web
from council.database import utcnow
from tests.conftest import sign_in
from tests.workspaces.publishing import adopt, public_world
from tests.workspaces.test_drafts import start
from workspaces import comments, rounds
from workspaces.round_models import RoundKind

MASKED = re.compile(r"[0-9a-f]{128}")


@pytest.fixture
def world(db):
    return public_world(db)


def test_the_home_page_runs_the_same_queries_for_a_few_or_many_of_everything(
    client, db, world, queries
):
    sign_in(client, world.member)

    def count_for(times: int) -> int:
        for n in range(times):
            draft = start(db, world, title=f"Draft {n}")
            comments.post_comment(
                db,
                by=world.colleague,
                draft=draft,
                body="Noted.",
                paragraph_id=None,
                revision_number=1,
            )
            adopt(db, world, title=f"Adopted {n}", when=utcnow() - timedelta(days=3))
        rounds.open_round(
            db,
            by=world.chair,
            draft=start(db, world, title="Open"),
            kind=RoundKind.COMMENT,
            deadline=utcnow() + timedelta(days=3),
        )
        db.commit()
        client.get("/")
        queries.reset()
        assert client.get("/").status_code == 200
        return len(queries)

    assert count_for(1) == count_for(6), queries.statements


LIBRARY = {
    "page.html": "{% for who in people %}{% include 'part.html' %}{% endfor %}",
    "part.html": "{% from 'lib.html' import greet with context %}{{ greet() }};",
    "lib.html": "{% do made.append(1) %}{% macro greet() %}{{ salute }} {{ who }}{% endmacro %}",
}


def test_a_library_imported_with_context_is_made_once_per_page_for_the_same_values():
    env = jinja2.Environment(
        loader=jinja2.DictLoader(LIBRARY), extensions=["jinja2.ext.do"], autoescape=True
    )
    env.template_class = web.Template
    page = env.get_template("page.html")

    def render(people: list[str]) -> tuple[str, int]:
        made: list[int] = []
        token = web._MODULES.set({})
        try:
            return page.render(people=people, salute="Hello", made=made), len(made)
        finally:
            web._MODULES.reset(token)

    assert render(["Ana"] * 3) == ("Hello Ana;Hello Ana;Hello Ana;", 1)
    # a name the library reads changes: a module of its own, and the right words
    assert render(["Ana", "Luis", "Ana"]) == ("Hello Ana;Hello Luis;Hello Ana;", 2)
    # outside render() (no cache open) Jinja makes it at every import, as it always did
    assert page.render(people=["Ana"] * 2, salute="Hi", made=[]) == "Hi Ana;Hi Ana;"


def test_the_draft_page_reads_the_same_with_and_without_the_cache(client, db, world, monkeypatch):
    draft = start(db, world)
    for n in range(6):
        posted = comments.post_comment(
            db,
            by=world.colleague,
            draft=draft,
            body=f"Point {n}.",
            paragraph_id=None,
            revision_number=1,
        )
        comments.reply(db, by=world.member, to=posted, body=f"Answer {n}.", revision_number=1)
    db.commit()
    sign_in(client, world.member)
    client.get(f"/drafts/{draft.id}")  # the visit that sees the new comments
    cached = MASKED.sub("token", client.get(f"/drafts/{draft.id}").text)
    monkeypatch.setattr(web.Template, "make_module", jinja2.Template.make_module)
    plain = MASKED.sub("token", client.get(f"/drafts/{draft.id}").text)
    assert "Answer 5." in cached and cached == plain
