"""Open data: the public part of the council as one JSON Lines download per kind.

Under `/open-data/`, one JSON object per line, oldest first: `recommendations.jsonl` (every
published recommendation, in every authentic language), `statements.jsonl` (every published
chair's statement), `follow-up.jsonl` (every follow-up report of an addressed seat) and
`reports.jsonl` (every published report), from what publication froze: seats, never people;
nothing of drafts. The same readers as the pages and the API may download them (can(actor,
"recommendations.read")), with the same caching: public for a minute, strong ETags, 304.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response

from council.models import Seat, WorkingGroup
from council.views import permission
from council.web import conditional
from workspaces import recommendations, reports, statements
from workspaces.api import answers_in_json
from workspaces.followup_models import FollowUpReport
from workspaces.recommendation_models import Recommendation
from workspaces.report_models import Report
from workspaces.statement_models import PublishedStatement

MEDIA_TYPE = "application/jsonl; charset=utf-8"


def _lines(objects: Iterable[dict]) -> str:
    return "".join(
        json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in objects
    )


def _groups(session: Session) -> dict[int, WorkingGroup]:
    return {group.id: group for group in session.exec(select(WorkingGroup))}


@answers_in_json  # outermost: refusals of the permission check answer in JSON too
@permission("recommendations.read")
def recommendations_jsonl(request: Request) -> Response:
    db = request.state.db
    items = list(
        db.exec(select(Recommendation).order_by(Recommendation.adopted_at, Recommendation.id)).all()
    )
    body = _lines(recommendation_items(request, items, _groups(db)))
    latest = db.exec(select(func.max(Recommendation.updated_at))).one()
    return conditional(request, Response(body, media_type=MEDIA_TYPE), last_modified=latest)


def recommendation_items(
    request: Request, items: list[Recommendation], groups: dict[int, WorkingGroup]
) -> Iterable[dict]:
    numbers = {item.id: item.number for item in items}
    supersedes = {item.superseded_by_id: item.number for item in items if item.superseded_by_id}
    for item in items:
        data = recommendations.record(item)
        group = groups[item.working_group_id]
        texts = {}
        for code in recommendations.languages(item, data):
            text = recommendations.text_in(item, data, code)
            texts[code] = {
                "title": text.title,
                "summary": text.summary,
                "group_name": recommendations.group_name(data, code).text,
                "paragraphs": [
                    {
                        "id": p["id"],
                        "number": p["number"],
                        "markdown": p["markdown"],
                        "footnotes": p.get("footnotes", []),
                        "origin": p.get("origin"),
                    }
                    for p in text.paragraphs
                ],
            }
        yield {
            "number": item.number,
            "title": item.title,
            "language": item.language,
            "languages": list(texts),
            "working_group": {
                "number": group.number,
                "slug": group.slug,
                "name": recommendations.group_name(data, item.language).text,
            },
            "adopted_at": item.adopted_at.isoformat(),
            "updated_at": item.updated_at.isoformat(),
            "superseded_by": numbers.get(item.superseded_by_id),
            "supersedes": supersedes.get(item.id),
            "url": str(request.url_for("recommendation", number=item.number)),
            "pdf_url": str(request.url_for("recommendation_pdf", number=item.number)),
            "api_url": str(request.url_for("api_recommendation", number=item.number)),
            "texts": texts,
            "general_footnotes": data.get("general_footnotes", []),
            "footnotes": data.get("footnotes", []),
            "adoption": {"audit_head": None} | data["adoption"],
            "observer_statements": data.get("observer_statements", []),
            "seat_names": data.get("seat_names", {}),
        }


@answers_in_json  # outermost: refusals of the permission check answer in JSON too
@permission("recommendations.read")
def statements_jsonl(request: Request) -> Response:
    db = request.state.db
    items = list(
        db.exec(
            select(PublishedStatement).order_by(
                PublishedStatement.published_at, PublishedStatement.id
            )
        ).all()
    )
    groups = _groups(db)
    body = _lines(statement_item(request, item, groups[item.working_group_id]) for item in items)
    latest = db.exec(select(func.max(PublishedStatement.published_at))).one()
    return conditional(request, Response(body, media_type=MEDIA_TYPE), last_modified=latest)


def statement_item(request: Request, item: PublishedStatement, group: WorkingGroup) -> dict:
    data = statements.record(item)
    return {
        "number": item.number,
        "title": item.title,
        "language": item.language,
        "titles": data.get("titles", {}),
        "working_group": {
            "number": group.number,
            "slug": group.slug,
            "name": statements.group_name(data, item.language).text,
        },
        "outcome": item.outcome,
        "closed_at": item.closed_at.isoformat(),
        "given_at": item.given_at.isoformat(),
        "published_at": item.published_at.isoformat(),
        "url": str(request.url_for("statement", number=item.number)),
        "api_url": str(request.url_for("api_statement", number=item.number)),
        "statement": data["statement"],
        "decision": {"round": data["round"], "closed_by": data["closed_by"], **data["decision"]},
        "seat_names": data.get("seat_names", {}),
    }


@answers_in_json  # outermost: refusals of the permission check answer in JSON too
@permission("recommendations.read")
def followup_jsonl(request: Request) -> Response:
    """Each seat's follow-up reports, as public as the recommendations they report on: the
    seat, never who wrote for it."""
    db = request.state.db
    numbers = dict(db.exec(select(Recommendation.id, Recommendation.number)).all())
    seats = {seat.id: seat for seat in db.exec(select(Seat))}
    found = db.exec(
        select(FollowUpReport).order_by(FollowUpReport.reported_at, FollowUpReport.id)
    ).all()
    body = _lines(
        {
            "recommendation": numbers[item.recommendation_id],
            "seat": seats[item.seat_id].name,
            "seat_kind": seats[item.seat_id].kind,
            "status": item.status,
            "narrative": item.narrative,
            "reason": item.reason,
            "links": json.loads(item.links or "[]"),
            "chair_seat": seats[item.chair_seat_id].name if item.chair_seat_id else None,
            "reported_at": item.reported_at.isoformat(),
            "url": str(request.url_for("recommendation", number=numbers[item.recommendation_id])),
        }
        for item in found
    )
    latest = db.exec(select(func.max(FollowUpReport.reported_at))).one()
    return conditional(request, Response(body, media_type=MEDIA_TYPE), last_modified=latest)


@answers_in_json  # outermost: refusals of the permission check answer in JSON too
@permission("recommendations.read")
def reports_jsonl(request: Request) -> Response:
    """Each published report with its frozen record (drafts of reports are not public)."""
    db = request.state.db
    found = db.exec(
        select(Report)
        .where(Report.published_at.is_not(None))
        .order_by(Report.published_at, Report.id)
    ).all()
    groups = _groups(db)
    body = _lines(
        {
            "number": item.number,
            "kind": item.kind,
            "title": item.title,
            "working_group": (
                {
                    "number": groups[item.working_group_id].number,
                    "slug": groups[item.working_group_id].slug,
                }
                if item.working_group_id
                else None
            ),
            "published_at": item.published_at.isoformat(),
            "url": str(request.url_for("report", number=item.number)),
            "pdf_url": str(request.url_for("report_download", number=item.number)),
            "record": reports.record(item),
        }
        for item in found
    )
    latest = db.exec(select(func.max(Report.published_at))).one()
    return conditional(request, Response(body, media_type=MEDIA_TYPE), last_modified=latest)
