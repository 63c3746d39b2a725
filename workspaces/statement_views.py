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
from council.web import conditional, render
from workspaces import rendering, statements


@permission("recommendations.read")
def statement(request: Request) -> Response:
    state = request.state
    item = statements.get(state.db, request.path_params["number"])
    data = statements.record(item)
    language = i18n.current_language()

    def seat(name: str) -> Markup:
        return rendering.in_language(statements.seat_name(data, name, language), language)

    context = {
        "statement": item,
        "record": data,
        "group": state.db.get(WorkingGroup, item.working_group_id),
        "title": statements.title_in(item, data, language),
        "group_name": rendering.in_language(statements.group_name(data, language), language),
        "seat": seat,
    }
    response = render(request, "workspaces/statement.html", context, public=True)
    return conditional(request, response, last_modified=item.published_at)
