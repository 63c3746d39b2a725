"""The evidence library: uploading, describing, withdrawing and listing documents.

A document is a PDF file, checked by its content (it starts with `%PDF-` and pypdf reads its
pages), never by its name or the type the browser claims. Its file is stored outside the
database under the var directory (Settings.documents_dir) as `<sha256>.pdf`: the name the
uploader's file had is kept only to show and to offer on download, cleaned of folders and
invisible characters, and never names a path. Its text is extracted at upload (pypdf) and
indexed for the library's search (workspaces.document_search).

Who may upload, read, edit and withdraw is council.permissions' ("document.*"); a document a
reader may not read is not found, for them, rather than refused. Every upload, edit and
withdrawal is in the audit log. A withdrawal keeps the row and the file (citations still name
the document) but takes it out of the library: its page says so and its file is served no
more.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from sqlalchemy import and_, false, func, or_, true
from sqlmodel import Session, select

from council import audit, names
from council.errors import Conflict, Invalid, NotFound
from council.i18n import gettext as _
from council.models import Council, Person, WorkingGroup
from council.permissions import Actor, Filed, can
from council.settings import LANGUAGES
from council.text import CONTROL
from workspaces import citations, document_search
from workspaces.document_models import Document, DocumentCitation, DocumentText, Visibility
from workspaces.recommendation_models import Recommendation

PER_PAGE = 20
MAX_TITLE = 300
MAX_AUTHORS = 500
MAX_SUMMARY = 5000
MAX_REASON = 1000
MAX_FILE_NAME = 150
MAX_PAGES_READ = 2000
"""Pages whose text is extracted; the rest of a longer document is not searched."""
MAX_TEXT = 1_000_000
"""Characters of extracted text kept (and indexed)."""
COUNCIL = "council"
"""The `filed_under` value of a document filed under the council rather than a group."""
_SCRIPT = re.compile(rb"/J(?:avaScript|S)(?![A-Za-z0-9])")
_DIGEST = re.compile(r"[0-9a-f]{64}")


class FileTooLarge(Invalid):
    """The file is over the upload limit: refused, with the form filled in, as a 413."""

    status_code = 413


@dataclass
class DocumentForm:
    title: str = ""
    authors: str = ""
    issued_on: str = ""
    language: str = ""
    summary: str = ""
    visibility: str = Visibility.MEMBERS.value
    filed_under: str = COUNCIL


@dataclass(frozen=True)
class Upload:
    """A file as it came with the form: its name on the uploader's computer, its size, and how
    to read it (read only once its size is known to be within the limit)."""

    name: str
    size: int
    read: Callable[[], bytes]


@dataclass(frozen=True)
class Inspected:
    pages: int
    text: str
    has_scripts: bool


# files


def inspect(data: bytes) -> Inspected:
    """Check that `data` is a PDF by its content, and read its text; Invalid otherwise."""
    from pypdf import PdfReader

    if not data.startswith(b"%PDF-"):
        raise Invalid(
            {
                "file": _(
                    "This file is not a PDF. Only PDF documents can be uploaded: "
                    "save or export it as a PDF first."
                )
            }
        )
    damaged = Invalid(
        {
            "file": _(
                "This PDF cannot be read: it may be damaged. Save or export it "
                "as a PDF again, then upload the new file."
            )
        }
    )
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Invalid(
                {
                    "file": _(
                        "This PDF is protected by a password. Upload a copy that opens without one."
                    )
                }
            )
        pages = len(reader.pages)
    except Invalid:
        raise
    except Exception as error:  # pypdf raises many kinds for a file it cannot make sense of
        raise damaged from error
    if pages == 0:
        raise damaged
    return Inspected(
        pages=pages, text=_extract(reader, pages), has_scripts=_SCRIPT.search(data) is not None
    )


def _extract(reader, pages: int) -> str:
    """The words of the first pages, as text a database holds (no control characters, no lone
    surrogates); a page whose text cannot be extracted is skipped."""
    parts, length = [], 0
    for number in range(min(pages, MAX_PAGES_READ)):
        try:
            words = reader.pages[number].extract_text() or ""
        except Exception:  # noqa: S112  (one unreadable page does not spoil the others)
            continue
        words = CONTROL.sub(" ", words).encode("utf-8", "replace").decode("utf-8")
        parts.append(words)
        length += len(words)
        if length >= MAX_TEXT:
            break
    return "\n\n".join(parts)[:MAX_TEXT]


def clean_file_name(name: str) -> str:
    """The name to show and offer on download: the last part of what the browser sent (no
    folder: "../../etc/passwd.pdf" is "passwd.pdf"), without invisible or direction-changing
    characters, not hidden (no leading dot), short, and ending in .pdf."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    name = " ".join(name.split()).lstrip(". ")
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.rstrip(". ")[:MAX_FILE_NAME] or "document"
    return f"{stem}.pdf"


def store(folder: Path, data: bytes) -> str:
    """Keep the file under `folder` as <sha256>.pdf (once: the same file uploaded again is the
    same file), written whole before it takes its name; its digest."""
    digest = hashlib.sha256(data).hexdigest()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{digest}.pdf"
    if not path.exists():
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    return digest


def path_of(folder: Path, document: Document) -> Path:
    """Where the document's file is: named by its digest alone."""
    if not _DIGEST.fullmatch(document.sha256):
        raise NotFound()
    return folder / f"{document.sha256}.pdf"


# uploading and describing


def upload(
    session: Session,
    *,
    actor: Actor,
    council: Council | None,
    form: DocumentForm,
    file: Upload | None,
    folder: Path,
    max_bytes: int,
    now: datetime,
) -> Document:
    """Add a document to the library: the form's fields and the file are checked together
    (every problem is said at once), the file is stored, its text extracted and indexed."""
    errors: dict[str, str] = {}
    group, issued_on = _check(session, actor, council, form, errors)
    inspected = data = None
    too_large = False
    if file is None or (not file.name and not file.size):
        errors["file"] = _("Choose the PDF file to upload.")
    elif file.size > max_bytes:
        too_large = True
        errors["file"] = _(
            "This file is larger than %(limit)s MB, the largest the council "
            "accepts. Upload a smaller PDF (a compressed copy, or the document "
            "in parts).",
            limit=max_bytes // (1024 * 1024) or 1,
        )
    else:
        data = file.read()
        try:
            inspected = inspect(data)
        except Invalid as invalid:
            errors.update(invalid.errors)
    if errors:
        raise (FileTooLarge if too_large else Invalid)(errors)
    digest = store(folder, data)
    document = Document(
        working_group_id=group.id if group else None,
        title=form.title,
        authors=form.authors,
        issued_on=issued_on,
        language=form.language,
        summary=form.summary,
        visibility=Visibility(form.visibility),
        file_name=clean_file_name(file.name),
        sha256=digest,
        size=len(data),
        pages=inspected.pages,
        has_scripts=inspected.has_scripts,
        uploaded_by_id=actor.person.id,
        uploaded_at=now,
        updated_at=now,
    )
    session.add(document)
    session.flush()
    session.add(DocumentText(document_id=document.id, text=inspected.text))
    _index(session, document, inspected.text)
    audit.record(
        session,
        by=actor.person,
        action="document.uploaded",
        target=document,
        title=document.title,
        filed_under=_body_key(group),
        sha256=digest,
        size=document.size,
        visibility=document.visibility.value,
        file_name=document.file_name,
        scripts=document.has_scripts,
    )
    return document


def edit(
    session: Session,
    document: Document,
    *,
    actor: Actor,
    council: Council | None,
    form: DocumentForm,
    now: datetime,
) -> Document:
    """Change what the library says of a document (not its file, nor where it is filed). A
    change of visibility renders again the recommendations that cite it."""
    check_editable(document)
    errors: dict[str, str] = {}
    form.filed_under = _body_key(_group_of(session, document))
    _group, issued_on = _check(session, actor, council, form, errors, uploading=False)
    if errors:
        raise Invalid(errors)
    before = _described(document)
    document.title, document.authors, document.issued_on = form.title, form.authors, issued_on
    document.language, document.summary = form.language, form.summary
    document.visibility = Visibility(form.visibility)
    changes = {
        key: [old, new]
        for (key, old), new in zip(before.items(), _described(document).values(), strict=True)
        if old != new
    }
    if not changes:
        return document
    document.updated_at = now
    session.add(document)
    session.flush()
    stored_text = session.get(DocumentText, document.id)
    _index(session, document, stored_text.text if stored_text else "")
    audit.record(
        session, by=actor.person, action="document.edited", target=document, changes=changes
    )
    if "visibility" in changes:
        _rerender_citing(session, document, now)
    return document


def withdraw(
    session: Session, document: Document, *, by: Person, reason: str, now: datetime
) -> Document:
    """Take a document out of the library, with the reason: its citations then show it to no
    one but the council's members (council.permissions), and its file is served no more."""
    check_editable(document)
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid(
            {"reason": _("Say why the document is withdrawn: the reason is kept with it.")}
        )
    if len(reason) > MAX_REASON:
        raise Invalid({"reason": _("At most %(limit)s characters.", limit=MAX_REASON)})
    document.withdrawn_at, document.withdrawn_by_id = now, by.id
    document.withdrawn_reason, document.updated_at = reason, now
    session.add(document)
    session.flush()
    audit.record(
        session,
        by=by,
        action="document.withdrawn",
        target=document,
        title=document.title,
        reason=reason,
    )
    if document.visibility == Visibility.PUBLIC:
        _rerender_citing(session, document, now)
    return document


def _check(
    session: Session,
    actor: Actor,
    council: Council | None,
    form: DocumentForm,
    errors: dict[str, str],
    *,
    uploading: bool = True,
) -> tuple[WorkingGroup | None, date | None]:
    """Check the described fields into `errors`; the body filed under and the date."""
    form.title, form.authors = " ".join(form.title.split()), " ".join(form.authors.split())
    form.summary = form.summary.strip()
    if not form.title:
        errors["title"] = _("Give the document's title.")
    elif len(form.title) > MAX_TITLE:
        errors["title"] = _("At most %(limit)s characters.", limit=MAX_TITLE)
    if not form.authors:
        errors["authors"] = _("Name its authors: people or organisations.")
    elif len(form.authors) > MAX_AUTHORS:
        errors["authors"] = _("At most %(limit)s characters.", limit=MAX_AUTHORS)
    if len(form.summary) > MAX_SUMMARY:
        errors["summary"] = _("At most %(limit)s characters.", limit=MAX_SUMMARY)
    if form.language not in LANGUAGES:
        errors["language"] = _("Choose the language the document is written in.")
    if form.visibility not in {v.value for v in Visibility}:
        errors["visibility"] = _("Choose who may read the document.")
    issued_on = _date(form.issued_on)
    if issued_on is None:
        errors["issued_on"] = _("Give the document's date, e.g. 2025-03-14.")
    group = None
    if uploading:
        group = _body(session, form.filed_under)
        body = group if group is not None else council
        if (
            (form.filed_under != COUNCIL and group is None)
            or body is None
            or not can(actor, "document.upload", body)
        ):
            errors["filed_under"] = _("Choose the council, or a working group you take part in.")
    return group, issued_on


def _date(value: str) -> date | None:
    try:
        found = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return found if 1800 <= found.year <= 9999 else None


def _body(session: Session, key: str) -> WorkingGroup | None:
    if not key or key == COUNCIL:
        return None
    return session.exec(select(WorkingGroup).where(WorkingGroup.slug == key)).first()


def _body_key(group: WorkingGroup | None) -> str:
    return group.slug if group is not None else COUNCIL


def _group_of(session: Session, document: Document) -> WorkingGroup | None:
    if document.working_group_id is None:
        return None
    return session.get(WorkingGroup, document.working_group_id)


def _described(document: Document) -> dict[str, str]:
    return {
        "title": document.title,
        "authors": document.authors,
        "issued_on": document.issued_on.isoformat(),
        "language": document.language,
        "summary": document.summary,
        "visibility": Visibility(document.visibility).value,
    }


def check_editable(document: Document) -> None:
    if document.withdrawn_at is not None:
        raise Conflict(_("This document was withdrawn: it can no longer be changed."))


def _index(session: Session, document: Document, text: str) -> None:
    document_search.index(
        session,
        document.id,
        title=f"{document.title}\n{document.authors}",
        body=f"{document.summary}\n\n{text}",
    )


def _rerender_citing(session: Session, document: Document, now: datetime) -> None:
    """What the public may read of the document changed: its citing recommendations' stored
    pages (and PDFs) are made again, showing or hiding it (workspaces.citations)."""
    from workspaces import recommendations

    citing = session.exec(
        select(Recommendation)
        .join(DocumentCitation, DocumentCitation.recommendation_id == Recommendation.id)
        .where(DocumentCitation.document_id == document.id)
    ).all()
    for recommendation in citing:
        recommendations.changed(session, recommendation, now)


def form_of(document: Document, group: WorkingGroup | None) -> DocumentForm:
    return DocumentForm(
        title=document.title,
        authors=document.authors,
        issued_on=document.issued_on.isoformat(),
        language=document.language,
        summary=document.summary,
        visibility=Visibility(document.visibility).value,
        filed_under=_body_key(group),
    )


def upload_choices(
    session: Session, actor: Actor, council: Council | None
) -> list[tuple[str, str]]:
    """Where the actor may file a document: (value, name) of the council and of each group."""
    choices = []
    if council is not None and can(actor, "document.upload", council):
        choices.append((COUNCIL, names.shown(council, council).text))
    for group in session.exec(select(WorkingGroup).order_by(WorkingGroup.number)).all():
        if can(actor, "document.upload", group):
            choices.append((group.slug, names.shown(group, council).text))
    return choices


# reading


def get(session: Session, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound()
    return document


def readable(session: Session, actor: Actor, council: Council | None, document_id: int) -> Document:
    """The document, if the actor may read it; not found otherwise (never "forbidden": that
    would tell that a members-only document exists)."""
    document = get(session, document_id)
    if not can(actor, "document.read", citations.filed(document, council)):
        raise NotFound()
    return document


def readable_condition(actor: Actor, council: Council | None, group_ids: list[int]):
    """The documents (not withdrawn) the actor may read, as an SQL condition: asked of
    can("document.read") for each body and visibility, so that the rule stays in one place."""
    council_public = bool(council and council.public_recommendations)
    allowed_by_body = {}
    for body in (None, *group_ids):
        allowed_by_body[body] = frozenset(
            visibility
            for visibility in Visibility
            if can(
                actor,
                "document.read",
                Filed(0, body, None, visibility == Visibility.PUBLIC, False, council_public),
            )
        )
    distinct = set(allowed_by_body.values())
    if len(distinct) == 1:
        return _visibility_in(distinct.pop())
    terms = [
        and_(
            Document.working_group_id.is_(None)
            if body is None
            else Document.working_group_id == body,
            _visibility_in(allowed),
        )
        for body, allowed in allowed_by_body.items()
        if allowed
    ]
    return or_(*terms) if terms else false()


def _visibility_in(allowed: frozenset[Visibility]):
    if len(allowed) == len(Visibility):
        return true()
    if not allowed:
        return false()
    return Document.visibility.in_([v.value for v in allowed])


@dataclass(frozen=True)
class Filters:
    filed_under: str = ""
    """"" (all), COUNCIL, or a group's slug."""
    language: str = ""
    query: str = ""

    @property
    def active(self) -> bool:
        return bool(self.filed_under or self.language or document_search.words(self.query))


@dataclass(frozen=True)
class Cited:
    number: str
    title: str


@dataclass(frozen=True)
class Library:
    items: list[Document]
    groups: dict[int, WorkingGroup]
    total: int
    page: int
    pages: int
    filters: Filters
    last_modified: datetime | None
    cited_by: dict[int, list[Cited]] = field(default_factory=dict)
    """Document id -> the recommendations that cite it, oldest first."""


def library(
    session: Session,
    actor: Actor,
    council: Council | None,
    filters: Filters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Library:
    """The documents the actor may read that match `filters`, newest first, one page of them,
    each with the recommendations that cite it: four queries, whatever the number."""
    groups = {g.id: g for g in session.exec(select(WorkingGroup)).all()}
    conditions = [
        Document.withdrawn_at.is_(None),
        readable_condition(actor, council, sorted(groups)),
    ]
    if filters.filed_under == COUNCIL:
        conditions.append(Document.working_group_id.is_(None))
    elif filters.filed_under:
        slug = {g.slug: g.id for g in groups.values()}.get(filters.filed_under)
        conditions.append(Document.working_group_id == slug if slug else false())
    if filters.language:
        conditions.append(Document.language == filters.language)
    matched = document_search.matching(session, Document.id, filters.query)
    if matched is not None:
        conditions.append(matched)
    total, last_modified = session.exec(
        select(func.count(Document.id), func.max(Document.updated_at)).where(*conditions)
    ).one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    items = list(
        session.exec(
            select(Document)
            .where(*conditions)
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    )
    return Library(
        items,
        groups,
        total,
        page,
        pages,
        filters,
        last_modified,
        cited_by(session, [item.id for item in items]),
    )


def cited_by(session: Session, document_ids: list[int]) -> dict[int, list[Cited]]:
    """Document id -> the published recommendations that cite it (one query)."""
    found: dict[int, list[Cited]] = {document_id: [] for document_id in document_ids}
    if not document_ids:
        return found
    for document_id, number, title in session.exec(
        select(DocumentCitation.document_id, Recommendation.number, Recommendation.title)
        .join(Recommendation, Recommendation.id == DocumentCitation.recommendation_id)
        .where(DocumentCitation.document_id.in_(document_ids))
        .order_by(Recommendation.adopted_at, Recommendation.id)
    ):
        found[document_id].append(Cited(number, title))
    return found


def size_in_words(size: int) -> tuple[str, float]:
    """("KB" or "MB", the amount rounded) for showing a file's size."""
    if size < 1024 * 1024:
        return "KB", max(1, round(size / 1024))
    return "MB", round(size / (1024 * 1024), 1)
