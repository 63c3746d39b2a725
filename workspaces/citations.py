"""Citations of the evidence library in the texts of drafts and recommendations.

A text cites a document by its number in the library: `[@doc:12]`, or with a locator
`[@doc:12, p. 4]` (Pandoc's citation shape, which no Markdown mark of ours uses: comments
mention people with `@[Name]`, and the reservations of a recommendation are its footnotes).
Markdown leaves the mark as text, so it is found in the stored HTML of each paragraph (outside
code and links) and shown as a numbered citation, "[1]", linking to the list of sources at the
end of the text: numbers follow the order in which the text first cites each document.

What a source shows depends on who reads: its title, authors and year, linking to the document,
for a reader who may read it; for anyone else only "a document held by the council that is not
public", so a citation never leaks a members-only document. On a draft that reader is the
person reading (`for_reader`). A published recommendation's page is the same for every reader
and stored (workspaces.rendering): its record keeps each cited document as it was at adoption
(`frozen`), and only the documents public at the time of rendering are shown (`in_article`);
a change of a document's visibility renders its citing recommendations again
(workspaces.documents).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape
from sqlmodel import Session, select

from council import i18n
from council.models import Council
from council.permissions import Actor, Filed, can
from workspaces.document_models import Document, DocumentCitation, Visibility

MARK = re.compile(r"\[@doc:(\d{1,9})(?:,\s*([^\[\]<>\n]{1,80}?))?\s*\]")
_UNMARKED = re.compile(r"(<(code|pre|a)\b[^>]*>.*?</\2>)", re.S)
"""Parts of a paragraph's HTML where a mark is left as written: code, and links' text."""


@dataclass(frozen=True)
class Source:
    """One cited document, as the list of sources shows it to a reader."""

    number: int
    document_id: int
    shown: bool
    """The reader may read it: its title and link are shown."""
    title: str = ""
    authors: str = ""
    year: int | None = None
    language: str = ""
    withdrawn: bool = False
    missing: bool = False
    """No such document in the library (a mistyped number)."""


@dataclass(frozen=True)
class Citations:
    """The sources of one text, numbered, and how to mark its paragraphs."""

    sources: list[Source]

    def __bool__(self) -> bool:
        return bool(self.sources)

    def mark(self, html: str) -> Markup:
        """A paragraph's stored (clean) HTML with each citation mark shown as its number."""
        numbers = {source.document_id: source.number for source in self.sources}
        label = escape(i18n.gettext("Source"))
        language = escape(i18n.current_language())

        def shown(match: re.Match) -> str:
            number = numbers.get(int(match.group(1)))
            if number is None:
                return match.group(0)
            locator = f", {match.group(2).strip()}" if match.group(2) else ""
            return (
                f'<a class="citation" href="#source-{number}"><span class="visually-hidden" '
                f'lang="{language}">{label} </span>[{number}{locator}]</a>'
            )

        # stored HTML was sanitised; the rest is escaped
        parts = (part if unmarked else MARK.sub(shown, part) for part, unmarked in _parts(html))
        return Markup("".join(parts))  # noqa: S704


def _parts(html: str) -> Iterable[tuple[str, bool]]:
    """The HTML in pieces, each with whether marks in it are left as written."""
    for index, part in enumerate(_UNMARKED.split(html)):
        if index % 3 == 2:  # the tag name captured by the inner group
            continue
        yield part, index % 3 == 1


def cited_ids(htmls: Iterable[str]) -> list[int]:
    """The documents a text cites (its paragraphs' HTML), in the order of their first
    citation."""
    found: dict[int, None] = {}
    for html in htmls:
        for part, unmarked in _parts(html):
            if not unmarked:
                found.update((int(match.group(1)), None) for match in MARK.finditer(part))
    return list(found)


def _html(paragraph) -> str:
    return paragraph["html"] if isinstance(paragraph, dict) else paragraph.html


def filed(document: Document, council: Council | None) -> Filed:
    """A document as council.permissions sees it."""
    return Filed(
        document.id,
        document.working_group_id,
        document.uploaded_by_id,
        public=document.visibility == Visibility.PUBLIC,
        withdrawn=document.withdrawn_at is not None,
        council_public=bool(council and council.public_recommendations),
    )


# drafts: the reader's sources


def for_reader(
    session: Session, actor: Actor, council: Council | None
) -> Callable[[Sequence], Citations]:
    """What a draft page gives its text (`citations(paragraphs)`): the sources of those
    paragraphs as this reader may see them (one query, only when the page shows a text)."""

    def citations(paragraphs: Sequence) -> Citations:
        ids = cited_ids(_html(p) for p in paragraphs)
        if not ids:
            return Citations([])
        documents = {d.id: d for d in session.exec(select(Document).where(Document.id.in_(ids)))}
        sources = []
        for number, document_id in enumerate(ids, start=1):
            document = documents.get(document_id)
            if document is None:
                sources.append(Source(number, document_id, shown=False, missing=True))
            elif can(actor, "document.read", filed(document, council)):
                sources.append(
                    Source(
                        number,
                        document_id,
                        shown=True,
                        title=document.title,
                        authors=document.authors,
                        year=document.issued_on.year,
                        language=document.language,
                        withdrawn=document.withdrawn_at is not None,
                    )
                )
            else:
                sources.append(Source(number, document_id, shown=False))
        return Citations(sources)

    return citations


# published recommendations: frozen at adoption, shown when public


def frozen(session: Session, data: dict) -> dict[str, dict]:
    """What a recommendation's record keeps of the documents its text cites, in any of its
    versions, as they are at adoption: id (a string, as JSON keys are) -> title, authors,
    date, language. A number that names no document is left out (and shown as such)."""
    htmls = [p["html"] for p in data["paragraphs"]]
    for version in data.get("versions", {}).values():
        htmls += [p["html"] for p in version["paragraphs"]]
    ids = cited_ids(htmls)
    if not ids:
        return {}
    documents = session.exec(select(Document).where(Document.id.in_(ids))).all()
    return {
        str(d.id): {
            "title": d.title,
            "authors": d.authors,
            "issued_on": d.issued_on.isoformat(),
            "language": d.language,
        }
        for d in sorted(documents, key=lambda d: d.id)
    }


def link(session: Session, recommendation_id: int, data: dict) -> None:
    """Record which documents a newly published recommendation cites (for the library)."""
    for document_id in data.get("citations", {}):
        session.add(
            DocumentCitation(document_id=int(document_id), recommendation_id=recommendation_id)
        )
    session.flush()


def public_ids(session: Session, data: dict) -> frozenset[int]:
    """Of the documents a record cites, those public (and not withdrawn) now."""
    ids = [int(key) for key in data.get("citations", {})]
    if not ids:
        return frozenset()
    return frozenset(
        session.exec(
            select(Document.id).where(
                Document.id.in_(ids),
                Document.visibility == Visibility.PUBLIC,
                Document.withdrawn_at.is_(None),
            )
        ).all()
    )


def in_article(paragraphs: Sequence[dict], data: dict, public: frozenset[int]) -> Citations:
    """The sources of one version of a published text: the documents as the record keeps
    them, those not public shown without their title."""
    kept = data.get("citations", {})
    sources = []
    for number, document_id in enumerate(cited_ids(p["html"] for p in paragraphs), start=1):
        entry = kept.get(str(document_id))
        if entry is None:
            sources.append(Source(number, document_id, shown=False, missing=True))
        elif document_id in public:
            sources.append(
                Source(
                    number,
                    document_id,
                    shown=True,
                    title=entry["title"],
                    authors=entry["authors"],
                    year=date.fromisoformat(entry["issued_on"]).year,
                    language=entry["language"],
                )
            )
        else:
            sources.append(Source(number, document_id, shown=False))
    return Citations(sources)
