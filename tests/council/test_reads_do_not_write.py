"""Reading writes nothing: every GET route, as every role, leaves every table as it was.

The world is the one of test_route_permissions (a draft, comments, rounds, a recommendation...)
with what tempts a read to write: a decision round past its deadline but still open in the
database, a chair term that ran out without a handover, and a recommendation whose stored HTML
is out of date. Pages must show the clock's state (the round reads as closed, the next seat
chairs) without recording it; only the sessions' bookkeeping (auth_session.last_seen_at) may
move.

The application is used without its lifespan, so no background task of the process writes while
the routes are crawled: what changes is what the reads themselves wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Connection, select, update
from sqlmodel import SQLModel
from starlette.testclient import TestClient

import workspaces.models
import workspaces.recommendation_models
import workspaces.round_models  # noqa: F401  (every table in the metadata)
from council import sessions
from council.database import utcnow
from council.middleware import session_cookie_name
from council.models import AuthSession, Seat, SeatKind, SeatRole
from tests.council.test_route_permissions import EXAMPLES, World, _routes, build_world
from tests.factories import make_chair, make_group, make_person
from workspaces.recommendation_models import RecommendationPdf, RecommendationRendering
from workspaces.round_models import Round

ROLES = ("anonymous", "secretariat", "chair", "member", "participant", "observer", "outsider")

# What reads may write: the session's "last seen", which moves its idle timeout.
IGNORED_COLUMNS = {"auth_session": {"last_seen_at"}}


def _tempting(db, world: World) -> None:
    """Add to the world what a read could be tempted to write."""
    from workspaces import drafts, rounds
    from workspaces.rounds import PositionForm

    council = world.extra["council"]
    council.public_recommendations = True  # the anonymous reader reads them too
    world.group.observers_read_deliberations = True  # the observer reads the drafts too
    db.add_all([council, world.group])

    chair_state = db.get(Seat, world.people["chair"].seat_id)
    member_state = db.get(Seat, world.people["member"].seat_id)
    participant = db.exec(select(Seat).where(Seat.kind == SeatKind.PARTICIPANT)).scalars().first()
    world.people["participant"] = make_person(db, seat=participant, role=SeatRole.DELEGATE)

    # a decision round whose deadline passed two days ago, never closed in the database
    member, chair = world.people["member"], world.people["chair"]
    draft = drafts.start_draft(
        db,
        by=member,
        group=world.group,
        title="Draft whose round ran out",
        purpose="",
        sponsor_seat_ids=[member.seat_id],
        text="Late.\n\nRound.",
        language="en",
    )
    opened = utcnow() - timedelta(days=5)
    council, official = world.extra["council"], world.extra["council"].official_languages
    council.official_languages = ""  # adopted in English alone (the world translates later)
    round_ = rounds.open_round(
        db, by=chair, draft=draft, kind="decision", now=opened, deadline=opened + timedelta(days=7)
    )
    council.official_languages = official
    for person in (member, chair):
        rounds.cast_position(
            db,
            round_,
            by=person,
            seat=db.get(Seat, person.seat_id),
            form=PositionForm("support"),
            now=opened + timedelta(hours=1),
        )
    db.flush()
    db.execute(
        update(Round).where(Round.id == round_.id).values(deadline=utcnow() - timedelta(days=2))
    )
    world.extra["expired_round"], world.extra["expired_round_draft"] = round_, draft

    # a working group whose chair term ended yesterday, with no handover: Costa Rica is next
    ended = make_group(
        db,
        seats=[member_state, chair_state, participant],
        name="Integration and narratives",
        slug="integration",
    )
    make_chair(db, ended, member_state, member, days_before=200, days_after=-1)
    world.extra["ended_chair_group"] = ended
    world.extra["next_chair_seat"] = chair_state

    # the recommendation's stored HTML and PDF predate a release: they read as out of date
    recommendation = world.extra["recommendation"]
    for model in (RecommendationRendering, RecommendationPdf):
        db.execute(
            update(model)
            .where(model.recommendation_id == recommendation.id)
            .values(version="from-an-older-release")
        )
    db.flush()


def _get_urls(app, world: World) -> list[str]:
    names = sorted({route.name for route, method in _routes() if method == "GET"})
    missing = [name for name in names if name not in EXAMPLES]
    assert not missing, f"GET routes without an entry in test_route_permissions.EXAMPLES: {missing}"
    urls = [app.url_path_for(name, **EXAMPLES[name](world)[0]) for name in names]
    expired, ended = world.extra["expired_round"], world.extra["ended_chair_group"]
    number = world.extra["recommendation"].number
    return urls + [
        app.url_path_for("round", round_id=expired.id),
        app.url_path_for("draft", draft_id=world.extra["expired_round_draft"].id),
        app.url_path_for("round_close", round_id=expired.id),
        app.url_path_for("round_extend", round_id=expired.id),
        app.url_path_for("round_chair_statement", round_id=expired.id),
        app.url_path_for("working_group", slug=ended.slug),
        app.url_path_for("group_chairs", slug=ended.slug),
        app.url_path_for("group_handover", slug=ended.slug),
        app.url_path_for("group_drafts", slug=world.group.slug),
        "/recommendations?q=text",
        f"/recommendations/{number}.pdf",
        f"/api/v1/recommendations/{number}",
    ]


def snapshot(connection: Connection) -> dict[str, dict[tuple, dict]]:
    """Every row of every table, by primary key, read through the connection the app uses."""
    tables = {}
    for table in SQLModel.metadata.sorted_tables:
        ignored = IGNORED_COLUMNS.get(table.name, set())
        key = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
        rows = {}
        for row in connection.execute(select(table)).mappings():
            rows[tuple(row[k] for k in key)] = {c: v for c, v in row.items() if c not in ignored}
        tables[table.name] = rows
    return tables


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for name in before:
        old, new = before[name], after[name]
        for key in sorted(set(new) - set(old), key=repr):
            found.append(f"{name}: row {key} added: {_short(new[key])}")
        for key in sorted(set(old) - set(new), key=repr):
            found.append(f"{name}: row {key} deleted")
        for key in sorted(set(old) & set(new), key=repr):
            changed = {
                c: (old[key][c], new[key][c]) for c in old[key] if old[key][c] != new[key][c]
            }
            if changed:
                found.append(f"{name}: row {key} changed: {_short(changed)}")
    return found


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:300] + "..."


@pytest.fixture
def reader(app) -> Iterator[TestClient]:
    """The application without its lifespan: no background task runs during the crawl."""
    client = TestClient(app, base_url="http://testserver")
    yield client
    client.close()


def test_no_get_route_writes_as_any_role(app, reader, db, connection):
    world = build_world(db)
    _tempting(db, world)
    tokens = {}
    for role in ROLES[1:]:
        tokens[role] = sessions.start(
            db, world.people[role], settings=app.state.settings, now=utcnow()
        )
    # seen five minutes ago: reads may move it (bookkeeping), nothing else
    db.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
    db.commit()
    urls = _get_urls(app, world)

    before = snapshot(connection)
    pages: dict[tuple[str, str], object] = {}
    for role in ROLES:
        reader.cookies.clear()
        if role in tokens:
            reader.cookies.set(session_cookie_name("http"), tokens[role])
        for url in urls:
            response = reader.get(url, follow_redirects=False)
            assert response.status_code < 500, f"{role} GET {url}: {response.status_code}"
            pages[role, url] = response
    after = snapshot(connection)

    changes = differences(before, after)
    assert changes == [], "GET requests wrote:\n" + "\n".join(changes[:40])

    # the pages read the clock all the same
    expired_url = app.url_path_for("round", round_id=world.extra["expired_round"].id)
    expired_draft_url = app.url_path_for("draft", draft_id=world.extra["expired_round_draft"].id)
    chairs_url = app.url_path_for("group_chairs", slug=world.extra["ended_chair_group"].slug)
    for role in ("secretariat", "chair", "member", "participant", "observer"):
        round_page = pages[role, expired_url]
        assert round_page.status_code == 200, (role, round_page.status_code)
        assert "Closed at its deadline" in round_page.text, role
        assert "Open until" not in round_page.text, role
        draft_page = pages[role, expired_draft_url]
        assert draft_page.status_code == 200, (role, draft_page.status_code)
        assert "open-round" not in draft_page.text, role
    for role in ("secretariat", "chair", "member", "participant"):
        chairs = pages[role, chairs_url]
        assert chairs.status_code == 200, (role, chairs.status_code)
        current = re.search(r'id="current-heading".*?</section>', chairs.text, re.S)
        assert current, role
        assert world.extra["next_chair_seat"].name in current.group(0), role
        assert "No chair at present" not in current.group(0), role
