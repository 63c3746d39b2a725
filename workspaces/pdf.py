"""The PDF of a recommendation, made with WeasyPrint from its stored HTML.

A PDF is made on the first download of a rendering (an interface language and a version of the
text: workspaces.rendering.key) and kept (RecommendationPdf, whose `language` is that key) until
the recommendation, or the templates, catalogues and print stylesheet that made it, change. The
download that made it does not store it (a read writes nothing): it notes it (MADE, in
council.bookkeeping), and the application stores it with its next batch of notes.
WeasyPrint never reaches the network: its URL fetcher serves files under static/ and
refuses everything else. It is imported only when a PDF is made (it loads Pango).
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markupsafe import Markup
from sqlmodel import Session, select

from council import i18n, names
from council.database import upsert, utcnow
from council.i18n import gettext as _
from council.models import Council
from council.web import TEMPLATE_DIR, strong_etag
from workspaces import recommendations, rendering
from workspaces.recommendation_models import Recommendation, RecommendationPdf

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


def stored(session: Session, recommendation: Recommendation, language: str, *,
           pending: RecommendationPdf | None = None) -> Document:
    """The PDF of the rendering `language` (a rendering key): the stored one, or the one made
    by an earlier download of this process and not stored yet (`pending`), while it is
    current; else one made now."""
    current = version(recommendation)
    if pending is not None and pending.version == current:
        return Document(pending, fresh=False)
    row = session.exec(select(RecommendationPdf).where(
        RecommendationPdf.recommendation_id == recommendation.id,
        RecommendationPdf.language == language)).first()
    if row is not None and row.version == current:
        return Document(row, fresh=False)
    data = make(session, recommendation, language)
    return Document(RecommendationPdf(
        recommendation_id=recommendation.id, language=language, version=current,
        data=data, etag=strong_etag(data)), fresh=True)


def write_made(session: Session, made: dict[tuple[int, str], RecommendationPdf]) -> None:
    """Store the PDFs downloads made (the bookkeeping writer of MADE), one upsert each, unless
    the recommendation changed since: a PDF that is no longer current is not kept."""
    table = RecommendationPdf.__table__
    for (recommendation_id, language), row in sorted(made.items()):
        recommendation = session.get(Recommendation, recommendation_id)
        if recommendation is None or row.version != version(recommendation):
            continue
        values = {"version": row.version, "data": row.data, "etag": row.etag,
                  "made_at": utcnow()}
        insert = upsert(session, table).values(recommendation_id=recommendation_id,
                                               language=language, **values)
        session.execute(insert.on_conflict_do_update(
            index_elements=[table.c.recommendation_id, table.c.language], set_=values))


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
        document = rendering.environment().get_template(TEMPLATE).render({
            "recommendation": recommendation,
            "article": Markup(article.html),  # noqa: S704  (our template, text sanitised)
            "council_name": (rendering.in_language(names.shown(council, council), language)
                             if council else _("Council Workspace")),
            "language": language,
            "text": text,
        })
        page_label = page_label_css()
    fetcher = static_fetcher()
    stylesheets = [
        CSS(string=STYLESHEET.read_text(encoding="utf-8"), base_url=STYLESHEET.as_uri(),
            url_fetcher=fetcher),
        CSS(string=page_label, url_fetcher=fetcher),
    ]
    # no base URL: links in the text stay as they are written ("/recommendations/...")
    return HTML(string=document, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, pdf_tags=True)


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
    escaped = "".join(c if c.isprintable() and c not in '"\\<>' else f"\\{ord(c):x} "
                      for c in text)
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
