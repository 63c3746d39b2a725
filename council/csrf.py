"""The CSRF check as pure functions of strings, applied by council.middleware to every unsafe
request before any handler runs: the token bound to a session (or to a random cookie), the
masked form a page carries, and whether a request may go on."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

SAME_SITE = ("same-origin", "none")
"""Sec-Fetch-Site values of a request this site's own pages (or the user, typing) made."""


def csrf_token_for(secret: str, binding: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def mask_csrf_token(token: str) -> str:
    """The token as a page carries it: a fresh random pad, then the token XORed with it, so
    that no two responses carry the same bytes and compression cannot leak it (BREACH: see
    council.compression). Any masking of the request's token is accepted."""
    secret = bytes.fromhex(token)
    pad = secrets.token_bytes(len(secret))
    return (pad + _xor(secret, pad)).hex()


def unmask_csrf_token(masked: str) -> str:
    """The token a masked one hides, or "" for anything that is not a masked token."""
    try:
        data = bytes.fromhex(masked)
    except ValueError:
        return ""
    if len(data) % 2:
        return ""
    half = len(data) // 2
    return _xor(data[:half], data[half:]).hex()


def _xor(data: bytes, pad: bytes) -> bytes:
    """`data` XOR `pad`, two byte strings of the same length."""
    return (int.from_bytes(data) ^ int.from_bytes(pad)).to_bytes(len(data))


def csrf_accepted(
    *,
    supplied: str,
    expected: str,
    fetch_site: str | None,
    origin: str | None,
    scheme: str,
    netloc: str,
) -> bool:
    """Whether an unsafe request may go on: the browser does not say that another site made it
    (Sec-Fetch-Site, Origin), and it carries its session's whole token, masked (`supplied`,
    from the X-CSRF-Token header or the form) where `expected` is the token itself."""
    if fetch_site and fetch_site not in SAME_SITE:
        return False
    if origin:  # "null" is an opaque origin: a sandboxed frame, a redirect from elsewhere
        parts = urlsplit(origin)
        if origin == "null" or (parts.scheme, parts.netloc) != (scheme, netloc):
            return False
    if len(supplied) != 2 * len(expected):  # a masked token is twice as long: no other work
        return False
    token = unmask_csrf_token(supplied)
    return bool(token) and hmac.compare_digest(token, expected)
