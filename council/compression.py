"""HTTP compression of text answers: brotli when the client asks for it, else gzip.

A page of the workspace is mostly markup that repeats itself, so a draft of 23 KB travels in
about 4 KB. Only text is compressed (HTML, CSS, JavaScript, JSON, Atom, SVG), only above
MINIMUM_SIZE (below it the headers cost more than the bytes saved), never an event stream (it
must reach the browser as each event is written) nor a PDF (already compressed inside).

BREACH: an attacker who can make a victim's browser load a page that reflects attacker input
beside a secret can guess the secret from the compressed sizes. The one secret our pages
carry is the CSRF token, and it never appears twice the same: every response masks it with a
fresh random pad (council.csrf.mask_csrf_token, as Django does), so the compressed size
says nothing about it. Compressing every page keeps a member's first visit small, which
refusing to compress pages with a token (every member page has one) would not.

A compressed answer is another representation of the resource: its strong ETag becomes weak
(W/"..."), as nginx and Django do, and our conditional answers compare ETags weakly. A 304
answers with the ETag in the form the client holds.
"""

from __future__ import annotations

import zlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from council.middleware import vary_on

try:  # a dependency of WeasyPrint's fonttools[woff]: present wherever the PDFs are made
    import brotli
except ImportError:  # pragma: no cover  (then gzip only)
    brotli = None

MINIMUM_SIZE = 1024
TEXT_TYPES = (
    "application/json",
    "application/atom+xml",
    "application/xml",
    "application/javascript",
    "application/manifest+json",
    "image/svg+xml",
)
GZIP_LEVEL = 6
BROTLI_QUALITY = 5
"""Fast enough to compress each page as it goes (about the time of gzip's level 6) and
smaller than gzip's best."""


COPY_BROTLI_QUALITY = 11
"""A kept copy (council.web.PageCache) is compressed once for all its readers: at brotli's best
(about 20 ms for a recommendation's page of 20 KB, some 13 % smaller than quality 5)..."""
LARGE_COPY = 64 * 1024
LARGE_COPY_BROTLI_QUALITY = 9
"""...but quality 11 grows steeply with the size (0.7 s for a feed of 550 KB, against 22 ms at
quality 9 for 7 % more bytes): larger copies get quality 9."""


def kept_forms(body: bytes, headers: Headers) -> dict[str, bytes]:
    """The compressed forms of a page kept for many readers, by encoding; none when the page
    would not be compressed as it goes."""
    if len(body) < MINIMUM_SIZE or "content-encoding" in headers or not compressible(headers):
        return {}
    gzip = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    forms = {"gzip": gzip.compress(body) + gzip.flush()}
    if brotli is not None:
        quality = COPY_BROTLI_QUALITY if len(body) <= LARGE_COPY else LARGE_COPY_BROTLI_QUALITY
        forms["br"] = brotli.compress(body, quality=quality)
    return forms


def chosen_encoding(accept_encoding: str) -> str | None:
    """ "br" or "gzip", whichever the client accepts (brotli first), or None."""
    accepted = {}
    for item in accept_encoding.lower().split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[name.strip()] = quality
    if brotli is not None and accepted.get("br", 0) > 0:
        return "br"
    if accepted.get("gzip", accepted.get("*", 0)) > 0:
        return "gzip"
    return None


def compressible(headers: Headers) -> bool:
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type == "text/event-stream":
        return False
    return media_type.startswith("text/") or media_type in TEXT_TYPES


def weak(etag: str) -> str:
    return etag if etag.startswith("W/") else f"W/{etag}"


class Compressor:
    """One response's compression stream."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        if encoding == "br":
            self.stream = brotli.Compressor(quality=BROTLI_QUALITY)
        else:
            self.stream = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def compress(self, data: bytes, *, last: bool) -> bytes:
        if self.encoding == "br":
            out = self.stream.process(data)
            return out + (self.stream.finish() if last else self.stream.flush())
        out = self.stream.compress(data)
        return out + self.stream.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, minimum_size: int = MINIMUM_SIZE):
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_headers = Headers(scope=scope)
        encoding = chosen_encoding(request_headers.get("accept-encoding", ""))
        if_none_match = request_headers.get("if-none-match", "")
        if scope["method"] == "HEAD":
            encoding = None
        start: Message | None = None
        compressor: Compressor | None = None

        async def send_compressed(message: Message) -> None:
            nonlocal start, compressor
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] == 304:
                    _answer_in_the_form_held(headers, if_none_match)
                    return await send(message)
                if (
                    encoding is None
                    or "content-encoding" in headers
                    or message["status"] in (204, 206)
                    or not compressible(headers)
                ):
                    if compressible(headers):
                        vary_on(headers, "Accept-Encoding")
                    return await send(message)
                start = message  # held until the first part of the body says how large it is
                return None
            if message["type"] != "http.response.body" or (start is None and compressor is None):
                return await send(message)
            body, more = message.get("body", b""), message.get("more_body", False)
            if start is not None:
                headers = MutableHeaders(scope=start)
                vary_on(headers, "Accept-Encoding")
                length = headers.get("content-length")
                whole = int(length) if length and length.isdigit() else len(body)
                if (whole if more else len(body)) < self.minimum_size:
                    held, start = start, None
                    await send(held)
                    return await send(message)
                compressor = Compressor(encoding)
                headers["Content-Encoding"] = encoding
                if "etag" in headers:
                    headers["ETag"] = weak(headers["etag"])
                body = compressor.compress(body, last=not more)
                if more:
                    del headers["Content-Length"]
                else:
                    headers["Content-Length"] = str(len(body))
                held, start = start, None
                await send(held)
                return await send({**message, "body": body})
            return await send({**message, "body": compressor.compress(body, last=not more)})

        await self.app(scope, receive, send_compressed)


def _answer_in_the_form_held(headers: MutableHeaders, if_none_match: str) -> None:
    """A 304's ETag as the client holds it: weak when it got a compressed copy."""
    etag = headers.get("etag")
    if etag and not etag.startswith("W/") and weak(etag) in if_none_match:
        headers["ETag"] = weak(etag)
