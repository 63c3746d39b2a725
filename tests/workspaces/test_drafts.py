"""Drafts and revisions: the domain rules, against a real migrated database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from council.database import utcnow
from council.errors import Conflict, Invalid, NotAllowed
from council.models import AuditRecord, Person, Seat, SeatKind, SeatRole, WorkingGroup
from tests.factories import (
    make_chair,
    make_council,
    make_group,
    make_person,
    make_seat,
    make_secretariat,
)
from tests.workspaces.test_markdown import SAFE_SCHEMES, XSS_CORPUS, elements, url_scheme
from workspaces import drafts
from workspaces.models import (
    Draft,
    DraftSponsor,
    DraftStatus,
    DraftVisit,
    Revision,
    RevisionParagraph,
)

TEXT = "\n\n".join(
    [
        "# Recommendation",
        "The member states should increase labour migration pathways by at least 50,000 places.",
        "Workers must never pay recruitment fees.",
        "- Seasonal programmes in agriculture.\n- Multi-year visas.",
        "The council reviews the programmes every year.",
    ]
)


@dataclass
class Group:
    group: WorkingGroup
    mexico: Seat
    canada: Seat
    network: Seat
    observer_seat: Seat
    outsider_seat: Seat
    member: Person  # Mexico
    colleague: Person  # Canada
    chair: Person  # Network, acting chair
    observer: Person
    outsider: Person
    secretariat: Person


def build_group(db: Session, **group_fields) -> Group:
    make_council(db)
    mexico = make_seat(db, name="Mexico")
    canada = make_seat(db, name="Canada")
    network = make_seat(db, SeatKind.PARTICIPANT, name="Migrant Communities Network")
    observer_seat = make_seat(db, SeatKind.OBSERVER, name="International Organization")
    outsider_seat = make_seat(db, name="Panama")
    group = make_group(
        db,
        seats=[mexico, canada, network, observer_seat],
        name="Alternative migration pathways",
        slug="pathways",
        **group_fields,
    )
    make_group(db, seats=[outsider_seat], name="Narratives", slug="narratives")
    chair = make_person(db, seat=network, role=SeatRole.HEAD, name="Rosa Pacheco")
    make_chair(db, group, network, chair)
    world = Group(
        group=group,
        mexico=mexico,
        canada=canada,
        network=network,
        observer_seat=observer_seat,
        outsider_seat=outsider_seat,
        member=make_person(db, seat=mexico, name="Jorge Castañeda"),
        colleague=make_person(db, seat=canada, name="Claire Tremblay"),
        chair=chair,
        observer=make_person(db, seat=observer_seat, role=SeatRole.HEAD),
        outsider=make_person(db, seat=outsider_seat),
        secretariat=make_secretariat(db),
    )
    db.flush()
    return world


def start(
    db: Session, world: Group, *, text: str = TEXT, by: Person | None = None, **fields
) -> Draft:
    arguments = {
        "title": "Labour pathways",
        "purpose": "Safe and legal work routes.",
        "sponsor_seat_ids": [world.mexico.id],
        "language": "en",
        **fields,
    }
    return drafts.start_draft(db, by=by or world.member, group=world.group, text=text, **arguments)


def ids_and_sources(db: Session, draft: Draft, number: int) -> list[tuple[str, str]]:
    revision = drafts.revision(db, draft, number)
    return [(p.paragraph_id, p.source) for p in drafts.paragraphs(db, revision)]


@pytest.fixture
def world(db) -> Group:
    return build_group(db)


def test_starting_a_draft_writes_revision_one_its_paragraphs_sponsors_and_audit(db, world):
    draft = start(db, world, sponsor_seat_ids=[world.mexico.id, world.network.id])

    assert draft.status == DraftStatus.DRAFTING
    assert draft.latest_revision_number == 1
    revision = drafts.latest_revision(db, draft)
    assert revision.number == 1 and revision.base_number is None
    assert revision.author_id == world.member.id
    assert revision.source == TEXT
    assert "<h3>Recommendation</h3>" in revision.html
    rows = drafts.paragraphs(db, revision)
    assert [p.position for p in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[3].source == "- Seasonal programmes in agriculture."
    assert rows[3].html == "<ul>\n<li>Seasonal programmes in agriculture.</li>\n</ul>\n"
    assert len({p.paragraph_id for p in rows}) == 6
    sponsors = db.exec(select(DraftSponsor.seat_id).where(DraftSponsor.draft_id == draft.id))
    assert sorted(sponsors.all()) == sorted([world.mexico.id, world.network.id])
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "draft.started")).one()
    assert record.target_id == str(draft.id) and record.actor_id == world.member.id


def test_revisions_are_appended_and_keep_the_ids_of_kept_paragraphs(db, world):
    draft = start(db, world)
    before = ids_and_sources(db, draft, 1)

    edited = TEXT.replace("at least 50,000 places", "at least 50,000 places in two years")
    revision = drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=edited,
        summary="Adds the time frame.",
    )

    assert (revision.number, revision.base_number) == (2, 1)
    assert draft.latest_revision_number == 2
    after = ids_and_sources(db, draft, 2)
    assert [i for i, _ in after] == [i for i, _ in before]
    assert after[1][1].endswith("in two years.")
    assert ids_and_sources(db, draft, 1) == before  # revision 1 is never edited
    assert db.exec(
        select(AuditRecord.action).where(AuditRecord.action == "draft.revised")
    ).all() == ["draft.revised"]


def test_a_link_to_paragraph_three_points_to_the_same_text_after_an_edit_above_it(db, world):
    draft = start(db, world)
    third_id, third_text = ids_and_sources(db, draft, 1)[2]

    edited = TEXT.replace(
        "The member states should increase",
        "Within two years, the member states should substantially increase",
    ).replace(
        "Workers must never pay recruitment fees.",
        "Employers bear the cost of recruitment.\n\nWorkers must never pay recruitment fees.",
    )
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=edited,
        summary="Edits the recommendation and adds a paragraph above the fees.",
    )

    current = {
        pid: (position, source)
        for position, (pid, source) in enumerate(ids_and_sources(db, draft, 2), start=1)
    }
    assert current[third_id] == (4, third_text)  # same text, now numbered 4
    detail = drafts.draft_detail(db, draft)
    assert [p.paragraph_id for p in detail.paragraphs].index(third_id) == 3


def test_a_moved_and_lightly_edited_paragraph_keeps_its_id(db, world):
    draft = start(db, world)
    original = ids_and_sources(db, draft, 1)
    review_id = original[5][0]
    moved = "\n\n".join(
        [
            "# Recommendation",
            "The council reviews the programmes every year with trade unions.",
            "The member states should increase labour migration pathways by at least 50,000 "
            "places.",
            "Workers must never pay recruitment fees.",
            "- Seasonal programmes in agriculture.\n- Multi-year visas.",
        ]
    )
    drafts.revise(
        db, by=world.member, draft=draft, base_number=1, text=moved, summary="Moves the review up."
    )

    assert ids_and_sources(db, draft, 2)[1][0] == review_id
    comparison = drafts.compare(db, draft, 1, 2)
    change = next(c for c in comparison.changes if c.id == review_id)
    assert change.kind == "changed" and change.moved
    assert "year<ins> with trade unions</ins>." in change.html


def test_comparison_labels_added_removed_changed_and_moved_paragraphs(db, world):
    draft = start(db, world)
    text = "\n\n".join(
        [
            "# Recommendation",
            "The council reviews the programmes every year.",
            "The member states should increase labour migration pathways by at least 60,000 "
            "places.",
            "- Seasonal programmes in agriculture.\n- Multi-year visas.",
            "Employers bear the cost of recruitment.",
        ]
    )
    drafts.revise(
        db, by=world.member, draft=draft, base_number=1, text=text, summary="Reworks the text."
    )

    comparison = drafts.compare(db, draft, 1, 2)

    assert {c.kind for c in comparison.changes} >= {"added", "removed", "changed", "moved"}
    changed = next(c for c in comparison.changes if c.kind == "changed")
    assert "<del>50</del><ins>60</ins>" in changed.html
    removed = next(c for c in comparison.changes if c.kind == "removed")
    assert removed.html == "Workers must never pay recruitment fees."
    assert comparison.count("added") == 1


def test_a_stale_base_is_refused_with_the_latest_revision(db, world):
    draft = start(db, world)
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=TEXT + "\n\nMore.",
        summary="Adds more.",
    )

    with pytest.raises(drafts.StaleRevision) as refused:
        drafts.revise(
            db,
            by=world.member,
            draft=draft,
            base_number=1,
            text=TEXT + "\n\nMine.",
            summary="Adds mine.",
        )

    assert refused.value.latest.number == 2
    assert refused.value.author.id == world.colleague.id
    assert refused.value.status_code == 409
    assert draft.latest_revision_number == 2
    assert len(db.exec(select(Revision).where(Revision.draft_id == draft.id)).all()) == 2


def test_the_database_refuses_two_revisions_with_the_same_number(db, world):
    draft = start(db, world)
    duplicate = Revision(
        draft_id=draft.id, number=1, author_id=world.colleague.id, source="x", html="<p>x</p>"
    )

    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(duplicate)


def test_the_database_refuses_a_later_revision_without_a_summary(db, world):
    draft = start(db, world)
    unexplained = Revision(
        draft_id=draft.id,
        number=2,
        author_id=world.colleague.id,
        source="x",
        html="<p>x</p>",
        summary="",
    )

    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(unexplained)


def test_a_concurrent_save_that_passed_the_check_fails_on_the_unique_number(db, world):
    """Two people save on revision 1 at once: both pass the Python check, the database lets
    only the first have number 2, and the second gets the stale-revision answer."""
    draft = start(db, world)
    winner = Revision(
        draft_id=draft.id,
        number=2,
        author_id=world.colleague.id,
        source=TEXT + "\n\nTheirs.",
        html="<p>Theirs.</p>",
        base_number=1,
        summary="Theirs.",
    )
    db.add(winner)  # written by the other transaction; this draft row still says 1
    db.flush()
    assert draft.latest_revision_number == 1

    with pytest.raises(drafts.StaleRevision) as refused:
        drafts.revise(
            db,
            by=world.member,
            draft=draft,
            base_number=1,
            text=TEXT + "\n\nMine.",
            summary="Adds mine.",
        )

    assert refused.value.latest.number == 2
    numbers = db.exec(select(Revision.number).where(Revision.draft_id == draft.id)).all()
    assert sorted(numbers) == [1, 2]


def test_no_revision_while_a_round_is_open(db, world):
    draft = start(db, world)
    draft.status = DraftStatus.IN_ROUND

    with pytest.raises(Conflict) as refused:
        drafts.revise(
            db, by=world.member, draft=draft, base_number=1, text=TEXT + "\n\nX.", summary="X."
        )

    assert not isinstance(refused.value, drafts.StaleRevision)
    assert "round is open" in refused.value.message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n\n  "}, "text"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"purpose": "x" * 301}, "purpose"),
        ({"text": "a" * (200 * 1024 + 1)}, "text"),
        ({"text": "é" * (100 * 1024 + 1)}, "text"),  # 102,401 characters but 200 KB + 2 bytes
        ({"text": "Caf\ufffd au lait."}, "text"),
        ({"text": "Lone \ud800 surrogate."}, "text"),
        ({"text": "Nul \x00 byte."}, "text"),
        ({"title": "Bad \ufffd title"}, "title"),
        ({"language": "pt"}, "language"),
        ({"sponsor_seat_ids": []}, "sponsor_seat_ids"),
    ],
)
def test_limits_are_refused_with_a_message_on_the_field(db, world, fields, field):
    with pytest.raises(Invalid) as refused:
        start(db, world, **fields)

    assert field in refused.value.errors
    assert db.exec(select(Draft)).first() is None


def test_the_limits_themselves_are_accepted(db, world):
    text = "\n\n".join(["a" * 1000] * 204) + "\n\n" + "b" * (200 * 1024 - 204 * 1002)
    assert len(text.encode()) == 200 * 1024

    draft = start(db, world, title="t" * 200, purpose="p" * 300, text=text)

    assert draft.latest_revision_number == 1


def test_limit_messages_are_clear(db, world):
    with pytest.raises(Invalid) as refused:
        start(db, world, title="x" * 201, text="é" * (150 * 1024))

    assert refused.value.errors["title"] == "At most 200 characters (this has 201)."
    assert "300 KB; at most 200 KB" in refused.value.errors["text"]
    with pytest.raises(Invalid) as refused:
        start(db, world, text="caf\ufffd")
    assert "not valid UTF-8" in refused.value.errors["text"]


@pytest.mark.parametrize("sponsor", ["observer_seat", "outsider_seat"])
def test_sponsors_must_be_seats_sitting_in_the_group(db, world, sponsor):
    with pytest.raises(Invalid) as refused:
        start(db, world, sponsor_seat_ids=[world.mexico.id, getattr(world, sponsor).id])

    assert refused.value.errors["sponsor_seat_ids"] == (
        "Sponsors must be seats that sit in this working group."
    )


def test_a_summary_is_required_from_revision_two(db, world):
    draft = start(db, world)

    with pytest.raises(Invalid) as refused:
        drafts.revise(
            db, by=world.member, draft=draft, base_number=1, text=TEXT + "\n\nX.", summary="  "
        )

    assert "summary" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        drafts.revise(
            db,
            by=world.member,
            draft=draft,
            base_number=1,
            text=TEXT.replace("\n", "\r\n"),
            summary="Nothing really.",
        )
    assert "same as revision 1" in refused.value.errors["text"]


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_stored_html_of_hostile_markdown_is_inert(db, world, source):
    draft = start(db, world, text=f"Intro.\n\n{source}\n\nOutro.")

    revision = drafts.latest_revision(db, draft)
    for html in [revision.html, *(p.html for p in drafts.paragraphs(db, revision))]:
        lowered = html.lower()
        assert "<script" not in lowered
        for tag, attrs in elements(html):
            assert tag not in {"script", "img", "iframe", "svg", "style", "object", "embed"}
            for name, value in attrs.items():
                assert not name.startswith("on"), html
                if name in {"href", "src"}:
                    assert url_scheme(value or "") in SAFE_SCHEMES, html
                    assert not (value or "").lower().startswith(("javascript:", "data:"))


def test_list_drafts_reads_status_last_author_and_sponsors(db, world):
    first = start(db, world, title="First", sponsor_seat_ids=[world.canada.id, world.mexico.id])
    second = start(db, world, title="Second", now=utcnow() + timedelta(minutes=1))
    drafts.revise(
        db,
        by=world.chair,
        draft=first,
        base_number=1,
        text=TEXT + "\n\nX.",
        summary="X.",
        now=utcnow() + timedelta(minutes=2),
    )

    summaries = drafts.list_drafts(db, world.group)

    assert [s.draft.id for s in summaries] == [first.id, second.id]
    assert summaries[0].last_author == world.chair.name
    assert summaries[0].sponsors == ["Canada", "Mexico"]
    assert summaries[1].last_author == world.member.name


def test_changes_since_the_last_visit_follow_what_the_person_saw(db, world):
    draft = start(db, world, by=world.colleague)
    reader = world.member

    first_time = drafts.changes_since_last_visit(db, person=reader, draft=draft)
    assert (first_time.visited, first_time.comparison) == (False, None)

    drafts.record_visit(db, person=reader, draft=draft, now=utcnow())
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=TEXT + "\n\nSecond.",
        summary="Second.",
    )
    drafts.revise(
        db, by=world.chair, draft=draft, base_number=2, text=TEXT + "\n\nThird.", summary="Third."
    )

    unseen = drafts.changes_since_last_visit(db, person=reader, draft=draft)
    assert (unseen.seen, unseen.latest) == (1, 3)
    assert unseen.comparison.count("added") == 1

    drafts.record_visit(db, person=reader, draft=draft, now=utcnow())  # opens the draft page
    after_opening = drafts.changes_since_last_visit(db, person=reader, draft=draft)
    assert (after_opening.seen, after_opening.latest) == (1, 3)
    visit = db.get(DraftVisit, (reader.id, draft.id))
    db.refresh(visit)
    assert (visit.revision_number, visit.previous_revision_number) == (3, 1)

    drafts.record_visit(db, person=reader, draft=draft, now=utcnow())  # a reload
    db.refresh(visit)
    assert (visit.revision_number, visit.previous_revision_number) == (3, 1)


def test_authors_have_seen_what_they_wrote(db, world):
    draft = start(db, world)

    changes = drafts.changes_since_last_visit(db, person=world.member, draft=draft)

    assert changes.visited and changes.comparison is None


def test_a_visit_never_goes_back_to_an_earlier_revision():
    now = utcnow()
    seen_three = drafts.Visit(3, 1, now)

    assert drafts.later_visit(None, seen_three) == seen_three
    assert drafts.later_visit(seen_three, None) == seen_three
    # a note of revision 2, written after the one of revision 3: only the time moves
    later = now + timedelta(minutes=1)
    assert drafts.later_visit(seen_three, drafts.Visit(2, None, later)) == drafts.Visit(3, 1, later)
    earlier = now - timedelta(hours=1)
    assert drafts.later_visit(seen_three, drafts.Visit(2, 1, earlier)) == seen_three
    # a newer revision: the stored one becomes the one seen before it, unless the note knows
    # of a later one in between
    assert drafts.later_visit(seen_three, drafts.Visit(5, None, later)) == drafts.Visit(5, 3, later)
    assert drafts.later_visit(seen_three, drafts.Visit(5, 4, later)) == drafts.Visit(5, 4, later)


def test_written_visits_keep_the_later_of_the_stored_and_the_noted_one(db, world):
    draft = start(db, world, by=world.colleague)
    reader, now = world.member, utcnow()
    key = drafts.visit_key(reader, draft)

    drafts.write_visits(db, {key: drafts.Visit(3, 1, now)})
    drafts.write_visits(db, {key: drafts.Visit(2, None, now + timedelta(minutes=1))})  # late
    visit = db.get(DraftVisit, key)
    db.refresh(visit)
    assert (visit.revision_number, visit.previous_revision_number) == (3, 1)
    assert visit.seen_at == now + timedelta(minutes=1)

    drafts.write_visits(db, {key: drafts.Visit(5, 4, now - timedelta(minutes=1))})
    db.refresh(visit)
    assert (visit.revision_number, visit.previous_revision_number) == (5, 4)
    assert visit.seen_at == now + timedelta(minutes=1)  # never moved back either
    drafts.write_visits(db, {key: drafts.Visit(6, None, now + timedelta(minutes=2))})
    db.refresh(visit)
    assert (visit.revision_number, visit.previous_revision_number) == (6, 5)
    assert drafts.last_visit(
        db, person=reader, draft=draft, pending=drafts.Visit(7, 6, now)
    ) == drafts.Visit(7, 6, now + timedelta(minutes=2))


@pytest.mark.parametrize("who", ["member", "chair", "secretariat"])
def test_sponsors_the_chair_and_the_secretariat_may_withdraw(db, world, who):
    draft = start(db, world, sponsor_seat_ids=[world.mexico.id])

    drafts.withdraw(db, by=getattr(world, who), draft=draft, reason="Merged into another.")

    assert draft.status == DraftStatus.WITHDRAWN
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "draft.withdrawn")).one()
    assert "Merged into another." in record.details
    with pytest.raises(Conflict):
        drafts.revise(db, by=world.member, draft=draft, base_number=1, text="New.", summary="New.")


def test_other_members_may_not_withdraw_and_a_reason_is_required(db, world):
    draft = start(db, world, sponsor_seat_ids=[world.mexico.id])

    with pytest.raises(NotAllowed):
        drafts.withdraw(db, by=world.colleague, draft=draft, reason="Not mine.")
    with pytest.raises(Invalid) as refused:
        drafts.withdraw(db, by=world.member, draft=draft, reason=" ")
    assert "reason" in refused.value.errors
    assert draft.status == DraftStatus.DRAFTING


def test_paragraph_ids_are_unique_within_each_revision(db, world):
    draft = start(db, world, text="Same.\n\nSame.\n\nSame.")
    drafts.revise(
        db,
        by=world.member,
        draft=draft,
        base_number=1,
        text="Same.\n\nSame.\n\nOther.\n\nSame.",
        summary="Adds one.",
    )

    for number in (1, 2):
        ids = [pid for pid, _ in ids_and_sources(db, draft, number)]
        assert len(ids) == len(set(ids))
    rows = db.exec(select(RevisionParagraph)).all()
    assert len(rows) == 7
