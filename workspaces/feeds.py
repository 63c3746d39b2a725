"""Atom feeds of recommendations (the council's, and one per working group).

A feed shows the same recommendations as the library (the same readers, superseded ones
included), newest first; each entry carries the adopted text, which stays in the language it
was adopted in, while the feed's own words follow the reader. An entry also carries the
audit log's head digest at adoption (`<council:auditHead>`), for readers to keep: `council
audit verify --head DIGEST` then shows whether the log was cut short or rewritten since.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from council import i18n, seats
from council.i18n import gettext as _
from council.models import WorkingGroup
from council.text import xml_safe
from council.views import permission
from council.web import conditional
from workspaces import recommendations
from workspaces.recommendation_models import Recommendation

TEMPLATE = "workspaces/recommendations.atom.xml"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@permission("recommendations.read")
def council_feed(request: Request) -> Response:
    council = request.state.council
    found = recommendations.library(request.state.db, recommendations.Filters(),
                                    per_page=ENTRIES)
    feed = {
        "title": f"{council.name} · {_('Recommendations')}" if council else _("Recommendations"),
        "subtitle": _("What the council's working groups adopted, with each adoption record "
                      "and the reservations of seats as footnotes."),
        "self": str(request.url_for("recommendations_feed")),
        "alternate": str(request.url_for("recommendations")),
        "author": council.name if council else _("Recommendations"),
    }
    return _feed(request, feed, found)


@permission("recommendations.read")
def group_feed(request: Request) -> Response:
    council = request.state.council
    group = seats.get_group(request.state.db, request.path_params["slug"])
    found = recommendations.library(request.state.db, recommendations.Filters(group=group),
                                    per_page=ENTRIES)
    feed = {
        "title": f"{group.name} · {_('Recommendations')}",
        "subtitle": _("What the working group %(group)s adopted.", group=group.name),
        "self": str(request.url_for("group_recommendations_feed", slug=group.slug)),
        "alternate": (str(request.url_for("recommendations")) + "?"
                      + urlencode({"group": group.slug})),
        "author": council.name if council else group.name,
    }
    return _feed(request, feed, found)


def _feed(request: Request, feed: dict, found: recommendations.Library) -> Response:
    entries = [_entry(request, item, found.groups[item.working_group_id])
               for item in found.items]
    last_modified = max((item.updated_at for item in found.items), default=None)
    council = request.state.council
    updated = last_modified or (council.created_at if council else EPOCH)
    context = {
        "feed": {**feed, "id": feed["self"], "updated": rfc3339(updated)},
        "entries": entries,
        "language": i18n.current_language(),
    }
    response = request.app.state.templates.TemplateResponse(
        request, TEMPLATE, context, media_type=MEDIA_TYPE)
    # well-formed whatever is stored: a character XML forbids would break it for every reader
    response.body = xml_safe(response.body.decode()).encode()
    response.headers["content-length"] = str(len(response.body))
    return conditional(request, response, last_modified=last_modified)


def _entry(request: Request, item: Recommendation, group: WorkingGroup) -> dict:
    record = recommendations.record(item)
    return {
        "recommendation": item,
        "group": group,
        "url": str(request.url_for("recommendation", number=item.number)),
        "pdf_url": str(request.url_for("recommendation_pdf", number=item.number)),
        "api_url": str(request.url_for("api_recommendation", number=item.number)),
        "updated": rfc3339(item.updated_at),
        "published": rfc3339(item.adopted_at),
        "html": "".join(paragraph["html"] for paragraph in record["paragraphs"]),
        "audit_head": record["adoption"].get("audit_head"),
    }


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
