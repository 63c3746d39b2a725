"""A published report as a PDF, laid out by WeasyPrint from the same article as its page.

The PDF is tagged (PDF/UA-1: its structure, language and title are in the file for screen
readers) and its bookmarks are the report's outline: the title, the foreword and each section,
and under each section the texts it gathers (the headings h1 to h3; headings inside the texts
and the table of contents make none: static/css/report-print.css).

It is made on the first download of each interface language and version ("es:fr": Spanish
words around the French version) and kept (ReportPdf) until the templates, catalogues or
stylesheets that made it change; a report itself never changes once published. As with the
recommendations' PDFs (workspaces.pdf), the download that made it does not store it (a read
writes nothing): it notes it (MADE, in council.bookkeeping), and the application stores it with
its next batch of notes. WeasyPrint fetches nothing but the files under static/.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from markupsafe import Markup
from sqlmodel import Session, select

from council import i18n
from council.database import upsert, utcnow
from council.names import Localized
from council.settings import LANGUAGES
from council.web import TEMPLATE_DIR, strong_etag
from workspaces import followup, pdf, rendering, reports
from workspaces.report_models import Report, ReportPdf

TEMPLATE = "workspaces/report_print.html"
ARTICLE = "workspaces/_report_article.html"
STYLESHEET = pdf.STATIC_DIR / "css" / "report-print.css"
MADE = "report_pdf"
"""The bookkeeping kind of PDFs a download made: keyed by (report id, key), valued by the
ReportPdf row to store, written by write_made."""


def key(interface: str, version: str) -> str:
    return f"{interface}:{version}"


def parse(rendering_key: str) -> tuple[str, str]:
    interface, _, version = rendering_key.partition(":")
    return interface, version or interface


def file_name(report: Report, data: dict, version: str) -> str:
    if len(data.get("languages", [])) > 1:
        return f"{report.number}-{version}.pdf"
    return f"{report.number}.pdf"


def article_context(report: Report, data: dict, version: str, interface: str) -> dict:
    """What the article template needs to show `report` in `version` with the words of
    `interface` around it."""

    def name(value: Localized) -> Markup:
        return rendering.in_language(value, interface)

    def seat(seat_name: str, language: str | None = None) -> Markup:
        return name(reports.seat_name(data, seat_name, language or version))

    return {
        "record": data,
        "shown": reports.shown(report, data, version),
        "language": interface,
        "name": name,
        "seat": seat,
        "kind_label": reports.kind_label(report.kind),
        "status_label": followup.status_label,
    }


@dataclass(frozen=True)
class Document:
    row: ReportPdf
    fresh: bool
    """Made now (the caller notes it to be kept) rather than stored or noted already."""


@functools.cache
def inputs_version() -> str:
    """A digest of what makes the PDF: its templates, stylesheets and the catalogues."""
    digest = hashlib.sha256()
    for name in (TEMPLATE, ARTICLE):
        digest.update((TEMPLATE_DIR / name).read_bytes())
    digest.update(pdf.STYLESHEET.read_bytes())
    digest.update(STYLESHEET.read_bytes())
    for language in LANGUAGES:
        path = i18n.CATALOGUE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def version(report: Report) -> str:
    return f"{inputs_version()}-{report.published_at.timestamp():.6f}"


def stored(
    session: Session, report: Report, rendering_key: str, *, pending: ReportPdf | None = None
) -> Document:
    """The PDF under `rendering_key`: the stored one, or the one an earlier download of this
    process made and did not store yet (`pending`), while current; else one made now."""
    current = version(report)
    if pending is not None and pending.version == current:
        return Document(pending, fresh=False)
    row = session.exec(
        select(ReportPdf).where(
            ReportPdf.report_id == report.id, ReportPdf.language == rendering_key
        )
    ).first()
    if row is not None and row.version == current:
        return Document(row, fresh=False)
    data = make(session, report, rendering_key)
    return Document(
        ReportPdf(
            report_id=report.id,
            language=rendering_key,
            version=current,
            data=data,
            etag=strong_etag(data),
        ),
        fresh=True,
    )


def write_made(session: Session, made: dict[tuple[int, str], ReportPdf]) -> None:
    """Store the PDFs downloads made (the bookkeeping writer of MADE), one upsert each."""
    table = ReportPdf.__table__
    for (report_id, rendering_key), row in sorted(made.items()):
        report = session.get(Report, report_id)
        if report is None or report.published_at is None or row.version != version(report):
            continue
        values = {"version": row.version, "data": row.data, "etag": row.etag, "made_at": utcnow()}
        insert = upsert(session, table).values(
            report_id=report_id, language=rendering_key, **values
        )
        session.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.report_id, table.c.language], set_=values
            )
        )


def make(session: Session, report: Report, rendering_key: str) -> bytes:
    """Lay the report out as an A4 PDF, tagged, with its outline as bookmarks."""
    from weasyprint import CSS, HTML  # here, not at import: it loads Pango

    interface, shown_version = parse(rendering_key)
    data = reports.record(report)
    with i18n.speaking(interface, rendering.catalogues()[interface]):
        context = article_context(report, data, shown_version, interface)
        document = (
            rendering.environment()
            .get_template(TEMPLATE)
            .render(
                {
                    **context,
                    "report": report,
                    "preview": False,
                    "council_name": context["name"](reports.council_name(data, shown_version)),
                }
            )
        )
        page_label = pdf.page_label_css()
    fetcher = pdf.static_fetcher()
    stylesheets = [
        CSS(
            string=pdf.STYLESHEET.read_text(encoding="utf-8"),
            base_url=pdf.STYLESHEET.as_uri(),
            url_fetcher=fetcher,
        ),
        CSS(
            string=STYLESHEET.read_text(encoding="utf-8"),
            base_url=STYLESHEET.as_uri(),
            url_fetcher=fetcher,
        ),
        CSS(string=page_label, url_fetcher=fetcher),
    ]
    return HTML(string=document, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, pdf_variant="pdf/ua-1", pdf_tags=True
    )
