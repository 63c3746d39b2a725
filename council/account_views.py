"""Thin handlers for signing in through providers, invitations and account safety."""

from __future__ import annotations

import ipaddress
import logging

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from council import accounts, admin, auth, i18n, invitations, mail, names, oidc, seats
from council.errors import DomainError, Invalid, NotFound
from council.i18n import gettext as _
from council.pages import authorize
from council.views import _safe_next, client_address, permission, start_session
from council.web import checked, keep_changes, redirect, refuse_control_characters, render, values

log = logging.getLogger(__name__)


def routes() -> list[Route]:
    return [
        Route("/auth/oidc/{provider:str}/start", oidc_start, name="oidc_start"),
        Route("/auth/oidc/{provider:str}/callback", oidc_callback, name="oidc_callback"),
        Route(
            "/password-reset",
            password_reset_request,
            methods=["GET", "POST"],
            name="password_reset_request",
        ),
        Route(
            "/password-reset/{token:str}",
            password_reset,
            methods=["GET", "POST"],
            name="password_reset",
        ),
        Route(
            "/invitations/{token:str}",
            invitation_accept,
            methods=["GET", "POST"],
            name="invitation_accept",
        ),
        Route(
            "/account/password", change_password, methods=["GET", "POST"], name="account_password"
        ),
        Route(
            "/account/identities/{identity_id:id}/remove",
            remove_identity,
            methods=["POST"],
            name="account_identity_remove",
        ),
        Route("/admin/invitations", invitation_list, name="admin_invitations"),
        Route(
            "/admin/invitations/new",
            invitation_new,
            methods=["GET", "POST"],
            name="admin_invitation_new",
        ),
        Route(
            "/admin/invitations/{invitation_id:id}/resend",
            invitation_resend,
            methods=["POST"],
            name="admin_invitation_resend",
        ),
        Route(
            "/admin/invitations/{invitation_id:id}/revoke",
            invitation_revoke,
            methods=["POST"],
            name="admin_invitation_revoke",
        ),
    ]


def _local_sign_in(request: Request) -> bool:
    return request.app.state.settings.local_sign_in


def _link(request: Request, route: str, **params) -> str:
    """An absolute link for an email: from COUNCIL_BASE_URL (production requires it), else
    from the address this server listens on; never from the request's Host header, which
    whoever asks for a reset of someone else's password chooses."""
    base_url = request.app.state.settings.base_url or listening_address(request)
    return base_url + request.app.url_path_for(route, **params)


def listening_address(request: Request) -> str:
    """http://host:port of the socket that took the request (the server's own, never a
    header); 127.0.0.1 for a server listening on every interface, or when it is unknown."""
    host, port = request.scope.get("server") or ("", None)
    if port is None or _unspecified(host):
        host, port = "127.0.0.1", port or 8000
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}" + ("" if port == 80 else f":{port}")


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return not host


def _council_name(request: Request) -> str:
    council = request.state.council
    return names.shown(council, council).text if council else _("Council Workspace")


def _in_language(request: Request, reader_language: str | None, compose, **kwargs) -> mail.Mail:
    """Write an email in the reader's language, whatever the page's language is. A callable
    value (a name, which has one per language) is called in that language."""
    catalogues = request.app.state.catalogues
    language = reader_language if reader_language in catalogues else i18n.current_language()
    with i18n.speaking(language, catalogues[language]):
        spoken = {key: value() if callable(value) else value for key, value in kwargs.items()}
        return compose(**spoken, language=language)


def _too_many(
    request: Request, template: str, context: dict, refused: auth.TooManyAttempts
) -> Response:
    message = _(
        "Too many requests. Please wait %(minutes)s minutes and try again.", minutes=refused.minutes
    )
    return render(request, template, {**context, "errors": {"form": message}}, status_code=429)


class MailNotSent(DomainError):
    status_code = 502


# Signing in through an OpenID provider


def _refusal(
    request: Request,
    provider_name: str,
    reason: str,
    message: str = "",
    detail: str = "",
    status: int = 400,
) -> Response:
    provider = request.app.state.oidc.by_name.get(provider_name)
    label = provider.display_name if provider else provider_name
    messages = {
        "invalid": _(
            "The answer from %(provider)s could not be verified, so you were not "
            "signed in. Please try again; if it happens again, tell the secretariat.",
            provider=label,
        ),
        "cancelled": _(
            "The sign-in at %(provider)s was cancelled. You were not signed in.", provider=label
        ),
        "unreachable": _(
            "%(provider)s could not be reached. Please try again in a moment, or "
            "sign in another way.",
            provider=label,
        ),
        "misconfigured": _(
            "The connection to %(provider)s is not set up correctly. Please tell the secretariat.",
            provider=label,
        ),
        "expired": _(
            "This sign-in took too long or was started in another browser. Please start again."
        ),
    }
    context = {
        "provider_label": label,
        "message": message or messages.get(reason, messages["invalid"]),
        "detail": detail,
    }
    response = render(request, "auth/oidc_refused.html", context, status_code=status)
    oidc.forget_flow_cookie(request, response)
    return response


@permission("public")
def oidc_start(request: Request) -> Response:
    state = request.state
    name = request.path_params["provider"]
    intent = {"next": _safe_next(request.query_params.get("next", "/"))}
    token = request.query_params.get("invitation")
    if token:
        intent["invitation"] = invitations.find_open(state.db, token, state.now).token_hash
    if request.query_params.get("link"):
        authorize(request, "council.read")
        intent["link_person_id"] = state.actor.person.id
    try:
        return oidc.begin(request, name, intent=intent, now=state.now)
    except oidc.SignInFailed as failure:
        log.warning("OIDC sign-in through %s could not start: %s", name, failure.detail)
        return _refusal(request, name, failure.reason, detail=failure.detail, status=failure.status)


@permission("public")
def oidc_callback(request: Request) -> Response:
    state = request.state
    name = request.path_params["provider"]
    keep_changes(request)  # the flow is used up whatever happens: never replayed
    try:
        verified = oidc.finish(request, name, now=state.now)
    except oidc.SignInFailed as failure:
        return _refusal(request, name, failure.reason, detail=failure.detail, status=failure.status)
    intent = verified.intent
    linking = intent.get("link_person_id")
    if linking and (not state.actor.signed_in or state.actor.person.id != linking):
        return _refusal(request, name, "expired", status=403)
    claims = accounts.IdentityClaims(
        provider=verified.provider.name,
        provider_label=verified.provider.display_name,
        issuer=verified.provider.issuer,
        subject=verified.subject,
        email=verified.email,
        email_verified=verified.email_verified,
        allowed_domains=verified.provider.allowed_domains,
    )
    target = request.url_for("account") if linking else _safe_next(intent.get("next", "/"))
    response = RedirectResponse(target, status_code=303)
    try:
        with state.db.begin_nested():  # a refusal keeps the used flow, and nothing else
            person = accounts.sign_in_with_identity(
                state.db, claims=claims, intent=intent, now=state.now
            )
            if not linking:
                start_session(request, state.db, person, response)
    except accounts.IdentityRefused as refused:
        log.warning(
            "OIDC sign-in through %s refused for %s (%s): %s",
            name,
            claims.subject,
            claims.email,
            refused.message,
        )
        return _refusal(request, name, "account", message=refused.message, status=403)
    except DomainError as refused:
        return _refusal(request, name, "account", message=refused.message, status=403)
    oidc.forget_flow_cookie(request, response)
    return response


# Invitations, for the invitee


def _invitation_context(request: Request, invitation, token: str) -> dict:
    seat = seats.get_seat(request.state.db, invitation.seat_id) if invitation.seat_id else None
    return {
        "invitation": invitation,
        "seat": seat,
        "token": token,
        "providers": list(request.app.state.oidc),
        "local_sign_in": _local_sign_in(request),
    }


@permission("public")
def invitation_accept(request: Request) -> Response:
    state = request.state
    token = request.path_params["token"]
    invitation = invitations.find_open(state.db, token, state.now)
    context = _invitation_context(request, invitation, token)
    if request.method != "POST":  # HEAD is a GET without the body
        return render(
            request,
            "auth/invitation.html",
            {**context, "form": {"name": invitation.name}, "errors": {}},
        )
    if not _local_sign_in(request):
        raise NotFound()
    form = values(state.form, "name")
    try:
        refuse_control_characters(form)
        person = invitations.accept(
            state.db,
            invitation=invitation,
            name=form["name"],
            method="password",
            password=str(state.form.get("password", "")),
            repeat=str(state.form.get("password_repeat", "")),
            now=state.now,
        )
    except Invalid as invalid:
        return render(
            request,
            "auth/invitation.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return start_session(
        request, state.db, person, RedirectResponse(request.url_for("home"), status_code=303)
    )


# Password reset


def _deliver(settings, message: mail.Mail) -> None:
    try:
        mail.send(settings, message)
    except mail.MailError:
        log.exception("the password reset email to %s was not sent", message.to)


@permission("public")
def password_reset_request(request: Request) -> Response:
    if not _local_sign_in(request):
        raise NotFound()
    state = request.state
    settings = request.app.state.settings
    template = "auth/password_reset_request.html"
    if request.method != "POST":  # HEAD is a GET without the body
        return render(request, template, {"form": {"email": ""}, "errors": {}})
    form = values(state.form, "email")
    email = auth.normalise_email(form["email"])
    if form.refused or not seats.EMAIL_PATTERN.match(email):
        return render(
            request,
            template,
            {"form": form, "errors": form.refused or {"email": _("Enter a valid email address.")}},
            status_code=422,
        )
    try:
        accounts.throttle(
            state.db,
            window_minutes=settings.sign_in_window_minutes,
            now=state.now,
            keys={
                f"reset:address:{client_address(request)}": settings.sign_in_max_per_address,
                f"reset:account:{email}": accounts.RESETS_PER_WINDOW,
            },
        )
    except auth.TooManyAttempts as refused:
        return _too_many(request, template, {"form": form}, refused)
    found = accounts.request_reset(state.db, email=email, now=state.now)
    response = render(request, "auth/password_reset_sent.html", {"email": email})
    if found:
        person, token = found
        message = _in_language(
            request,
            person.language,
            accounts.reset_mail,
            person=person,
            link=_link(request, "password_reset", token=token),
            council_name=lambda: _council_name(request),
        )
        # after the response, so that known and unknown emails answer equally fast
        response.background = BackgroundTask(_deliver, settings, message)
    return response


@permission("public")
def password_reset(request: Request) -> Response:
    if not _local_sign_in(request):
        raise NotFound()
    state = request.state
    token = request.path_params["token"]
    _reset, person = accounts.find_reset(state.db, token, state.now)
    template = "auth/password_reset.html"
    if request.method != "POST":  # HEAD is a GET without the body
        return render(request, template, {"person": person, "token": token, "errors": {}})
    try:
        person = accounts.reset_password(
            state.db,
            token=token,
            new=str(state.form.get("password", "")),
            repeat=str(state.form.get("password_repeat", "")),
            now=state.now,
        )
    except Invalid as invalid:
        return render(
            request,
            template,
            {"person": person, "token": token, "errors": invalid.errors},
            status_code=422,
        )
    return start_session(
        request, state.db, person, RedirectResponse(request.url_for("home"), status_code=303)
    )


# The signed-in person's account


@permission("council.read")
def change_password(request: Request) -> Response:
    if not _local_sign_in(request):
        raise NotFound()
    state = request.state
    person = state.actor.person
    template = "account/password.html"
    context = {
        "has_password": bool(person.password_hash),
        "changed": request.query_params.get("changed") == "1",
    }
    if request.method != "POST":  # HEAD is a GET without the body
        return render(request, template, {**context, "errors": {}})
    settings = request.app.state.settings
    try:
        accounts.change_password(
            state.db,
            person=person,
            current=str(state.form.get("current", "")),
            new=str(state.form.get("password", "")),
            repeat=str(state.form.get("password_repeat", "")),
            keep_token=getattr(state, "session_token", None),
            address=client_address(request),
            settings=settings,
            now=state.now,
        )
    except auth.TooManyAttempts as refused:
        return _too_many(request, template, context, refused)
    except Invalid as invalid:
        if "current" in invalid.errors:
            email = person.email  # read before the rollback expires it
            state.db.rollback()  # only the failure is kept
            auth.record_failure(
                state.db, email=email, address=client_address(request), now=state.now
            )
            keep_changes(request)
        return render(request, template, {**context, "errors": invalid.errors}, status_code=422)
    return RedirectResponse(
        str(request.url_for("account_password")) + "?changed=1", status_code=303
    )


@permission("council.read")
def remove_identity(request: Request) -> Response:
    state = request.state
    accounts.remove_identity(
        state.db,
        person=state.actor.person,
        identity_id=request.path_params["identity_id"],
        local_sign_in=_local_sign_in(request),
    )
    return redirect(request, "account", fragment="linked-accounts")


# Invitations, for the secretariat


def _invitation_form_context(request: Request) -> dict:
    return {
        "seat_options": [
            (s.id, names.shown(s, request.state.council).text)
            for s in seats.list_seats(request.state.db)
        ],
        "role_options": [("head", _("Head of delegation")), ("delegate", _("Delegate"))],
        "language_options": [
            (code, i18n.language_name(code)) for code in request.app.state.settings.languages
        ],
    }


def _send_invitation(request: Request, invitation, token: str) -> None:
    db = request.state.db
    seat = seats.get_seat(db, invitation.seat_id) if invitation.seat_id else None
    message = _in_language(
        request,
        invitation.language,
        invitations.invitation_mail,
        invitation=invitation,
        link=_link(request, "invitation_accept", token=token),
        council_name=lambda: _council_name(request),
        seat_name=lambda: names.shown(seat, request.state.council).text if seat else None,
        inviter_name=request.state.actor.person.name,
    )
    mail.send(request.app.state.settings, message)


@permission("council.manage")
def invitation_list(request: Request) -> Response:
    state = request.state
    rows = [
        (invitation, seat, invitations.status(invitation, state.now))
        for invitation, seat in invitations.list_invitations(state.db)
    ]
    return render(request, "admin/invitations.html", {"rows": rows})


@permission("council.manage")
def invitation_new(request: Request) -> Response:
    state = request.state
    template = "admin/invitation_new.html"
    context = _invitation_form_context(request)
    if request.method != "POST":  # HEAD is a GET without the body
        form = {"language": i18n.current_language(), "seat_role": "delegate"}
        return render(request, template, {**context, "form": form, "errors": {}})
    form = values(state.form, "email", "name", "seat_id", "seat_role", "language")
    form["is_secretariat"] = checked(state.form, "is_secretariat")
    try:
        refuse_control_characters(form)
        accounts.throttle(
            state.db,
            window_minutes=60,
            now=state.now,
            keys={f"invite:by:{state.actor.person.id}": invitations.INVITES_PER_HOUR},
        )
        invitation, token = invitations.invite(
            state.db,
            by=state.actor.person,
            languages=request.app.state.settings.languages,
            now=state.now,
            form=invitations.InvitationForm(
                email=form["email"],
                name=form["name"],
                seat_id=admin.seat_choice(form["seat_id"]),
                seat_role=form["seat_role"] or None,
                is_secretariat=form["is_secretariat"],
                language=form["language"],
            ),
        )
        _send_invitation(request, invitation, token)
    except auth.TooManyAttempts as refused:
        return _too_many(request, template, {**context, "form": form}, refused)
    except Invalid as invalid:
        return render(
            request, template, {**context, "form": form, "errors": invalid.errors}, status_code=422
        )
    except mail.MailError as error:
        message = _(
            "The invitation email could not be sent, so no invitation was made. "
            "Check the mail settings and try again. (%(error)s)",
            error=str(error),
        )
        return render(
            request,
            template,
            {**context, "form": form, "errors": {"form": message}},
            status_code=502,
        )
    return redirect(request, "admin_invitations")


@permission("council.manage")
def invitation_resend(request: Request) -> Response:
    state = request.state
    invitation = invitations.get(state.db, request.path_params["invitation_id"])
    try:
        accounts.throttle(
            state.db,
            window_minutes=60,
            now=state.now,
            keys={f"invite:by:{state.actor.person.id}": invitations.INVITES_PER_HOUR},
        )
    except auth.TooManyAttempts:
        raise HTTPException(429) from None
    token = invitations.resend(
        state.db, by=state.actor.person, invitation=invitation, now=state.now
    )
    try:
        _send_invitation(request, invitation, token)
    except mail.MailError as error:
        raise MailNotSent(
            _(
                "The invitation email could not be sent. Check the mail settings "
                "and try again. (%(error)s)",
                error=str(error),
            )
        ) from error
    return redirect(request, "admin_invitations")


@permission("council.manage")
def invitation_revoke(request: Request) -> Response:
    state = request.state
    invitation = invitations.get(state.db, request.path_params["invitation_id"])
    invitations.revoke(state.db, by=state.actor.person, invitation=invitation, now=state.now)
    return redirect(request, "admin_invitations")
