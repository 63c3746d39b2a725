"""Real OpenID providers on loopback, for the sign-in tests.

- `mock_provider`: oidc-provider-mock in a thread (nonce required; it does not enforce PKCE).
- `TamperingProvider`: a provider of its own (issuer, keys, discovery) in front of the mock. The
  code flow goes through to the mock unchanged; the ID token the mock issues is re-signed after
  `tamper(claims)` changed it, or signed with a key that is not published (`forge = True`).
- `node_provider`: the npm package oidc-provider (tests/oidc_node), which enforces PKCE.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

import httpx2
import pytest
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey
from oidc_provider_mock import User, run_server_in_thread
from werkzeug.wrappers import Request, Response

NODE_DIR = Path(__file__).resolve().parent / "oidc_node"
CLIENT_ID = "council-workspace"
CLIENT_SECRET = "council-client-secret"


@contextmanager
def mock_provider(users: list[User]) -> Iterator[str]:
    """oidc-provider-mock on a free loopback port; yields its issuer URL."""
    with run_server_in_thread(port=0, require_nonce=True, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def choose_user_at_mock(authorize_url: str, subject: str, *, deny: bool = False) -> str:
    """Answer the mock's authorization page as a person would; returns the callback URL."""
    data = {"action": "deny"} if deny else {"sub": subject}
    response = httpx2.post(authorize_url, data=data, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    return response.headers["location"]


def _claims_of(id_token: str) -> dict:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class TamperingProvider:
    """Its own issuer and JWKS in front of the mock; the ID token is re-signed after tampering."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.key = RSAKey.generate_key(2048, parameters={"kid": "proxy-key"})
        self.forger = RSAKey.generate_key(2048, parameters={"kid": "proxy-key"})
        self.tamper: Callable[[dict], None] = lambda claims: None
        self.forge = False
        self.issuer = ""

    def reset(self) -> None:
        self.tamper = lambda claims: None
        self.forge = False

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == "/.well-known/openid-configuration":
            metadata = httpx2.get(self.upstream + request.path).json()
            metadata.update(
                issuer=self.issuer,
                token_endpoint=self.issuer + "/token",
                jwks_uri=self.issuer + "/jwks",
            )
            response = Response(json.dumps(metadata), content_type="application/json")
        elif request.path == "/jwks":
            keys = {"keys": [self.key.as_dict(private=False)]}
            response = Response(json.dumps(keys), content_type="application/json")
        elif request.path == "/token" and request.method == "POST":
            metadata = httpx2.get(self.upstream + "/.well-known/openid-configuration").json()
            headers = {
                k: v
                for k, v in request.headers.items()
                if k.lower() in ("authorization", "content-type")
            }
            upstream = httpx2.post(
                metadata["token_endpoint"], content=request.get_data(), headers=headers
            )
            token = upstream.json()
            if "id_token" in token:
                claims = _claims_of(token["id_token"])
                claims["iss"] = self.issuer
                self.tamper(claims)
                key = self.forger if self.forge else self.key
                token["id_token"] = jwt.encode({"alg": "RS256", "kid": "proxy-key"}, claims, key)
            response = Response(
                json.dumps(token), status=upstream.status_code, content_type="application/json"
            )
        else:
            response = Response("not here", status=404)
        return response(environ, start_response)


@contextmanager
def tampering_provider(upstream: str) -> Iterator[TamperingProvider]:
    provider = TamperingProvider(upstream)
    server = werkzeug.serving.make_server("127.0.0.1", 0, provider, threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def node_or_skip() -> str:
    """The node binary, when the npm provider is installed; else skip (fail when CI=true)."""
    node = shutil.which("node")
    installed = (NODE_DIR / "node_modules" / "oidc-provider" / "package.json").exists()
    if node and installed:
        return node
    message = (
        "The PKCE test needs node and the npm package oidc-provider: run `npm ci` in "
        "tests/oidc_node (`make test` does it when npm is installed)."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} CI=true, so the missing provider fails the run.", pytrace=False)
    warnings.warn(pytest.PytestWarning(f"!! {message} The PKCE test is SKIPPED."), stacklevel=2)
    pytest.skip(f"!! NOT RUN: {message}")


@contextmanager
def node_provider(redirect_uri: str, account: dict) -> Iterator[str]:
    """The node oidc-provider on a free loopback port, enforcing PKCE; yields its issuer."""
    node = node_or_skip()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [node, "provider.js", CLIENT_ID, CLIENT_SECRET, redirect_uri, json.dumps(account)],
            cwd=NODE_DIR,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            line = process.stdout.readline()
            if not line:
                process.wait(timeout=5)
                errors.seek(0)
                raise RuntimeError(f"the node provider did not start: {errors.read()}")
            yield json.loads(line)["issuer"]
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def follow_provider(url: str, until: str) -> str:
    """Follow the provider's redirects (login, consent) as a browser would, until it sends the
    browser back to `until`; returns that callback URL."""
    with httpx2.Client() as browser:
        for _ in range(10):
            response = browser.get(url, follow_redirects=False)
            assert response.status_code in (302, 303), response.text
            url = urljoin(url, response.headers["location"])
            if url.startswith(until):
                return url
    raise AssertionError("the provider never sent the browser back")
