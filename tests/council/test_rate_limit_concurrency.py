"""Simultaneous guesses are counted one after the other: of many wrong passwords sent at once,
no more than the limit are answered. A database of its own (SQLite file, or PostgreSQL when
COUNCIL_TEST_DATABASE_URL is set), one connection per request, as in production."""

from __future__ import annotations

import threading

from starlette.testclient import TestClient

from council.app import create_app
from council.database import Database, make_engine
from tests.conftest import csrf_from, make_settings
from tests.factories import make_council, make_person

GUESSES = 40


def test_simultaneous_guesses_are_answered_no_more_than_the_limit(fresh_databases, tmp_path):
    url = fresh_databases.create()
    database = Database(make_engine(url, pool_size=GUESSES + 5, max_overflow=5))
    try:
        with database.transaction() as session:
            make_council(session)
            make_person(session, email="ana@example.org")
        settings = make_settings(url, tmp_path, max_requests=GUESSES + 2, queue_seconds=60)
        app = create_app(settings, database=database, extensions=[])
        start = threading.Barrier(GUESSES)
        answers: list[int] = []

        def guess(n: int) -> None:
            with TestClient(app) as client:
                token = csrf_from(client.get("/sign-in").text)
                start.wait()
                answers.append(
                    client.post(
                        "/sign-in",
                        follow_redirects=False,
                        data={
                            "csrf_token": token,
                            "email": "ana@example.org",
                            "password": f"guess {n}",
                        },
                    ).status_code
                )

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(answers) == GUESSES
        print(f"\n{GUESSES} simultaneous guesses: {sorted(answers)}")
        assert sorted(answers) == (
            [422] * settings.sign_in_max_per_account
            + [429] * (GUESSES - settings.sign_in_max_per_account)
        )
    finally:
        database.dispose()
