"""OpenID Connect sign-in through the organisations' own providers, with Authlib's Starlette
client: discovery, the authorization-code flow with PKCE (S256), state and nonce, and the ID
token checked (signature through the provider's JWKS, issuer, audience, expiry, nonce).

Where the flow's secrets wait. Between the redirect to the provider and the callback, Authlib
keeps the state, nonce and PKCE verifier in `request.session`. This application has no cookie
session (no SessionMiddleware), and adds none: each flow is a short-lived `SignInFlow` row keyed
by the hash of its state, written when the flow starts and deleted, in a transaction of its own,
when the callback takes it. So any worker finishes a flow another started, the verifier and the
nonce never leave the server, and a callback is usable once (a replay finds no row and fails
with Authlib's mismatching_state). The row is bound to the browser that started it by a random
cookie whose hash it keeps, so a callback carried to another browser (login CSRF) is refused.
Authlib gets a plain dict as `request.session`, holding that one flow.

Handlers stay plain functions run in a worker thread; the Authlib client is asynchronous, so its
calls go back to the event loop through `anyio.from_thread.run`.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio.from_thread
import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from sqlmodel import Session, col, delete
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from council import auth, sessions
from council.errors import NotFound
from council.models import SignInFlow
from council.settings import OidcProvider

log = logging.getLogger(__name__)

FLOW_MINUTES = 10
FLOW_COOKIE = "council_oidc_flow"
FLOW_COOKIE_PATH = "/auth/oidc/"
HTTP_TIMEOUT_SECONDS = 10


class SignInFailed(Exception):
    """The provider could not be reached, or its answer did not prove who signs in.

    `reason` picks the message shown; `detail` is the technical cause, logged and shown small."""

    def __init__(self, reason: str, detail: str = "", status: int = 400):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Verified:
    """What a provider vouched for, after every check passed."""

    provider: OidcProvider
    claims: dict[str, Any]
    intent: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return str(self.claims["sub"])

    @property
    def email(self) -> str:
        return str(self.claims.get("email") or "").strip().lower()

    @property
    def email_verified(self) -> bool:
        return self.claims.get("email_verified") in (True, "true")


class Providers:
    """The configured providers and one Authlib client each (discovery is fetched once)."""

    def __init__(self, providers: tuple[OidcProvider, ...]):
        self.by_name = {p.name: p for p in providers}
        self.oauth = OAuth()
        for provider in providers:
            self.oauth.register(
                provider.name,
                client_id=provider.client_id,
                client_secret=provider.client_secret or None,
                server_metadata_url=provider.metadata_url,
                client_kwargs={
                    "scope": "openid email profile",
                    "code_challenge_method": "S256",
                    "timeout": HTTP_TIMEOUT_SECONDS,
                    **({} if provider.client_secret else {"token_endpoint_auth_method": "none"}),
                },
            )

    def __iter__(self):
        return iter(self.by_name.values())

    def get(self, name: str):
        """The provider and its client; NotFound when no such provider is configured."""
        provider = self.by_name.get(name)
        if provider is None:
            raise NotFound()
        return provider, self.oauth.create_client(name)


def _run(coroutine_function, *args, **kwargs):
    """Run one of Authlib's coroutines from the handler's worker thread."""
    return anyio.from_thread.run(functools.partial(coroutine_function, *args, **kwargs))


def _metadata(provider: OidcProvider, client) -> dict:
    try:
        metadata = _run(client.load_server_metadata)
    except (httpx2.HTTPError, ValueError) as error:
        raise SignInFailed("unreachable", f"discovery: {error}", status=502) from error
    if metadata.get("issuer") != provider.issuer:
        # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer we asked
        client.server_metadata.clear()
        raise SignInFailed(
            "misconfigured",
            f"discovery names issuer {metadata.get('issuer')!r}, not {provider.issuer!r}",
            status=502,
        )
    return metadata


def begin(request: Request, name: str, *, intent: dict[str, Any], now: datetime) -> Response:
    """Send the browser to the provider, remembering the flow server-side."""
    providers: Providers = request.app.state.oidc
    provider, client = providers.get(name)
    _metadata(provider, client)
    session: dict[str, Any] = {}
    request.scope["session"] = session
    redirect_uri = str(request.url_for("oidc_callback", provider=name))
    try:
        _run(client.authorize_redirect, request, redirect_uri)
    except (httpx2.HTTPError, AuthlibBaseError, RuntimeError) as error:
        raise SignInFailed("unreachable", str(error), status=502) from error
    ((key, saved),) = session.items()
    state = key.removeprefix(f"_state_{name}_")
    browser = request.cookies.get(FLOW_COOKIE) or secrets.token_urlsafe(32)
    request.state.transaction.write().add(
        SignInFlow(
            id=sessions.token_hash(state),
            provider=name,
            browser_hash=sessions.token_hash(browser),
            data=json.dumps({"authlib": saved["data"], "intent": intent}),
            created_at=now,
            expires_at=now + timedelta(minutes=FLOW_MINUTES),
        )
    )
    response = RedirectResponse(saved["data"]["url"], status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        browser,
        max_age=FLOW_MINUTES * 60,
        path=FLOW_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def take_flow(
    writer: Session, *, name: str, state: str, browser: str, now: datetime
) -> dict | None:
    """The flow this browser started with this state, deleted as it is read (single use: the
    callback keeps the deletion even when it refuses the sign-in)."""
    if not state or not browser:
        return None
    flow = writer.get(SignInFlow, sessions.token_hash(state))
    if flow is None or flow.provider != name:
        return None
    if not secrets.compare_digest(flow.browser_hash, sessions.token_hash(browser)):
        log.warning("OIDC callback for %s from a browser that did not start the flow", name)
        return None
    deleted = writer.exec(delete(SignInFlow).where(SignInFlow.id == flow.id))
    if deleted.rowcount != 1 or flow.expires_at <= now:
        return None
    return json.loads(flow.data)


def finish(request: Request, name: str, *, now: datetime) -> Verified:
    """Check the provider's answer: state, code exchange with the verifier, ID token."""
    providers: Providers = request.app.state.oidc
    provider, client = providers.get(name)
    state = request.query_params.get("state", "")
    flow = take_flow(
        request.state.transaction.write(),
        name=name,
        state=state,
        browser=request.cookies.get(FLOW_COOKIE, ""),
        now=now,
    )
    session: dict[str, Any] = {}
    if flow is not None:
        session[f"_state_{name}_{state}"] = {"data": flow["authlib"], "exp": time.time() + 60}
    request.scope["session"] = session
    metadata = _metadata(provider, client)
    answered_by = request.query_params.get("iss")
    if answered_by is not None and answered_by != provider.issuer:
        # RFC 9207: the answer names its issuer; another provider's answer is a mix-up attack
        raise SignInFailed("invalid", f"the answer comes from {answered_by!r}")
    try:
        # Authlib checks the audience only through azp: ask for ours to be in aud, always
        token = _run(
            client.authorize_access_token,
            request,
            claims_options={
                "iss": {"essential": True, "values": [provider.issuer]},
                "aud": {"essential": True, "values": [provider.client_id]},
            },
        )
    except (httpx2.HTTPError, OSError) as error:
        raise SignInFailed("unreachable", str(error), status=502) from error
    except (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError) as error:
        # joserfc raises its own errors (a forged signature, a bad claim), not Authlib's
        code = getattr(error, "error", None)
        detail = " ".join(
            str(part)
            for part in (
                f"{type(error).__name__}:",
                code,
                getattr(error, "description", None) or error,
            )
            if part
        )
        reason = "cancelled" if code == "access_denied" else "invalid"
        log.warning("OIDC sign-in through %s refused: %s", name, detail)
        raise SignInFailed(reason, detail) from error
    claims = token.get("userinfo")
    if not claims or "sub" not in claims:
        raise SignInFailed("invalid", "the provider sent no ID token")
    claims = dict(claims)
    if "email" not in claims and metadata.get("userinfo_endpoint"):
        claims = _with_userinfo(client, token, claims)
    return Verified(provider, claims, flow["intent"] if flow else {})


def _with_userinfo(client, token: dict, claims: dict) -> dict:
    """Some providers put the email only in the userinfo answer; its subject must match."""
    try:
        info = _run(client.userinfo, token=token)
    except (httpx2.HTTPError, AuthlibBaseError, ValueError) as error:
        raise SignInFailed("invalid", f"userinfo: {error}") from error
    if str(info.get("sub")) != str(claims["sub"]):
        raise SignInFailed("invalid", "userinfo is about another subject")
    return {**info, **claims, **{k: info[k] for k in ("email", "email_verified") if k in info}}


def forget_flow_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        FLOW_COOKIE,
        path=FLOW_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def purge_expired(session: Session, *, now: datetime) -> int:
    """Flows abandoned at the provider."""
    return session.exec(delete(SignInFlow).where(col(SignInFlow.expires_at) <= now)).rowcount


def purge_job(session: Session, now: datetime) -> int:
    """The worker's job: abandoned sign-in flows and old failed sign-ins."""
    return purge_expired(session, now=now) + auth.purge_attempts(session, now)
