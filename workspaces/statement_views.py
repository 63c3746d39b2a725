"""The public page of a published chair's statement (workspaces.statements).

It is read from the record frozen at publication, for the same readers as the recommendations,
with the same validators and caching rule (council.web.conditional): the words around it in the
reader's language, the names of the working group and seats in it when the record has them.
"""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from council import i18n
from council.models import WorkingGroup
from council.views import permission
from council.web import conditional, fingerprint_etag, public_page, render, row_values
from workspaces import rendering, statements
from workspaces.statement_models import PublishedStatement


@permission("recommendations.read")
def statement(request: Request) -> Response:
    """The page. A statement never changes once published: an anonymous reader's ETag comes
    from its row, its group's and the council's, so a current copy gets its 304, and a reader
    without one this process's copy, before the record is read or rendered."""
    state = request.state
    item = statements.get(state.db, request.path_params["number"])
    group = state.db.get(WorkingGroup, item.working_group_id)
    if state.actor.signed_in:
        return _statement_page(request, item, group)
    etag = fingerprint_etag(request, row_values(state.council), row_values(item), row_values(group))
    return public_page(
        request,
        lambda: _statement_page(request, item, group, etag),
        etag=etag,
    )


def _statement_page(
    request: Request,
    item: PublishedStatement,
    group: WorkingGroup | None,
    etag: str | None = None,
) -> Response:
    data = statements.record(item)
    language = i18n.current_language()

    def seat(name: str) -> Markup:
        return rendering.in_language(statements.seat_name(data, name, language), language)

    context = {
        "statement": item,
        "record": data,
        "group": group,
        "title": statements.title_in(item, data, language),
        "group_name": rendering.in_language(statements.group_name(data, language), language),
        "seat": seat,
    }
    response = render(request, "workspaces/statement.html", context, public=True)
    return conditional(request, response, last_modified=item.published_at, etag=etag)
