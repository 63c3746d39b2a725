"""Thin handlers for the published side: the library, a recommendation, its PDF, supersession.

The reading pages are the same for all anonymous readers in one language: they carry no CSRF
token (council.web.render(public=True)), and council.web.conditional gives it validators and
their caching rule.

A recommendation is published in each language its text is authentic in: `?lang=es` names the
Spanish version of its page and of its PDF; without it, the reader's language's version when
there is one, else the original. A language the text is not authentic in is 404. The words
around the text follow the reader (workspaces.rendering: one stored rendering per interface
language and version).

The recommendation's own HTML was rendered at publication (workspaces.rendering); a page only
wraps it. A read writes nothing: HTML a release left stale is rendered in memory (the worker
stores it again), and a PDF made by a download is noted in council.bookkeeping, which stores it
after the response.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response

from council import i18n, names, public
from council.errors import Invalid, NotFound
from council.models import Council, WorkingGroup
from council.permissions import Actor, can
from council.views import permission
from council.web import (
    conditional,
    counting_number,
    public_page,
    redirect,
    refuse_control_characters,
    render,
    values,
)
from workspaces import followup, pdf, recommendations, rendering, statements
from workspaces.recommendation_models import Recommendation

NUMBER = recommendations.NUMBER
PANEL_LIMIT = 5


# panels on council pages


def group_panel(session: Session, actor: Actor, group: WorkingGroup, now: datetime) -> dict:
    """The group page's latest recommendations (three queries)."""
    found = recommendations.library(
        session,
        recommendations.Filters(group=group),
        per_page=PANEL_LIMIT,
        language=i18n.current_language(),
    )
    return {"group": group, "library": found}


def welcome_panel(session: Session, actor: Actor, group: None, now: datetime) -> dict:
    """The latest recommendations on the front page, when the council publishes them."""
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    if not can(actor, "recommendations.read", council):
        return {"library": None}
    return {
        "library": recommendations.library(
            session,
            recommendations.Filters(),
            per_page=PANEL_LIMIT,
            language=i18n.current_language(),
        )
    }


# pages


def load(request: Request) -> Recommendation:
    """The recommendation named in the path (the route's permission let the reader in)."""
    number = request.path_params["number"]
    if not NUMBER.fullmatch(number):
        raise NotFound()
    return recommendations.get(request.state.db, number)


def filters_from(request: Request) -> tuple[recommendations.Filters, int]:
    """The library's filters from the query string; unknown values are ignored, not errors."""
    params = request.query_params
    db = request.state.db
    group = None
    if params.get("group"):
        group = recommendations.find_group(db, params["group"])
    year = counting_number(params.get("year"))
    query = params.get("q", "").strip()[:200]
    page = counting_number(params.get("page")) or 1
    return recommendations.Filters(group=group, year=year, query=query), page


def cursors_from(request: Request) -> dict[str, str | None]:
    """The page's place in the library (keyset pagination: the number of the last item of the
    page before, or of the first of the page after); one that is no number is ignored."""
    params = request.query_params
    return {
        name: params.get(name) if NUMBER.fullmatch(params.get(name) or "") else None
        for name in ("after", "before")
    }


@public.answered_early(public.ACTS)
@permission("recommendations.read")
def library(request: Request) -> Response:
    """What the library shows changes only by governance acts: public.ACTS (its filters and
    search are in the address, which the ETag names)."""
    return public.serve(request, public.ACTS, lambda etag: _library(request, etag))


def _library(request: Request, etag: str | None) -> Response:
    db = request.state.db
    filters, page = filters_from(request)
    found = recommendations.library(
        db, filters, page=page, language=i18n.current_language(), **cursors_from(request)
    )
    said = statements.listing(
        db,
        group=filters.group,
        year=filters.year,
        query=filters.query,
        per_page=statements.LIBRARY_LIMIT,
    )
    council = request.state.council
    language = i18n.current_language()
    context = {
        "library": found,
        "statements": said,
        "statements_by_group": statements.by_group(said),
        "statement_titles": {
            item.id: statements.title_in(item, said.records[item.id], language)
            for item in said.items
        },
        "group_options": [
            (g.slug, names.shown(g, council).text)
            for g in sorted(found.groups.values(), key=lambda g: g.number)
        ],
        "year_options": [
            (year, year)
            for year in sorted({*recommendations.years(db), *statements.years(db)}, reverse=True)
        ],
    }
    response = render(request, "workspaces/recommendations.html", context, public=True)
    changed = [moment for moment in (found.last_modified, said.last_modified) if moment]
    return conditional(request, response, last_modified=max(changed, default=None), etag=etag)


@public.answered_early(recommendations.PAGE_FACTS, recommendations.page_parameters)
@permission("recommendations.read")
def recommendation(request: Request) -> Response:
    """The page; for an anonymous reader, whose page is everyone's, its ETag comes from what
    it shows (recommendations.PAGE_FACTS, one statement), so a current copy gets its 304, and
    a reader without one this process's copy, before anything else is read or rendered (here,
    or earlier still in council.public)."""
    state = request.state
    if state.actor.signed_in:
        return _recommendation_page(request)
    parameters = recommendations.page_parameters(request.path_params)
    facts = recommendations.page_facts(state.db, **parameters) if parameters else None
    if facts is None:
        raise NotFound()
    etag = public.etag(request, facts)
    return public_page(
        request,
        lambda: _recommendation_page(request, etag),
        etag=etag,
    )


def _recommendation_page(request: Request, etag: str | None = None) -> Response:
    state = request.state
    item = load(request)
    data = recommendations.record(item)
    key = _rendering_key(request, item, data)
    article = _article(request, item, key)
    group = state.db.get(WorkingGroup, item.working_group_id)
    # the follow-up changes after publication: it is in the page, never in the stored article
    follow_up = followup.of_recommendation(state.db, item)
    addressed = {status.seat_id for status in follow_up.seats}
    context = {
        "recommendation": item,
        "article": Markup(article.html),  # noqa: S704  (rendered by our template, text sanitised)
        "group": group,
        "text": rendering.text_of(item, data, key),
        "followup": follow_up,
        "may_report": followup.may_report(state.actor, item, addressed),
    }
    response = render(request, "workspaces/recommendation.html", context, public=True)
    changed = [moment for moment in (item.updated_at, follow_up.last_change) if moment]
    return conditional(request, response, last_modified=max(changed), etag=etag)


@permission("recommendations.read")
def recommendation_pdf(request: Request) -> Response:
    item = load(request)
    data = recommendations.record(item)
    rendering_key = _rendering_key(request, item, data)
    interface, _asked = rendering.parse(rendering_key)
    text = rendering.text_of(item, data, rendering_key)
    bookkeeping, key = request.app.state.bookkeeping, (item.id, rendering_key)
    document = pdf.stored(
        request.state.db, item, rendering_key, pending=bookkeeping.pending(pdf.MADE, key)
    )
    if document.fresh:
        bookkeeping.note(pdf.MADE, key, document.row)
    response = Response(
        document.row.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{_pdf_name(item, text)}"',
            # the reader's, as its words are; the text inside keeps its own lang attribute
            "Content-Language": interface,
        },
    )
    return conditional(request, response, last_modified=item.updated_at, etag=document.row.etag)


@permission("recommendations.manage")
def supersede(request: Request) -> Response:
    item = load(request)
    state = request.state
    if item.superseded_by_id is not None:
        linked = recommendations.linked(state.db, item)
        return render(
            request,
            "workspaces/recommendation_supersede.html",
            {"recommendation": item, "linked": linked, "form": {}, "errors": {}},
        )
    if request.method != "POST":
        form = {"superseded_by": "", "reason": ""}
        return _supersede_form(request, item, form, {})
    form = values(state.form, "superseded_by", "reason")
    try:
        refuse_control_characters(form)
        recommendations.supersede(
            state.db,
            item,
            by_number=form["superseded_by"],
            reason=form["reason"],
            by=state.actor.person,
            now=state.now,
        )
    except Invalid as invalid:
        return _supersede_form(request, item, form, invalid.errors, status_code=422)
    return redirect(request, "recommendation", number=item.number)


def _supersede_form(
    request: Request, item: Recommendation, form: dict, errors: dict, status_code: int = 200
) -> Response:
    context = {
        "recommendation": item,
        "linked": {"superseded_by": None},
        "form": form,
        "errors": errors,
    }
    return render(
        request, "workspaces/recommendation_supersede.html", context, status_code=status_code
    )


def _rendering_key(request: Request, item: Recommendation, data: dict) -> str:
    """The rendering to serve (workspaces.rendering.choose): the reader's language, with the
    version `?lang=` names, else their default one; 404 for a version the text does not have."""
    key = rendering.choose(
        item, data, reader=i18n.current_language(), asked=request.query_params.get("lang")
    )
    if key is None:
        raise NotFound()
    return key


def _pdf_name(item: Recommendation, text: recommendations.Text) -> str:
    return f"{item.number}-{text.language}.pdf" if text.others else f"{item.number}.pdf"


def _article(request: Request, item: Recommendation, key: str):
    """The stored HTML under `key`, or (when a release changed the templates or catalogues
    since it was stored) the same rendered now, not stored."""
    row, _fresh = rendering.stored(request.state.db, item, key)
    return row
