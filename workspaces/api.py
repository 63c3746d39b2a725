"""The read-only JSON API of recommendations and chair's statements, and its OpenAPI document.

It answers from what publication stored (the recommendation row and its `record`), so it names
seats and never people. The same readers as the pages may use it; an anonymous reader who may
not gets 401 rather than the pages' sign-in redirect, and every refusal is JSON.

A text is authentic in each of its versions: `lang` asks for one (its title, summary, text and
the names of the working group and seats in that language). Without it, the version in the
language the request prefers (Accept-Language), else the original. A `lang` that is no language
of the workspace is 400; asking one recommendation for a version it does not have is 404 (the
list shows each recommendation in the asked version, or its original).

Chair's statements published when a decision round did not adopt its text
(workspaces.statements) are listed and read the same way, from their frozen record: `lang`
names the language of the working group's and seats' names and of the draft's title, when the
record has them there; never the draft's text.

Every path answers GET and HEAD only: another method is 405 with `Allow`, in JSON, before any
CSRF check (there is nothing to protect where nothing is written). The API is public data when
the council makes its recommendations public: a web page of another site may read it (CORS:
`Access-Control-Allow-Origin: *` on anonymous answers, never with credentials); the members'
pages send no such header.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from council import i18n, names, public
from council.errors import NotFound
from council.i18n import gettext as _
from council.models import WorkingGroup
from council.pages import SignInRequired
from council.settings import LANGUAGES
from council.views import permission
from council.web import conditional, counting_number
from workspaces import recommendation_views, recommendations, statements
from workspaces.recommendation_models import Recommendation
from workspaces.recommendation_views import NUMBER
from workspaces.statement_models import PublishedStatement

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_QUERY = 200
YEARS = (1900, 9999)
"""The years a filter may name (and the document declares): four digits."""
ALLOWED = "GET, HEAD, OPTIONS"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Language",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Allow-Headers": "Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


class ApiRoute(Route):
    """A route of the API: GET and HEAD; OPTIONS answers a browser's CORS preflight; any other
    method is a JSON 405 with `Allow` (Starlette's own 405 would be the HTML error page).
    Answers to anonymous readers carry `Access-Control-Allow-Origin: *`, so that pages of
    other sites may read the public recommendations; a signed-in reader's answer never does
    (a cross-site request carries no cookie, so it is anonymous)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "OPTIONS":
            response = Response(status_code=204, headers={"Allow": ALLOWED, **PREFLIGHT_HEADERS})
            return await response(scope, receive, send)
        if method not in self.methods:
            response = JSONResponse(
                {
                    "error": "method_not_allowed",
                    "message": _("This address only answers GET and HEAD: the API is read-only."),
                },
                status_code=405,
                headers={"Allow": ALLOWED},
            )
            return await response(scope, receive, send)
        actor = scope.get("state", {}).get("actor")
        if actor is not None and actor.signed_in:
            return await super().handle(scope, receive, send)

        async def send_shared(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *(
                        (name.lower().encode(), value.encode())
                        for name, value in CORS_HEADERS.items()
                    ),
                ]
            await send(message)

        await super().handle(scope, receive, send_shared)


class Refusal(Exception):
    """An answer other than 200, given as JSON: {"error": code, "message": ...}."""

    def __init__(self, status: int, error: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.error, self.message, self.parameter = status, error, message, parameter

    def response(self) -> Response:
        body = {"error": self.error, "message": self.message}
        if self.parameter:
            body["parameter"] = self.parameter
        return JSONResponse(
            body, status_code=self.status, headers={"Vary": "Cookie, Accept-Language"}
        )


def answers_in_json(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Turn the refusals the pages answer with HTML or a redirect into JSON errors."""

    @functools.wraps(handler)
    def answer(request: Request) -> Response:
        try:
            return handler(request)
        except Refusal as refusal:
            return refusal.response()
        except SignInRequired:
            return Refusal(
                401,
                "sign_in_required",
                _("Sign in to read this council's recommendations: they are not public."),
            ).response()
        except NotFound:
            return Refusal(
                404, "not_found", _("There is no recommendation with this number.")
            ).response()

    return answer


@permission("public")
def openapi(request: Request) -> Response:
    return conditional(request, JSONResponse(DOCUMENT), last_modified=None)


@public.answered_early(public.ACTS, headers=CORS_HEADERS)
@answers_in_json  # outermost: refusals of the permission check answer in JSON too
@permission("recommendations.read")
def recommendation_list(request: Request) -> Response:
    """What the list shows changes only by governance acts: public.ACTS (its filters, pages
    and language are in the address, which the ETag names)."""
    return public.serve(request, public.ACTS, lambda etag: _recommendation_list(request, etag))


def _recommendation_list(request: Request, etag: str | None) -> Response:
    db = request.state.db
    filters, page, per_page = _list_query(request)
    after, before = _cursors(request)
    language = _language(request)
    found = recommendations.library(
        db,
        filters,
        page=page,
        per_page=per_page,
        language=language or i18n.current_language(),
        after=after,
        before=before,
    )
    later = _numbers(db, {item.superseded_by_id for item in found.items} - {None})
    body = {
        "items": [
            summary(
                request,
                item,
                found.groups[item.working_group_id],
                later.get(item.superseded_by_id),
                found.records[item.id],
                found.shown[item.id],
            )
            for item in found.items
        ],
        **_paging(
            request,
            filters,
            found,
            per_page,
            language,
            "api_recommendations",
            cursors=({"after": found.after}, {"before": found.before or ""}),
        ),
    }
    return conditional(request, JSONResponse(body), last_modified=found.last_modified, etag=etag)


@answers_in_json  # outermost: refusals of the permission check answer in JSON too
@permission("recommendations.read")
def recommendation_detail(request: Request) -> Response:
    language = _language(request)
    item = recommendation_views.load(request)  # its refusals are answered in JSON
    db = request.state.db
    data = recommendations.record(item)
    if language and language not in recommendations.languages(item, data):
        raise Refusal(
            404,
            "not_found",
            _(
                "This recommendation has no version in %(language)s.",
                language=names.language_in_words(language),
            ),
            "lang",
        )
    text = recommendations.text_in(item, data, language or i18n.current_language())
    group = db.get(WorkingGroup, item.working_group_id)
    linked = recommendations.linked(db, item)
    named = recommendations.with_seat_names_in(data, text.language)
    later, earlier = linked["superseded_by"], linked["supersedes"]
    paragraphs = [
        paragraph | {"origin": shown["origin"]} if "origin" in paragraph else paragraph
        for paragraph, shown in zip(text.paragraphs, named["paragraphs"], strict=True)
    ]
    body = summary(request, item, group, later.number if later else None, data, text) | {
        "supersedes": earlier.number if earlier else None,
        "markdown": "\n\n".join(paragraph["markdown"] for paragraph in paragraphs),
        "html": "".join(paragraph["html"] for paragraph in paragraphs),
        "paragraphs": paragraphs,
        "general_footnotes": named["general_footnotes"],
        "footnotes": named["footnotes"],
        "adoption": {"audit_head": None} | named["adoption"],
        "observer_statements": named["observer_statements"],
    }
    response = JSONResponse(body, headers={"Content-Language": text.language})
    return conditional(request, response, last_modified=item.updated_at)


@answers_in_json  # outermost: refusals of the permission check answer in JSON too
@permission("recommendations.read")
def statement_list(request: Request) -> Response:
    """The published chair's statements, newest first (workspaces.statements)."""
    filters, page, per_page = _list_query(request)
    asked = _language(request)
    language = asked or i18n.current_language()
    found = statements.listing(
        request.state.db,
        group=filters.group,
        year=filters.year,
        query=filters.query,
        page=page,
        per_page=per_page,
    )
    body = {
        "items": [
            statement_summary(
                request, item, found.groups[item.working_group_id], found.records[item.id], language
            )
            for item in found.items
        ],
        **_paging(request, filters, found, per_page, asked, "api_statements"),
    }
    return conditional(request, JSONResponse(body), last_modified=found.last_modified)


@answers_in_json  # outermost: refusals of the permission check answer in JSON too
@permission("recommendations.read")
def statement_detail(request: Request) -> Response:
    """One published chair's statement with its decision record, seats named in `lang`."""
    language = _language(request) or i18n.current_language()
    db = request.state.db
    try:
        item = statements.get(db, request.path_params["number"])
    except NotFound:
        raise Refusal(
            404, "not_found", _("There is no chair's statement with this number.")
        ) from None
    data = statements.record(item)
    named = statements.with_seat_names_in(data, language)
    decision = named["decision"]
    body = statement_summary(
        request, item, db.get(WorkingGroup, item.working_group_id), data, language
    ) | {
        "statement": named["statement"],
        "decision": {
            "round": named["round"],
            "closed_by": named["closed_by"],
            **{
                key: decision[key]
                for key in (
                    "rule",
                    "outcome_reason",
                    "quorum_numerator",
                    "quorum_denominator",
                    "participants_block",
                    "tally",
                    "positions",
                )
            },
        },
    }
    response = JSONResponse(body, headers={"Content-Language": language})
    return conditional(request, response, last_modified=item.published_at)


def statement_summary(
    request: Request, item: PublishedStatement, group: WorkingGroup, data: dict, language: str
) -> dict:
    """A published chair's statement, its names in `language` where the record has them."""
    title = statements.title_in(item, data, language)
    return {
        "number": item.number,
        "title": title.text,
        "title_language": title.language,
        "language": language,
        "working_group": {
            "number": group.number,
            "slug": group.slug,
            "name": statements.group_name(data, language).text,
        },
        "outcome": item.outcome,
        "closed_at": item.closed_at.isoformat(),
        "given_at": item.given_at.isoformat(),
        "published_at": item.published_at.isoformat(),
        "url": str(request.url_for("statement", number=item.number)),
        "api_url": str(request.url_for("api_statement", number=item.number)),
    }


def summary(
    request: Request,
    item: Recommendation,
    group: WorkingGroup,
    superseded_by: str | None,
    data: dict,
    text: recommendations.Text,
) -> dict:
    """A recommendation in its version `text`, with the links to every version."""
    urls = _urls(request, item)
    return {
        "number": item.number,
        "title": text.title,
        "language": text.language,
        "original_language": item.language,
        "languages": text.languages,
        "summary": text.summary,
        "working_group": {
            "number": group.number,
            "slug": group.slug,
            "name": recommendations.group_name(data, text.language).text,
        },
        "adopted_at": item.adopted_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "superseded_by": superseded_by,
        **{key: url + text.lang_query for key, url in urls.items()},
        "versions": [
            {
                "language": code,
                "title": recommendations.text_in(item, data, code).title,
                **{
                    key: url + (f"?lang={code}" if text.others else "") for key, url in urls.items()
                },
            }
            for code in text.languages
        ],
    }


def _urls(request: Request, item: Recommendation) -> dict[str, str]:
    return {
        "url": str(request.url_for("recommendation", number=item.number)),
        "pdf_url": str(request.url_for("recommendation_pdf", number=item.number)),
        "api_url": str(request.url_for("api_recommendation", number=item.number)),
    }


def _language(request: Request) -> str | None:
    """The version asked for (`lang`), None if none; anything but a language of the workspace
    (a blank too) is refused (400)."""
    asked = request.query_params.get("lang")
    if asked is None:
        return None
    if asked not in LANGUAGES:
        raise Refusal(
            400,
            "bad_request",
            _("%(name)s must be one of %(values)s.", name="lang", values=", ".join(LANGUAGES)),
            "lang",
        )
    return asked


def _list_query(request: Request) -> tuple[recommendations.Filters, int, int]:
    """The filters and the page asked for; a value that cannot be one is refused (400), a
    group that does not exist is not found (404), as the document says."""
    params = request.query_params
    page = _whole_number(params, "page", default=1, low=1, high=MAX_PAGE)
    per_page = _whole_number(params, "per_page", default=PER_PAGE, low=1, high=MAX_PER_PAGE)
    year = _whole_number(params, "year", default=None, low=YEARS[0], high=YEARS[1])
    query = params.get("q", "")
    if len(query) > MAX_QUERY:
        raise Refusal(
            400,
            "bad_request",
            _("%(name)s may hold at most %(count)s characters.", name="q", count=MAX_QUERY),
            "q",
        )
    group = None
    slug = params.get("group", "").strip()
    if slug:
        group = recommendations.find_group(request.state.db, slug)
        if group is None:
            raise Refusal(
                404, "not_found", _("There is no working group %(slug)s.", slug=slug[:100]), "group"
            )
    return recommendations.Filters(group=group, year=year, query=query.strip()), page, per_page


def _whole_number(params, name: str, *, default: int | None, low: int, high: int) -> int | None:
    """The whole number `name` from `low` to `high` (the range the document declares), or
    `default` when it is not given; anything else is refused (400) with the same message: a
    blank, a word, a negative number, one out of range however many digits it has."""
    raw = params.get(name)
    if raw is None:
        return default
    value = counting_number(raw.lstrip("0") or "0") if raw.isascii() and raw.isdigit() else None
    if value is None or not low <= value <= high:
        raise Refusal(
            400,
            "bad_request",
            _(
                "%(name)s must be a whole number from %(low)s to %(high)s.",
                name=name,
                low=low,
                high=high,
            ),
            name,
        )
    return value


def _cursors(request: Request) -> tuple[str | None, str | None]:
    """`after` and `before`, the numbers the links of a page name for the next and previous
    ones (keyset pagination); anything but a recommendation's number is refused (400)."""
    found = []
    for name in ("after", "before"):
        value = request.query_params.get(name)
        if value is not None and not recommendation_views.NUMBER.fullmatch(value):
            raise Refusal(
                400,
                "bad_request",
                _(
                    "%(name)s must be the number of a recommendation, such as WG2-2026-03.",
                    name=name,
                ),
                name,
            )
        found.append(value)
    return found[0], found[1]


def _paging(
    request: Request,
    filters: recommendations.Filters,
    found: Any,
    per_page: int,
    language: str | None,
    route: str,
    *,
    cursors: tuple[dict[str, str | None], dict[str, str | None]] | None = None,
) -> dict:
    """A list's page, its size and count, and the links to it and to the pages beside it
    (`cursors`: the keyset of the next and of the previous page, where the list has one)."""
    after, before = cursors or (None, None)

    def link(page: int, cursor: dict[str, str | None] | None = None) -> str:
        return _list_url(request, filters, page, per_page, language, route, cursor)

    return {
        "page": found.page,
        "per_page": per_page,
        "total": found.total,
        "pages": found.pages,
        "links": {
            "self": link(found.page),
            "next": link(found.page + 1, after) if found.page < found.pages else None,
            "prev": link(found.page - 1, before) if found.page > 1 else None,
        },
    }


def _list_url(
    request: Request,
    filters: recommendations.Filters,
    page: int,
    per_page: int,
    language: str | None,
    route: str = "api_recommendations",
    cursor: dict[str, str | None] | None = None,
) -> str:
    params = {
        "q": filters.query,
        "group": filters.group.slug if filters.group else "",
        "year": filters.year or "",
        "lang": language or "",
        "page": page,
        "per_page": per_page if per_page != PER_PAGE else "",
        **{key: value or "" for key, value in (cursor or {}).items()},
    }
    query = urlencode({key: value for key, value in params.items() if value != ""})
    return str(request.url_for(route)) + "?" + query


def _numbers(session: Session, ids: set[int]) -> dict[int, str]:
    """The numbers of the recommendations with these ids (those that supersede a page's)."""
    if not ids:
        return {}
    return dict(
        session.exec(
            select(Recommendation.id, Recommendation.number).where(Recommendation.id.in_(ids))
        ).all()
    )


# The OpenAPI document, written by hand: it is the API's contract, and the tests check the
# real answers against it.


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict, *, description: str = "", optional: tuple[str, ...] = ()) -> dict:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_STRING = {"type": "string"}
_TYPED = {
    "type": "string",
    "pattern": "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]*$",
    "description": "Text as typed: no control character (a line feed and a tab may be).",
}
"""What a query parameter may hold: an address with a control character is refused (400)."""
_INTEGER = {"type": "integer"}
_COUNT = {"type": "integer", "minimum": 0}
_TIME = {"type": "string", "format": "date-time"}
_URL = {"type": "string", "format": "uri"}
_NUMBER = {"type": "string", "pattern": f"^{NUMBER.pattern}$", "examples": ["WG5-2026-03"]}
_SEAT_KIND = {"type": "string", "enum": ["member_state", "participant", "observer"]}
_LANGUAGE = {"type": "string", "enum": list(LANGUAGES)}

_SUMMARY_PROPERTIES = {
    "number": {
        **_NUMBER,
        "description": "Permanent number: the working group's number, "
        "the year of adoption, the order within both.",
    },
    "title": {"type": "string", "description": "In the version `language`."},
    "language": {
        **_LANGUAGE,
        "description": "The language of the version given here (its "
        "title, summary and text, and the names of the working group and seats).",
    },
    "original_language": {
        **_LANGUAGE,
        "description": "The language the text was drafted in. Every version is equally authentic.",
    },
    "languages": {
        "type": "array",
        "items": _LANGUAGE,
        "minItems": 1,
        "description": "Every language the text is authentic in.",
    },
    "summary": {"type": "string", "description": "The first words of the text."},
    "working_group": _ref("WorkingGroup"),
    "adopted_at": _TIME,
    "updated_at": {**_TIME, "description": "Last change of anything a reader sees."},
    "superseded_by": _nullable(
        {**_NUMBER, "description": "The number of the recommendation that replaces this one."}
    ),
    "url": {**_URL, "description": "The recommendation's page (in this version)."},
    "pdf_url": {**_URL, "description": "The recommendation as PDF (in this version)."},
    "api_url": {**_URL, "description": "This recommendation in this API (in this version)."},
    "versions": {
        "type": "array",
        "items": _ref("Version"),
        "description": "Every authentic version, this one included.",
    },
}

_STATEMENT_NUMBER = {
    "type": "string",
    "pattern": f"^{statements.NUMBER.pattern}$",
    "examples": ["WG4-2026-S01"],
}

_STATEMENT_PROPERTIES = {
    "number": {
        **_STATEMENT_NUMBER,
        "description": "Permanent number: the working group's "
        "number, the year the round closed, S and the order within both.",
    },
    "title": {
        "type": "string",
        "description": "The title of the draft put to the round (its "
        "text is never published), in `language` when it had one, else its original.",
    },
    "title_language": _LANGUAGE,
    "language": {
        **_LANGUAGE,
        "description": "The language asked for: of the names of the "
        "working group and seats, and of the title, where they have one in it.",
    },
    "working_group": _ref("WorkingGroup"),
    "outcome": {"type": "string", "enum": ["not_adopted", "no_quorum"]},
    "closed_at": {**_TIME, "description": "When the decision round closed."},
    "given_at": {**_TIME, "description": "When the chair gave the statement."},
    "published_at": _TIME,
    "url": {**_URL, "description": "The statement's page."},
    "api_url": {**_URL, "description": "This statement in this API."},
}

SCHEMAS = {
    "WorkingGroup": _object(
        {
            "number": _INTEGER,
            "slug": _STRING,
            "name": {
                "type": "string",
                "description": "In the version's language, else in the council's default language.",
            },
        }
    ),
    "Version": _object(
        {
            "language": _LANGUAGE,
            "title": _STRING,
            "url": _URL,
            "pdf_url": _URL,
            "api_url": _URL,
        },
        description="One authentic version of the text and where to read it.",
    ),
    "RecommendationSummary": _object(_SUMMARY_PROPERTIES),
    "Recommendation": _object(
        _SUMMARY_PROPERTIES
        | {
            "supersedes": _nullable(
                {**_NUMBER, "description": "The number of the recommendation this one replaced."}
            ),
            "markdown": {"type": "string", "description": "The adopted text (Markdown)."},
            "html": {"type": "string", "description": "The adopted text (sanitised HTML)."},
            "paragraphs": {"type": "array", "items": _ref("Paragraph")},
            "general_footnotes": {
                "type": "array",
                "items": _COUNT,
                "description": "Footnotes on the text as a whole.",
            },
            "footnotes": {"type": "array", "items": _ref("Footnote")},
            "adoption": _ref("Adoption"),
            "observer_statements": {"type": "array", "items": _ref("ObserverStatement")},
        }
    ),
    "Paragraph": _object(
        {
            "id": {"type": "string", "description": "Stable across the draft's revisions."},
            "number": _nullable(
                {
                    **_COUNT,
                    "description": "The number it is cited by: 1, 2, ... "
                    "in reading order; null for headings, rules and link definitions.",
                }
            ),
            "html": _STRING,
            "markdown": _STRING,
            "footnotes": {"type": "array", "items": _COUNT},
            "origin": _ref("Origin"),
        },
        optional=("origin",),
    ),
    "Origin": _object(
        {
            "kind": {
                "type": "string",
                "enum": ["original", "revision", "amendment", "editorial", "merge"],
                "description": "Where the paragraph's text came from: the original text, a "
                "whole-text revision, an amendment, the chair's editorial change, or the "
                "chair's merge of several amendments.",
            },
            "revision": {**_COUNT, "description": "The revision that gave it this text."},
            "amendment": _nullable({**_COUNT, "description": "The amendment's number."}),
            "seat": _nullable({**_STRING, "description": "The proposing seat (never a person)."}),
            "decided_at": _nullable({**_STRING, "format": "date-time"}),
            "edited": {
                "type": "boolean",
                "description": "Accepted with an editorial change by the chair.",
            },
            "merged": {
                "type": "array",
                "items": _object({"amendment": _COUNT, "seat": _nullable(_STRING)}),
            },
        },
        optional=("amendment", "seat", "decided_at", "edited", "merged"),
    ),
    "Footnote": _object(
        {
            "number": _COUNT,
            "seat": _STRING,
            "seat_kind": _SEAT_KIND,
            "kind": {"type": "string", "enum": ["reservation", "objection"]},
            "text": _STRING,
            "paragraphs": {
                "type": "array",
                "items": _STRING,
                "description": "Ids of the paragraphs it concerns; none: the whole text.",
            },
        },
        description="A seat's reservation or recorded objection.",
    ),
    "Adoption": _object(
        {
            "round": {**_INTEGER, "description": "The decision round that adopted the text."},
            "closed_at": _TIME,
            "rule": {"type": "string", "enum": ["consensus", "majority", "two_thirds"]},
            "outcome_reason": _nullable(_STRING),
            "quorum_numerator": _COUNT,
            "quorum_denominator": _COUNT,
            "participants_block": {"type": "boolean"},
            "tally": _ref("Tally"),
            "positions": {"type": "array", "items": _ref("Position")},
            "chair_statement": {"oneOf": [_ref("ChairStatement"), {"type": "null"}]},
            "audit_head": _nullable(
                {
                    **_STRING,
                    "description": "The digest (SHA-256, hex) of the council's audit log when the "
                    "text was adopted: keep it, and `council audit verify --head` "
                    "shows whether the log still holds it.",
                }
            ),
        }
    ),
    "Tally": _object(
        {
            **{
                name: _COUNT
                for name in (
                    "seats",
                    "answered",
                    "deciding_seats",
                    "deciding_answered",
                    "quorum",
                    "supports",
                    "objections",
                    "abstentions",
                    "recorded_objections",
                )
            },
            "counts": {
                "type": "object",
                "description": "Positions by seat kind, then by choice.",
                "additionalProperties": {"type": "object", "additionalProperties": _COUNT},
            },
        }
    ),
    "Position": _object(
        {
            "seat": _STRING,
            "seat_kind": _SEAT_KIND,
            "choice": {
                "type": "string",
                "enum": ["support", "support_with_reservation", "abstain", "object", "unanswered"],
            },
            "text": {"type": "string", "description": "The reservation or the objection's reason."},
            "footnote": _nullable(_COUNT),
        },
        description="A seat's position; people are never named.",
    ),
    "ChairStatement": _object(
        {"text": _STRING, "chair_seat": _nullable(_STRING), "given_at": _TIME}
    ),
    "ObserverStatement": _object({"seat": _STRING, "text": _STRING, "submitted_at": _TIME}),
    "RecommendationPage": _object(
        {
            "items": {"type": "array", "items": _ref("RecommendationSummary")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": _COUNT,
            "pages": {"type": "integer", "minimum": 1},
            "links": _object({"self": _URL, "next": _nullable(_URL), "prev": _nullable(_URL)}),
        }
    ),
    "StatementSummary": _object(_STATEMENT_PROPERTIES),
    "Statement": _object(
        _STATEMENT_PROPERTIES
        | {
            "statement": _object(
                {
                    "text": {"type": "string", "description": "As the chair wrote it."},
                    "chair_seat": _nullable(
                        {
                            **_STRING,
                            "description": "The seat that held the chair "
                            "when the statement was given (never a person).",
                        }
                    ),
                    "given_at": _TIME,
                }
            ),
            "decision": _ref("Decision"),
        }
    ),
    "Decision": _object(
        {
            "round": {**_INTEGER, "description": "The decision round."},
            "closed_by": {"type": "string", "enum": ["chair", "deadline"]},
            "rule": {"type": "string", "enum": ["consensus", "majority", "two_thirds"]},
            "outcome_reason": _nullable(_STRING),
            "quorum_numerator": _COUNT,
            "quorum_denominator": _COUNT,
            "participants_block": {"type": "boolean"},
            "tally": _ref("Tally"),
            "positions": {
                "type": "array",
                "items": _object(
                    {
                        "seat": _STRING,
                        "seat_kind": _SEAT_KIND,
                        "choice": {
                            "type": "string",
                            "enum": [
                                "support",
                                "support_with_reservation",
                                "abstain",
                                "object",
                                "unanswered",
                            ],
                        },
                    },
                    description="A seat's position (its reasons are not published with a text that "
                    "was not adopted); people are never named.",
                ),
            },
        },
        description="The record of a decision round that did not adopt its text.",
    ),
    "StatementPage": _object(
        {
            "items": {"type": "array", "items": _ref("StatementSummary")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": _COUNT,
            "pages": {"type": "integer", "minimum": 1},
            "links": _object({"self": _URL, "next": _nullable(_URL), "prev": _nullable(_URL)}),
        }
    ),
    "Error": _object(
        {
            "error": {
                "type": "string",
                "enum": ["bad_request", "sign_in_required", "not_found", "method_not_allowed"],
            },
            "message": {"type": "string", "description": "In the reader's language."},
            "parameter": {"type": "string", "description": "The query parameter refused."},
        },
        optional=("parameter",),
    ),
}


def _json(schema: dict, description: str, headers: bool = False) -> dict:
    answer = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = {
            "ETag": {"schema": _STRING},
            "Last-Modified": {"schema": _STRING},
            "Cache-Control": {"schema": _STRING},
            "Content-Language": {"schema": _STRING},
        }
    return answer


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


_NOT_MODIFIED = {
    "description": "Not modified: the copy named by If-None-Match or If-Modified-Since is current."
}
_SIGN_IN = _error(
    "The council's recommendations are not public: sign in (the session "
    "cookie of the workspace) to read them."
)
_CONDITIONS = [
    {"name": "If-None-Match", "in": "header", "required": False, "schema": _STRING},
    {"name": "If-Modified-Since", "in": "header", "required": False, "schema": _STRING},
]
_PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "description": "From 1; past the last page, the last page.",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
}
_CURSORS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"The number of the {which} item of the page {where} this one: the "
        "page is read from there in the index (the `next` and `prev` links carry it), however "
        "deep it is; `page` is then the number it is given.",
        "schema": {"type": "string", "pattern": r"^WG\d{1,9}-\d{4}-\d{2,6}$"},
    }
    for name, which, where in (("after", "last", "before"), ("before", "first", "after"))
]
_GROUP = {
    "name": "group",
    "in": "query",
    "required": False,
    "schema": _TYPED,
    "description": "A working group's slug; one that names no working group is 404.",
}
_YEAR = {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}
_BAD_QUERY = _error(
    "A query parameter is not a possible value: a number out of its range, "
    "`q` longer than its maxLength, `lang` not a language of the workspace "
    "(`parameter` names it)."
)
_NO_GROUP = _error("`group` names no working group (`parameter`: group).")
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": _LANGUAGE,
    "description": "The version to read: its title, summary and text, and the names of "
    "the working group and seats, in that language. Without it, the language the request "
    "prefers (Accept-Language) when the text is authentic in it, else the original.",
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Council Workspace: recommendations",
        "version": "1.0.0",
        "description": (
            "The recommendations the council's working groups adopted, read-only. Answers "
            "name seats, never people. When the council does not make its recommendations "
            "public, only signed-in readers may use the API. Answers carry ETag and "
            "Last-Modified; send them back to get 304 Not Modified. A text adopted in several "
            "official languages is equally authentic in each: `lang` chooses the version, "
            "and every answer lists the others. When a decision round ends without adopting "
            "its text, its chair may publish the chair's statement: /api/v1/statements lists "
            "them, with the outcome, the tally and each seat's position, never the text."
        ),
    },
    "paths": {
        "/api/v1/recommendations": {
            "get": {
                "operationId": "listRecommendations",
                "summary": "Recommendations, newest first, one page at a time",
                "parameters": [
                    _PAGE,
                    *_CURSORS,
                    {
                        "name": "per_page",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_PER_PAGE,
                            "default": PER_PAGE,
                        },
                    },
                    _GROUP,
                    {
                        "name": "year",
                        "in": "query",
                        "required": False,
                        "description": "The year of adoption.",
                        "schema": _YEAR,
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "required": False,
                        "description": "Words in the title or the text (case and accents "
                        "ignored, prefixes match).",
                        "schema": {**_TYPED, "maxLength": MAX_QUERY},
                    },
                    {
                        **_LANG,
                        "description": "The version each recommendation is shown in, "
                        "when its text is authentic in it (else its original; `language` says "
                        "which). Without it, the language the request prefers (Accept-Language). "
                        "A search finds words of any version; an item shows the version that "
                        "holds them.",
                    },
                    *_CONDITIONS,
                ],
                "responses": {
                    "200": _json(
                        _ref("RecommendationPage"), "One page of recommendations.", headers=True
                    ),
                    "304": _NOT_MODIFIED,
                    "400": _BAD_QUERY,
                    "401": _SIGN_IN,
                    "404": _NO_GROUP,
                },
            },
        },
        "/api/v1/recommendations/{number}": {
            "get": {
                "operationId": "getRecommendation",
                "summary": "One recommendation: its text, footnotes and adoption record",
                "parameters": [
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "schema": _NUMBER,
                        "description": "e.g. WG5-2026-03",
                    },
                    _LANG,
                    *_CONDITIONS,
                ],
                "responses": {
                    "200": _json(
                        _ref("Recommendation"),
                        "The recommendation, in the version asked for (Content-Language names it).",
                        headers=True,
                    ),
                    "304": _NOT_MODIFIED,
                    "400": _error("`lang` is not a language of the workspace."),
                    "401": _SIGN_IN,
                    "404": _error(
                        "There is no recommendation with this number, or (with "
                        "`parameter`: lang) it has no version in that language."
                    ),
                },
            },
        },
        "/api/v1/statements": {
            "get": {
                "operationId": "listStatements",
                "summary": "Chair's statements of rounds that did not adopt their text, "
                "newest first",
                "parameters": [
                    _PAGE,
                    {
                        "name": "per_page",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_PER_PAGE,
                            "default": PER_PAGE,
                        },
                    },
                    _GROUP,
                    {
                        "name": "year",
                        "in": "query",
                        "required": False,
                        "description": "The year the round closed.",
                        "schema": _YEAR,
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "required": False,
                        "description": "Words in the statement, the title or the working group's "
                        "name (case and accents ignored, prefixes match).",
                        "schema": {**_TYPED, "maxLength": MAX_QUERY},
                    },
                    {
                        **_LANG,
                        "description": "The language of the names of working groups "
                        "and seats and of the titles, where they have one in it. Without it, the "
                        "language the request prefers (Accept-Language).",
                    },
                    *_CONDITIONS,
                ],
                "responses": {
                    "200": _json(
                        _ref("StatementPage"), "One page of chair's statements.", headers=True
                    ),
                    "304": _NOT_MODIFIED,
                    "400": _BAD_QUERY,
                    "401": _SIGN_IN,
                    "404": _NO_GROUP,
                },
            },
        },
        "/api/v1/statements/{number}": {
            "get": {
                "operationId": "getStatement",
                "summary": "One chair's statement, with the round's outcome, tally and the "
                "seats' positions",
                "parameters": [
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "schema": _STATEMENT_NUMBER,
                        "description": "e.g. WG4-2026-S01",
                    },
                    {
                        **_LANG,
                        "description": "The language of the names of the working group "
                        "and seats and of the title, where they have one in it. Without it, the "
                        "language the request prefers (Accept-Language).",
                    },
                    *_CONDITIONS,
                ],
                "responses": {
                    "200": _json(
                        _ref("Statement"),
                        "The chair's statement (Content-Language names the language asked for).",
                        headers=True,
                    ),
                    "304": _NOT_MODIFIED,
                    "400": _error("`lang` is not a language of the workspace."),
                    "401": _SIGN_IN,
                    "404": _error("There is no chair's statement with this number."),
                },
            },
        },
    },
    "components": {"schemas": SCHEMAS},
}
