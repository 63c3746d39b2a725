"""The PDF of a recommendation: made with WeasyPrint on the first download, kept (by the
bookkeeping after the download, never by the download itself), made again when stale, in the
reader's language, and never fetching anything but static files."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import select
from starlette.testclient import TestClient

from council import i18n
from council.models import Council
from council.web import strong_etag
from tests.workspaces.publishing import adopt, public_world
from tests.workspaces.test_drafts import TEXT
from workspaces import pdf, rendering
from workspaces.recommendation_models import RecommendationPdf

RESERVATION = "Mexico reads 50,000 as a ceiling, not a floor."
STATEMENT = "The observers welcome the programmes for seasonal workers."


@pytest.fixture
def world(db):
    return public_world(db)


@pytest.fixture
def client(app) -> TestClient:
    """Without the application's lifespan: no background task writes the notes, the tests
    flush them (`keep`)."""
    return TestClient(app, base_url="http://testserver")


@pytest.fixture
def keep(app, database):
    """Write what the downloads noted, as the application does every few seconds."""
    return lambda: app.state.bookkeeping.flush(database)


@pytest.fixture
def published(db, world):
    item = adopt(
        db,
        world,
        title="Labour pathways for seasonal work",
        reservation=RESERVATION,
        observer_statement=STATEMENT,
    )
    db.commit()
    return item


def read(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def stored_pdfs(db) -> int:
    return db.exec(select(func.count()).select_from(RecommendationPdf)).one()


def test_anonymous_readers_download_the_recommendation_as_a_pdf(client, db, published):
    response = client.get(f"/recommendations/{published.number}.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (f'inline; filename="{published.number}.pdf"')
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.content.startswith(b"%PDF-")
    reader, text = read(response.content)
    assert len(reader.pages) >= 1
    assert reader.metadata.title == f"{published.number} · Labour pathways for seasonal work"
    assert reader.metadata.author == "Test Council on Migration"
    assert published.number in text
    assert "Labour pathways for seasonal work" in text
    assert "Workers must never pay recruitment fees." in text
    assert RESERVATION in text and STATEMENT in text
    assert "Adoption record" in text and "Positions of the seats" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    # seats, never people
    for name in ("Jorge Castañeda", "Claire Tremblay", "Rosa Pacheco"):
        assert name not in text


def test_the_pdf_follows_the_readers_language(client, db, published, keep):
    english = client.get(f"/recommendations/{published.number}.pdf")
    spanish = client.get(
        f"/recommendations/{published.number}.pdf", headers={"Accept-Language": "es"}
    )

    assert spanish.status_code == 200 and spanish.headers["content-language"] == "es"
    assert spanish.headers["etag"] != english.headers["etag"]
    _reader, text = read(spanish.content)
    assert published.number in text and "Labour pathways for seasonal work" in text
    assert "Página 1 de" in text
    # the adopted text keeps its own language
    assert "Workers must never pay recruitment fees." in text
    assert stored_pdfs(db) == 0  # the downloads wrote nothing
    keep()
    assert stored_pdfs(db) == 2


def test_the_pdf_is_kept_and_revalidated_with_its_etag(client, app, db, published, keep):
    url = f"/recommendations/{published.number}.pdf"
    first = client.get(url)
    assert stored_pdfs(db) == 0
    # until it is written, this process serves the one it made, without making it again
    made = app.state.bookkeeping.pending(pdf.MADE, (published.id, "en"))
    assert made.data == first.content
    assert client.get(url).content == first.content
    assert app.state.bookkeeping.pending(pdf.MADE, (published.id, "en")) is made
    assert keep() == 1
    assert stored_pdfs(db) == 1
    kept = db.exec(select(RecommendationPdf)).one()
    assert kept.language == "en" and kept.data == first.content
    assert kept.etag == first.headers["etag"] == strong_etag(first.content)

    document = pdf.stored(db, published, "en")
    assert document.fresh is False and document.row.data == first.content
    second = client.get(url)
    assert second.status_code == 200 and second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    not_modified = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert stored_pdfs(db) == 1


def test_a_changed_recommendation_gets_a_new_pdf(client, db, published, keep):
    url = f"/recommendations/{published.number}.pdf"
    first = client.get(url)
    keep()
    published.updated_at = published.updated_at + timedelta(minutes=5)
    db.add(published)
    db.commit()

    assert pdf.stored(db, published, "en").fresh is True
    second = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    kept = db.exec(select(RecommendationPdf)).one()
    db.refresh(kept)
    assert kept.data == first.content  # the download wrote nothing
    keep()
    db.refresh(kept)
    assert second.headers["etag"] != first.headers["etag"]
    assert kept.version == pdf.version(published)
    assert kept.version.startswith(rendering.version(published))
    assert kept.data == second.content
    assert pdf.stored(db, published, "en").fresh is False


def test_a_longer_text_makes_more_pages(db, world, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    short = adopt(db, world, title="Short")
    long_text = "\n\n".join(
        [TEXT]
        + [
            f"Paragraph {n}: the member states report every year on the programmes, the places "
            "offered, the fees refused and the complaints of workers, so that the council can "
            "compare the pathways and correct them where they fail the people who use them."
            for n in range(60)
        ]
    )
    long = adopt(db, world, title="Long", text=long_text)

    short_pages = len(read(pdf.stored(db, short, "en").row.data)[0].pages)
    long_reader, long_words = read(pdf.stored(db, long, "en").row.data)
    assert short_pages >= 1
    assert len(long_reader.pages) > short_pages
    assert "Paragraph 59:" in long_words
    assert f"Page {len(long_reader.pages)} of {len(long_reader.pages)}" in long_words
    # the running header names the council on the pages after the first
    assert "Test Council on Migration" in long_reader.pages[1].extract_text()
    # nothing refused or ignored: no fetch, no invalid CSS
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_private_councils_do_not_give_the_pdf_to_anonymous_readers(client, db, published):
    council = db.exec(select(Council)).one()
    council.public_recommendations = False
    db.add(council)
    db.commit()

    response = client.get(f"/recommendations/{published.number}.pdf", follow_redirects=False)
    assert response.status_code in (302, 303, 401, 403)
    assert stored_pdfs(db) == 0


def test_the_url_fetcher_serves_static_files_and_refuses_everything_else():
    fetcher = pdf.static_fetcher()
    stylesheet = fetcher.fetch(pdf.STYLESHEET.as_uri())
    assert stylesheet.read() == pdf.STYLESHEET.read_bytes()
    assert stylesheet.content_type == "text/css"

    outside = pdf.STATIC_DIR.parent / "pyproject.toml"
    for url in (
        "http://example.org/logo.png",
        "https://example.org/style.css",
        "ftp://example.org/file",
        "data:text/css,body{}",
        "file:///etc/passwd",
        outside.as_uri(),
        pdf.STATIC_DIR.as_uri() + "/../pyproject.toml",
        "file://example.org" + pdf.STYLESHEET.as_posix(),
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_page_label_is_a_safe_css_value():
    assert pdf.css_string('say "hi" \\ </style>') == r'"say \22 hi\22  \5c  \3c /style\3e "'
    catalogues = i18n.load_catalogues(("en", "es"))
    with i18n.speaking("en", catalogues["en"]):
        assert pdf.page_label_css() == (
            '@page { @bottom-center { content: "Page " counter(page) " of " counter(pages); } }'
        )
    with i18n.speaking("es", catalogues["es"]):
        assert '"Página " counter(page) " de " counter(pages)' in pdf.page_label_css()


def test_a_pdf_made_before_a_change_is_not_kept(client, db, published, keep):
    client.get(f"/recommendations/{published.number}.pdf")
    published.updated_at = published.updated_at + timedelta(minutes=5)
    db.add(published)
    db.commit()

    keep()

    assert stored_pdfs(db) == 0
