"""The PDF of a recommendation, made with WeasyPrint from its stored HTML.

The worker makes the PDF of every rendering (an interface language and a version of the text:
workspaces.rendering.key) soon after publication (`make_missing`, the job JOB), so the first
download is as quick as the next ones, and keeps it (RecommendationPdf, whose `language` is
that key) until the recommendation, or the templates, catalogues and print stylesheet that
made it, change; the job makes it again then. A download that finds none current makes one
itself; it does not store it (a read writes nothing): it notes it (MADE, in
council.bookkeeping), and the application stores it with its next batch of notes.
WeasyPrint never reaches the network: its URL fetcher serves files under static/ and
refuses everything else. It is imported only when a PDF is made (it loads Pango).
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markupsafe import Markup
from sqlmodel import Session, select

from council import i18n, names
from council.database import Database, upsert, utcnow
from council.i18n import gettext as _
from council.i18n import lazy
from council.models import Council
from council.web import TEMPLATE_DIR, strong_etag
from council.worker import Job
from workspaces import recommendations, rendering
from workspaces.recommendation_models import (
    Recommendation,
    RecommendationPdf,
    RecommendationRendering,
)

STATIC_DIR = TEMPLATE_DIR.parent / "static"
STYLESHEET = STATIC_DIR / "css" / "print.css"
TEMPLATE = "workspaces/recommendation_print.html"
MADE = "recommendation_pdf"
"""The bookkeeping kind of PDFs a download made: keyed by (recommendation id, rendering key),
valued by the RecommendationPdf row to store, written by write_made."""


@dataclass(frozen=True)
class Document:
    row: RecommendationPdf
    fresh: bool
    """Made now (the caller notes it to be kept) rather than stored or noted already."""


def stored(
    session: Session,
    recommendation: Recommendation,
    language: str,
    *,
    pending: RecommendationPdf | None = None,
) -> Document:
    """The PDF of the rendering `language` (a rendering key): the stored one, or the one made
    by an earlier download of this process and not stored yet (`pending`), while it is
    current; else one made now."""
    current = version(recommendation)
    if pending is not None and pending.version == current:
        return Document(pending, fresh=False)
    row = session.exec(
        select(RecommendationPdf).where(
            RecommendationPdf.recommendation_id == recommendation.id,
            RecommendationPdf.language == language,
        )
    ).first()
    if row is not None and row.version == current:
        return Document(row, fresh=False)
    data = make(session, recommendation, language)
    return Document(
        RecommendationPdf(
            recommendation_id=recommendation.id,
            language=language,
            version=current,
            data=data,
            etag=strong_etag(data),
        ),
        fresh=True,
    )


def write_made(session: Session, made: dict[tuple[int, str], RecommendationPdf]) -> None:
    """Store the PDFs downloads made (the bookkeeping writer of MADE), one upsert each, unless
    the recommendation changed since: a PDF that is no longer current is not kept."""
    table = RecommendationPdf.__table__
    for (recommendation_id, language), row in sorted(made.items()):
        recommendation = session.get(Recommendation, recommendation_id)
        if recommendation is None or row.version != version(recommendation):
            continue
        values = {"version": row.version, "data": row.data, "etag": row.etag, "made_at": utcnow()}
        insert = upsert(session, table).values(
            recommendation_id=recommendation_id, language=language, **values
        )
        session.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.recommendation_id, table.c.language], set_=values
            )
        )


BATCH = 9
"""PDFs the job makes per run (a text in three languages has nine renderings): each takes
about a second of one core, in the process that also serves pages."""


RECENT = timedelta(days=2)
"""The job makes the PDFs of recommendations published or changed this recently: older ones
whose PDFs a release made stale are made again by their next download, so that a release
does not keep the serving process busy making thousands of PDFs."""


def missing(
    session: Session, *, limit: int = BATCH, now: datetime | None = None
) -> list[tuple[int, str]]:
    """(recommendation id, rendering key) of up to `limit` current renderings without a current
    PDF, of recommendations changed since `now` - RECENT, newest first (a stale rendering waits
    for rendering.rerender_stale). One query; it reads the versions, never the PDFs."""
    pdf_version = RecommendationRendering.version + "-" + print_inputs_version()
    since = (now or utcnow()) - RECENT
    rows = session.exec(
        select(
            RecommendationRendering.recommendation_id,
            RecommendationRendering.language,
            RecommendationRendering.version,
            Recommendation.updated_at,
        )
        .join(Recommendation, Recommendation.id == RecommendationRendering.recommendation_id)
        .outerjoin(
            RecommendationPdf,
            (RecommendationPdf.recommendation_id == RecommendationRendering.recommendation_id)
            & (RecommendationPdf.language == RecommendationRendering.language),
        )
        .where(
            Recommendation.updated_at >= since,
            (RecommendationPdf.version.is_(None)) | (RecommendationPdf.version != pdf_version),
        )
        .order_by(
            RecommendationRendering.recommendation_id.desc(), RecommendationRendering.language
        )
    ).all()
    return [
        (recommendation_id, key)
        for recommendation_id, key, stored, updated_at in rows
        if stored == rendering.version_at(updated_at)
    ][:limit]


def make_missing(database: Database, now: datetime, *, limit: int = BATCH) -> int:
    """The worker's job: make the PDFs `missing` names, each in a short read transaction and
    with none open while WeasyPrint works on the next, then store them in one short write
    (write_made keeps only those still current). Two workers may make the same PDF: the
    upsert keeps one."""
    made: dict[tuple[int, str], RecommendationPdf] = {}
    with database.transaction(write=False) as session:
        wanted = missing(session, limit=limit, now=now)
    for recommendation_id, key in wanted:
        with database.transaction(write=False) as session:
            recommendation = session.get(Recommendation, recommendation_id)
            if recommendation is not None:
                made[(recommendation_id, key)] = stored(session, recommendation, key).row
    if made:
        with database.transaction() as session:
            write_made(session, made)
    return len(made)


JOB = Job(
    "recommendations.pdfs",
    make_missing,
    every=timedelta(seconds=15),
    label=lazy("Make the PDFs of newly published recommendations"),
    transactional=False,
)


@functools.cache
def print_inputs_version() -> str:
    """A digest of what the PDF adds to the stored HTML: its template and stylesheet."""
    digest = hashlib.sha256((TEMPLATE_DIR / TEMPLATE).read_bytes())
    digest.update(STYLESHEET.read_bytes())
    return digest.hexdigest()[:8]


def version(recommendation: Recommendation) -> str:
    """The rendering's version (the recommendation, templates, catalogues) and the print
    inputs': a new print stylesheet makes the PDFs again, like a new template the HTML."""
    return f"{rendering.version(recommendation)}-{print_inputs_version()}"


def make(session: Session, recommendation: Recommendation, language: str) -> bytes:
    """Lay out the stored article HTML of the rendering `language` (a rendering key: an
    interface language and a version of the text) as an A4 PDF."""
    from weasyprint import CSS, HTML  # here, not at import: it loads Pango (about a second)

    article, _fresh = rendering.stored(session, recommendation, language)
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    text = rendering.text_of(recommendation, recommendations.record(recommendation), language)
    language, _asked = rendering.parse(language)
    with i18n.speaking(language, rendering.catalogues()[language]):
        document = (
            rendering.environment()
            .get_template(TEMPLATE)
            .render(
                {
                    "recommendation": recommendation,
                    "article": Markup(article.html),  # noqa: S704  (our template, text sanitised)
                    "council_name": (
                        rendering.in_language(names.shown(council, council), language)
                        if council
                        else _("Council Workspace")
                    ),
                    "language": language,
                    "text": text,
                }
            )
        )
        page_label = page_label_css()
    fetcher = static_fetcher()
    stylesheets = [
        CSS(
            string=STYLESHEET.read_text(encoding="utf-8"),
            base_url=STYLESHEET.as_uri(),
            url_fetcher=fetcher,
        ),
        CSS(string=page_label, url_fetcher=fetcher),
    ]
    # no base URL: links in the text stay as they are written ("/recommendations/...")
    return HTML(string=document, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, pdf_tags=True
    )


def page_label_css() -> str:
    """'Page X of Y' in the current language, as the page footer of print.css."""
    marked = _("Page %(page)s of %(pages)s", page="\0page\0", pages="\0pages\0")
    parts = []
    for index, piece in enumerate(marked.split("\0")):
        if index % 2:
            parts.append(f"counter({'pages' if piece == 'pages' else 'page'})")
        elif piece:
            parts.append(css_string(piece))
    content = " ".join(parts)
    return "@page { @bottom-center { content: " + content + "; } }"


def css_string(text: str) -> str:
    """A CSS string token holding `text`."""
    escaped = "".join(c if c.isprintable() and c not in '"\\<>' else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def static_fetcher():
    """A WeasyPrint URL fetcher that serves the files under static/ and nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_path(url)
            if path is None:
                raise ValueError(f"not fetched (only files under static/ are): {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFetcher(allowed_protocols=("file",), allow_redirects=False)


def static_path(url: str) -> Path | None:
    """The file a file: URL names, when it is under static/; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    root = STATIC_DIR.resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path
