"""Database.read_row: one statement read alone, before any request's transaction
(council.public), on its own connection on SQLite and a pooled one on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.exc import DBAPIError

from council.database import Database


@pytest.fixture
def scratch(fresh_databases):
    """A database of its own (not the tests' shared transaction) with a table to write."""
    url = fresh_databases.create()
    database = Database.from_url(url)
    table = f"scratch_{uuid.uuid4().hex[:8]}"
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, note TEXT)")
    yield database, table
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {table}")
    database.dispose()


def write(database: Database, table: str, row_id: int) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"INSERT INTO {table} (id, note) VALUES ({row_id}, 'x')")


def newest(database: Database, table: str) -> tuple | None:
    placeholder = "?" if database.is_sqlite else "%(note)s"
    parameters = ("x",) if database.is_sqlite else {"note": "x"}
    return database.read_row(
        f"SELECT max(id), count(*) FROM {table} WHERE note = {placeholder}", parameters
    )


def test_each_read_sees_the_latest_commit(scratch):
    database, table = scratch
    assert newest(database, table) == (None, 0)
    write(database, table, 1)
    assert newest(database, table) == (1, 1)
    write(database, table, 2)  # on SQLite, the reading connection kept no old snapshot
    assert newest(database, table) == (2, 2)
    assert database.read_row(f"SELECT id FROM {table} WHERE id = 99", ()) is None


def test_a_read_leaves_no_transaction_open_and_takes_no_pooled_connection(scratch):
    database, table = scratch
    for row_id in range(1, 30):
        write(database, table, row_id)
        assert newest(database, table)[0] == row_id
    assert database.engine.pool.checkedout() == 0


def test_a_failed_read_says_so_as_sqlalchemy_does_and_the_next_one_works(scratch):
    database, table = scratch
    write(database, table, 7)
    with pytest.raises(DBAPIError):
        database.read_row("SELECT no_such_column FROM no_such_table", ())
    assert newest(database, table) == (7, 1)
