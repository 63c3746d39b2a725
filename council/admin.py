"""The secretariat's area: seats, people, working groups and who sits in them."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from council import i18n, names, seats, worker
from council.auth import MIN_PASSWORD_LENGTH
from council.errors import Invalid, NotFound
from council.i18n import gettext as _
from council.models import Person, Seat, SeatKind, SeatRole, WorkingGroup
from council.views import permission
from council.web import checked, redirect, refuse_control_characters, render, values

MANAGE = "council.manage"
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")
NOT_A_SEAT = 0  # no row has id 0: the domain rejects it beside the field like any unknown seat
NOT_A_PERIOD = -1  # refused by the domain beside the field, like any period not offered


def whole(text: str) -> int | None:
    """A whole number typed into a form, or None (blank, not a number, or absurdly long)."""
    return int(text) if WHOLE_NUMBER.fullmatch(text) else None


def numbers(form: dict[str, str], *names: str) -> tuple[dict[str, int | None], dict[str, str]]:
    """The values of number fields (None when blank or not whole) and an error for each field
    that holds something other than a whole number."""
    parsed = {name: whole(form[name]) for name in names}
    errors = {
        name: _("Enter a whole number.") for name in names if form[name] and parsed[name] is None
    }
    return parsed, errors


def other_languages(request: Request) -> list[str]:
    """The languages a name is given in besides the council's default one (its plain field)."""
    default = names.default_language_of(request.state.council)
    return [code for code in request.app.state.settings.languages if code != default]


def translation_fields(field: str, languages: list[str]) -> list[str]:
    return [f"{field}_{code}" for code in languages]


def typed_translations(form: dict, field: str, languages: list[str]) -> dict[str, str]:
    return {code: form[f"{field}_{code}"] for code in languages}


def stored_translations(obj, field: str, languages: list[str]) -> dict[str, str]:
    """The form's fields for `field` in the other languages, filled from `obj`."""
    stored = names.translations(obj, field) if obj is not None else {}
    return {f"{field}_{code}": stored.get(code, "") for code in languages}


def seat_choice(text: str) -> int | None:
    """A seat picked in a select: blank is no seat; anything else must be an id."""
    if not text:
        return None
    chosen = whole(text)
    return chosen if chosen is not None else NOT_A_SEAT


# overview


@permission(MANAGE)
def overview(request: Request) -> Response:
    db = request.state.db
    return render(
        request,
        "admin/home.html",
        {
            "counts": seats.structure_counts(db),
            "jobs": worker.last_runs(db, request.app.state.jobs),
        },
    )


# the council's own settings


@permission(MANAGE)
def council_settings(request: Request) -> Response:
    state = request.state
    council = state.council
    if council is None:
        raise NotFound()
    languages = request.app.state.settings.languages
    others = other_languages(request)
    if request.method != "POST":  # HEAD is a GET without the body
        form = {
            "name": council.name,
            "default_language": council.default_language,
            "public_recommendations": council.public_recommendations,
            "official_languages": seats.official_languages(council, languages),
            "follow_up_review_months": str(council.follow_up_review_months),
            **stored_translations(council, "name", others),
        }
        return _council_page(request, form, {})
    form = values(
        state.form,
        "name",
        "default_language",
        "follow_up_review_months",
        *translation_fields("name", others),
    )
    form["public_recommendations"] = checked(state.form, "public_recommendations")
    form["official_languages"] = [str(code) for code in state.form.getlist("official_languages")]
    try:
        refuse_control_characters(form)
        seats.save_council(
            state.db,
            by=state.actor.person,
            council=council,
            name=form["name"],
            default_language=form["default_language"],
            public_recommendations=form["public_recommendations"],
            languages=languages,
            official=form["official_languages"],
            name_translations=typed_translations(form, "name", others),
            follow_up_review_months=_review_months(form),
        )
    except Invalid as invalid:
        return _council_page(request, form, invalid.errors, status_code=422)
    return redirect(request, "admin_council")


def _review_months(form: dict) -> int | None:
    """The review cycle chosen: None (unchanged) when the form has none, NOT_A_PERIOD (refused
    beside the field) when it is not a number."""
    if not form["follow_up_review_months"]:
        return None
    chosen = whole(form["follow_up_review_months"])
    return chosen if chosen is not None else NOT_A_PERIOD


def _review_options() -> list[tuple[int, str]]:
    return [
        (
            months,
            _("Never: the seats are not reminded")
            if not months
            else i18n.ngettext("Every month", "Every %(num)s months", months),
        )
        for months in seats.REVIEW_MONTHS
    ]


def _council_page(request: Request, form: dict, errors: dict, status_code: int = 200):
    languages = [(code, i18n.language_name(code)) for code in request.app.state.settings.languages]
    return render(
        request,
        "admin/council.html",
        {
            "form": form,
            "errors": errors,
            "language_options": languages,
            "other_languages": other_languages(request),
            "review_options": _review_options(),
        },
        status_code=status_code,
    )


# seats

SEAT_FIELDS = ("name", "kind", "description")


@permission(MANAGE)
def seat_list(request: Request) -> Response:
    db = request.state.db
    context = {"seats": seats.list_seats(db), "people_counts": seats.people_per_seat(db)}
    return render(request, "admin/seats.html", context)


@permission(MANAGE)
def seat_new(request: Request) -> Response:
    return _seat_form(request, None)


@permission(MANAGE)
def seat_edit(request: Request) -> Response:
    return _seat_form(request, seats.get_seat(request.state.db, request.path_params["seat_id"]))


def _seat_form(request: Request, seat: Seat | None) -> Response:
    state = request.state
    others = other_languages(request)
    if request.method != "POST":  # HEAD is a GET without the body
        if seat is None:
            form = {"name": "", "kind": SeatKind.MEMBER_STATE, "description": ""}
        else:
            form = {"name": seat.name, "kind": seat.kind, "description": seat.description}
        form.update(stored_translations(seat, "name", others))
        return _seat_page(request, seat, form)
    form = values(state.form, *SEAT_FIELDS, *translation_fields("name", others))
    try:
        refuse_control_characters(form)
        saved = seats.save_seat(
            state.db,
            by=state.actor.person,
            seat=seat,
            **{field: form[field] for field in SEAT_FIELDS},
            name_translations=typed_translations(form, "name", others),
        )
    except Invalid as invalid:
        return _seat_page(request, seat, form, invalid.errors, status_code=422)
    return redirect(request, "admin_seats", fragment=f"seat-{saved.id}")


def _seat_page(
    request: Request, seat: Seat | None, form: dict, errors: dict | None = None, **kwargs
) -> Response:
    db = request.state.db
    context = {
        "seat": seat,
        "form": form,
        "errors": errors or {},
        "people": seats.seat_people(db, seat) if seat else [],
        "groups": seats.seat_groups(db, seat) if seat else [],
        "other_languages": other_languages(request),
    }
    return render(request, "admin/seat_form.html", context, **kwargs)


# people

PERSON_FIELDS = ("email", "name", "seat_id", "seat_role", "language")


@permission(MANAGE)
def people(request: Request) -> Response:
    return render(request, "admin/people.html", {"people": seats.list_people(request.state.db)})


@permission(MANAGE)
def person_new(request: Request) -> Response:
    return _person_form(request, None)


@permission(MANAGE)
def person_edit(request: Request) -> Response:
    db = request.state.db
    return _person_form(request, seats.get_person(db, request.path_params["person_id"]))


def _person_form(request: Request, person: Person | None) -> Response:
    state = request.state
    if request.method != "POST":  # HEAD is a GET without the body
        if person is None:
            seat_id = whole(request.query_params.get("seat_id", ""))  # "add a person to this seat"
            form = {
                "email": "",
                "name": "",
                "seat_id": seat_id or "",
                "seat_role": SeatRole.DELEGATE,
                "language": "",
                "is_secretariat": False,
                "is_active": True,
            }
        else:
            form = {
                "email": person.email,
                "name": person.name,
                "seat_id": person.seat_id or "",
                "seat_role": person.seat_role or SeatRole.DELEGATE,
                "language": person.language or "",
                "is_secretariat": person.is_secretariat,
                "is_active": person.is_active,
            }
        return _person_page(request, person, form)
    form = values(state.form, *PERSON_FIELDS)
    form["is_secretariat"] = checked(state.form, "is_secretariat")
    form["is_active"] = checked(state.form, "is_active")
    details = seats.PersonForm(
        email=form["email"],
        name=form["name"],
        seat_id=seat_choice(form["seat_id"]),
        seat_role=form["seat_role"] or None,
        is_secretariat=form["is_secretariat"],
        is_active=form["is_active"],
        language=form["language"] or None,
        password=str(state.form.get("password", "")),
    )
    try:
        refuse_control_characters(form)
        saved = seats.save_person(
            state.db,
            by=state.actor.person,
            form=details,
            person=person,
            now=state.now,
            languages=request.app.state.settings.languages,
        )
    except Invalid as invalid:
        return _person_page(request, person, form, invalid.errors, status_code=422)
    return redirect(request, "admin_people", fragment=f"person-{saved.id}")


def _person_page(
    request: Request, person: Person | None, form: dict, errors: dict | None = None, **kwargs
) -> Response:
    context = {
        "person": person,
        "form": form,
        "errors": errors or {},
        "seat_options": [
            (s.id, names.shown(s, request.state.council).text)
            for s in seats.list_seats(request.state.db)
        ],
        "min_password_length": MIN_PASSWORD_LENGTH,
    }
    return render(request, "admin/person_form.html", context, **kwargs)


# working groups

GROUP_TEXT = ("name", "mandate", "decision_rule")
GROUP_NUMBERS = ("number", "quorum_numerator", "quorum_denominator", "chair_term_months")
GROUP_FLAGS = ("participants_block", "observers_read_deliberations")


@permission(MANAGE)
def group_list(request: Request) -> Response:
    state = request.state
    return render(
        request, "admin/groups.html", {"summaries": seats.group_summaries(state.db, state.now)}
    )


@permission(MANAGE)
def group_new(request: Request) -> Response:
    return _group_form(request, None)


@permission(MANAGE)
def group_edit(request: Request) -> Response:
    return _group_form(request, seats.get_group(request.state.db, request.path_params["slug"]))


def _group_form(request: Request, group: WorkingGroup | None) -> Response:
    state = request.state
    others = other_languages(request)
    if request.method != "POST":  # HEAD is a GET without the body
        source = group or WorkingGroup(name="", slug="", number=seats.next_group_number(state.db))
        form = {name: getattr(source, name) for name in (*GROUP_TEXT, *GROUP_NUMBERS, *GROUP_FLAGS)}
        form.update(stored_translations(group, "name", others))
        form.update(stored_translations(group, "mandate", others))
        return render(
            request,
            "admin/group_form.html",
            {"group": group, "form": form, "errors": {}, "other_languages": others},
        )
    form = values(
        state.form,
        *GROUP_TEXT,
        *GROUP_NUMBERS,
        *translation_fields("name", others),
        *translation_fields("mandate", others),
    )
    form.update({flag: checked(state.form, flag) for flag in GROUP_FLAGS})
    parsed, number_errors = numbers(form, *GROUP_NUMBERS)
    details = seats.GroupForm(
        name=form["name"],
        mandate=form["mandate"],
        decision_rule=form["decision_rule"],
        **parsed,
        **{flag: form[flag] for flag in GROUP_FLAGS},
        name_translations=typed_translations(form, "name", others),
        mandate_translations=typed_translations(form, "mandate", others),
    )
    try:
        refuse_control_characters(form)
        # a number field that is not a whole number reaches the domain as None, which it refuses
        saved = seats.save_group(state.db, by=state.actor.person, form=details, group=group)
    except Invalid as invalid:
        return render(
            request,
            "admin/group_form.html",
            {
                "group": group,
                "form": form,
                "errors": {**invalid.errors, **number_errors},
                "other_languages": others,
            },
            status_code=422,
        )
    if group is None:  # next step for a new group: who sits in it
        return redirect(request, "admin_group_seats", slug=saved.slug)
    return redirect(request, "admin_groups", fragment=f"group-{saved.slug}")


@permission(MANAGE)
def group_seats(request: Request) -> Response:
    """Who sits in the group, and the rotation order of its member-state and participant seats:
    one checkbox and one place number per seat, a plain form."""
    state = request.state
    group = seats.get_group(state.db, request.path_params["slug"])
    all_seats = seats.list_seats(state.db)
    if request.method != "POST":  # HEAD is a GET without the body
        current = seats.group_seats(state.db, group)
        form = {
            "chosen": {seat.id for seat, _row in current},
            "order": {seat.id: row.rotation_position or "" for seat, row in current},
        }
        return _group_seats_page(request, group, all_seats, form)
    chosen = [
        n if n is not None else NOT_A_SEAT
        for n in (whole(str(text)) for text in state.form.getlist("seat_ids"))
    ]
    typed = {  # observers follow a group but take no place in its rotation
        seat.id: str(state.form.get(f"order-{seat.id}", "")).strip()
        for seat in all_seats
        if seat.kind != SeatKind.OBSERVER
    }
    form = {"chosen": set(chosen), "order": typed}
    places = {seat_id: whole(typed.get(seat_id, "")) for seat_id in chosen}
    errors = {
        f"order-{seat_id}": _("Enter a whole number from 1 upwards.")
        for seat_id, place in places.items()
        if typed.get(seat_id) and (place is None or place < 1)
    }
    if errors:
        return _group_seats_page(request, group, all_seats, form, errors, status_code=422)
    listed = {seat.id: index for index, seat in enumerate(all_seats)}
    in_order = sorted(
        chosen,
        key=lambda seat_id: (places[seat_id] is None, places[seat_id] or 0, listed.get(seat_id, 0)),
    )
    try:
        seats.set_group_seats(
            state.db, by=state.actor.person, group=group, seat_ids=in_order, now=state.now
        )
    except Invalid as invalid:
        return _group_seats_page(request, group, all_seats, form, invalid.errors, status_code=422)
    return redirect(request, "admin_groups", fragment=f"group-{group.slug}")


def _group_seats_page(
    request: Request,
    group: WorkingGroup,
    all_seats: list[Seat],
    form: dict,
    errors: dict | None = None,
    **kwargs,
) -> Response:
    """Seats grouped by kind; within a kind the chosen ones first, in rotation order."""
    order = form["order"]

    def place(seat: Seat) -> tuple:
        number = whole(str(order.get(seat.id, "")))
        return (seat.id not in form["chosen"], number is None, number or 0, seat.name)

    by_kind = {
        kind: sorted((s for s in all_seats if s.kind == kind), key=place) for kind in SeatKind
    }
    context = {"group": group, "by_kind": by_kind, "form": form, "errors": errors or {}}
    return render(request, "admin/group_seats.html", context, **kwargs)


def routes() -> list:
    return [
        Route("/admin", overview, name="admin_home"),
        Route("/admin/council", council_settings, methods=["GET", "POST"], name="admin_council"),
        Route("/admin/seats", seat_list, name="admin_seats"),
        Route("/admin/seats/new", seat_new, methods=["GET", "POST"], name="admin_seat_new"),
        Route(
            "/admin/seats/{seat_id:id}", seat_edit, methods=["GET", "POST"], name="admin_seat_edit"
        ),
        Route("/admin/people", people, name="admin_people"),
        Route("/admin/people/new", person_new, methods=["GET", "POST"], name="admin_person_new"),
        Route(
            "/admin/people/{person_id:id}",
            person_edit,
            methods=["GET", "POST"],
            name="admin_person_edit",
        ),
        Route("/admin/groups", group_list, name="admin_groups"),
        Route("/admin/groups/new", group_new, methods=["GET", "POST"], name="admin_group_new"),
        Route(
            "/admin/groups/{slug:str}/edit",
            group_edit,
            methods=["GET", "POST"],
            name="admin_group_edit",
        ),
        Route(
            "/admin/groups/{slug:str}/seats",
            group_seats,
            methods=["GET", "POST"],
            name="admin_group_seats",
        ),
    ]
