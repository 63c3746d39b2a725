"""The follow-up of adopted recommendations: who reports for which seat, the history, the review
cycle's reminders, the public page and the overviews with their chart."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from council import chairs, notifications, worker
from council.database import utcnow
from council.models import AuditRecord, Council, Notification, Seat
from council.permissions import load_actor
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_person
from tests.workspaces.publishing import adopt, make_public
from tests.workspaces.test_drafts import build_group
from workspaces import followup
from workspaces.followup_models import FollowUpReport, FollowUpSeat, FollowUpStatus


@pytest.fixture
def world(db):
    return build_group(db)


@pytest.fixture
def published(db, world):
    """Adopted a week ago; the chair addressed Mexico, the chairing seat (a participant) and
    the observer seat then, not Canada."""
    item = adopt(db, world, when=utcnow() - timedelta(days=9))
    followup.address(
        db,
        recommendation=item,
        by=world.chair,
        now=utcnow() - timedelta(days=7),
        seat_ids=[world.mexico.id, world.network.id, world.observer_seat.id],
    )
    db.commit()
    return item


def report_url(item, seat) -> str:
    return f"/recommendations/{item.number}/follow-up/{seat.id}"


def add_report(
    db,
    item,
    seat,
    person,
    status="under_way",
    narrative="Work has begun.",
    reason="",
    links="",
    when=None,
):
    return followup.report(
        db,
        recommendation=item,
        seat=db.get(Seat, seat.id),
        by=person,
        form=followup.ReportForm(status, narrative, reason, links),
        now=when or utcnow(),
    )


REPORT = {
    "status": "planned",
    "narrative": "A national plan is **being drafted**.",
    "reason": "",
    "links": "https://example.org/plan National plan",
}


# who reports for which seat


def test_a_seat_reports_for_itself_and_the_report_is_recorded(client, db, world, published):
    sign_in(client, world.member)
    url = report_url(published, world.mexico)
    page = client.get(url)
    assert page.status_code == 200 and "Follow-up report of Mexico" in page.text
    done = post_form(client, url, REPORT, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"/recommendations/{published.number}#follow-up")
    saved = db.exec(select(FollowUpReport)).one()
    assert (saved.seat_id, saved.status, saved.author_id) == (
        world.mexico.id,
        FollowUpStatus.PLANNED,
        world.member.id,
    )
    assert saved.chair_seat_id == world.network.id  # who chaired the group then
    assert "<strong>being drafted</strong>" in saved.narrative_html
    assert json.loads(saved.links) == [
        {"url": "https://example.org/plan", "title": "National plan"}
    ]
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "followup.reported")).one()
    assert json.loads(record.details)["seat"] == "Mexico"


@pytest.mark.parametrize(
    "role, seat, allowed",
    [
        ("member", "mexico", True),
        ("member", "network", False),  # another seat
        ("colleague", "canada", False),  # its own seat, which the recommendation does not address
        ("chair", "network", True),  # the chair, as a person of its own seat
        ("chair", "mexico", False),  # ... never for another seat
        ("observer", "observer_seat", True),  # an observer seat the recommendation addresses
        ("secretariat", "mexico", False),
        ("outsider", "mexico", False),
    ],
)
def test_only_a_person_of_an_addressed_seat_reports_for_it(
    client, db, world, published, role, seat, allowed
):
    sign_in(client, getattr(world, role))
    token = csrf_from(client.get("/notifications").text)
    answer = client.post(
        report_url(published, getattr(world, seat)),
        data={"csrf_token": token, **REPORT},
        follow_redirects=False,
    )
    assert answer.status_code == (303 if allowed else 403)
    assert len(db.exec(select(FollowUpReport)).all()) == (1 if allowed else 0)
    page = client.get(f"/recommendations/{published.number}").text
    own_seat_addressed = role in ("member", "chair", "observer")  # the link and the rule agree
    assert ("Report for your seat" in page) == own_seat_addressed


def test_anonymous_readers_are_sent_to_sign_in_before_reporting(client, db, world, published):
    make_public(db)
    token = csrf_from(client.get("/sign-in").text)
    answer = client.post(
        report_url(published, world.mexico),
        data={"csrf_token": token, **REPORT},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and "/sign-in" in answer.headers["location"]
    assert not db.exec(select(FollowUpReport)).all()


def test_a_refused_report_comes_back_filled_in(client, db, world, published):
    sign_in(client, world.member)
    url = report_url(published, world.mexico)
    refused = post_form(
        client,
        url,
        {
            "status": "not_pursued",
            "narrative": "We stop here.",
            "reason": "",
            "links": "javascript:alert(1)",
        },
    )
    assert refused.status_code == 422
    assert "Give the reasons why your seat does not pursue" in refused.text
    assert "is not a web address" in refused.text
    assert "We stop here." in refused.text and "javascript:alert(1)" in refused.text
    assert 'value="not_pursued" selected' in refused.text
    assert not db.exec(select(FollowUpReport)).all()
    unknown = post_form(client, url, {**REPORT, "status": "finished"})
    assert unknown.status_code == 422 and "Choose the status" in unknown.text


def test_a_narrative_cannot_carry_script(client, db, world, published):
    sign_in(client, world.member)
    post_form(
        client,
        report_url(published, world.mexico),
        {**REPORT, "narrative": "<script>alert(1)</script> [x](javascript:alert(2))"},
    )
    saved = db.exec(select(FollowUpReport)).one()
    assert "<script" not in saved.narrative_html and "href" not in saved.narrative_html


def test_the_chair_chooses_the_seats_addressed_and_they_are_told(client, db, world, published):
    url = f"/recommendations/{published.number}/follow-up/seats"
    for refused in (world.member, world.secretariat, world.observer):
        client.cookies.clear()
        sign_in(client, refused)
        assert client.get(url).status_code == 403
    client.cookies.clear()
    sign_in(client, world.chair)
    form = client.get(url)
    assert form.status_code == 200 and f'value="{world.mexico.id}" checked' in form.text
    before = max(n.id for n in db.exec(select(Notification)).all())
    bad = post_form(client, url, {"seats": ["x"]})
    assert bad.status_code == 422 and "Choose among the council" in bad.text
    done = post_form(
        client, url, {"seats": [str(world.canada.id), str(world.mexico.id)]}, follow_redirects=False
    )
    assert done.status_code == 303
    rows = {row.seat_id: row for row in db.exec(select(FollowUpSeat)).all()}
    assert rows[world.canada.id].removed_at is None
    assert rows[world.network.id].removed_at is not None  # kept, no longer addressed
    assert followup.addressed_ids(db, published) == {world.mexico.id, world.canada.id}
    told = db.exec(
        select(Notification).where(
            Notification.kind == followup.FOLLOW_UP_REQUESTED, Notification.id > before
        )
    ).all()
    assert {n.person_id for n in told} == {world.colleague.id}  # only the seat now addressed
    assert told[0].url == report_url(published, world.canada)
    details = json.loads(
        db.exec(
            select(AuditRecord)
            .where(AuditRecord.action == "followup.seats_addressed")
            .order_by(AuditRecord.id.desc())
        )
        .first()
        .details
    )
    assert details["added"] == ["Canada"]
    assert sorted(details["removed"]) == [
        "International Organization",
        "Migrant Communities Network",
    ]
    # Canada now reports; the network no longer may
    client.cookies.clear()
    sign_in(client, world.colleague)
    assert (
        post_form(
            client, report_url(published, world.canada), REPORT, follow_redirects=False
        ).status_code
        == 303
    )
    client.cookies.clear()
    sign_in(client, world.chair)
    assert client.get(report_url(published, world.network)).status_code == 403


# the history, across chair rotations


def test_reports_form_a_history_and_the_latest_is_current(client, db, world, published):
    first = add_report(
        db,
        published,
        world.mexico,
        world.member,
        status="planned",
        narrative="A plan is being drafted.",
        when=utcnow() - timedelta(days=5),
    )
    chairs.hand_over_chair(
        db,
        body=world.group,
        to_seat_id=world.mexico.id,
        reason="",
        by=world.chair,
        now=utcnow() - timedelta(days=2),
        actor=load_actor(db, world.chair, utcnow() - timedelta(days=2)),
    )
    second = add_report(
        db,
        published,
        world.mexico,
        world.member,
        status="implemented",
        narrative="The plan is in force.",
    )
    db.commit()
    assert (first.chair_seat_id, second.chair_seat_id) == (world.network.id, world.mexico.id)
    make_public(db)
    page = client.get(f"/recommendations/{published.number}")
    assert "A plan is being drafted." in page.text and "The plan is in force." in page.text
    assert page.text.index("The plan is in force.") < page.text.index("A plan is being drafted.")
    assert "Reported while Migrant Communities Network chaired the working group." in page.text
    assert "Reported while Mexico chaired the working group." in page.text
    status_table = page.text[page.text.index("Status by seat") : page.text.index("Reports, latest")]
    mexico_row = status_table[status_table.index("Mexico") :]
    assert "Implemented" in mexico_row[:400] and "Planned" not in mexico_row[:400]
    assert page.text.count("Current status") == 1
    assert f'href="#follow-up-report-{second.id}"' in status_table
    assert db.get(FollowUpReport, first.id).status == FollowUpStatus.PLANNED  # never changed
    group_page = client.get(f"/follow-up/{world.group.slug}")
    by_chair = group_page.text[group_page.text.index("Reports under each chair") :]
    assert "Migrant Communities Network" in by_chair and "Mexico" in by_chair


# the public page


def test_the_public_page_shows_the_follow_up_by_seat_never_by_person(client, db, world, published):
    make_public(db)
    url = f"/recommendations/{published.number}"
    before = client.get(url)
    assert "No seat has reported yet." in before.text
    add_report(
        db,
        published,
        world.observer_seat,
        world.observer,
        status="not_pursued",
        narrative="Outside our mandate.",
        reason="Our statutes forbid it.",
        links="https://example.org/statutes",
    )
    db.commit()
    page = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert page.status_code == 200 and page.headers["etag"] != before.headers["etag"]
    assert page.headers["cache-control"] == "public, max-age=60"
    for text in (
        "Follow-up of the implementation",
        "Status by seat",
        "Not pursued",
        "Outside our mandate.",
        "Our statutes forbid it.",
        'href="https://example.org/statutes" rel="nofollow noopener noreferrer"',
        "International Organization",
        "No report yet",
    ):
        assert text in page.text, text
    for person in (world.member, world.colleague, world.chair, world.observer, world.secretariat):
        assert person.name not in page.text and person.email not in page.text, (
            person.name,
            page.text[max(0, page.text.find(person.name) - 300) :][:600],
        )
    assert 'name="csrf_token"' not in page.text and "Report for your seat" not in page.text
    assert client.get(url, headers={"If-None-Match": page.headers["etag"]}).status_code == 304
    assert client.get(
        url, headers={"If-Modified-Since": before.headers["last-modified"]}
    ).status_code in (200, 304)


def test_the_follow_up_is_not_public_unless_the_council_publishes(client, db, world, published):
    add_report(db, published, world.mexico, world.member)
    make_public(db, False)
    for url in (
        "/follow-up",
        f"/follow-up/{world.group.slug}",
        f"/recommendations/{published.number}",
    ):
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303 and "/sign-in" in answer.headers["location"]
    sign_in(client, world.observer)  # an observer of the group reads it
    for url in (
        "/follow-up",
        f"/follow-up/{world.group.slug}",
        f"/recommendations/{published.number}",
    ):
        answer = client.get(url)
        assert (
            answer.status_code == 200
            and "Work has begun." in client.get(f"/recommendations/{published.number}").text
        )


# the overviews


def test_the_overviews_count_by_status_and_draw_an_accessible_chart(client, db, world, published):
    add_report(
        db,
        published,
        world.mexico,
        world.member,
        status="planned",
        when=utcnow() - timedelta(days=3),
    )
    add_report(db, published, world.mexico, world.member, status="implemented")
    add_report(db, published, world.network, world.chair, status="under_way")
    db.commit()
    make_public(db)
    for url in ("/follow-up", f"/follow-up/{world.group.slug}"):
        page = client.get(url)
        assert page.status_code == 200, url
        svg = re.search(r"<svg[^>]*>.*?</svg>", page.text, re.S).group(0)
        assert 'role="img"' in svg and 'aria-labelledby="followup-chart-title"' in svg
        assert '<title id="followup-chart-title">' in svg
        desc = re.search(r'<desc id="followup-chart-desc">(.*?)</desc>', svg, re.S).group(1)
        assert "3 addressed seats" in desc
        assert "Implemented: 1" in desc and "Under way: 1" in desc and "Planned: 0" in desc
        assert "No report yet: 1" in desc
        assert "style=" not in page.text.split("<main", 1)[1] and "<script" not in svg
        figures = page.text[page.text.index('class="followup-figures"') :]
        figures = figures[: figures.index("</table>")]
        assert re.search(r"Implemented</span></th><td class=\"number\">1<", figures)
        assert re.search(r"Total</th><td class=\"number\">3<", figures)
    group_page = client.get(f"/follow-up/{world.group.slug}").text
    assert published.number in group_page
    for person in (world.member, world.chair):
        assert person.name not in group_page


def test_superseded_or_not_the_overview_counts_only_seats_still_addressed(db, world, published):
    add_report(db, published, world.network, world.chair, status="implemented")
    followup.address(
        db, recommendation=published, seat_ids=[world.mexico.id], by=world.chair, now=utcnow()
    )
    counts = followup.overview(db).counts
    assert counts["no_report"] == 1 and counts["implemented"] == 0
    assert followup.summaries(db, [published.id]) == {
        published.id: {**dict.fromkeys(followup.CATEGORIES, 0), "no_report": 1}
    }


@pytest.mark.parametrize("url", ["/follow-up", "/follow-up/pathways", "recommendation"])
def test_follow_up_pages_run_a_fixed_number_of_queries(client, db, world, queries, url):
    make_public(db)
    counts = []
    extra = [make_person(db, seat=seat) for seat in (world.mexico, world.canada, world.network)]
    for total in (1, 4):
        while len(db.exec(select(FollowUpSeat)).all()) < total * 3:
            item = adopt(db, world, title="Pathways", when=utcnow() - timedelta(days=5))
            followup.address(
                db,
                recommendation=item,
                by=world.chair,
                now=utcnow(),
                seat_ids=[world.mexico.id, world.canada.id, world.network.id],
            )
            for person, seat in zip(
                extra, (world.mexico, world.canada, world.network), strict=True
            ):
                add_report(db, item, seat, person)
                add_report(db, item, seat, person, status="implemented")
        db.commit()
        target = url if url != "recommendation" else f"/recommendations/{item.number}"
        queries.reset()
        assert client.get(target).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], queries.statements


def test_a_seats_report_page_runs_a_fixed_number_of_queries(client, db, world, published, queries):
    sign_in(client, world.member)
    counts = []
    for total in (1, 6):
        while len(db.exec(select(FollowUpReport)).all()) < total:
            add_report(db, published, world.mexico, world.member)
        db.commit()
        queries.reset()
        page = client.get(report_url(published, world.mexico))
        assert page.status_code == 200 and page.text.count("Work has begun.") == total
        counts.append(len(queries))
    assert counts[0] == counts[1], queries.statements


# the review cycle


def test_the_review_cycle_asks_stale_seats_once_per_cycle(app, db, world, database):
    now = utcnow()
    item = adopt(db, world, when=now - timedelta(days=500))
    followup.address(
        db,
        recommendation=item,
        by=world.chair,
        now=now - timedelta(days=480),
        seat_ids=[world.mexico.id, world.network.id, world.observer_seat.id],
    )
    add_report(db, item, world.mexico, world.member, when=now - timedelta(days=60))
    add_report(db, item, world.network, world.chair, when=now - timedelta(days=400))
    # the observer seat never reported: 480 days since it was addressed
    db.commit()
    job = next(job for job in app.state.jobs if job.name == "followup.remind")

    def told():
        return sorted(
            n.person_id
            for n in db.exec(
                select(Notification).where(
                    Notification.kind == followup.FOLLOW_UP_REQUESTED,
                    Notification.dedupe_key.is_not(None),
                )
            ).all()
        )  # reminders, not the addressing

    assert worker.run_job(database, job, now=now, force=True) == 2
    assert told() == sorted([world.chair.id, world.observer.id])  # not Mexico: reported lately
    assert worker.run_job(database, job, now=now + timedelta(hours=2), force=True) == 0
    assert told() == sorted([world.chair.id, world.observer.id])  # once per cycle
    # a report answers the reminder: the network's next one is a cycle after it
    add_report(db, item, world.network, world.chair, when=now + timedelta(days=1))
    db.commit()
    later = now + timedelta(days=330)  # Mexico's report is now a year old; the observer's
    assert worker.run_job(database, job, now=later, force=True) == 2  # cycle has come again
    assert told() == sorted([world.chair.id, world.member.id, world.observer.id, world.observer.id])

    def sentence(person):
        return notifications.describe(
            db.exec(
                select(Notification)
                .where(
                    Notification.kind == followup.FOLLOW_UP_REQUESTED,
                    Notification.person_id == person.id,
                    Notification.dedupe_key.is_not(None),
                )
                .order_by(Notification.id)
            ).first()
        )

    assert "is due again: its latest report dates from" in sentence(world.member)
    assert "International Organization has not reported yet" in sentence(world.observer)


def test_no_review_cycle_asks_no_one(app, db, world, database):
    council = db.exec(select(Council)).one()
    council.follow_up_review_months = 0
    item = adopt(db, world, when=utcnow() - timedelta(days=500))
    followup.address(
        db,
        recommendation=item,
        by=world.chair,
        now=utcnow() - timedelta(days=480),
        seat_ids=[world.mexico.id],
    )
    db.commit()
    job = next(job for job in app.state.jobs if job.name == "followup.remind")
    assert worker.run_job(database, job, force=True) == 0


def test_cycles_passed_counts_whole_cycles():
    start = utcnow().replace(year=2026, month=1, day=31)
    assert followup.cycles_passed(start, 12, start + timedelta(days=364)) == 0
    assert followup.cycles_passed(start, 12, start + timedelta(days=366)) == 1
    assert followup.cycles_passed(start, 6, start + timedelta(days=366)) == 2
    assert followup.cycles_passed(start, 0, start + timedelta(days=9999)) == 0


def test_the_secretariat_sets_the_review_cycle(client, db, world):
    sign_in(client, world.secretariat)
    page = client.get("/admin/council")
    assert 'name="follow_up_review_months"' in page.text
    council = db.exec(select(Council)).one()
    form = {"name": council.name, "default_language": "en", "official_languages": ["en"]}
    refused = post_form(client, "/admin/council", {**form, "follow_up_review_months": "7"})
    assert refused.status_code == 422 and "Choose one of the offered periods." in refused.text
    done = post_form(
        client, "/admin/council", {**form, "follow_up_review_months": "6"}, follow_redirects=False
    )
    assert done.status_code == 303
    db.expire_all()
    assert db.exec(select(Council)).one().follow_up_review_months == 6
    changes = json.loads(
        db.exec(select(AuditRecord).where(AuditRecord.action == "council.settings_changed"))
        .one()
        .details
    )["changes"]
    assert changes["follow_up_review_months"] == [12, 6]


def test_the_chart_draws_each_status_in_proportion_and_says_it_in_words():
    drawn = followup.chart({"planned": 1, "implemented": 4, "no_report": 0})
    widths = {bar.key: bar.width for bar in drawn.bars}
    room = followup.CHART_WIDTH - followup.VALUE_ROOM
    assert widths == {"planned": room / 4, "implemented": room, "no_report": 0}
    assert [bar.y for bar in drawn.bars] == [0, followup.ROW_HEIGHT, 2 * followup.ROW_HEIGHT]
    assert drawn.height == 3 * followup.ROW_HEIGHT
    assert drawn.description == (
        "5 addressed seats, by the status of their latest report: "
        "Planned: 1, Implemented: 4, and No report yet: 0."
    )
    assert followup.chart(dict.fromkeys(followup.CATEGORIES, 0)).bars[0].width == 0
