"""Control characters in the workspace's forms and feeds: any text typed into a comment or a
draft is either kept exactly as readers then see it, or refused beside its field (422), never
a 500; and the Atom feeds stay well-formed XML whatever was stored before."""

from __future__ import annotations

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import update
from sqlmodel import select

from council.models import WorkingGroup
from tests.conftest import csrf_from, make_settings, post_form, sign_in
from tests.workspaces.publishing import adopt, public_world
from tests.workspaces.test_comment_views import paragraph_id
from tests.workspaces.test_drafts import build_group, start
from workspaces import comments, drafts
from workspaces.models import Comment, Draft
from workspaces.recommendation_models import Recommendation

REMOVED = "This text contained invisible control characters"
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ANY_TEXT = st.text(
    st.one_of(st.characters(codec="utf-8"), st.characters(min_codepoint=0, max_codepoint=0x1F)),
    max_size=60,
)


@pytest.fixture
def settings(database_url, tmp_path):
    """No bookkeeping flush while a property test runs its examples: in tests it would share
    the test's one connection with a request."""
    return make_settings(database_url, tmp_path, bookkeeping_seconds=3600)


@pytest.fixture
def world(db):
    world = build_group(db)
    db.commit()
    return world


@pytest.fixture
def draft(db, world) -> Draft:
    draft = start(db, world)
    db.commit()
    return draft


def test_a_nul_in_a_comment_is_refused_beside_it_with_the_text_kept(client, db, world, draft):
    sign_in(client, world.member)
    pid = paragraph_id(db, draft, 2)
    response = post_form(
        client,
        f"/drafts/{draft.id}/comments",
        {"body": "Daniel\x00 Whitaker agrees.", "paragraph_id": pid, "revision_number": "1"},
        page=f"/drafts/{draft.id}",
    )
    assert response.status_code == 422
    assert REMOVED in response.text
    assert "Daniel Whitaker agrees." in response.text  # filled in, without the NUL
    assert db.exec(select(Comment)).first() is None


def test_a_control_character_in_a_paragraph_id_is_refused_not_a_server_error(
    client, db, world, draft
):
    sign_in(client, world.member)
    response = post_form(
        client,
        f"/drafts/{draft.id}/comments",
        {"body": "Fine.", "paragraph_id": "p\x00x", "revision_number": "1"},
        page=f"/drafts/{draft.id}",
    )
    assert response.status_code in (404, 422)  # the cleaned id names no paragraph
    assert db.exec(select(Comment)).first() is None


def test_a_control_character_in_a_new_drafts_title_is_refused_with_the_form_kept(client, db, world):
    sign_in(client, world.member)
    response = post_form(
        client,
        "/groups/pathways/drafts/new",
        {
            "title": "Labour\x01 pathways",
            "purpose": "",
            "language": "en",
            "sponsor_seat_ids": [str(world.mexico.id)],
            "text": "One.\x0b\n\nTwo.",
        },
    )
    assert response.status_code == 422
    assert response.template.name == "workspaces/draft_new.html"
    assert 'id="title-error"' in response.text and 'id="text-error"' in response.text
    assert 'value="Labour pathways"' in response.text
    assert db.exec(select(Draft)).first() is None


def test_the_feeds_stay_well_formed_whatever_was_stored(client, db):
    world = public_world(db, number=5)
    item = adopt(db, world, title="Labour pathways")
    db.exec(
        update(Recommendation)
        .where(Recommendation.id == item.id)
        .values(title="Labour\x01 path\x1fways")
    )
    db.exec(
        update(WorkingGroup)
        .where(WorkingGroup.id == item.working_group_id)
        .values(name="Pathways\x0b group")
    )
    db.commit()
    for url in ("/recommendations.atom", "/groups/pathways/recommendations.atom"):
        response = client.get(url)
        assert response.status_code == 200
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title.endswith("Labour pathways")


def test_starting_drafts_is_limited_and_the_refused_form_is_kept(client, db, world):
    sign_in(client, world.member)
    for n in range(drafts.STARTS_PER_WINDOW):
        start(db, world, title=f"Draft {n}", by=world.member)
    db.commit()
    response = post_form(
        client,
        "/groups/pathways/drafts/new",
        {
            "title": "One too many",
            "purpose": "",
            "language": "en",
            "sponsor_seat_ids": [str(world.mexico.id)],
            "text": "Kept text.",
        },
    )
    assert response.status_code == 429
    assert response.template.name == "workspaces/draft_new.html"
    assert "You have started 10 drafts in the last 10 minutes" in response.text
    assert 'value="One too many"' in response.text and "Kept text." in response.text


@PROPERTY
@given(body=ANY_TEXT)
def test_any_comment_is_kept_as_readers_see_it_or_refused(
    client, db, world, draft, monkeypatch, body
):
    monkeypatch.setattr(comments, "RATE_LIMIT", 10**6)
    if not client.cookies:
        sign_in(client, world.member)
    token = csrf_from(client.get(f"/drafts/{draft.id}").text)
    response = client.post(
        f"/drafts/{draft.id}/comments",
        follow_redirects=False,
        data={"csrf_token": token, "body": body, "revision_number": "1"},
    )
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 303:
        db.expire_all()
        stored = db.exec(select(Comment).order_by(Comment.id.desc())).first()
        assert stored.body_source == drafts.normalise(body)
        assert stored.body_html in client.get(f"/drafts/{draft.id}").text


@PROPERTY
@given(title=ANY_TEXT, purpose=ANY_TEXT, text=ANY_TEXT)
def test_any_new_draft_is_kept_as_readers_see_it_or_refused(
    client, db, world, monkeypatch, title, purpose, text
):
    monkeypatch.setattr(drafts, "STARTS_PER_WINDOW", 10**6)
    if not client.cookies:
        sign_in(client, world.member)
    response = post_form(
        client,
        "/groups/pathways/drafts/new",
        {
            "title": title,
            "purpose": purpose,
            "language": "en",
            "sponsor_seat_ids": [str(world.mexico.id)],
            "text": text,
        },
        follow_redirects=False,
    )
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 303:
        db.expire_all()
        stored = db.exec(select(Draft).order_by(Draft.id.desc())).first()
        assert (stored.title, stored.purpose) == (title.strip(), purpose.strip())
        page = client.get(f"/drafts/{stored.id}")
        assert page.status_code == 200
        assert f">{escape(stored.title)}</h1>" in page.text
