"""Atom feeds of recommendations (the council's, and one per working group).

A feed shows the same recommendations as the library (the same readers, superseded ones
included), and the chair's statements published when a round did not adopt its text
(workspaces.statements), newest first. There is a feed per language (`?lang=es`): its words
and the council's name are in that language, and each entry carries the text's version in it
(or the original when the text is not authentic in it), with the working group named in that
version's language. Without `lang`, the feed is in the reader's language. An entry also
carries the audit log's head digest at adoption (`<council:auditHead>`), for readers to keep:
`council audit verify --head DIGEST` then shows whether the log was cut short or rewritten
since.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy import bindparam
from sqlmodel import select
from starlette.requests import Request
from starlette.responses import Response

from council import i18n, names, public, seats
from council.errors import NotFound
from council.i18n import gettext as _
from council.models import WorkingGroup
from council.public import PageFacts, answered_early
from council.text import xml_safe
from council.views import permission
from council.web import conditional
from workspaces import recommendations, rendering, reports, rounds, statements
from workspaces.recommendation_models import Recommendation
from workspaces.report_models import Report
from workspaces.statement_models import PublishedStatement

TEMPLATE = "workspaces/recommendations.atom.xml"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _group_feed_facts():
    """The audit log's head (as public.ACTS) and the working group of the address (no row:
    no such group)."""
    return select(public.audit_head(), WorkingGroup.id).where(
        WorkingGroup.slug == bindparam("slug")
    )


GROUP_FEED_FACTS = PageFacts(_group_feed_facts)


@answered_early(public.ACTS)
@permission("recommendations.read")
def council_feed(request: Request) -> Response:
    """What a feed shows changes only by governance acts: public.ACTS."""
    return public.serve(request, public.ACTS, lambda etag: _council_feed(request, etag))


@answered_early(GROUP_FEED_FACTS, lambda path_params: {"slug": path_params["slug"]})
@permission("recommendations.read")
def group_feed(request: Request) -> Response:
    return public.serve(
        request,
        GROUP_FEED_FACTS,
        lambda etag: _group_feed(request, etag),
        slug=request.path_params["slug"],
    )


def _council_feed(request: Request, etag: str | None = None) -> Response:
    council = request.state.council
    language, query = _language(request)
    with i18n.speaking(language, rendering.catalogues()[language]):
        found = recommendations.library(
            request.state.db, recommendations.Filters(), per_page=ENTRIES, language=language
        )
        said = statements.listing(request.state.db, per_page=ENTRIES)
        reported = reports.feed_entries(request.state.db, limit=ENTRIES)
        name = names.shown(council, council).text if council else ""
        feed = {
            "title": f"{name} · {_('Recommendations')}" if council else _("Recommendations"),
            "subtitle": _(
                "What the council's working groups adopted, with each adoption "
                "record and the reservations of seats as footnotes."
            ),
            "self": str(request.url_for("recommendations_feed")) + query,
            "alternate": str(request.url_for("recommendations")),
            "author": name or _("Recommendations"),
        }
        return _feed(request, feed, found, said, language, reported, etag)


def _group_feed(request: Request, etag: str | None = None) -> Response:
    council = request.state.council
    group = seats.get_group(request.state.db, request.path_params["slug"])
    language, query = _language(request)
    with i18n.speaking(language, rendering.catalogues()[language]):
        found = recommendations.library(
            request.state.db,
            recommendations.Filters(group=group),
            per_page=ENTRIES,
            language=language,
        )
        said = statements.listing(request.state.db, group=group, per_page=ENTRIES)
        reported = reports.feed_entries(request.state.db, group=group, limit=ENTRIES)
        group_name = names.shown(group, council).text
        feed = {
            "title": f"{group_name} · {_('Recommendations')}",
            "subtitle": _("What the working group %(group)s adopted.", group=group_name),
            "self": (str(request.url_for("group_recommendations_feed", slug=group.slug)) + query),
            "alternate": (
                str(request.url_for("recommendations")) + "?" + urlencode({"group": group.slug})
            ),
            "author": names.shown(council, council).text if council else group_name,
        }
        return _feed(request, feed, found, said, language, reported, etag)


def _language(request: Request) -> tuple[str, str]:
    """The feed's language (`?lang=`, else the reader's) and the query naming it ("" when
    none was asked for); an unknown language is 404."""
    asked = request.query_params.get("lang")
    if not asked:
        return i18n.current_language(), ""
    if asked not in request.app.state.settings.languages:
        raise NotFound()
    return asked, "?" + urlencode({"lang": asked})


def _feed(
    request: Request,
    feed: dict,
    found: recommendations.Library,
    said: statements.Listing,
    language: str,
    reported: list[Report] = (),
    etag: str | None = None,
) -> Response:
    """The feed of the recommendations `found`, the chair's statements `said` and the
    reports `reported`, newest first, at most ENTRIES of them."""
    entries = [
        _entry(
            request,
            item,
            found.groups[item.working_group_id],
            found.records[item.id],
            found.shown[item.id],
        )
        for item in found.items
    ]
    entries += [
        _statement_entry(
            request, item, said.groups[item.working_group_id], said.records[item.id], language
        )
        for item in said.items
    ]
    entries += [_report_entry(request, item, language) for item in reported]
    entries = sorted(entries, key=lambda entry: entry["moment"], reverse=True)[:ENTRIES]
    last_modified = max((entry["moment"] for entry in entries), default=None)
    council = request.state.council
    updated = last_modified or (council.created_at if council else EPOCH)
    context = {
        "feed": {**feed, "id": feed["self"], "updated": rfc3339(updated)},
        "entries": entries,
        "language": language,
    }
    response = request.app.state.templates.TemplateResponse(
        request, TEMPLATE, context, media_type=MEDIA_TYPE
    )
    # well-formed whatever is stored: a character XML forbids would break it for every reader
    response.body = xml_safe(response.body.decode()).encode()
    response.headers["content-length"] = str(len(response.body))
    response.headers["content-language"] = language
    return conditional(request, response, last_modified=last_modified, etag=etag)


def _entry(
    request: Request,
    item: Recommendation,
    group: WorkingGroup,
    data: dict,
    text: recommendations.Text,
) -> dict:
    """One entry: the text's version `text` (the feed's language's, else the original), with
    the working group named in its language, linked by its own URLs (`?lang=` when the text
    has other versions, which are linked too)."""
    page = str(request.url_for("recommendation", number=item.number))
    pdf = str(request.url_for("recommendation_pdf", number=item.number))
    api = str(request.url_for("api_recommendation", number=item.number))
    return {
        "kind": "recommendation",
        "moment": item.updated_at,
        "recommendation": item,
        "group": group,
        "group_name": recommendations.group_name(data, text.language),
        "text": text,
        "url": page + text.lang_query,
        "pdf_url": pdf + text.lang_query,
        "api_url": api + text.lang_query,
        "versions": [(code, f"{page}?lang={code}") for code in text.others],
        "updated": rfc3339(item.updated_at),
        "published": rfc3339(item.adopted_at),
        "html": "".join(paragraph["html"] for paragraph in text.paragraphs),
        "audit_head": data["adoption"].get("audit_head"),
    }


def _statement_entry(
    request: Request, item: PublishedStatement, group: WorkingGroup, data: dict, language: str
) -> dict:
    """One entry for a published chair's statement: its words in the feed's language, the
    draft's title in it when the draft had one there; the statement as the chair wrote it."""
    title = statements.title_in(item, data, language)
    paragraphs = [part.strip() for part in data["statement"]["text"].split("\n\n")]
    return {
        "kind": "statement",
        "moment": item.published_at,
        "statement": item,
        "group": group,
        "group_name": statements.group_name(data, language),
        "title": _("Chair's statement on “%(title)s”", title=title.text),
        "summary": _(
            "Outcome of the decision round: %(outcome)s. The text put to it is not published.",
            outcome=rounds.outcome_label(item.outcome),
        ),
        "url": str(request.url_for("statement", number=item.number)),
        "api_url": str(request.url_for("api_statement", number=item.number)),
        "updated": rfc3339(item.published_at),
        "published": rfc3339(item.published_at),
        "html": "".join(
            str(Markup("<p>{}</p>").format(part).replace("\n", Markup("<br>")))
            for part in paragraphs
            if part
        ),
    }


def _report_entry(request: Request, item: Report, language: str) -> dict:
    """One entry for a published report: its version in the feed's language (else its
    default one), its foreword and its contents."""
    data = reports.record(item)
    version = reports.version_of(data, reader=language, asked=None)
    shown = reports.shown(item, data, version)
    page = str(request.url_for("report", number=item.number))
    pdf = str(request.url_for("report_download", number=item.number))
    contents = Markup("<ol>{}</ol>").format(
        Markup("").join(
            Markup('<li lang="{}">{}</li>').format(section.heading.language, section.heading.text)
            for section in shown.sections
        )
    )
    return {
        "kind": "report",
        "moment": item.published_at,
        "report": item,
        "shown": shown,
        "summary": reports.kind_label(item.kind),
        "url": page + shown.lang_query,
        "pdf_url": pdf + shown.lang_query,
        "versions": [(code, f"{page}?lang={code}") for code in shown.others],
        "updated": rfc3339(item.published_at),
        "published": rfc3339(item.published_at),
        "html": str(Markup(shown.foreword.text) + contents),  # noqa: S704  (sanitised)
    }


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
