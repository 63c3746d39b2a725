"""Thin handlers for the follow-up of recommendations: a seat's report, the addressed seats, and
the overviews (the council's and each working group's), which the public reads when the
council publishes its recommendations. The recommendation page shows its own follow-up
(workspaces.recommendation_views)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from council import i18n
from council.errors import Invalid, NotFound
from council.i18n import gettext as _
from council.models import Seat
from council.permissions import Addressed
from council.views import permission
from council.web import conditional, redirect, refuse_control_characters, render, values
from workspaces import followup, recommendations
from workspaces.recommendation_models import Recommendation
from workspaces.recommendation_views import NUMBER


def _recommendation(request: Request) -> Recommendation:
    number = request.path_params["number"]
    if not NUMBER.fullmatch(number):
        raise NotFound()
    item = recommendations.get(request.state.db, number)
    request.state.recommendation = item
    return item


def addressed_seat(request: Request) -> Addressed:
    """What a report asks permission of: the seat of the path, as the recommendation addresses
    it (or not)."""
    item = _recommendation(request)
    seat = request.state.db.get(Seat, request.path_params["seat_id"])
    if seat is None:
        raise NotFound()
    request.state.seat = seat
    return Addressed(
        item.working_group_id, seat.id, followup.is_addressed(request.state.db, item, seat.id)
    )


def _refused_report() -> str:
    return _(
        "A seat reports on the follow-up for itself only, through its head or its "
        "delegates, and only on a recommendation that addresses it."
    )


@permission("followup.report", target=addressed_seat, refusal=_refused_report)
def report(request: Request) -> Response:
    state = request.state
    item, seat = state.recommendation, state.seat
    history = followup.seat_history(state.db, item, seat.id)
    if request.method != "POST":
        latest = history[0].report.status if history else ""
        return _report_page(request, item, seat, history, {"status": latest}, {})
    form = values(state.form, "status", "narrative", "reason", "links")
    try:
        refuse_control_characters(form)
        followup.report(
            state.db,
            recommendation=item,
            seat=seat,
            by=state.actor.person,
            form=followup.ReportForm(**form),
            now=state.now,
        )
    except Invalid as invalid:
        return _report_page(request, item, seat, history, form, invalid.errors, status_code=422)
    return redirect(request, "recommendation", number=item.number, fragment="follow-up")


def _report_page(
    request: Request,
    item: Recommendation,
    seat: Seat,
    history: list,
    form: dict,
    errors: dict,
    status_code: int = 200,
) -> Response:
    text = recommendations.text_in(item, recommendations.record(item), i18n.current_language())
    context = {
        "recommendation": item,
        "text": text,
        "seat": seat,
        "history": history,
        "form": form,
        "errors": errors,
        "status_options": followup.status_options(),
    }
    return render(request, "workspaces/followup_report.html", context, status_code=status_code)


def _addressed_recommendation(request: Request) -> Recommendation:
    return _recommendation(request)


@permission("followup.address", target=_addressed_recommendation)
def seats(request: Request) -> Response:
    state = request.state
    item = state.recommendation
    if request.method != "POST":
        form = {"seats": [str(i) for i in followup.addressed_ids(state.db, item)]}
        return _seats_page(request, item, form, {})
    chosen = [str(value) for value in state.form.getlist("seats")]
    form = {"seats": chosen}
    try:
        if not all(value.isascii() and value.isdigit() and len(value) <= 9 for value in chosen):
            raise Invalid({"seats": _("Choose among the council's seats.")})
        followup.address(
            state.db,
            recommendation=item,
            seat_ids=[int(v) for v in chosen],
            by=state.actor.person,
            now=state.now,
        )
    except Invalid as invalid:
        return _seats_page(request, item, form, invalid.errors, status_code=422)
    return redirect(request, "recommendation", number=item.number, fragment="follow-up")


def _seats_page(
    request: Request, item: Recommendation, form: dict, errors: dict, status_code: int = 200
) -> Response:
    db = request.state.db
    text = recommendations.text_in(item, recommendations.record(item), i18n.current_language())
    context = {
        "recommendation": item,
        "text": text,
        "form": form,
        "errors": errors,
        "seats": followup.seat_choices(db),
        "kinds": followup.seat_kinds(),
    }
    return render(request, "workspaces/followup_seats.html", context, status_code=status_code)


# the overviews


@permission("recommendations.read")
def council_overview(request: Request) -> Response:
    found = followup.overview(request.state.db)
    context = {"overview": found, "group": None, "chart": followup.chart(found.counts)}
    response = render(request, "workspaces/followup_overview.html", context, public=True)
    return conditional(request, response, last_modified=None)


@permission("recommendations.read")
def group_overview(request: Request) -> Response:
    db = request.state.db
    group = recommendations.find_group(db, request.path_params["slug"])
    if group is None:
        raise NotFound()
    found = followup.overview(db, group)
    language = i18n.current_language()
    titles = {
        item.id: recommendations.text_in(item, recommendations.record(item), language)
        for item in found.recommendations.values()
    }
    context = {
        "overview": found,
        "group": group,
        "chart": followup.chart(found.counts),
        "titles": titles,
    }
    response = render(request, "workspaces/followup_overview.html", context, public=True)
    return conditional(request, response, last_modified=None)
