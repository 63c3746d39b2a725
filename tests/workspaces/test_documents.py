"""The evidence library over HTTP: uploads checked by content and size, files kept under the var
directory by digest and served so that nothing in them runs, text extraction feeding the search,
who reads what (a members-only document is not found by those who may not read it), edits and
withdrawals in the audit log, and a flat number of queries for the list."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council.app import create_app
from council.database import utcnow
from council.models import AuditRecord
from council.permissions import load_actor
from tests.conftest import make_settings, post_form, sign_in
from tests.factories import make_person
from tests.workspaces.pdfs import make_pdf
from tests.workspaces.publishing import make_public
from tests.workspaces.test_drafts import build_group
from workspaces import documents
from workspaces.document_models import Document, DocumentText, Visibility

FIELDS = {
    "title": "Labour migration in Central America",
    "authors": "Regional task force",
    "issued_on": "2025-03-14",
    "language": "en",
    "visibility": "members",
    "summary": "Why circular labour programmes work.",
    "filed_under": "pathways",
}


@pytest.fixture
def world(db):
    world = build_group(db)
    db.commit()
    return world


def upload(
    client, pdf: bytes, *, name: str = "paper.pdf", content_type="application/pdf", **fields
):
    return post_form(
        client,
        "/documents/new",
        {**FIELDS, **fields},
        files={"file": (name, pdf, content_type)},
        follow_redirects=False,
    )


def add(
    db, settings, person, *, text: str = "Circular labour migration", javascript=False, **fields
) -> Document:
    """A document uploaded the real way (the domain function), committed."""
    pdf = make_pdf(text, javascript=javascript)
    form = documents.DocumentForm(**{**FIELDS, **fields})
    document = documents.upload(
        db,
        actor=load_actor(db, person, utcnow()),
        council=_council(db),
        form=form,
        file=documents.Upload("paper.pdf", len(pdf), lambda: pdf),
        folder=settings.documents_dir,
        max_bytes=settings.max_upload_bytes,
        now=utcnow(),
    )
    db.commit()
    return document


def _council(db):
    from council.models import Council

    return db.exec(select(Council)).first()


def stored_files(settings) -> list[str]:
    return sorted(
        p.name for p in settings.var_dir.rglob("*") if p.is_file() and p.name != "secret_key"
    )


# uploading


def test_an_upload_is_stored_under_the_var_directory_by_its_digest(client, db, world, settings):
    import hashlib

    pdf = make_pdf("Circular labour migration works", "Second page")
    sign_in(client, world.member)
    answer = upload(client, pdf, name="../../etc/passwd.pdf")
    assert answer.status_code == 303, answer.text
    document = db.exec(select(Document)).one()
    assert answer.headers["location"].endswith(f"/documents/{document.id}")
    digest = hashlib.sha256(pdf).hexdigest()
    # the file, named by its digest in the documents folder, and nothing else anywhere
    assert (settings.var_dir / "documents" / f"{digest}.pdf").read_bytes() == pdf
    assert stored_files(settings) == [f"{digest}.pdf"]
    # the name it had is only shown, cleaned of its folders
    assert (document.sha256, document.file_name, document.size) == (digest, "passwd.pdf", len(pdf))
    assert (document.working_group_id, document.pages, document.visibility) == (
        world.group.id,
        2,
        Visibility.MEMBERS,
    )
    assert "Second page" in db.get(DocumentText, document.id).text
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "document.uploaded")).one()
    assert (record.actor_id, record.target_id) == (world.member.id, str(document.id))
    assert digest in record.details
    page = client.get(f"/documents/{document.id}")
    assert "passwd.pdf" in page.text and "Labour migration in Central America" in page.text
    download = client.get(f"/documents/{document.id}/file")
    assert download.content == pdf
    assert download.headers["content-disposition"] == 'attachment; filename="passwd.pdf"'


@pytest.mark.parametrize(
    "name, shown",
    [
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("/etc/passwd", "passwd.pdf"),
        ("report\u202efdp.exe", "reportfdp.exe.pdf"),  # no right-to-left override to hide ".exe"
        (".hidden.pdf", "hidden.pdf"),
        ("", "document.pdf"),
    ],
)
def test_names_with_folders_and_tricks_are_harmless(name, shown):
    assert documents.clean_file_name(name) == shown


def test_an_oversized_file_is_refused_with_the_rest_of_the_form_filled_in(
    database, database_url, db, tmp_path, world
):
    settings = make_settings(database_url, tmp_path, max_upload_bytes=3_000)
    pdf = make_pdf("x" * 4_000)
    with TestClient(create_app(settings, database=database)) as client:
        sign_in(client, world.member)
        answer = upload(client, pdf, title="A long paper on pathways")
    assert answer.status_code == 413
    assert "This file is larger than" in answer.text
    assert 'value="A long paper on pathways"' in answer.text
    assert "Why circular labour programmes work." in answer.text
    assert "Choose the file again" in answer.text
    assert db.exec(select(Document)).all() == []
    assert stored_files(settings) == []


def test_a_body_far_over_the_limit_is_cut_off(database, database_url, db, tmp_path, world):
    settings = make_settings(database_url, tmp_path, max_upload_bytes=3_000, max_body_bytes=2_000)
    with TestClient(create_app(settings, database=database)) as client:
        sign_in(client, world.member)
        answer = upload(client, make_pdf("x" * 9_000))
    assert answer.status_code == 413
    assert "What you sent is too large" in answer.text
    assert db.exec(select(Document)).all() == []


def test_the_fields_beside_a_file_stay_within_the_ordinary_limit(
    database, database_url, db, tmp_path, world
):
    """Only files may be large (they go to disk): the fields are held to the limit of a form
    without files, whatever the upload limit."""
    settings = make_settings(database_url, tmp_path, max_body_bytes=2_000)
    with TestClient(create_app(settings, database=database)) as client:
        sign_in(client, world.member)
        answer = upload(client, make_pdf("A small paper"), summary="x" * 3_000)
    assert answer.status_code == 413
    assert db.exec(select(Document)).all() == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"MZ\x90\x00 an executable named like a paper", "This file is not a PDF"),
        (b"<html><script>alert(1)</script></html>", "This file is not a PDF"),
        (b"%PDF-1.7\nnothing a reader can make sense of", "This PDF cannot be read"),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(
    client, db, world, settings, content, message
):
    sign_in(client, world.member)
    answer = upload(client, content, name="paper.pdf")
    assert answer.status_code == 422
    assert message in answer.text
    assert 'value="Labour migration in Central America"' in answer.text
    assert db.exec(select(Document)).all() == []
    assert stored_files(settings) == []


def test_the_fields_are_checked_with_the_file(client, db, world):
    sign_in(client, world.member)
    answer = upload(client, b"not a pdf", title="", issued_on="14/03/2025")
    assert answer.status_code == 422
    for message in (
        "Give the document&#39;s title.",
        "Give the document&#39;s date",
        "This file is not a PDF",
    ):
        assert message in answer.text


def test_observers_may_not_upload_and_nobody_files_where_they_do_not_sit(client, db, world):
    sign_in(client, world.observer)
    assert client.get("/documents/new").status_code == 403
    client.cookies.clear()
    sign_in(client, world.outsider)  # a member state of another group
    page = client.get("/documents/new")
    assert page.status_code == 200
    assert 'value="pathways"' not in page.text and 'value="council"' in page.text
    answer = upload(client, make_pdf("Evidence"))  # filed under pathways all the same
    assert answer.status_code == 422
    assert "Choose the council, or a working group you take part in." in answer.text
    assert db.exec(select(Document)).all() == []


# serving


def test_a_pdf_with_scripts_is_only_downloaded_in_a_sandbox(client, db, world, settings):
    document = add(db, settings, world.member, javascript=True)
    assert document.has_scripts
    sign_in(client, world.colleague)
    answer = client.get(f"/documents/{document.id}/file")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["content-security-policy"].startswith("sandbox")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "private, no-store"  # members only
    assert b"/JavaScript" in answer.content
    assert "This PDF contains scripts." in client.get(f"/documents/{document.id}").text


def test_who_reads_a_members_only_document(client, db, world, settings):
    document = add(db, settings, world.member)
    seatless = make_person(db)
    db.commit()
    urls = (f"/documents/{document.id}", f"/documents/{document.id}/file")
    for person in (world.colleague, world.chair, world.secretariat, world.outsider):
        client.cookies.clear()
        sign_in(client, person)
        assert [client.get(url).status_code for url in urls] == [200, 200], person.name
    for person in (world.observer, seatless):  # not found, rather than refused
        client.cookies.clear()
        sign_in(client, person)
        assert [client.get(url).status_code for url in urls] == [404, 404], person.name
        assert document.title not in client.get("/documents").text
    client.cookies.clear()
    for url in urls:  # the public: asked to sign in where the council does not publish
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303 and "/sign-in" in answer.headers["location"]
    make_public(db)
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert document.title not in client.get("/documents").text


def test_the_public_reads_a_public_document_where_the_council_publishes(
    client, db, world, settings
):
    document = add(db, settings, world.member, visibility="public")
    url = f"/documents/{document.id}/file"
    assert client.get(url, follow_redirects=False).status_code == 303
    make_public(db)
    page = client.get(f"/documents/{document.id}")
    assert page.status_code == 200 and document.title in page.text
    assert 'name="csrf_token"' not in page.text
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=60"
    assert answer.headers["etag"] == f'"{document.sha256}"'
    again = client.get(url, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    assert document.title in client.get("/documents").text


def test_the_text_of_the_pdf_feeds_the_search(client, db, world, settings):
    found = add(
        db,
        settings,
        world.member,
        text="Migración laboral circular en la región",
        title="Regional study",
        summary="",
    )
    add(db, settings, world.member, text="Asylum procedures", title="Protection study", summary="")
    sign_in(client, world.colleague)
    page = client.get("/documents?q=migracion+circ")
    assert "Regional study" in page.text and "Protection study" not in page.text
    assert f"/documents/{found.id}" in page.text
    assert "Regional study" not in client.get("/documents?q=asylum").text
    by_language = client.get("/documents?language=fr")
    assert "Regional study" not in by_language.text and "0 documents" in by_language.text


# editing and withdrawing


def test_edits_and_withdrawals_are_audited_and_a_withdrawn_file_is_served_no_more(
    client, db, world, settings
):
    document = add(db, settings, world.member)
    sign_in(client, world.member)  # its uploader
    url = f"/documents/{document.id}"
    answer = post_form(
        client,
        f"{url}/edit",
        {**FIELDS, "title": "Circular migration", "visibility": "public"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    db.expire_all()
    assert (db.get(Document, document.id).title, db.get(Document, document.id).visibility) == (
        "Circular migration",
        "public",
    )
    assert "Circular migration" in client.get("/documents?q=circular").text
    client.cookies.clear()
    sign_in(client, world.colleague)  # neither its uploader nor the chair
    assert client.get(f"{url}/withdraw").status_code == 403
    client.cookies.clear()
    sign_in(client, world.chair)
    refused = post_form(client, f"{url}/withdraw", {"reason": ""})
    assert refused.status_code == 422
    answer = post_form(
        client,
        f"{url}/withdraw",
        {"reason": "Superseded by a newer edition."},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(url)
    assert "Withdrawn from the library" in page.text
    assert "Superseded by a newer edition." in page.text
    assert client.get(f"{url}/file").status_code == 404
    assert client.get(f"{url}/edit").status_code == 409
    assert "Circular migration" not in client.get("/documents").text
    actions = db.exec(
        select(AuditRecord.action)
        .where(AuditRecord.target_type == "Document")
        .order_by(AuditRecord.id)
    ).all()
    assert actions == ["document.uploaded", "document.edited", "document.withdrawn"]
    edited = db.exec(select(AuditRecord).where(AuditRecord.action == "document.edited")).one()
    assert '"visibility": ["members", "public"]' in edited.details


# the list


def test_the_list_runs_the_same_queries_for_two_documents_or_seven(
    client, db, world, settings, queries
):
    sign_in(client, world.colleague)
    counts = []
    for total in (2, 7):
        while len(db.exec(select(Document)).all()) < total:
            add(db, settings, world.member, visibility="public")
        queries.reset()
        page = client.get("/documents")
        assert page.status_code == 200
        assert len(re.findall(r'id="doc-\d+"', page.text)) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_group_page_lists_its_documents(client, db, world, settings):
    add(db, settings, world.member, title="Pathways evidence")
    sign_in(client, world.colleague)
    page = client.get("/groups/pathways")
    assert "Pathways evidence" in page.text
    assert "/documents/new?group=pathways" in page.text
