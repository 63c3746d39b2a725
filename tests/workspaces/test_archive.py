"""A council archive: exported from one instance, imported into a fresh one on the other
database (SQLite to PostgreSQL and back, when the tests have a PostgreSQL server), where the
audit chain verifies and the same pages render the same content."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council import archive, audit, backup, rows
from council.app import create_app
from council.database import Database, utcnow
from council.models import Council, Seat
from council.permissions import load_actor
from tests.conftest import TEST_SECRET, csrf_from, make_settings, post_form, sign_in
from tests.factories import make_chair, make_group
from tests.workspaces.pdfs import make_pdf
from tests.workspaces.publishing import adopt, public_world, translate
from tests.workspaces.test_drafts import start
from workspaces import comments, documents, recommendations, rounds, statements
from workspaces.round_models import RoundKind
from workspaces.rounds import PositionForm

SPANISH = (
    "Vías laborales",
    {
        "The member states should increase labour migration pathways by at least 50,000 places.": (
            "Los Estados miembros deberían aumentar las vías de migración laboral en al menos "
            "50.000 plazas."
        )
    },
)
UPLOAD = Path("exports/annex.pdf")  # a file of the var directory no row names


def seed(settings) -> dict:
    """A public council in two languages: two recommendations (the later supersedes the
    earlier), a failed round's published chair's statement, a comment thread, a document in
    the library; a checkpoint and another file in its var directory."""
    url, var_dir = settings.database_url, settings.var_dir
    database = Database.from_url(url)
    try:
        with database.transaction() as db:
            world = public_world(db)
            council = db.exec(select(Council)).one()
            council.official_languages = "en,es"
            world.mexico.name_translations = json.dumps({"es": "México"})
            db.add_all([council, world.mexico])
            when = utcnow() - timedelta(days=3)
            first = adopt(
                db,
                world,
                versions={"es": SPANISH},
                when=when,
                reservation="Only with funding.",
                statement="Thanks to all seats.",
            )
            protection = make_group(
                db,
                seats=[world.mexico, world.canada, world.network],
                name="Humanitarian protection",
                slug="protection",
                number=91,
            )
            make_chair(db, protection, world.network, world.chair)
            later = adopt(
                db,
                dataclasses.replace(world, group=protection),
                title="Labour pathways, revised",
                versions={"es": SPANISH},
                when=when + timedelta(days=1),
            )
            recommendations.supersede(
                db, first, by_number=later.number, reason="Revised.", by=world.secretariat
            )
            draft = start(db, world, title="Recruitment fees", text="Fees are banned.")
            thread = comments.post_comment(
                db,
                by=world.member,
                draft=draft,
                body="Agreed?",
                paragraph_id=None,
                revision_number=1,
            )
            comments.reply(db, by=world.colleague, to=thread, body="Agreed.", revision_number=1)
            failed = start(db, world, title="Border closures", text="Close the borders.")
            translate(db, world, failed, "es", "Cierre de fronteras", {})
            round_ = rounds.open_round(
                db,
                by=world.chair,
                draft=failed,
                kind=RoundKind.DECISION,
                deadline=utcnow() + timedelta(days=1),
            )
            rounds.cast_position(
                db,
                round_,
                by=world.member,
                seat=db.get(Seat, world.mexico.id),
                form=PositionForm("object", reason="Not acceptable."),
            )
            rounds.close_round(db, round_, by=world.chair, statement="No consensus today.")
            statement = statements.publish(db, round_, by=world.chair)
            pdf = make_pdf("Migración laboral circular en la región")
            document = documents.upload(
                db,
                actor=load_actor(db, world.member, utcnow()),
                council=council,
                form=documents.DocumentForm(
                    title="Regional study",
                    authors="Task force",
                    issued_on="2025-03-14",
                    language="es",
                    visibility="members",
                    summary="",
                    filed_under="pathways",
                ),
                file=documents.Upload("study.pdf", len(pdf), lambda: pdf),
                folder=settings.documents_dir,
                max_bytes=settings.max_upload_bytes,
                now=utcnow(),
            )
            seeded = {
                "document": document.id,
                "document_sha256": document.sha256,
                "recommendation": first.number,
                "later": later.number,
                "statement": statement.number,
                "draft": draft.id,
                "round": round_.id,
                "member": world.member,
            }
        with database.transaction() as db:
            audit.checkpoint(
                db, key=audit.signing_key(TEST_SECRET), path=var_dir / audit.CHECKPOINT_FILE
            )
    finally:
        database.dispose()
    (var_dir / UPLOAD).parent.mkdir(parents=True)
    (var_dir / UPLOAD).write_bytes(b"%PDF-1.7 evidence")
    return seeded


@pytest.fixture(scope="module")
def council(fresh_databases, tmp_path_factory):
    """A council the tests export (and read as its members): its settings and what seed()
    made."""
    source = make_settings(fresh_databases.create(), tmp_path_factory.mktemp("source"))
    return source, seed(source)


PUBLIC_PAGES = (
    "/recommendations/{recommendation}",
    "/recommendations/{recommendation}?lang=es",
    "/recommendations/{later}",
    "/recommendations",
    "/recommendations?q=migracion",
    "/statements/{statement}",
    "/api/v1/recommendations/{recommendation}",
    "/open-data/recommendations.jsonl",
    "/open-data/statements.jsonl",
)
MEMBER_PAGES = (
    "/drafts/{draft}",
    "/rounds/{round}",
    "/",
    "/documents?q=migracion+circ",
    "/documents/{document}/file",
)
LIVE_CURSOR = re.compile(r"after=[\w-]+")


def pages(settings, seeded: dict) -> dict[str, str]:
    """The bodies of a few public pages, and of member pages as the Mexican delegate reads
    them (the CSRF token, which is bound to the session, left out)."""
    database = Database.from_url(settings.database_url)
    try:
        with TestClient(create_app(settings, database=database)) as client:
            found = {}
            for path in PUBLIC_PAGES:
                response = client.get(path.format(**seeded))
                assert response.status_code == 200, path
                found[path] = response.text
            sign_in(client, seeded["member"])
            for path in MEMBER_PAGES:
                response = client.get(path.format(**seeded))
                assert response.status_code == 200, path
                found[path] = response.text
                if "csrf_token" in response.text:
                    # the token and the live pages' event cursor: the session's, the process's
                    found[path] = LIVE_CURSOR.sub(
                        "after=", response.text.replace(csrf_from(response.text), "CSRF")
                    )
            return found
    finally:
        database.dispose()


def comment(settings, seeded: dict) -> int:
    """The member comments on the draft through the form: new rows (a comment, a
    notification, an audit record) after the imported ones; the status of the answer."""
    database = Database.from_url(settings.database_url)
    try:
        with TestClient(create_app(settings, database=database)) as client:
            sign_in(client, seeded["member"])
            draft = f"/drafts/{seeded['draft']}"
            return post_form(
                client,
                f"{draft}/comments",
                {"body": "After the move."},
                page=draft,
                follow_redirects=False,
            ).status_code
    finally:
        database.dispose()


def other_backend_url(fresh_databases, tmp_path: Path) -> str:
    """A fresh empty database on the other kind of database when there is a PostgreSQL
    server, else another SQLite file."""
    if fresh_databases.backend == "postgresql":
        return f"sqlite:///{tmp_path / 'council.db'}"
    return fresh_databases.create(migrate=False)


def test_an_archive_moves_a_council_to_the_other_database_and_back(
    council, fresh_databases, tmp_path
):
    source, seeded = council
    pages(source, seeded)  # the member's first visit, noted: the archive holds it
    before = pages(source, seeded)
    assert "Los Estados miembros" in before["/recommendations/{recommendation}?lang=es"]
    assert seeded["recommendation"] in before["/recommendations?q=migracion"]
    assert "Regional study" in before["/documents?q=migracion+circ"]

    archive.export(source, tmp_path / "archive")

    there = make_settings(other_backend_url(fresh_databases, tmp_path), tmp_path / "there")
    imported = archive.import_(there, tmp_path / "archive")
    assert imported.ok, (imported.problems, imported.verification)
    assert imported.verification.checkpoints == 1
    assert pages(there, seeded) == before

    manifest = archive.export(there, tmp_path / "again")
    back = make_settings(fresh_databases.create(migrate=False), tmp_path / "back")
    returned = archive.import_(back, tmp_path / "again")
    assert returned.ok, (returned.problems, returned.verification)
    database = Database.from_url(back.database_url)
    try:
        with database.engine.connect() as connection:
            assert rows.summarise(connection) == manifest["tables"]
    finally:
        database.dispose()
    assert pages(back, seeded) == before
    assert comment(back, seeded) == 303
    assert backup.check(back, manifest).verification.ok
    assert (back.var_dir / UPLOAD).read_bytes() == b"%PDF-1.7 evidence"


def test_an_archive_holds_records_texts_and_files(council, tmp_path):
    source, seeded = council
    folder = tmp_path / "archive"

    manifest = archive.export(source, folder)

    assert manifest["format"] == "council-archive"
    assert manifest["schema_version"] and "," not in manifest["schema_version"]
    chain = [
        json.loads(line)
        for line in (folder / manifest["audit"]["records_file"]).read_text().splitlines()
    ]
    assert len(chain) == manifest["audit"]["records"] == manifest["tables"]["audit_record"]["rows"]
    assert chain[-1]["hash"] == manifest["audit"]["head"]
    assert all(
        record["prev_hash"] == previous["hash"]
        for previous, record in zip(chain, chain[1:], strict=False)
    )
    recommendation = (
        folder / "texts" / "recommendations" / f"{seeded['recommendation']}.es.md"
    ).read_text()
    assert recommendation.startswith("# Vías laborales\n")
    assert "**1.** Los Estados miembros" in recommendation
    assert (
        "[^1]: Mexico: Only with funding." in recommendation
        or "[^1]: México: Only with funding." in recommendation
    )
    revision = (folder / "texts" / "drafts" / str(seeded["draft"]) / "revision-1.md").read_text()
    assert revision.startswith("# Recruitment fees\n") and "Fees are banned." in revision
    assert (
        "No consensus today."
        in (folder / "texts" / "statements" / f"{seeded['statement']}.md").read_text()
    )
    assert set(manifest["files"]) == {
        "audit-checkpoints.jsonl",
        UPLOAD.as_posix(),
        f"documents/{seeded['document_sha256']}.pdf",
    }
    for name, sha256 in manifest["texts"].items():
        assert backup.sha256_of(folder / name) == sha256


def test_an_import_refuses_a_council_and_a_damaged_archive_and_keeps_nothing_of_it(
    council, fresh_databases, tmp_path
):
    """Then the commands export the council and import it into that database, still empty."""
    from click.testing import CliRunner

    from council.cli import main

    source, _seeded = council
    folder = tmp_path / "archive"
    manifest = archive.export(source, folder)

    with pytest.raises(backup.OperationError, match="already holds a council"):
        archive.import_(make_settings(source.database_url, tmp_path / "other"), folder)

    empty = make_settings(fresh_databases.create(), tmp_path / "empty")
    seats = folder / "records" / "seat.jsonl"
    seats.write_text(seats.read_text().replace("Canada", "Kanada"))
    with pytest.raises(backup.OperationError, match="seat: the rows differ"):
        archive.import_(empty, folder)
    backup.refuse_unless_empty(empty.database_url)  # nothing was kept

    seats.write_text(seats.read_text().replace("Kanada", "Canada") + '{"planet": "Mars"}\n')
    with pytest.raises(backup.OperationError, match="records cannot be read"):
        archive.import_(empty, folder)

    seats.write_text("".join(seats.read_text().splitlines(keepends=True)[:-1]))
    manifest["schema_version"] = "0123456789ab"
    backup.write_manifest(folder, manifest)
    with pytest.raises(backup.OperationError, match="schema version 0123456789ab"):
        archive.import_(empty, folder)
    backup.refuse_unless_empty(empty.database_url)

    def env(url: str, var_dir: Path) -> dict[str, str]:
        return {
            "COUNCIL_DATABASE_URL": url,
            "COUNCIL_VAR_DIR": str(var_dir),
            "COUNCIL_SECRET_KEY": TEST_SECRET,
            "COUNCIL_LANGUAGE": "en",
        }

    runner = CliRunner()
    exported = runner.invoke(
        main, ["export", str(tmp_path / "again")], env=env(source.database_url, source.var_dir)
    )
    assert exported.exit_code == 0, exported.output
    assert "rows, the texts and the var files to" in exported.output
    imported = runner.invoke(
        main, ["import", str(tmp_path / "again")], env=env(empty.database_url, empty.var_dir)
    )
    assert imported.exit_code == 0, imported.output
    assert "every table agrees with the manifest" in imported.output
    assert re.search(r"The audit log is intact: \d+ records verified\.", imported.output)
    verified = runner.invoke(
        main, ["audit", "verify", "--published"], env=env(empty.database_url, empty.var_dir)
    )
    assert verified.exit_code == 0, verified.output
