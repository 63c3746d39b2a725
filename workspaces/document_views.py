"""Thin handlers for the evidence library: the list, a document's page and its file, upload,
edit and withdrawal (rules in workspaces.documents, who may in council.permissions).

The library is on the published side: its routes let in whoever may read the council's
recommendations, then each document is found only by who may read it (a members-only document
is "not found" for the public and for observers, never "forbidden").

A file is always served as a download (`Content-Disposition: attachment`), as
`application/pdf` with `nosniff`, and under `Content-Security-Policy: sandbox`: a PDF's scripts
never run in the workspace's origin, whatever the file holds. A members-only file is never
stored by a cache; a file the public may read has an ETag (its digest) and may be.
"""

from __future__ import annotations

import logging

from babel import dates
from sqlmodel import Session, select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from council import i18n, names
from council.errors import Invalid, NotFound
from council.models import Council, WorkingGroup
from council.permissions import ANONYMOUS, Actor, Filed, can
from council.settings import LANGUAGES
from council.views import permission
from council.web import (
    PRIVATE_CACHE,
    conditional,
    counting_number,
    redirect,
    refuse_control_characters,
    render,
    values,
)
from workspaces import citations, documents
from workspaces.document_models import Document

log = logging.getLogger(__name__)

FIELDS = ("title", "authors", "issued_on", "language", "summary", "visibility")
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
}
PANEL_LIMIT = 5


def council_of(request: Request) -> Council | None:
    return request.state.council


def filed_document(request: Request) -> Filed:
    """What editing and withdrawing ask permission of: the document of the path (it waits in
    state.document). One a signed-in reader may not read is not found, for them; the public is
    asked to sign in, as everywhere."""
    state = request.state
    document = documents.get(state.db, request.path_params["document_id"])
    filed = citations.filed(document, state.council)
    if state.actor.signed_in and not can(state.actor, "document.read", filed):
        raise NotFound()
    state.document = document
    return filed


def group_panel(session: Session, actor: Actor, group: WorkingGroup, now) -> dict:
    """The group page's latest documents (five queries)."""
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    found = documents.library(
        session, actor, council, documents.Filters(filed_under=group.slug), per_page=PANEL_LIMIT
    )
    return {"group": group, "library": found, "may_upload": can(actor, "document.upload", group)}


def issued(document: Document) -> str:
    """The document's date, as the reader's language writes dates."""
    return dates.format_date(document.issued_on, format="long", locale=i18n.current_language())


def _page(request: Request, template: str, context: dict, **kwargs) -> Response:
    return render(
        request,
        template,
        {
            "issued": issued,
            "filed": _filed_of(request),
            "size_of": documents.size_in_words,
            **context,
        },
        **kwargs,
    )


def _filed_of(request: Request):
    council = request.state.council

    def filed(document: Document) -> Filed:
        return citations.filed(document, council)

    return filed


@permission("recommendations.read")
def library(request: Request) -> Response:
    state = request.state
    params = request.query_params
    language = params.get("language", "")
    filters = documents.Filters(
        filed_under=params.get("under", "").strip()[:80],
        language=language if language in LANGUAGES else "",
        query=params.get("q", "").strip()[:200],
    )
    page = counting_number(params.get("page")) or 1
    found = documents.library(state.db, state.actor, state.council, filters, page=page)
    context = {"library": found, "under_options": _under_options(request, found)}
    response = _page(request, "workspaces/documents.html", context, public=True)
    return conditional(request, response, last_modified=found.last_modified)


def _under_options(request: Request, found: documents.Library) -> list[tuple[str, str]]:
    council = request.state.council
    options = [(documents.COUNCIL, names.shown(council, council).text)] if council else []
    return options + [
        (group.slug, names.shown(group, council).text)
        for group in sorted(found.groups.values(), key=lambda g: g.number)
    ]


@permission("recommendations.read")
def document(request: Request) -> Response:
    state = request.state
    item = documents.readable(
        state.db, state.actor, state.council, request.path_params["document_id"]
    )
    group = state.db.get(WorkingGroup, item.working_group_id) if item.working_group_id else None
    context = {
        "document": item,
        "group": group,
        "cited_by": documents.cited_by(state.db, [item.id])[item.id],
    }
    response = _page(request, "workspaces/document.html", context, public=True)
    return conditional(request, response, last_modified=item.updated_at)


@permission("recommendations.read")
def document_file(request: Request) -> Response:
    state = request.state
    item = documents.readable(
        state.db, state.actor, state.council, request.path_params["document_id"]
    )
    if item.withdrawn_at is not None:
        raise NotFound()
    path = documents.path_of(request.app.state.settings.documents_dir, item)
    if not path.is_file():
        log.error("the file of document %s is missing: %s", item.id, path)
        raise NotFound()
    response = FileResponse(
        path,
        media_type="application/pdf",
        filename=item.file_name,
        content_disposition_type="attachment",
        headers=FILE_HEADERS,
    )
    if can(ANONYMOUS, "document.read", citations.filed(item, state.council)):
        return conditional(
            request, response, last_modified=item.updated_at, etag=f'"{item.sha256}"'
        )
    response.headers["Cache-Control"] = PRIVATE_CACHE
    return response


@permission("document.upload", target=council_of)
def document_new(request: Request) -> Response:
    state = request.state
    settings = request.app.state.settings
    choices = documents.upload_choices(state.db, state.actor, state.council)
    if request.method != "POST":
        wanted = request.query_params.get("group", "")
        form = {field: "" for field in FIELDS} | {
            "language": i18n.current_language(),
            "visibility": "members",
            "filed_under": wanted if wanted in dict(choices) else next(iter(dict(choices)), ""),
        }
        return _form_page(request, form, {}, choices)
    form = values(state.form, *FIELDS, "filed_under")
    chosen = state.form.get("file")
    file = None
    if isinstance(chosen, UploadFile):
        file = documents.Upload(
            name=chosen.filename or "", size=chosen.size or 0, read=chosen.file.read
        )
    try:
        refuse_control_characters(form)
        item = documents.upload(
            state.db,
            actor=state.actor,
            council=state.council,
            form=documents.DocumentForm(**form),
            file=file,
            folder=settings.documents_dir,
            max_bytes=settings.max_upload_bytes,
            now=state.now,
        )
    except Invalid as invalid:
        return _form_page(request, form, invalid.errors, choices, status_code=invalid.status_code)
    return redirect(request, "document", document_id=item.id)


def _form_page(
    request: Request, form: dict, errors: dict, choices: list, status_code: int = 200
) -> Response:
    settings = request.app.state.settings
    context = {
        "form": form,
        "errors": errors,
        "choices": choices,
        "document": None,
        "max_upload_mb": settings.max_upload_bytes // (1024 * 1024),
        "max_upload_bytes": settings.max_upload_bytes,
    }
    return _page(request, "workspaces/document_form.html", context, status_code=status_code)


@permission("document.manage", target=filed_document)
def document_edit(request: Request) -> Response:
    state = request.state
    item = state.document
    group = state.db.get(WorkingGroup, item.working_group_id) if item.working_group_id else None
    context = {"document": item, "group": group, "choices": [], "errors": {}}
    if request.method != "POST":
        documents.check_editable(item)
        form = vars(documents.form_of(item, group))
        return _page(request, "workspaces/document_form.html", {**context, "form": form})
    form = values(state.form, *FIELDS)
    try:
        refuse_control_characters(form)
        documents.edit(
            state.db,
            item,
            actor=state.actor,
            council=state.council,
            form=documents.DocumentForm(**form),
            now=state.now,
        )
    except Invalid as invalid:
        return _page(
            request,
            "workspaces/document_form.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return redirect(request, "document", document_id=item.id)


@permission("document.manage", target=filed_document)
def document_withdraw(request: Request) -> Response:
    state = request.state
    item = state.document
    context = {"document": item, "errors": {}}
    if request.method != "POST":
        documents.check_editable(item)
        return _page(request, "workspaces/document_withdraw.html", {**context, "form": {}})
    form = values(state.form, "reason")
    try:
        refuse_control_characters(form)
        documents.withdraw(
            state.db, item, by=state.actor.person, reason=form["reason"], now=state.now
        )
    except Invalid as invalid:
        return _page(
            request,
            "workspaces/document_withdraw.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return redirect(request, "document", document_id=item.id)
