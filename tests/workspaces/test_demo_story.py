"""Issue 19: the demo council tells the task force's story."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from council import names
from council.models import Person, Seat, SeatKind, WorkingGroupSeat
from workspaces import drafts
from workspaces.amendment_models import Amendment, AmendmentStatus
from workspaces.document_models import Document, Visibility
from workspaces.followup_models import FollowUpReport
from workspaces.models import Draft, DraftStatus
from workspaces.recommendation_models import Recommendation
from workspaces.report_models import Report
from workspaces.reports import record
from workspaces.round_models import Round, RoundKind


def test_the_demo_tells_the_task_forces_story(db, tmp_path):
    from council import demo

    demo.build(db, password="x", documents_dir=tmp_path)

    # twelve recommendations, two in each thematic working group, at every stage
    rows = db.exec(select(Draft)).all()
    assert len(rows) == 12
    assert set(Counter(d.working_group_id for d in rows).values()) == {2}
    assert len(db.exec(select(Recommendation)).all()) == 4
    assert sum(d.status == DraftStatus.ADOPTED for d in rows) == 4
    open_decisions = db.exec(
        select(Round).where(Round.kind == RoundKind.DECISION, Round.closed_at.is_(None))
    ).all()
    assert len(open_decisions) >= 1
    being_amended = {
        a.draft_id
        for a in db.exec(select(Amendment).where(Amendment.status == AmendmentStatus.OPEN)).all()
    }
    assert len(being_amended) >= 2
    assert sum(d.status == DraftStatus.DRAFTING and d.id not in being_amended for d in rows) >= 3

    # an Indigenous peoples' organisation takes part, named in three languages, with people
    indigenous = db.exec(select(Seat).where(Seat.name.contains("Indigenous"))).one()
    assert indigenous.kind == SeatKind.PARTICIPANT
    assert set(names.translations(indigenous, "name")) == {"es", "fr"}
    assert db.exec(select(Person).where(Person.seat_id == indigenous.id)).all()
    assert (
        len(
            db.exec(select(WorkingGroupSeat).where(WorkingGroupSeat.seat_id == indigenous.id)).all()
        )
        >= 2
    )

    # research papers, public and members-only, cited by the drafts' texts
    papers = db.exec(select(Document)).all()
    assert len(papers) >= 3
    assert {p.visibility for p in papers} == {Visibility.PUBLIC, Visibility.MEMBERS}
    texts = " ".join(
        p.source for d in rows for p in drafts.paragraphs(db, drafts.latest_revision(db, d))
    )
    for paper in papers:
        assert f"[@doc:{paper.id}]" in texts, paper.title
        assert (tmp_path / f"{paper.sha256}.pdf").is_file()

    # follow-up from several seats, under more than one chair, at several statuses
    reports = db.exec(select(FollowUpReport)).all()
    by_recommendation = Counter(r.recommendation_id for r in reports)
    assert len(by_recommendation) >= 3
    for recommendation_id in by_recommendation:
        mine = [r for r in reports if r.recommendation_id == recommendation_id]
        assert len({r.seat_id for r in mine}) >= 2
    assert len({r.status for r in reports}) == 5
    assert any(
        len({r.chair_seat_id for r in reports if r.recommendation_id == rid}) >= 2
        for rid in by_recommendation
    )

    # the interim report is published with the adopted texts and their follow-up
    report = db.exec(select(Report).where(Report.published_at.is_not(None))).one()
    items = [item for section in record(report)["sections"] for item in section["items"]]
    assert {item["number"] for item in items} == {
        r.number for r in db.exec(select(Recommendation)).all()
    }
    assert sum(bool(item.get("followup")) for item in items) >= 3
