"""The email outbox against a real SMTP server on loopback: each message sent once (even with
two workers draining at once, even when the server fails for a while), in its reader's
language, never to someone who may no longer see what it tells; the daily digest at the
reader's hour, grouped, repeating nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import select

from council import notifications, outbox
from council.database import Database, make_engine, utcnow
from council.models import (
    Delivery,
    JobRun,
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    Person,
    SeatRole,
)
from council.notifications import Kind
from council.worker import Job, run_job
from tests.conftest import make_settings
from tests.factories import make_council, make_group, make_person, make_seat
from tests.mail_server import smtp_server, smtp_settings

NEWS, DIGESTED = "test.news", "test.digested"


@pytest.fixture(autouse=True)
def kinds() -> Iterator[None]:
    """Two kinds of the tests' own: one emailed at once, one in the digest by default."""
    notifications.register(
        Kind(NEWS, "Test news", lambda p: f"News: {p['what']}", Delivery.NOW),
        Kind(DIGESTED, "Test digested news", lambda p: f"Digested: {p['what']}"),
    )
    yield
    for name in (NEWS, DIGESTED):
        notifications.KINDS.pop(name, None)


@pytest.fixture
def inbox():
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def mail_settings(database_url, tmp_path, inbox):
    return make_settings(
        database_url, tmp_path, base_url="http://testserver", **smtp_settings(inbox)
    )


def _member(db, **fields) -> tuple[Person, object]:
    """A delegate of a member state taking part in a working group."""
    seat = make_seat(db)
    group = make_group(db, seats=[seat])
    person = make_person(db, seat=seat, role=SeatRole.DELEGATE, **fields)
    return person, group


def _tell(db, person, group, now, *, kind=NEWS, what="a reply", **extra):
    made = notifications.notify(
        db,
        people=[person.id],
        kind=kind,
        url="/drafts/1#p-abc",
        now=now,
        group=group,
        requires="deliberations.read",
        params={"what": what, **extra.pop("params", {})},
        **extra,
    )
    assert len(made) == 1
    return made[0]


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    return text, html


def test_a_notification_told_at_once_is_emailed_once_in_text_and_html(
    db, database, mail_settings, inbox
):
    make_council(db, name="Regional Council on Migration")
    person, group = _member(db, name="Nora Ruiz", email="nora@ministry.example")
    now = utcnow()
    notification = _tell(db, person, group, now)
    message = db.exec(select(OutboxMessage)).one()
    assert (message.notification_id, message.status) == (notification.id, OutboxStatus.PENDING)
    db.commit()

    assert outbox.Outbox(mail_settings).drain(database, now) == 1
    assert outbox.Outbox(mail_settings).drain(database, now + timedelta(minutes=5)) == 0
    (email,) = inbox.wait_for(1)
    assert email["To"] == "nora@ministry.example"
    assert email["Subject"] == "News: a reply"
    assert email["Message-ID"] == f"<outbox.{message.key}@council.example>"
    assert email["Content-Language"] == "en"
    text, html = _parts(email)
    assert "Hello Nora Ruiz," in text and "News: a reply" in text
    assert "http://testserver/drafts/1#p-abc" in text
    assert 'href="http://testserver/drafts/1#p-abc"' in html and "<p>Hello Nora Ruiz,</p>" in html
    settings_link = email["List-Unsubscribe"].strip("<>")
    assert settings_link.startswith("http://testserver/notifications/settings/")
    assert settings_link in text and settings_link in html
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    db.expire_all()
    sent = db.get(OutboxMessage, message.id)
    assert (sent.status, sent.attempts, sent.sent_at, sent.claim_token) == (
        OutboxStatus.SENT,
        1,
        now,
        None,
    )
    assert db.get(Notification, notification.id).emailed_at == now


def test_an_act_that_rolls_back_leaves_nothing_to_send(db):
    person, group = _member(db)
    with pytest.raises(RuntimeError), db.begin_nested():
        _tell(db, person, group, utcnow())
        raise RuntimeError("the act failed")
    assert db.exec(select(OutboxMessage)).all() == []


def test_only_what_is_chosen_at_once_goes_to_the_outbox(db):
    person, group = _member(db)
    db.add(NotificationPreference(person_id=person.id, kind=NEWS, delivery=Delivery.WORKSPACE))
    db.flush()
    _tell(db, person, group, utcnow())
    _tell(db, person, group, utcnow(), kind=DIGESTED)
    assert db.exec(select(OutboxMessage)).all() == []


def test_the_email_is_in_the_readers_language(db, database, mail_settings, inbox):
    make_council(db)
    person, group = _member(db, name="Nora", language="es", timezone="America/Mexico_City")
    now = utcnow()
    _tell(db, person, group, now)
    db.commit()
    outbox.Outbox(mail_settings).drain(database, now)
    (email,) = inbox.wait_for(1)
    assert email["Content-Language"] == "es"
    text, html = _parts(email)
    assert "Estimado/a Nora:" in text and "Estimado/a Nora:" in html
    assert 'lang="es"' in html


def test_a_person_who_lost_access_is_not_emailed(db, database, mail_settings, inbox):
    person, group = _member(db)
    now = utcnow()
    _tell(db, person, group, now)
    person.seat_id, person.seat_role = None, None  # left the delegation before it was sent
    db.add(person)
    db.commit()
    assert outbox.Outbox(mail_settings).drain(database, now) == 0
    assert inbox.messages == []
    db.expire_all()
    assert db.exec(select(OutboxMessage.status)).one() == OutboxStatus.CANCELLED


def test_a_kind_turned_off_before_sending_is_not_emailed(db, database, mail_settings, inbox):
    person, group = _member(db)
    now = utcnow()
    _tell(db, person, group, now)
    db.add(NotificationPreference(person_id=person.id, kind=NEWS, delivery=Delivery.WORKSPACE))
    db.commit()
    assert outbox.Outbox(mail_settings).drain(database, now) == 0
    assert inbox.messages == []


def test_a_server_that_fails_then_recovers_gets_each_message_once(
    db, database, mail_settings, inbox
):
    people = [_member(db) for _ in range(3)]
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    for person, group in people:
        _tell(db, person, group, now)
    db.commit()
    inbox.refuse = 3
    sender = outbox.Outbox(mail_settings)

    assert sender.drain(database, now) == 0
    db.expire_all()
    waiting = db.exec(select(OutboxMessage)).all()
    assert {(m.status, m.attempts) for m in waiting} == {(OutboxStatus.PENDING, 1)}
    assert all("Try again later" in m.last_error for m in waiting)
    assert {m.next_attempt_at for m in waiting} == {now + timedelta(minutes=1)}

    assert sender.drain(database, now + timedelta(seconds=30)) == 0, "back-off respected"
    db.expire_all()
    assert {m.attempts for m in db.exec(select(OutboxMessage)).all()} == {1}

    assert sender.drain(database, now + timedelta(minutes=1)) == 3
    assert sender.drain(database, now + timedelta(hours=3)) == 0
    received = inbox.wait_for(3)
    assert len(received) == 3
    assert sorted(m["To"] for m in received) == sorted(p.email for p, _g in people)
    db.expire_all()
    assert {(m.status, m.attempts) for m in db.exec(select(OutboxMessage)).all()} == {
        (OutboxStatus.SENT, 2)
    }


def test_the_back_off_doubles_and_gives_up_after_the_last_attempt(
    db, database, mail_settings, inbox
):
    person, group = _member(db)
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    _tell(db, person, group, now)
    db.commit()
    inbox.refuse = 1000
    sender = outbox.Outbox(mail_settings)
    waits = []
    for _ in range(outbox.MAX_ATTEMPTS):
        sender.drain(database, now)
        db.expire_all()
        message = db.exec(select(OutboxMessage)).one()
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == outbox.LONGEST_WAIT
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, outbox.MAX_ATTEMPTS)
    inbox.refuse = 0
    assert sender.drain(database, now + timedelta(days=1)) == 0
    assert inbox.messages == []


def test_a_permanent_refusal_is_not_retried(db, database, mail_settings, inbox):
    person, group = _member(db)
    now = utcnow()
    _tell(db, person, group, now)
    db.commit()
    inbox.refuse, inbox.refusal = 1, "554 5.7.1 Rejected"
    outbox.Outbox(mail_settings).drain(database, now)
    db.expire_all()
    message = db.exec(select(OutboxMessage)).one()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)


def test_a_worker_that_died_holding_a_claim_leaves_it_to_another_later(
    db, database, mail_settings, inbox
):
    person, group = _member(db)
    now = utcnow()
    _tell(db, person, group, now)
    db.commit()
    _token, ids = outbox.claim(database, now)  # a worker that claims, then dies
    assert len(ids) == 1
    sender = outbox.Outbox(mail_settings)
    assert sender.drain(database, now + timedelta(minutes=1)) == 0, "still claimed"
    assert sender.drain(database, now + outbox.CLAIM) == 1
    assert len(inbox.wait_for(1)) == 1


@pytest.mark.parametrize("run", range(2))
def test_two_workers_draining_at_once_deliver_each_message_exactly_once(
    fresh_databases, tmp_path, run
):
    url = fresh_databases.create()
    engines = [make_engine(url) for _ in range(3)]
    try:
        setup = Database(engines[0])
        now = utcnow()
        with setup.transaction() as session:
            make_council(session)
            for _ in range(2 * outbox.BATCH + 5):  # several batches each
                person, group = _member(session)
                _tell(session, person, group, now)
        with smtp_server() as inbox:
            inbox.delay = 0.005
            settings = make_settings(url, tmp_path, **smtp_settings(inbox))
            barrier = threading.Barrier(2)
            sent: list[int] = []
            failures: list[BaseException] = []

            def drain(engine):
                try:
                    barrier.wait()
                    sent.append(outbox.Outbox(settings).drain(Database(engine), now))
                except BaseException as error:  # shown below
                    failures.append(error)

            threads = [threading.Thread(target=drain, args=(e,)) for e in engines[1:]]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert not failures, failures
            total = 2 * outbox.BATCH + 5
            assert sum(sent) == total
            assert all(count > 0 for count in sent), f"both workers sent: {sent}"
            received = inbox.wait_for(total)
            assert len(received) == total
            assert len({m["Message-ID"] for m in received}) == total
            assert len({m["To"] for m in received}) == total
        with setup.transaction(write=False) as session:
            rows = session.exec(select(OutboxMessage)).all()
            assert {(m.status, m.attempts) for m in rows} == {(OutboxStatus.SENT, 1)}
    finally:
        for engine in engines:
            engine.dispose()


# The daily digest


def test_the_digest_goes_at_the_persons_hour_in_their_time_zone(db):
    person, group = _member(db, timezone="America/Mexico_City", digest_hour=8)
    day = datetime(2026, 12, 7, tzinfo=UTC)
    _tell(db, person, group, day + timedelta(hours=5), kind=DIGESTED)
    assert outbox.enqueue_digests(db, day + timedelta(hours=8)) == 0, "02:00 in Mexico City"
    assert outbox.enqueue_digests(db, day + timedelta(hours=13, minutes=59)) == 0
    assert outbox.enqueue_digests(db, day + timedelta(hours=14)) == 1, "08:00 in Mexico City"
    assert outbox.enqueue_digests(db, day + timedelta(hours=14, minutes=15)) == 0
    _tell(db, person, group, day + timedelta(hours=20), kind=DIGESTED)
    assert outbox.enqueue_digests(db, day + timedelta(hours=21)) == 0, "once a day"
    assert outbox.enqueue_digests(db, day + timedelta(days=1, hours=14)) == 1
    digests = db.exec(
        select(OutboxMessage).where(OutboxMessage.is_digest).order_by(OutboxMessage.id)
    ).all()
    assert [len(json.loads(d.digest)) for d in digests] == [1, 1], "nothing repeated"


def test_a_worker_that_was_stopped_catches_up_within_two_hours_only():
    person = Person(email="a@example.org", name="A", timezone="Europe/Madrid", digest_hour=7)
    day = datetime(2026, 12, 7, tzinfo=UTC)  # Madrid is UTC+1 in December
    assert outbox.digest_due(person, None, day + timedelta(hours=6))
    assert outbox.digest_due(person, None, day + timedelta(hours=7, minutes=45))
    assert not outbox.digest_due(person, None, day + timedelta(hours=8))
    assert not outbox.digest_due(person, day + timedelta(hours=-10), day + timedelta(hours=6)), (
        "a digest less than 20 hours ago"
    )


def test_the_digest_groups_by_group_and_draft_newest_first_and_repeats_nothing(
    db, database, mail_settings, inbox
):
    make_council(db, name="Regional Council on Migration")
    seat = make_seat(db)
    labour = make_group(db, seats=[seat], name="Labour pathways")
    protection = make_group(db, seats=[seat], name="Humanitarian protection")
    person = make_person(db, seat=seat, role=SeatRole.DELEGATE, name="Ana", digest_hour=9)
    day = datetime(2026, 12, 7, tzinfo=UTC)

    def tell(hours, group, what, draft, kind=DIGESTED):
        return _tell(
            db,
            person,
            group,
            day + timedelta(hours=hours),
            kind=kind,
            what=what,
            params={"draft_id": draft, "draft_title": f"Draft {draft}"},
        )

    tell(1, labour, "first reply", 1)
    tell(2, protection, "a round opened", 2)
    tell(3, labour, "a new revision", 3)
    tell(4, labour, "second reply", 1)
    tell(5, labour, "a deadline", 1, kind=NEWS)  # at once: sent already, not repeated
    db.commit()
    sender = outbox.Outbox(mail_settings)
    assert sender.drain(database, day + timedelta(hours=5)) == 1
    with database.transaction() as session:
        assert outbox.enqueue_digests(session, day + timedelta(hours=9)) == 1
    assert sender.drain(database, day + timedelta(hours=9)) == 1
    _at_once, digest = inbox.wait_for(2)
    assert digest["Subject"] == (
        "Regional Council on Migration: 4 notifications in your daily digest"
    )
    text, html = _parts(digest)
    order = [
        text.index(s)
        for s in (
            "== Labour pathways ==",
            "Draft 1",
            "Digested: second reply",
            "Digested: first reply",
            "Draft 3",
            "Digested: a new revision",
            "== Humanitarian protection ==",
            "Draft 2",
            "Digested: a round opened",
        )
    ]
    assert order == sorted(order), text
    assert "a deadline" not in text and "a deadline" not in html
    assert "<h2" in html and "Labour pathways" in html
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with database.transaction() as session:
        assert outbox.enqueue_digests(session, day + timedelta(days=1, hours=9)) == 0


def test_the_digest_leaves_out_what_the_person_may_no_longer_see(db):
    seat = make_seat(db)
    kept = make_group(db, seats=[seat])
    left = make_group(db, seats=[seat])
    person = make_person(db, seat=seat, role=SeatRole.DELEGATE, digest_hour=9)
    day = datetime(2026, 12, 7, tzinfo=UTC)
    visible = _tell(db, person, kept, day, kind=DIGESTED)
    hidden = _tell(db, person, left, day, kind=DIGESTED)
    from council.models import WorkingGroupSeat

    db.delete(db.get(WorkingGroupSeat, (left.id, seat.id)))
    db.flush()
    assert outbox.enqueue_digests(db, day + timedelta(hours=9)) == 1
    digest = db.exec(select(OutboxMessage).where(OutboxMessage.is_digest)).one()
    assert json.loads(digest.digest) == [visible.id]
    assert hidden.emailed_at is None


# The jobs


def test_the_outbox_jobs_are_registered_and_the_sender_keeps_no_transaction(app, database, db):
    names = {job.name: job for job in app.state.jobs}
    assert {"mail.outbox", "mail.digests", "mail.purge"} <= set(names)
    assert names["mail.outbox"].transactional is False
    assert names["mail.outbox"].every == timedelta(seconds=10)
    assert run_job(database, names["mail.outbox"], force=True) == 0
    db.expire_all()
    assert db.get(JobRun, "mail.outbox").runs == 1


def test_a_job_that_keeps_its_own_transactions_runs_when_due_and_records_failures(database, db):
    calls = []

    def run(given, now):
        calls.append(given)
        if len(calls) == 2:
            raise RuntimeError("the mail server is away")
        return 2

    job = Job("test.own", run, every=timedelta(minutes=1), transactional=False)
    now = utcnow()
    assert run_job(database, job, now=now) == 2
    assert calls == [database], "it is given the database, not a session"
    assert run_job(database, job, now=now + timedelta(seconds=10)) is None
    assert run_job(database, job, now=now + timedelta(minutes=2)) is None
    db.expire_all()
    run_row = db.get(JobRun, "test.own")
    assert (run_row.runs, run_row.failures, run_row.last_done) == (1, 1, 2)
    assert "the mail server is away" in run_row.last_error
