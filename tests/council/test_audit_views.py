"""Sign-ins are audited as security events; the secretariat reads, filters and verifies the
audit log in the workspace."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import col, delete, select, update

from council import audit
from council.database import utcnow
from council.models import AuditRecord
from tests.conftest import csrf_from, post_form, sign_in
from tests.council.test_audit import chain
from tests.council.test_sign_in import attempt
from tests.factories import PASSWORD, make_council, make_person, make_secretariat


@pytest.fixture
def secretariat(db):
    make_council(db)
    person = make_secretariat(db, name="Ana Secretaria", email="ana@example.org")
    db.commit()
    return person


def shown(response) -> list[int]:
    """The ids of the records on the page, in order."""
    return [int(n) for n in re.findall(r'<tr id="record-(\d+)">', response.text)]


def security_events(db) -> list[tuple[str, int | None, dict]]:
    db.expire_all()
    rows = db.exec(
        select(AuditRecord)
        .where(col(AuditRecord.action).startswith("security."))
        .order_by(AuditRecord.id)
    ).all()
    return [(r.action, r.actor_id, json.loads(r.details)) for r in rows]


def test_sign_in_failure_success_and_sign_out_are_security_events(client, db):
    make_council(db)
    person = make_person(db, email="jorge@example.org")
    db.commit()

    assert attempt(client, "jorge@example.org", "not the password").status_code == 422
    assert attempt(client, "jorge@example.org", PASSWORD).status_code == 303
    home = client.get("/")
    client.post("/sign-out", data={"csrf_token": csrf_from(home.text)})

    events = security_events(db)
    assert [(action, actor) for action, actor, _ in events] == [
        ("security.sign_in_failed", None),
        ("security.signed_in", person.id),
        ("security.signed_out", person.id),
    ]
    assert events[0][2] == {"email": "jorge@example.org"}
    assert events[1][2] == {"address": "testclient"}
    assert audit.verify(db).ok


def test_signing_out_without_a_session_records_nothing(client, db):
    make_council(db)
    db.commit()
    token = csrf_from(client.get("/sign-in").text)
    client.post("/sign-out", data={"csrf_token": token})
    assert security_events(db) == []


def test_the_secretariat_reads_the_log_newest_first_and_pages_back(client, db, secretariat):
    made = chain(db, 60)
    db.commit()
    sign_in(client, secretariat)

    first = client.get("/admin/audit")
    assert first.status_code == 200
    assert first.template.name == "admin/audit.html"
    newest = db.exec(select(AuditRecord.id).order_by(col(AuditRecord.id).desc())).all()
    assert shown(first) == newest[:50]
    assert 'aria-current="page">Audit log' in first.text
    assert f"before={newest[49]}" in first.text
    older = client.get(f"/admin/audit?before={newest[49]}")
    assert shown(older) == newest[50:]
    assert made[0].id in shown(older)
    assert 'rel="next"' not in older.text and ">Newest<" in older.text


def test_the_log_filters_by_action_actor_and_dates(client, db, secretariat):
    other = make_person(db, name="Bruno Díaz", email="bruno@example.org")
    audit.record(db, by=other, action="seat.created", target=("Seat", 1))
    old = audit.record(db, by=other, action="seat.updated", target=("Seat", 1))
    db.exec(
        update(AuditRecord).where(AuditRecord.id == old.id).values(at=utcnow() - timedelta(days=40))
    )
    audit.record(db, by=None, action="security.sign_in_failed", target=("SignIn", "x"))
    db.commit()
    sign_in(client, secretariat)

    def actions(query: str) -> list[str]:
        response = client.get("/admin/audit?" + query)
        assert response.status_code == 200, response.text
        ids = shown(response)
        db.expire_all()
        found = {
            r.id: r.action
            for r in db.exec(select(AuditRecord).where(col(AuditRecord.id).in_(ids))).all()
        }
        return [found[i] for i in ids]

    assert actions("action=security.") == ["security.signed_in", "security.sign_in_failed"]
    assert actions("action=seat.created") == ["seat.created"]
    assert actions("actor=BRUNO") == ["seat.updated", "seat.created"]
    since = (utcnow() - timedelta(days=10)).date().isoformat()
    until = (utcnow() - timedelta(days=30)).date().isoformat()
    assert "seat.updated" not in actions(f"since={since}")
    assert actions(f"actor=bruno&until={until}") == ["seat.updated"]
    assert actions("actor=100%25") == []
    bad = client.get("/admin/audit?since=yesterday")
    assert bad.status_code == 400
    assert "Enter a date as year-month-day" in bad.text


def test_only_the_secretariat_reads_the_log(client, db):
    make_council(db)
    person = make_person(db)
    db.commit()
    sign_in(client, person)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/verification").status_code == 403


def test_verify_the_chain_from_the_workspace(client, app, db, secretariat):
    made = chain(db, 4)
    settings = app.state.settings
    audit.checkpoint(db, key=audit.settings_key(settings), path=audit.checkpoint_path(settings))
    db.commit()
    sign_in(client, secretariat)

    button = post_form(client, "/admin/audit/verify", page="/admin/audit", follow_redirects=False)
    assert button.status_code == 303
    assert button.headers["location"].endswith("/admin/audit/verification")
    intact = client.get(button.headers["location"])
    assert intact.template.name == "admin/audit_verification.html"
    assert "The audit log is intact" in intact.text
    assert "1 signed checkpoint agrees with the chain." in intact.text

    db.exec(delete(AuditRecord).where(col(AuditRecord.id) >= made[2].id))
    db.commit()
    broken = client.get("/admin/audit/verification")
    assert broken.status_code == 200
    assert f"The audit log is broken at record {made[-1].id}" in broken.text
