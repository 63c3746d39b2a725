"""Live pages over HTTP: who may subscribe to a draft's events, what each stream receives, and
that a comment posted reaches an open stream once its transaction commits (council.live)."""

from __future__ import annotations

import threading
import time

import pytest
from starlette.testclient import TestClient

from council import live
from council.app import create_app
from tests.conftest import csrf_from, make_settings, sign_in
from tests.workspaces.test_drafts import build_group, start
from workspaces import drafts

STREAM = {"Accept": "text/event-stream"}


@pytest.fixture
def app(database_url, database, tmp_path):
    return create_app(
        make_settings(database_url, tmp_path, live_stream_seconds=2, live_heartbeat_seconds=0.5),
        database=database,
    )


@pytest.fixture
def world(db):
    world = build_group(db)
    world.draft = start(db, world)
    db.commit()
    return world


def _client(app, person) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    sign_in(client, person)
    return client


class Listening:
    """A stream opened in a thread (the test client returns a response once it has ended).
    It is open, its checks done, when the block starts: the test's requests share one
    connection, so they must not overlap."""

    def __init__(self, client: TestClient, url: str, broker: live.Broker):
        self.response = None
        self.broker = broker
        self.thread = threading.Thread(target=self._run, args=(client, url), daemon=True)

    def _run(self, client, url):
        self.response = client.get(url, headers=STREAM)

    def __enter__(self):
        before = self.broker.subscribers
        self.thread.start()
        deadline = time.monotonic() + 5
        while self.broker.subscribers == before and self.thread.is_alive():
            assert time.monotonic() < deadline, "the stream did not subscribe"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.thread.join(timeout=10)

    @property
    def text(self) -> str:
        assert self.response is not None, "the stream did not end"
        return self.response.text


def test_someone_who_may_not_read_the_draft_cannot_subscribe_to_it(app, client, db, world):
    for person in (world.outsider, world.observer):
        other = _client(app, person)
        refused = other.get(f"/events?draft={world.draft.id}", headers=STREAM)
        assert refused.status_code == 403
    assert client.get("/events", headers=STREAM, follow_redirects=False).status_code == 303
    member = _client(app, world.member)
    assert member.get("/events?draft=999999", headers=STREAM).status_code == 404
    assert member.get("/events?draft=x", headers=STREAM).status_code == 404
    assert app.state.live.subscribers == 0


def test_a_subscriber_who_may_not_see_a_draft_never_gets_its_events(app, client, db, world):
    broker: live.Broker = app.state.live
    pid = drafts.paragraphs(db, drafts.latest_revision(db, world.draft))[1].paragraph_id
    member, outsider = _client(app, world.member), _client(app, world.outsider)
    refused = outsider.get(f"/events?draft={world.draft.id}", headers=STREAM)
    with (
        Listening(member, f"/events?draft={world.draft.id}", broker) as allowed,
        Listening(outsider, "/events", broker) as other,
    ):
        broker.deliver(
            [
                live.Event(f"draft:{world.draft.id}", f"comments-{pid}"),
                live.Event(f"person:{world.member.id}", "notifications"),
            ]
        )
    assert allowed.response.headers["content-type"].startswith("text/event-stream")
    assert f"event: comments-{pid}\n" in allowed.text
    assert "event: notifications\n" in allowed.text
    assert ": keep-alive" in allowed.text
    assert "comments-" not in other.text and "notifications" not in other.text
    assert refused.status_code == 403
    assert broker.subscribers == 0


def test_a_reconnecting_stream_catches_up_from_its_last_event_id(app, db, world):
    broker: live.Broker = app.state.live
    member = _client(app, world.member)
    seen = broker.last_id
    broker.deliver(
        [
            live.Event(f"draft:{world.draft.id}", "comments-draft"),
            live.Event(f"draft:{world.draft.id + 1}", "comments-other"),
            live.Event(f"draft:{world.draft.id}", "round"),
        ]
    )
    with Listening(member, f"/events?draft={world.draft.id}", broker) as caught_up:
        pass
    member.headers["Last-Event-ID"] = seen
    with Listening(member, f"/events?draft={world.draft.id}", broker) as caught_up:
        pass
    text = caught_up.text
    assert "event: comments-draft\n" in text and "event: round\n" in text
    assert "comments-other" not in text
    member.headers["Last-Event-ID"] = "another-process-12"
    with Listening(member, f"/events?draft={world.draft.id}", broker) as unknown:
        pass
    assert "event: resync\n" in unknown.text


def test_a_page_without_an_event_stream_client_gets_its_position_and_the_end(app, world):
    member = _client(app, world.member)
    answer = member.get("/events")
    assert answer.status_code == 200
    assert answer.text == f"id: {app.state.live.last_id}\n\n"


def test_the_draft_page_subscribes_to_its_draft(app, db, world):
    member = _client(app, world.member)
    page = member.get(f"/drafts/{world.draft.id}").text
    stream = f"http://testserver/events?draft={world.draft.id}&amp;after="
    assert f'data-hx-sse:connect="{stream}' in page
    assert 'data-hx-trigger="comments-draft from:body"' in page
    assert 'data-hx-trigger="round from:body"' in page


def test_past_the_subscriber_cap_a_stream_is_refused_with_503(
    database_url, database, tmp_path, db, world
):
    app = create_app(make_settings(database_url, tmp_path, max_subscribers=0), database=database)
    with TestClient(app):
        member = _client(app, world.member)
        refused = member.get("/events", headers=STREAM)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "30"


def test_a_comment_reaches_an_open_draft_page_when_its_act_commits(app, db, world, fresh_databases):
    """SQLite delivers in the process after the commit; PostgreSQL through NOTIFY, which the
    two-process test covers (here the test's outer transaction never commits)."""
    if fresh_databases.backend != "sqlite":
        pytest.skip("NOTIFY is delivered on commit only: see tests/concurrency/test_live_events")
    broker: live.Broker = app.state.live
    pid = drafts.paragraphs(db, drafts.latest_revision(db, world.draft))[1].paragraph_id
    with TestClient(app):
        member, colleague = _client(app, world.member), _client(app, world.colleague)
        form = colleague.get(f"/drafts/{world.draft.id}/comments?on={pid}&write=1").text
        with Listening(member, f"/events?draft={world.draft.id}", broker) as stream:
            refused = colleague.post(
                f"/drafts/{world.draft.id}/comments",
                data={
                    "csrf_token": csrf_from(form),
                    "paragraph_id": pid,
                    "revision_number": "1",
                    "body": "",
                },
            )
            assert refused.status_code == 422  # rolled back: nothing is told
            posted = colleague.post(
                f"/drafts/{world.draft.id}/comments",
                data={
                    "csrf_token": csrf_from(form),
                    "paragraph_id": pid,
                    "revision_number": "1",
                    "body": "A new comment.",
                },
                follow_redirects=False,
            )
            assert posted.status_code == 303
    assert stream.text.count(f"event: comments-{pid}\n") == 1
    assert "A new comment" not in stream.text  # the page fetches it, with its permissions
