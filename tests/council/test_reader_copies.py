"""Members' pages kept and given again while nothing changed (council.web.reader_copy), on the
state version every writing transaction renews (council.database.version_state)."""

# ruff: noqa: F811  (the world fixture comes from test_chair_views)

from __future__ import annotations

import re

from sqlmodel import select

from council.database import Database, state_version, utcnow
from council.models import Council, JobRun, Person
from tests.conftest import csrf_from, post_form
from tests.council.test_chair_views import signed_in, world  # noqa: F401

CSRF_VALUES = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
MASKED = re.compile(r"[0-9a-f]{128}")  # a masked CSRF token, in a form or htmx's headers


def _stamp(db) -> str | None:
    version = state_version(db)
    db.rollback()
    return version.stamp if version else None


def test_every_writing_transaction_renews_the_stamp_and_nothing_else_does(db, world):
    before = _stamp(db)
    assert before is not None  # the world was written

    db.exec(select(Person)).all()
    db.commit()  # read only
    assert _stamp(db) == before

    db.add(JobRun(name="a-job", runs=1))
    db.commit()  # only a table whose writes are bookkeeping (council.database.UNVERSIONED)
    assert _stamp(db) == before

    db.get(Person, world["delegate"].id).name = "Delegada de Belice"
    db.commit()
    renamed = _stamp(db)
    assert renamed not in (None, before)

    db.connection().exec_driver_sql("UPDATE person SET name = name")  # below the ORM
    db.commit()
    assert _stamp(db) not in (None, renamed)


def test_a_savepoint_rolled_back_after_a_stamp_leaves_the_write_stamped(db, world):
    """A write, then a savepoint holding one that released an inner savepoint (which stamps)
    and was rolled back (taking that stamp with it): the commit must stamp again."""
    before = _stamp(db)
    db.get(Person, world["delegate"].id).name = "Delegada"
    db.flush()
    outer = db.begin_nested()
    with db.begin_nested():
        db.get(Person, world["heads"]["Mexico"].id).name = "Jefa de México"
    outer.rollback()
    db.commit()
    assert _stamp(db) != before


def test_a_members_page_is_given_again_until_something_is_written(
    copying, db, world, queries, monkeypatch
):
    # the requests' clock held within one step (council.database.reading_clock): a step
    # passing between the two reads would make the page anew, rightly
    now = utcnow()
    monkeypatch.setattr("council.middleware.utcnow", lambda: now)
    reader = signed_in(copying.app, world["heads"]["Mexico"])
    made = reader.get("/groups/pathways")
    queries.reset()
    again = reader.get("/groups/pathways")
    copied = len(queries)
    assert made.status_code == again.status_code == 200
    assert MASKED.sub("", made.text) == MASKED.sub("", again.text)
    queries.reset()
    reader.get("/groups/pathways?fresh=1")  # another address: made
    assert copied < len(queries)

    db.get(Person, world["heads"]["Belize"].id).name = "Jefe de Belice"
    db.commit()  # any act
    assert "Jefe de Belice" in reader.get("/groups/pathways").text


def test_a_copy_is_one_readers_and_carries_a_token_of_its_own(copying, db, world):
    mexico = signed_in(copying.app, world["heads"]["Mexico"])
    canada = signed_in(copying.app, world["heads"]["Canada"])
    first, second = mexico.get("/").text, mexico.get("/").text
    assert "You take part for Mexico." in first and "for Canada" not in first
    theirs = canada.get("/").text
    assert "You take part for Canada." in theirs and "for Mexico" not in theirs
    assert set(CSRF_VALUES.findall(first)).isdisjoint(CSRF_VALUES.findall(second))

    answer = mexico.post(
        "/sign-out", data={"csrf_token": csrf_from(second)}, follow_redirects=False
    )
    assert answer.status_code == 303  # the copy's token is the session's
    assert "You take part for" not in mexico.get("/").text


def test_a_handover_shows_at_once_on_the_pages_of_both_chairs(copying, db, world):
    outgoing = signed_in(copying.app, world["heads"]["Belize"])
    assert "Hand the chair over" in outgoing.get("/groups/pathways/chairs").text
    response = post_form(
        outgoing,
        "/groups/pathways/chairs/handover",
        {"confirm": "1", "seat_id": world["seats"]["Canada"].id, "reason": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303
    # read at once, within the clock's step (council.database.reading_clock): the powers
    # moved at the handover's instant, not at the next step
    assert outgoing.get("/groups/pathways/chairs/handover").status_code == 403
    assert "Hand the chair over" not in outgoing.get("/groups/pathways/chairs").text
    incoming = signed_in(copying.app, world["heads"]["Canada"])
    assert incoming.get("/groups/pathways/chairs/handover").status_code == 200


def test_a_council_writing_on_its_own_connections_stamps_at_commit_only(fresh_databases):
    """As in production: an inner savepoint's release stores no stamp (on PostgreSQL the
    row would stay locked for the rest of the transaction); the commit does."""
    database = Database.from_url(fresh_databases.create())
    try:
        with database.transaction() as session:
            session.add(JobRun(name="a-job"))
        with database.transaction() as session:
            assert state_version(session) is None  # only bookkeeping was written
            session.add(Council(name="Council on Migration"))
            with session.begin_nested():
                session.add(JobRun(name="another-job"))
            assert state_version(session) is None  # not at the release
        with database.transaction() as session:
            first = state_version(session)
            assert first is not None
            session.get(Council, 1).name = "Consejo"
        with database.transaction() as session:
            assert state_version(session) not in (None, first)
    finally:
        database.dispose()
