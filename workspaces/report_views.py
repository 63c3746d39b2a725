"""Thin handlers for reports (workspaces.reports): the list, composing a draft, its preview,
publishing it, and the published report as a page and a PDF.

The published side reads like the recommendations': the same readers (`recommendations.read`),
the same validators and caching rule (council.web.conditional), and `?lang=` naming one of the
report's language versions, while the words around it follow the reader's language. A report's
page is rendered from its frozen record on each request (it is cheap); its PDF is made on the
first download of each language and version and kept (workspaces.report_pdf).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from council import i18n, names, seats
from council.errors import Invalid, NotFound
from council.models import WorkingGroup
from council.views import permission
from council.web import (
    checked,
    conditional,
    counting_number,
    redirect,
    refuse_control_characters,
    render,
    values,
)
from workspaces import report_pdf, reports
from workspaces.report_models import Report
from workspaces.reports import Composition, SectionForm


def _council(request: Request):
    return request.state.council


def _group(request: Request) -> WorkingGroup:
    return seats.get_group(request.state.db, request.path_params["slug"])


def _report(request: Request) -> Report:
    """What a draft's routes ask permission of: the report itself (its working_group_id)."""
    return reports.get_draft(request.state.db, request.path_params["report_id"])


def _languages(request: Request) -> tuple[str, list[str]]:
    """The council's default language, and every language a report may be written in (the
    default first)."""
    default = names.default_language_of(request.state.council)
    others = [code for code in request.app.state.settings.languages if code != default]
    return default, [default, *others]


# the published side


@permission("recommendations.read")
def report_list(request: Request) -> Response:
    state = request.state
    page = counting_number(request.query_params.get("page")) or 1
    found = reports.listing(state.db, page=page)
    context = {
        "listing": found,
        "drafts": reports.drafts_for(state.db, state.actor),
        "composing": reports.groups_composed_by(state.db, state.actor),
    }
    response = render(request, "workspaces/reports.html", context, public=True)
    return conditional(request, response, last_modified=found.last_modified)


def _published(request: Request) -> tuple[Report, dict, str]:
    """The report of the path, its record and the version asked for (404 for a version it
    does not have)."""
    item = reports.get(request.state.db, request.path_params["number"])
    data = reports.record(item)
    version = reports.version_of(
        data, reader=i18n.current_language(), asked=request.query_params.get("lang")
    )
    if version is None:
        raise NotFound()
    return item, data, version


@permission("recommendations.read")
def report(request: Request) -> Response:
    item, data, version = _published(request)
    response = render(
        request, "workspaces/report.html", _page_context(request, item, data, version), public=True
    )
    return conditional(request, response, last_modified=item.published_at)


@permission("recommendations.read")
def report_download(request: Request) -> Response:
    item, data, version = _published(request)
    key = report_pdf.key(i18n.current_language(), version)
    bookkeeping = request.app.state.bookkeeping
    document = report_pdf.stored(
        request.state.db, item, key, pending=bookkeeping.pending(report_pdf.MADE, (item.id, key))
    )
    if document.fresh:
        bookkeeping.note(report_pdf.MADE, (item.id, key), document.row)
    name = report_pdf.file_name(item, data, version)
    response = Response(
        document.row.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Content-Language": i18n.current_language(),
        },
    )
    return conditional(request, response, last_modified=item.published_at, etag=document.row.etag)


def _page_context(
    request: Request, item: Report, data: dict, version: str, *, preview: bool = False
) -> dict:
    return {
        "report": item,
        "preview": preview,
        **report_pdf.article_context(item, data, version, i18n.current_language()),
    }


# composing


@permission("report.compose", target=_council)
def report_new(request: Request) -> Response:
    return _start(request, None)


@permission("report.compose", target=_group)
def group_report_new(request: Request) -> Response:
    return _start(request, request.state.target)


def _start(request: Request, group: WorkingGroup | None) -> Response:
    state = request.state
    default, languages = _languages(request)
    context = {
        "group": group,
        "languages": languages,
        "default_language": default,
        "kinds": _kinds(),
    }
    if request.method != "POST":
        form = {"kind": "interim"}
        return render(
            request, "workspaces/report_new.html", {**context, "form": form, "errors": {}}
        )
    form = values(state.form, "kind", *_title_fields(default, languages))
    try:
        refuse_control_characters(form)
        created = reports.start(
            state.db,
            by=state.actor.person,
            group=group,
            kind=form["kind"],
            titles=_titles(form, default, languages),
            default_language=default,
            languages=languages,
            now=state.now,
        )
    except Invalid as invalid:
        return render(
            request,
            "workspaces/report_new.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return redirect(request, "report_edit", report_id=created.id)


@permission("report.compose", target=_report)
def report_edit(request: Request) -> Response:
    state = request.state
    item: Report = state.target
    default, languages = _languages(request)
    if request.method != "POST":
        if item.published_at is not None:
            return redirect(request, "report", number=item.number)
        draft = reports.composition(item, default)
        return _edit_page(request, item, draft, {})
    typed, draft, action = _composition_from(request, default, languages)
    try:
        refuse_control_characters(typed)
        reports.save(
            state.db,
            item,
            draft,
            by=state.actor.person,
            default_language=default,
            languages=languages,
            now=state.now,
        )
    except Invalid as invalid:
        return _edit_page(request, item, draft, invalid.errors, status_code=422)
    if action == "publish":
        return redirect(request, "report_publish", report_id=item.id)
    if action == "preview":
        return redirect(request, "report_preview", report_id=item.id)
    return redirect(request, "report_edit", report_id=item.id)


def _edit_page(
    request: Request, item: Report, draft: Composition, errors: dict, *, status_code: int = 200
) -> Response:
    default, languages = _languages(request)
    sections = list(draft.sections)
    if len(sections) < reports.MAX_SECTIONS and (not sections or not sections[-1].empty):
        sections.append(SectionForm())  # the blank one a new section is written in
    context = {
        "report": item,
        "group": (
            request.state.db.get(WorkingGroup, item.working_group_id)
            if item.working_group_id is not None
            else None
        ),
        "draft": draft,
        "sections": sections,
        "form": _form_values(draft, sections, default, languages),
        "errors": errors,
        "languages": languages,
        "default_language": default,
        "kinds": _kinds(),
        "available": reports.available(request.state.db, item, i18n.current_language()),
        "chosen": reports.items_by_number(request.state.db, [n for s in sections for n in s.items]),
    }
    return render(request, "workspaces/report_edit.html", context, status_code=status_code)


def _form_values(
    draft: Composition, sections: list[SectionForm], default: str, languages: list[str]
) -> dict:
    """The draft as the form's fields (what was typed, when the form is refused)."""
    form = {"kind": draft.kind}
    for code in languages:
        form[f"title{_suffix(code, default)}"] = draft.titles.get(code, "")
        form[f"foreword{_suffix(code, default)}"] = draft.forewords.get(code, "")
    for index, section in enumerate(sections):
        form[f"items_{index}"] = (
            section.items_text if section.items_text is not None else "\n".join(section.items)
        )
        form[f"followup_{index}"] = section.followup
        for code in languages:
            form[f"heading_{index}{_suffix(code, default)}"] = section.headings.get(code, "")
            form[f"intro_{index}{_suffix(code, default)}"] = section.intros.get(code, "")
    return form


def _composition_from(
    request: Request, default: str, languages: list[str]
) -> tuple[dict, Composition, str]:
    """The fields as typed, the draft as the form sent it (with the change its button asks
    for made: remove a section, or move one up), and the button's action."""
    form = request.state.form
    count = min(counting_number(form.get("sections")) or 0, reports.MAX_SECTIONS + 1)
    fields = [
        "kind",
        *_title_fields(default, languages),
        *[f"foreword{_suffix(code, default)}" for code in languages],
    ]
    for index in range(count):
        fields += [f"items_{index}"]
        for code in languages:
            fields += [
                f"heading_{index}{_suffix(code, default)}",
                f"intro_{index}{_suffix(code, default)}",
            ]
    typed = values(form, *fields)
    sections = []
    for index in range(count):
        sections.append(
            SectionForm(
                headings={
                    code: typed[f"heading_{index}{_suffix(code, default)}"] for code in languages
                },
                intros={
                    code: typed[f"intro_{index}{_suffix(code, default)}"] for code in languages
                },
                items=reports.parse_items(typed[f"items_{index}"]),
                followup=checked(form, f"followup_{index}"),
                items_text=typed[f"items_{index}"],
            )
        )
    action, _, place = str(form.get("action", "save")).partition(":")
    where = counting_number(place)
    if action == "remove" and where is not None and where < len(sections):
        sections.pop(where)
    elif action == "up" and where is not None and 0 < where < len(sections):
        sections[where - 1], sections[where] = sections[where], sections[where - 1]
    draft = Composition(
        kind=typed["kind"],
        titles=_titles(typed, default, languages),
        forewords={code: typed[f"foreword{_suffix(code, default)}"] for code in languages},
        sections=sections,
    )
    return typed, draft, action


@permission("report.compose", target=_report)
def report_preview(request: Request) -> Response:
    """The draft as it would read once published (nothing is written)."""
    state = request.state
    item: Report = state.target
    if item.published_at is not None:
        return redirect(request, "report", number=item.number)
    data = reports.preview_record(state.db, item)
    version = reports.version_of(
        data, reader=i18n.current_language(), asked=request.query_params.get("lang")
    )
    if version is None:
        raise NotFound()
    return render(
        request, "workspaces/report.html", _page_context(request, item, data, version, preview=True)
    )


@permission("report.compose", target=_report)
def report_publish(request: Request) -> Response:
    """A confirmation, then the act: once (409 for a report already published)."""
    state = request.state
    item: Report = state.target
    default = names.default_language_of(state.council)
    if request.method != "POST":
        if item.published_at is not None:
            return redirect(request, "report", number=item.number)
        return _publish_page(request, item, default, {})
    try:
        published = reports.publish(state.db, item, by=state.actor.person, now=state.now)
    except Invalid as invalid:
        return _publish_page(request, item, default, invalid.errors, status_code=422)
    return redirect(request, "report", number=published.number)


def _publish_page(
    request: Request, item: Report, default: str, errors: dict, *, status_code: int = 200
) -> Response:
    draft = reports.composition(item, default)
    context = {
        "report": item,
        "group": (
            request.state.db.get(WorkingGroup, item.working_group_id)
            if item.working_group_id is not None
            else None
        ),
        "draft": draft,
        "refusals": reports.refusals(draft, default),
        "versions": list(draft.titles),
        "text_count": sum(len(section.items) for section in draft.sections),
        "errors": errors,
    }
    return render(request, "workspaces/report_publish.html", context, status_code=status_code)


def _kinds() -> list[tuple[str, str]]:
    return [(kind, reports.kind_label(kind)) for kind in reports.KINDS]


def _suffix(code: str, default: str) -> str:
    return "" if code == default else f"_{code}"


def _title_fields(default: str, languages: list[str]) -> list[str]:
    return [f"title{_suffix(code, default)}" for code in languages]


def _titles(form: dict, default: str, languages: list[str]) -> dict[str, str]:
    return {code: form.get(f"title{_suffix(code, default)}", "") for code in languages}
