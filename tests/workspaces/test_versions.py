"""Language versions of drafts: paragraph states across revisions, translating side by side,
the gate on decision rounds, and reading a round in one's language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from council.database import utcnow
from council.errors import Conflict
from council.models import Council
from council.permissions import load_actor
from tests.conftest import csrf_from, post_form, sign_in
from tests.workspaces.test_drafts import build_group, start
from workspaces import drafts, rounds, versions
from workspaces.models import Draft, VersionParagraph
from workspaces.round_models import Round, RoundKind
from workspaces.versions import State

TEXT = "# Measures\n\nOpen pathways.\n\nNever charge fees.\n\nReview yearly."
SPANISH = {
    "# Measures": "# Medidas",
    "Open pathways.": "Abrir vías.",
    "Never charge fees.": "No cobrar tarifas.",
    "Review yearly.": "Revisar cada año.",
}


@pytest.fixture
def world(db):
    world = build_group(db)
    council = db.exec(select(Council)).one()
    council.official_languages = "en,es"
    db.add(council)
    world.council = council
    world.draft = start(db, world, text=TEXT)
    db.commit()
    return world


def latest(db, draft):
    db.expire_all()
    draft = db.get(Draft, draft.id)
    return draft, drafts.paragraphs(db, drafts.latest_revision(db, draft))


def translate_all(db, world, language="es", texts=SPANISH, title="Vías laborales"):
    draft, paragraphs = latest(db, world.draft)
    actor = load_actor(db, world.member, utcnow())
    for p in paragraphs:
        current = db.get(VersionParagraph, (draft.id, language, p.paragraph_id))
        versions.save_paragraph(
            db,
            actor=actor,
            council=world.council,
            draft=draft,
            language=language,
            paragraph_id=p.paragraph_id,
            text=texts.get(p.source, f"[{p.source}]"),
            seen_original=p.source,
            seen_translation=current.source if current else "",
            now=utcnow(),
        )
    versions.save_title(
        db,
        actor=actor,
        council=world.council,
        draft=draft,
        language=language,
        title=title,
        purpose="",
        now=utcnow(),
    )
    db.commit()


def states(db, world, language="es") -> dict[str, State]:
    draft, paragraphs = latest(db, world.draft)
    return {
        row.original.source: row.state for row in versions.version(db, draft, paragraphs, language)
    }


def test_version_states_follow_the_original_across_revisions(db, world):
    translate_all(db, world)
    assert set(states(db, world).values()) == {State.CURRENT}

    revised = (
        "# Measures\n\nReview yearly.\n\nOpen safe pathways.\n\n"  # moved, changed
        "Never charge fees to workers.\n\nRecruiters are licensed."
    )  # changed, new
    drafts.revise(
        db,
        by=world.member,
        draft=db.get(Draft, world.draft.id),
        base_number=1,
        text=revised,
        summary="Edits.",
    )
    db.commit()

    assert states(db, world) == {
        "# Measures": State.CURRENT,
        "Review yearly.": State.CURRENT,  # moved: its translation moves with it
        "Open safe pathways.": State.OUTDATED,
        "Never charge fees to workers.": State.OUTDATED,
        "Recruiters are licensed.": State.MISSING,
    }
    draft, paragraphs = latest(db, world.draft)
    row = next(
        r
        for r in versions.version(db, draft, paragraphs, "es")
        if r.original.source == "Open safe pathways."
    )
    assert row.changed_in == 2
    assert row.comparison() == "Open<ins> safe</ins> pathways."  # readable, what changed marked

    merged = "# Measures\n\nReview yearly.\n\nOpen safe pathways and never charge fees."
    drafts.revise(db, by=world.member, draft=draft, base_number=2, text=merged, summary="Merges.")
    db.commit()
    after = states(db, world)
    assert after["Open safe pathways and never charge fees."] == State.OUTDATED
    assert len(after) == 3  # the deleted paragraphs' translations show nowhere


def test_a_decision_round_opens_only_when_every_official_version_is_current(client, db, world):
    sign_in(client, world.chair)
    page = client.get(f"/drafts/{world.draft.id}/rounds/new")
    assert "Still to translate" in page.text
    deadline = re.search(r'name="deadline"[^>]*value="([^"]+)"', page.text).group(1)
    form = {"kind": "decision", "deadline": deadline, "note": ""}

    refused = post_form(client, f"/drafts/{world.draft.id}/rounds/new", form)
    assert refused.status_code == 409
    assert "the title" in refused.text and "missing: a heading, 1, 2, 3" in refused.text
    assert db.exec(select(Round)).all() == []

    translate_all(db, world)
    opened = post_form(client, f"/drafts/{world.draft.id}/rounds/new", form, follow_redirects=False)
    assert opened.status_code == 303
    assert db.exec(select(Round)).one().kind == RoundKind.DECISION


def test_one_outdated_paragraph_keeps_the_gate_closed(db, world):
    translate_all(db, world)
    draft, _paragraphs = latest(db, world.draft)
    drafts.revise(
        db,
        by=world.member,
        draft=draft,
        base_number=1,
        text=TEXT.replace("yearly", "every year"),
        summary="Wording.",
    )
    db.commit()
    draft, _paragraphs = latest(db, world.draft)
    with pytest.raises(versions.VersionsIncomplete) as refused:
        rounds.open_round(
            db,
            by=world.chair,
            draft=draft,
            kind=RoundKind.DECISION,
            deadline=utcnow() + timedelta(days=3),
        )
    assert "outdated: 3" in refused.value.message
    db.rollback()
    # a comment round needs no version
    assert (
        rounds.open_round(
            db,
            by=world.chair,
            draft=draft,
            kind=RoundKind.COMMENT,
            deadline=utcnow() + timedelta(days=3),
        ).kind
        == RoundKind.COMMENT
    )


def test_a_delegate_translates_a_paragraph_side_by_side(client, db, world):
    sign_in(client, world.colleague)
    draft, paragraphs = latest(db, world.draft)
    target = paragraphs[1]
    overview = client.get(f"/drafts/{draft.id}/versions/es")
    assert overview.status_code == 200
    assert "Open pathways." in overview.text
    url = f"/drafts/{draft.id}/versions/es/paragraphs/{target.paragraph_id}"
    form_page = client.get(url)
    assert form_page.status_code == 200

    saved = client.post(
        url,
        data={
            "csrf_token": csrf_from(form_page.text),
            "text": "Abrir vías.",
            "seen_original": target.source,
            "seen_translation": "",
            "then": "next",
        },
        follow_redirects=False,
    )

    assert saved.status_code == 303
    assert saved.headers["location"].endswith(paragraphs[2].paragraph_id)  # the next to do
    row = db.get(VersionParagraph, (draft.id, "es", target.paragraph_id))
    assert (row.source, row.seat_id, row.translated_from) == (
        "Abrir vías.",
        world.canada.id,
        "Open pathways.",
    )


def test_a_translation_written_on_an_old_original_is_refused_and_kept(client, db, world):
    sign_in(client, world.colleague)
    draft, paragraphs = latest(db, world.draft)
    target = paragraphs[1]
    url = f"/drafts/{draft.id}/versions/es/paragraphs/{target.paragraph_id}"
    form_page = client.get(url)
    drafts.revise(
        db,
        by=world.member,
        draft=draft,
        base_number=1,
        text=TEXT.replace("Open pathways.", "Open safe pathways."),
        summary="Safe.",
    )
    db.commit()

    late = client.post(
        url,
        data={
            "csrf_token": csrf_from(form_page.text),
            "text": "Abrir vías.",
            "seen_original": target.source,
            "seen_translation": "",
            "then": "back",
        },
    )

    assert late.status_code == 409
    assert "Abrir vías." in late.text  # their text is kept
    assert "Open safe pathways." in late.text  # beside the new original
    assert db.exec(select(VersionParagraph)).all() == []


@pytest.mark.parametrize("who", ["observer", "outsider"])
def test_only_the_groups_members_translate(client, db, world, who):
    sign_in(client, getattr(world, who))
    draft, paragraphs = latest(db, world.draft)
    url = f"/drafts/{draft.id}/versions/es/paragraphs/{paragraphs[1].paragraph_id}"
    assert client.get(url).status_code in (403, 404)


def test_versions_are_frozen_while_a_decision_round_is_open(db, world):
    translate_all(db, world)
    draft, paragraphs = latest(db, world.draft)
    rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=utcnow() + timedelta(days=3),
    )
    db.commit()
    with pytest.raises(Conflict):
        versions.save_paragraph(
            db,
            actor=load_actor(db, world.member, utcnow()),
            council=world.council,
            draft=draft,
            language="es",
            paragraph_id=paragraphs[1].paragraph_id,
            text="Otra cosa.",
            seen_original=paragraphs[1].source,
            seen_translation="Abrir vías.",
            now=utcnow(),
        )


def test_a_seat_reads_the_round_in_its_language_with_the_same_numbers(client, db, world):
    translate_all(db, world)
    draft, _paragraphs = latest(db, world.draft)
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=utcnow() + timedelta(days=3),
    )
    db.commit()
    sign_in(client, world.member)

    spanish = client.get(
        f"/rounds/{round_.id}", headers={"Accept-Language": "es"}, cookies={"language": "es"}
    )
    english = client.get(f"/rounds/{round_.id}?text=en", cookies={"language": "es"})

    assert "Abrir vías." in spanish.text and 'lang="es"' in spanish.text
    assert "Open pathways." in english.text and "Abrir vías." not in english.text
    for page in (spanish, english):
        numbers = re.findall(r'class="paragraph-number"[^>]*>.*?</span>(\d+)</a>', page.text)
        assert numbers == ["1", "2", "3"]
