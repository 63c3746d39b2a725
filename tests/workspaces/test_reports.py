"""Reports (issue 19): composed by the secretariat or a working group's chair from adopted
recommendations, published chair's statements and the follow-up, edited as a draft, published
once under a number, read as a page with a table of contents and as a tagged PDF with
bookmarks, in every language version, in the feed; seats, never people."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import func, update
from sqlmodel import select
from starlette.testclient import TestClient

from council.database import utcnow
from council.errors import Conflict, Invalid
from council.models import AuditRecord, Council, Seat
from tests.conftest import post_form, sign_in
from tests.workspaces.publishing import adopt, make_public, other_group, public_world, translate
from tests.workspaces.test_drafts import start
from tests.workspaces.test_recommendation_pdf import read
from tests.workspaces.test_recommendation_versions import FRENCH, SPANISH
from workspaces import followup, numbering, reports, rounds, statements
from workspaces.report_models import Report, ReportPdf
from workspaces.reports import Composition, SectionForm
from workspaces.round_models import RoundKind

LANGUAGES = ("en", "es", "fr")
STATEMENT = "Consensus could not be reached; the chair will consult the capitals."
NARRATIVE = "Mexico opened 12,000 seasonal places this year."
WORDS = {
    "en": {
        "title": "Interim report on labour mobility",
        "foreword": "The council reports on its **first year**.",
        "heading_0": "Pathways adopted",
        "intro_0": "What the group adopted.",
        "heading_1": "Where consensus failed",
        "intro_1": "What the chair stated.",
    },
    "es": {
        "title": "Informe provisional sobre movilidad laboral",
        "foreword": "El Consejo informa sobre su **primer año**.",
        "heading_0": "Vías adoptadas",
        "intro_0": "Lo que el grupo adoptó.",
        "heading_1": "Donde no hubo consenso",
        "intro_1": "Lo que declaró la presidencia.",
    },
    "fr": {
        "title": "Rapport intérimaire sur la mobilité de travail",
        "foreword": "Le Conseil rend compte de sa **première année**.",
        "heading_0": "Voies adoptées",
        "intro_0": "Ce que le groupe a adopté.",
        "heading_1": "Là où le consensus a manqué",
        "intro_1": "Ce que la présidence a déclaré.",
    },
}


@pytest.fixture
def world(db):
    world = public_world(db, number=4)
    council = db.exec(select(Council)).one()
    council.official_languages = "en,es,fr"
    world.group.name_translations = json.dumps(
        {"es": "Vías migratorias alternativas", "fr": "Voies migratoires alternatives"}
    )
    world.mexico.name_translations = json.dumps({"es": "México", "fr": "Mexique"})
    db.add_all([council, world.group, world.mexico])
    db.commit()
    return world


def published_statement(db, world, *, title: str = "Border protocols"):
    """A decision round that closed without quorum, whose chair's statement is published."""
    draft = start(db, world, title=title, text="Protocols at borders.\n\nShared registers.")
    for code, translated in (("es", "Protocolos fronterizos"), ("fr", "Protocoles frontaliers")):
        translate(db, world, draft, code, translated, {})
    opened = utcnow() - timedelta(days=1)
    round_ = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=opened + timedelta(days=7),
        now=opened,
    )
    rounds.close_round(
        db, round_, by=world.chair, statement=STATEMENT, now=opened + timedelta(hours=1)
    )
    return statements.publish(db, round_, by=world.chair)


@pytest.fixture
def texts(db, world):
    """A recommendation in three languages with a reservation and a follow-up report by
    Mexico, and a published chair's statement, both of the group; and a recommendation of
    another group."""
    recommendation = adopt(
        db,
        world,
        versions={"es": SPANISH, "fr": FRENCH},
        reservation="Mexico reads 50,000 as a ceiling.",
        statement="The chair thanks every delegation.",
    )
    followup.address(
        db,
        recommendation=recommendation,
        seat_ids=[world.mexico.id, world.canada.id],
        by=world.chair,
        now=utcnow(),
    )
    followup.report(
        db,
        recommendation=recommendation,
        seat=db.get(Seat, world.mexico.id),
        by=world.member,
        now=utcnow(),
        form=followup.ReportForm(status="under_way", narrative=NARRATIVE),
    )
    statement = published_statement(db, world)
    elsewhere = adopt(
        db,
        other_group(db, world),
        title="Protection at borders",
        versions={"es": ("Protección", {}), "fr": ("Protection", {})},
    )
    db.commit()
    return recommendation, statement, elsewhere


def edit_form(
    recommendation, statement, *, items_0=None, languages=LANGUAGES, action="save"
) -> dict:
    """The edit form of a two-section report in `languages`: the recommendation (with its
    follow-up) in the first section, the statement in the second."""
    form = {
        "kind": "interim",
        "sections": "2",
        "action": action,
        "followup_0": "on",
        "items_0": items_0 if items_0 is not None else recommendation.number,
        "items_1": statement.number,
    }
    for code in languages:
        suffix = "" if code == "en" else f"_{code}"
        for field, text in WORDS[code].items():
            form[f"{field}{suffix}"] = text
    return form


def composed(db, world, recommendation, statement, *, group=True, by=None) -> Report:
    """A draft report in three languages, through the domain functions."""
    by = by or (world.chair if group else world.secretariat)
    report = reports.start(
        db,
        by=by,
        group=world.group if group else None,
        kind="interim",
        titles={code: WORDS[code]["title"] for code in LANGUAGES},
        default_language="en",
        languages=LANGUAGES,
    )
    draft = Composition(
        kind="interim",
        titles={code: WORDS[code]["title"] for code in LANGUAGES},
        forewords={code: WORDS[code]["foreword"] for code in LANGUAGES},
        sections=[
            SectionForm(
                headings={c: WORDS[c]["heading_0"] for c in LANGUAGES},
                intros={c: WORDS[c]["intro_0"] for c in LANGUAGES},
                items=[recommendation.number],
                followup=True,
            ),
            SectionForm(
                headings={c: WORDS[c]["heading_1"] for c in LANGUAGES},
                intros={c: WORDS[c]["intro_1"] for c in LANGUAGES},
                items=[statement.number],
            ),
        ],
    )
    return reports.save(db, report, draft, by=by, default_language="en", languages=LANGUAGES)


@pytest.fixture
def published(db, world, texts):
    recommendation, statement, _elsewhere = texts
    report = reports.publish(db, composed(db, world, recommendation, statement), by=world.chair)
    db.commit()
    return report


def people_named(world) -> list[str]:
    return [
        world.member.name,
        world.colleague.name,
        world.chair.name,
        world.observer.name,
        world.secretariat.name,
    ]


# composing: who may


def test_the_secretariat_and_the_groups_chair_compose_and_no_one_else(app, db, world, texts):
    group, other = world.group.slug, "narratives"
    cases = [
        (world.secretariat, "/reports/new", 200),
        (world.secretariat, f"/groups/{group}/reports/new", 200),
        (world.chair, f"/groups/{group}/reports/new", 200),
        (world.chair, f"/groups/{other}/reports/new", 403),
        (world.chair, "/reports/new", 403),
        (world.member, f"/groups/{group}/reports/new", 403),
        (world.member, "/reports/new", 403),
        (world.observer, f"/groups/{group}/reports/new", 403),
        (world.observer, "/reports/new", 403),
    ]
    for person, url, status in cases:
        with TestClient(app, base_url="http://testserver") as client:
            sign_in(client, person)
            assert client.get(url).status_code == status, (person.name, url)
    with TestClient(app, base_url="http://testserver") as anonymous:
        refused = anonymous.get(f"/groups/{group}/reports/new", follow_redirects=False)
        assert refused.status_code == 303
        assert refused.headers["location"].startswith("http://testserver/sign-in")

    recommendation, statement, _elsewhere = texts
    draft = composed(db, world, recommendation, statement)
    council_draft = composed(db, world, recommendation, statement, group=False)
    db.commit()
    for person, report, status in [
        (world.chair, draft, 200),
        (world.secretariat, draft, 200),
        (world.member, draft, 403),
        (world.observer, draft, 403),
        (world.chair, council_draft, 403),
        (world.secretariat, council_draft, 200),
    ]:
        with TestClient(app, base_url="http://testserver") as client:
            sign_in(client, person)
            for url in (
                f"/reports/drafts/{report.id}",
                f"/reports/drafts/{report.id}/preview",
                f"/reports/drafts/{report.id}/publish",
            ):
                assert client.get(url).status_code == status, (person.name, url)


def test_a_member_cannot_start_a_report_by_posting(client, db, world):
    sign_in(client, world.member)
    response = post_form(
        client,
        f"/groups/{world.group.slug}/reports/new",
        {"kind": "interim", "title": "Mine"},
        page="/recommendations",
    )
    assert response.status_code == 403
    assert db.exec(select(func.count()).select_from(Report)).one() == 0


# the draft: edit, preview, publish once


def test_the_chair_composes_edits_previews_and_publishes_once(client, db, world, texts):
    recommendation, statement, elsewhere = texts
    sign_in(client, world.chair)
    started = post_form(
        client,
        f"/groups/{world.group.slug}/reports/new",
        {"kind": "interim", "title": WORDS["en"]["title"], "title_es": WORDS["es"]["title"]},
        follow_redirects=False,
    )
    assert started.status_code == 303
    report = db.exec(select(Report)).one()
    edit = f"/reports/drafts/{report.id}"
    assert started.headers["location"] == f"http://testserver{edit}"
    page = client.get(edit)
    assert page.status_code == 200
    assert recommendation.number in page.text  # among the texts it may gather
    assert elsewhere.number not in page.text  # another group's

    # a number that does not exist, and another group's: refused beside the field, kept
    refused = post_form(
        client,
        edit,
        edit_form(recommendation, statement, items_0=f"WG4-2026-97\n{elsewhere.number}"),
        page=edit,
    )
    assert refused.status_code == 422
    assert "There is no recommendation or chair&#39;s statement WG4-2026-97." in refused.text
    assert f"{elsewhere.number} is another working group&#39;s" in refused.text
    assert WORDS["fr"]["heading_1"] in refused.text  # the form comes back filled in
    db.expire_all()
    assert json.loads(db.get(Report, report.id).content)["sections"] == []

    saved = post_form(
        client, edit, edit_form(recommendation, statement), page=edit, follow_redirects=False
    )
    assert saved.status_code == 303
    db.expire_all()
    content = json.loads(db.get(Report, report.id).content)
    assert [s["items"] for s in content["sections"]] == [
        [recommendation.number],
        [statement.number],
    ]
    assert content["sections"][0]["followup"] is True
    assert content["sections"][1]["heading"]["fr"] == WORDS["fr"]["heading_1"]
    assert db.get(Report, report.id).title_translations == json.dumps(
        {"es": WORDS["es"]["title"], "fr": WORDS["fr"]["title"]}, ensure_ascii=False, sort_keys=True
    )

    # a blank section waits to be filled in; each button saves the whole form
    page = client.get(edit).text
    assert 'id="section-3"' in page and "New section" in page
    post_form(client, edit, edit_form(recommendation, statement, action="up:1"), page=edit)
    db.expire_all()
    assert [s["items"] for s in json.loads(db.get(Report, report.id).content)["sections"]] == [
        [statement.number],
        [recommendation.number],
    ]
    post_form(client, edit, edit_form(recommendation, statement, action="remove:1"), page=edit)
    db.expire_all()
    assert [s["items"] for s in json.loads(db.get(Report, report.id).content)["sections"]] == [
        [recommendation.number]
    ]
    post_form(client, edit, edit_form(recommendation, statement), page=edit)

    preview = client.get(f"{edit}/preview")
    assert preview.status_code == 200
    assert "Draft, not published" in preview.text
    assert STATEMENT in preview.text

    confirm = client.get(f"{edit}/publish")
    assert confirm.status_code == 200 and "Publish the report" in confirm.text
    done = post_form(client, f"{edit}/publish", page=f"{edit}/publish", follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    report = db.get(Report, report.id)
    year = report.published_at.year
    assert report.number == f"WG4-{year}-R01"
    assert done.headers["location"] == f"http://testserver/reports/{report.number}"
    actions = db.exec(
        select(AuditRecord.action)
        .where(AuditRecord.target_type == "Report")
        .order_by(AuditRecord.id)
    ).all()
    assert actions[0] == "report.started" and actions[-1] == "report.published"
    assert actions.count("report.published") == 1

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/reports").text)[1]
    again = client.post(f"{edit}/publish", data={"csrf_token": token})
    assert again.status_code == 409
    changed = client.post(edit, data={"csrf_token": token, **edit_form(recommendation, statement)})
    assert changed.status_code == 409
    assert (
        client.get(edit, follow_redirects=False)
        .headers["location"]
        .endswith(f"/reports/{report.number}")
    )
    db.expire_all()
    assert db.get(Report, report.id).published_at == report.published_at


def test_a_version_must_be_complete_to_be_published(db, world, texts):
    recommendation, statement, _elsewhere = texts
    report = reports.start(
        db,
        by=world.secretariat,
        group=None,
        kind="annual",
        titles={"en": "Annual report", "es": "Informe anual"},
        default_language="en",
        languages=LANGUAGES,
    )
    reports.save(
        db,
        report,
        Composition(
            kind="annual",
            titles={"en": "Annual report", "es": "Informe anual"},
            forewords={"en": "A year of work."},
            sections=[SectionForm(headings={"en": "Adopted"}, items=[recommendation.number])],
        ),
        by=world.secretariat,
        default_language="en",
        languages=LANGUAGES,
    )
    with pytest.raises(Invalid) as refused:
        reports.publish(db, report, by=world.secretariat)
    assert "no foreword" in str(refused.value) and "section 1" in str(refused.value)
    assert report.published_at is None


def test_numbers_follow_the_council_and_each_group(db, world, texts):
    recommendation, statement, _elsewhere = texts
    council_first = reports.publish(
        db, composed(db, world, recommendation, statement, group=False), by=world.secretariat
    )
    council_second = reports.publish(
        db, composed(db, world, recommendation, statement, group=False), by=world.secretariat
    )
    group_first = reports.publish(
        db, composed(db, world, recommendation, statement), by=world.chair
    )
    year = utcnow().year
    assert [council_first.number, council_second.number, group_first.number] == [
        f"R-{year}-01",
        f"R-{year}-02",
        f"WG4-{year}-R01",
    ]
    with pytest.raises(Conflict):
        reports.publish(db, group_first, by=world.chair)


def test_a_publication_that_loses_the_race_for_its_number_takes_the_next(db, world, texts):
    """Between reading the last number and storing its own, another publication takes it:
    the unique number refuses this one, whose savepoint is undone, and the next attempt sets
    the report's year, date and record again and takes the following number."""
    recommendation, statement, _elsewhere = texts
    mine = composed(db, world, recommendation, statement, group=False)
    rival = composed(db, world, recommendation, statement, group=False)
    year = utcnow().year
    asked: list[int] = []

    def number(sequence: int) -> str:
        if not asked:  # as another transaction would: no flush of this session's changes
            db.connection().execute(
                update(Report)
                .where(Report.id == rival.id)
                .values(
                    year=year,
                    sequence=sequence,
                    number=f"R-{year}-{sequence:02d}",
                    published_at=utcnow(),
                    record="{}",
                )
            )
        asked.append(sequence)
        return f"R-{year}-{sequence:02d}"

    def prepare() -> None:
        mine.published_at = mine.updated_at = utcnow()
        mine.record = "{}"

    numbering.insert_numbered(
        db,
        mine,
        series=[Report.working_group_id.is_(None)],
        year=year,
        number=number,
        failure="lost",
        prepare=prepare,
    )
    assert asked == [1, 2]
    db.expire_all()
    assert (db.get(Report, rival.id).number, mine.number) == (f"R-{year}-01", f"R-{year}-02")
    stored = db.get(Report, mine.id)
    assert (stored.year, stored.sequence, stored.record) == (year, 2, "{}")


# the published report


def test_the_published_page_has_a_table_of_contents_and_every_section_and_text(
    client, db, world, texts, published
):
    recommendation, statement, _elsewhere = texts
    response = client.get(f"/reports/{published.number}")

    assert response.status_code == 200
    html = response.text
    contents = re.search(r'<nav class="report-contents".*?</nav>', html, re.S)[0]
    for anchor in (
        "#foreword",
        "#section-1",
        "#section-2",
        f"#item-{recommendation.number}",
        f"#item-{statement.number}",
    ):
        assert f'href="{anchor}"' in contents
        assert f'id="{anchor[1:]}"' in html
    for words in (
        WORDS["en"]["heading_0"],
        WORDS["en"]["heading_1"],
        WORDS["en"]["title"],
        WORDS["en"]["intro_0"],
        "<strong>first year</strong>",
        STATEMENT,
        "Workers must never pay recruitment fees.",
        "Mexico reads 50,000 as a ceiling.",
        "The chair thanks every delegation.",
    ):
        assert words in html, words
    follow_up = re.search(r'<div class="report-followup">.*?</section>', html, re.S)[0]
    assert "Mexico" in follow_up and "Under way" in follow_up and "No report yet" in follow_up
    assert NARRATIVE not in html  # a status, not the narrative
    for name in people_named(world):
        assert name not in html
    assert response.headers["cache-control"] == "public, max-age=60"
    again = client.get(
        f"/reports/{published.number}", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304

    listed = client.get("/reports")
    assert f'href="http://testserver/reports/{published.number}"' in listed.text
    assert WORDS["en"]["title"] in listed.text
    for name in people_named(world):
        assert name not in listed.text
    assert 'href="http://testserver/reports"' in client.get("/recommendations").text


def test_a_signed_in_reader_gets_a_private_copy_and_a_private_council_hides_reports(
    client, db, world, published
):
    sign_in(client, world.observer)
    assert client.get(f"/reports/{published.number}").headers["cache-control"] == (
        "private, no-store"
    )
    client.cookies.clear()
    make_public(db, False)
    for url in (f"/reports/{published.number}", f"/reports/{published.number}.pdf", "/reports"):
        refused = client.get(url, follow_redirects=False)
        assert refused.status_code == 303, url
        assert refused.headers["location"].startswith("http://testserver/sign-in")


def test_each_language_version_has_its_words_and_the_texts_in_that_language(
    client, db, world, texts, published
):
    number = published.number
    spanish = client.get(f"/reports/{number}?lang=es").text
    for key in ("title", "heading_0", "heading_1", "intro_0", "intro_1"):
        assert WORDS["es"][key] in spanish, key
    assert "El Consejo informa sobre su <strong>primer año</strong>." in spanish
    assert "Los trabajadores nunca deben pagar tarifas de contratación." in spanish
    assert "Workers must never pay recruitment fees." not in spanish
    assert "Vías migratorias alternativas" in spanish
    french = client.get(f"/reports/{number}?lang=fr").text
    assert WORDS["fr"]["heading_1"] in french
    assert "Les travailleurs ne doivent jamais payer de frais de recrutement." in french
    assert "Protocoles frontaliers" in french  # the statement's title in French

    # the words around it follow the reader; the version follows the reader too by default
    reader = client.get(f"/reports/{number}", headers={"Accept-Language": "es"}).text
    assert "Descargar en PDF" in reader and WORDS["es"]["title"] in reader
    assert (
        "Télécharger en PDF"
        in client.get(f"/reports/{number}?lang=en", headers={"Accept-Language": "fr"}).text
    )
    assert client.get(f"/reports/{number}?lang=de").status_code == 404


def outline(reader) -> list[tuple[int, str]]:
    """(depth, title) of every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title))

    walk(reader.outline, 1)
    return found


def test_the_pdf_is_tagged_with_a_bookmark_for_every_section_and_text_in_each_language(
    client, db, world, texts, published
):
    for language in LANGUAGES:
        check_pdf(client, world, texts, published, language)


def check_pdf(client, world, texts, published, language):
    recommendation, statement, _elsewhere = texts
    response = client.get(
        f"/reports/{published.number}.pdf?lang={language}", headers={"Accept-Language": language}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'inline; filename="{published.number}-{language}.pdf"'
    )
    reader, text = read(response.content)
    words = WORDS[language]
    marks = outline(reader)
    assert marks[0] == (1, words["title"])
    assert (2, words["heading_0"]) in marks and (2, words["heading_1"]) in marks
    sections = [title for depth, title in marks if depth == 2]
    assert len(sections) == 3  # the foreword and the two sections
    items = [title for depth, title in marks if depth == 3]
    assert len(items) == 2
    assert items[0].startswith(recommendation.number) and items[1].startswith(statement.number)
    for key in ("heading_0", "heading_1", "intro_0", "intro_1"):
        assert words[key] in text, key
    assert STATEMENT in text
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/Lang"] == language
    for name in people_named(world):
        assert name not in text
    if language == "es":
        assert "Página 1 de" in text


def test_the_pdf_made_by_a_download_is_kept_for_the_next(app, client, db, database, published):
    first = client.get(f"/reports/{published.number}.pdf")
    app.state.bookkeeping.flush(database)
    stored = db.exec(select(ReportPdf)).all()
    assert [row.language for row in stored] == ["en:en"]
    assert stored[0].etag == first.headers["etag"]
    second = client.get(
        f"/reports/{published.number}.pdf", headers={"If-None-Match": first.headers["etag"]}
    )
    assert second.status_code == 304


def test_the_feeds_carry_the_report(client, db, world, published):
    for url in (
        "/recommendations.atom",
        f"/groups/{world.group.slug}/recommendations.atom",
        "/recommendations.atom?lang=fr",
    ):
        response = client.get(url)
        feed = feedparser.parse(response.content)
        entries = [e for e in feed.entries if "/reports/" in e.link]
        assert len(entries) == 1, url
        entry = entries[0]
        language = "fr" if "lang=fr" in url else "en"
        assert entry.title == f"{published.number} · {WORDS[language]['title']}"
        assert entry.link == f"http://testserver/reports/{published.number}?lang={language}"
        assert WORDS[language]["heading_1"] in entry.content[0].value
        for name in people_named(world):
            assert name not in response.text
    narratives = client.get("/groups/narratives/recommendations.atom").text
    assert published.number not in narratives


def test_the_list_of_reports_takes_the_same_queries_whatever_their_number(
    client, db, world, texts, queries
):
    recommendation, statement, _elsewhere = texts
    reports.publish(db, composed(db, world, recommendation, statement), by=world.chair)
    db.commit()
    client.get("/reports")
    queries.reset()
    assert client.get("/reports").status_code == 200
    one = len(queries)
    for _ in range(4):
        reports.publish(
            db, composed(db, world, recommendation, statement, group=False), by=world.secretariat
        )
    db.commit()
    queries.reset()
    page = client.get("/reports")
    assert page.text.count('href="http://testserver/reports/R-') == 4
    assert len(queries) == one
