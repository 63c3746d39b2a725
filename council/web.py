"""Rendering: the Jinja environment, the one page-or-fragment helper, form helpers."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from markupsafe import Markup
from sqlalchemy.orm import configure_mappers
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import URL, FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Router
from starlette.templating import Jinja2Templates
from starlette.types import Scope

from council import dates, i18n, names, notifications, outline, text
from council.caches import BoundedCache
from council.compression import chosen_encoding, kept_forms
from council.csrf import mask_csrf_token
from council.database import MAX_ID, StateVersion, reading_clock
from council.errors import Invalid
from council.extensions import nav_links
from council.middleware import session_cookie_name
from council.permissions import can

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


class IdConvertor(Convertor[int]):
    """`{name:id}` in a route: a row id or a number. One beyond the integer columns' range
    becomes 0, which no row has, so every lookup answers 404 rather than failing in the
    database (as `:int` would let it)."""

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())


_MODULES: ContextVar[dict | None] = ContextVar("council_template_modules", default=None)
_NOT_GIVEN = object()


class Template(jinja2.Template):
    """A template whose macro libraries imported `with context` are made once per page.

    Jinja makes such a module again at every import, and a page of comments includes a
    thread template (which imports the form macros) hundreds of times. Within one render()
    (which opens the cache) the module made for the same values of the names the library
    reads is the same module, so it is reused: its macros would see exactly those values.
    The values that functions read from the context behind the template's back (url_for's
    request, the language of the dates) are the page's, the same in every include."""

    def make_module(self, vars=None, shared=False, locals=None):
        cache = _MODULES.get()
        if cache is None or not shared or self.name is None:
            return super().make_module(vars, shared, locals)
        names = self.free_names()
        given = [vars or {}, locals or {}]
        key = (
            id(self),
            *(id(next((d[n] for d in reversed(given) if n in d), _NOT_GIVEN)) for n in names),
        )
        module = cache.get(key)
        if module is None:
            # the module keeps its context, hence the values whose ids make the key, alive
            module = cache[key] = super().make_module(vars, shared, locals)
        return module

    def free_names(self) -> tuple[str, ...]:
        """The names the template reads from its context (found once, from its source)."""
        names = self.__dict__.get("council_free_names")
        if names is None:
            assert self.name is not None and self.environment.loader is not None
            source, _filename, _uptodate = self.environment.loader.get_source(
                self.environment, self.name
            )
            names = tuple(sorted(meta.find_undeclared_variables(self.environment.parse(source))))
            self.council_free_names = names
        return names


class _CompiledTemplates(jinja2.BytecodeCache):
    """The templates' compiled code, kept for the whole process: an application built after
    the first (the tests build one per test, the `council` commands several) loads each
    template's code instead of compiling it again. Jinja keys each entry by the template's
    name and checks it against a digest of its source, so a changed file is compiled anew."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self.lock:
            code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self.lock:
            self.code[bucket.key] = code


_COMPILED = _CompiledTemplates()


def make_templates(*, auto_reload: bool = True) -> Jinja2Templates:
    """The templates; `auto_reload` (development) looks at the files again on every render,
    which costs about half the rendering time of a page under load."""
    env = jinja2.Environment(
        auto_reload=auto_reload,
        bytecode_cache=_COMPILED,
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.template_class = Template
    env.install_gettext_callables(
        i18n.gettext, i18n.raw_ngettext, newstyle=True, pgettext=i18n.raw_pgettext
    )
    env.filters["datetime"] = i18n.format_datetime
    env.filters["date"] = i18n.format_date
    env.filters["from_iso"] = datetime.fromisoformat  # a time kept in a JSON record
    env.filters["number"] = i18n.format_number
    env.filters["scrollable_tables"] = scrollable_tables
    env.filters["fit_headings"] = outline.fit_headings
    env.filters["headings_at"] = outline.headings_at
    env.filters["headings_as_text"] = outline.headings_as_text
    env.globals["language_name"] = i18n.language_name
    env.globals["url_for"] = url_for
    env.globals["cached_fragment"] = cached_fragment
    names.register(env)
    dates.register(env)
    return Jinja2Templates(env=env)


def warm_up(templates: Jinja2Templates, languages: Sequence[str]) -> None:
    """What a process's first requests would otherwise wait for (a second for the first draft
    page, most of it compiling templates and setting up the ORM's mappers): every template
    compiled and its free names found, the mappers configured, the release's digest made, each
    language's locale data read. Run at start in production, before the first request."""
    env = templates.env
    for name in env.list_templates():
        template = env.get_template(name)
        if isinstance(template, Template):
            template.free_names()
    configure_mappers()
    if not env.auto_reload:
        _release_version()
    for code in languages:
        for display in languages:
            i18n.language_name(code, display)


@jinja2.pass_context
def url_for(context, name: str, /, **path_params: Any) -> URL:
    """Starlette's url_for for templates, without its walk through every route (each miss
    raises an exception): a page of comments asks for hundreds of links."""
    request: Request = context["request"]
    route = _routes_by_name(request.app.router).get(name)
    if route is None:
        return request.url_for(name, **path_params)
    base = request.scope.get("council.base_url")
    if base is None:
        base = request.scope["council.base_url"] = str(request.base_url).rstrip("/")
    return URL(base + route.url_path_for(name, **path_params))


def _routes_by_name(router: Router) -> dict[str, BaseRoute]:
    """The application's routes by name (the first of a name wins, as in Starlette), kept
    on the router."""
    index = getattr(router, "council_route_index", None)
    if index is None:
        index = {}
        for route in router.routes:
            name = getattr(route, "name", None)
            if name and name not in index:
                index[name] = route
        router.council_route_index = index
    return index


def scrollable_tables(html: str) -> Markup:
    """Stored, already clean HTML (Markdown rendered at write time) whose tables scroll sideways
    in a box of their own, which the keyboard reaches and a screen reader names, rather than
    widening a phone's page."""
    box = Markup('<div class="table-scroll" tabindex="0" role="region" aria-label="{}"><table>')
    return Markup(  # noqa: S704  (`html` was sanitised when it was written; the label is escaped)
        str(html)
        .replace("<table>", str(box.format(i18n.gettext("Table"))))
        .replace("</table>", "</table></div>")
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str | None = None,
    public: bool = False,
) -> Response:
    """A full page, or only `fragment` when htmx asked: the single place that decides.

    A `public` page shown to an anonymous reader carries no form that needs a CSRF token
    (its language switcher is a GET form), so it sets no cookie and shared caches may keep it.
    """
    state = request.state
    actor = state.actor
    anonymous_public = public and not actor.signed_in

    def allowed(action: str, target: object = None) -> bool:
        return can(actor, action, target)

    def unread_notifications() -> int:
        """The navigation's count: one query, run only by pages that show the navigation."""
        db = getattr(state, "db", None)
        return notifications.visible_unread_count(db, actor) if db is not None else 0

    full_context = {
        "actor": actor,
        "council": state.council,
        "can": allowed,
        "unread_notifications": unread_notifications,
        "nav_links": nav_links(request.app.state.extensions, allowed, state.council),
        "csrf_token": "" if anonymous_public else _masked_token(state),
        "language": i18n.current_language(),
        "languages": request.app.state.settings.languages,
        "timezone": actor.person.timezone if actor.person else "UTC",
        **(context or {}),
    }
    if not anonymous_public:
        state.csrf_used = True  # the anonymous CSRF cookie is only set for pages that need it
    name = fragment if fragment and is_htmx(request) else template
    modules = _MODULES.set({})
    try:
        response = request.app.state.templates.TemplateResponse(
            request, name, full_context, status_code=status_code
        )
    finally:
        _MODULES.reset(modules)
    response.headers.setdefault("Vary", "HX-Request, Cookie, Accept-Language")
    if getattr(state, "relative_dates", False):  # "closes in 4 days" is true only now
        response.headers["Cache-Control"] = PRIVATE_CACHE
    return response


def _masked_token(state) -> str:
    """The page's CSRF token, masked afresh (council.csrf), remembered for reader_copy."""
    state.csrf_masked = mask_csrf_token(state.csrf_token)
    return state.csrf_masked


PUBLIC_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, no-store"


def strong_etag(content: str | bytes) -> str:
    """A strong ETag: a digest of exactly these bytes."""
    data = content.encode() if isinstance(content, str) else content
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def conditional(
    request: Request, response: Response, *, last_modified: datetime | None, etag: str | None = None
) -> Response:
    """Validators and caching rules for a page the same for every anonymous reader (the
    published side): a strong ETag of the body (unless given), Last-Modified, and 304 when the
    reader's copy is current. Anonymous readers may be served from shared caches for a minute;
    a page that shows who is signed in is never stored."""
    if response.status_code != 200:
        return response
    etag = etag or strong_etag(response.body)
    headers = _validators(request, etag, last_modified)
    response.headers.update(headers)
    if is_not_modified(request.headers, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return response


class PageCache:
    """This process's copies of the pages every anonymous reader gets alike, by their ETag.

    The ETag is made before rendering from what the page shows (fingerprint_etag), read from
    the database at each request: a copy is served only while the database still says the
    page is the same, so copies are right whatever other processes change. They carry no
    CSRF token and no name (anonymous public pages have neither)."""

    def __init__(self, max_bytes: int = 16 * 1024 * 1024):
        self.copies = BoundedCache(max_bytes)
        self.lock = threading.Lock()
        self.makers: dict[str, list] = {}  # ETag -> [its lock, how many want it]

    def answer_or_make(
        self, etag: str, request_headers: Mapping[str, str], make: Callable[[], Response]
    ) -> Response:
        """answer(), else `make()` the page and keep it. Readers who ask for a page being
        made meanwhile wait for it instead of making it again (after a change, a feed's
        readers would otherwise each render and compress it at once)."""
        copy = self.answer(etag, request_headers)
        if copy is not None:
            return copy
        with self._making(etag):
            copy = self.answer(etag, request_headers)
            if copy is not None:
                return copy
            response = make()
            self.keep(etag, response)
            return response

    def keep(self, etag: str, response: Response) -> None:
        """Keep `response` when it is the page of this ETag for every anonymous reader."""
        if (
            response.status_code == 200
            and response.headers.get("etag") == etag
            and "set-cookie" not in response.headers  # never one reader's cookie for another
        ):
            self.put(etag, response)

    @contextmanager
    def _making(self, etag: str) -> Iterator[None]:
        with self.lock:
            maker = self.makers.setdefault(etag, [threading.Lock(), 0])
            maker[1] += 1
        try:
            with maker[0]:
                yield
        finally:
            with self.lock:
                maker[1] -= 1
                if not maker[1]:
                    del self.makers[etag]

    def get(self, etag: str) -> Response | None:
        page = self.copies.get(etag)
        if page is None:
            return None
        return _copy(page.body, page.headers)

    def answer(self, etag: str, request_headers: Mapping[str, str]) -> Response | None:
        """For a request whose page has this `etag`: 304 when the reader's copy is current, else
        this process's copy, compressed as the reader accepts from the forms kept with it;
        None when this process has none (the page is yet to be made)."""
        page = self.copies.get(etag)
        if page is None:
            return None
        if is_not_modified(request_headers, etag, page.last_modified):
            return Response(status_code=304, headers=page.validators)
        encoding = chosen_encoding(request_headers.get("accept-encoding", ""))
        form = page.forms.get(encoding) if encoding else None
        if form is None:
            return _copy(page.body, page.headers)
        headers = [(name, value) for name, value in page.headers if name != b"content-length"]
        headers += [
            (b"content-encoding", encoding.encode()),
            (b"content-length", b"%d" % len(form)),
        ]
        return _copy(form, headers)

    def clear(self) -> None:
        self.copies.clear()

    def put(self, etag: str, response: Response) -> None:
        body = bytes(response.body)
        validators = {
            name: response.headers[name]
            for name in ("etag", "cache-control", "vary", "last-modified")
            if name in response.headers
        }
        modified = validators.get("last-modified")
        forms = kept_forms(body, response.headers)
        page = KeptPage(
            body,
            list(response.raw_headers),
            validators,
            parsedate_to_datetime(modified) if modified else None,
            forms,
        )
        self.copies.put(etag, page, len(body) + sum(len(form) for form in forms.values()))


@dataclass(frozen=True)
class KeptPage:
    body: bytes
    headers: list[tuple[bytes, bytes]]
    validators: dict[str, str]  # for a 304
    last_modified: datetime | None
    forms: dict[str, bytes]  # compressed once, by encoding (council.compression.kept_forms)


def _copy(body: bytes, headers: list[tuple[bytes, bytes]]) -> Response:
    response = Response(body)
    response.raw_headers = list(headers)
    return response


FRAGMENTS = BoundedCache(32 * 1024 * 1024)
"""Rendered parts of pages (cached_fragment), for the whole process: their keys name all they
show, so they are right whatever changes, in any process, and old ones are simply not asked
for again."""
_MASK_SLOT = "\x00csrf\x00"  # no text the pages show holds a NUL (council.text refuses them)


class FragmentKeyIncomplete(AssertionError):
    """A cached fragment (or a kept page) differs from the same fragment rendered again: its
    key (or ETag) misses something it shows."""


@jinja2.pass_context
def cached_fragment(context, name: str, facts: object, *, caller: Callable[[], str]) -> Markup:
    """`{% call cached_fragment(name, facts) %}...{% endcall %}`: the block's HTML, rendered
    once for the same `facts` (everything the block shows that the site's address, the page's
    language and time zone and the release do not already name), then taken from FRAGMENTS.
    `facts` of None: not cached. The page's CSRF token is never kept in a copy: each answer
    puts its own (masked afresh, see council.csrf) in its place. With Settings.check_fragments
    (the tests), the block is rendered every time and must equal the copy
    (FragmentKeyIncomplete)."""
    request: Request = context["request"]
    settings = request.app.state.settings
    if facts is None or request.app.state.templates.env.auto_reload:
        return Markup(caller())  # noqa: S704  (the block's own output, escaped by Jinja)
    token = context.get("csrf_token") or ""
    key = _key_of(
        release_version(request),
        str(request.base_url),  # its links are absolute
        name,
        i18n.current_language(),
        context.get("timezone"),
        bool(token),
        facts,
    )
    kept = FRAGMENTS.get(key)
    if kept is not None and not settings.check_fragments:
        return Markup(kept.replace(_MASK_SLOT, token) if token else kept)  # noqa: S704
    made = str(caller())
    copy = made.replace(token, _MASK_SLOT) if token else made
    if kept is not None and kept != copy:
        raise FragmentKeyIncomplete(f"{name}: the same facts rendered differently")
    FRAGMENTS.put(key, copy, len(copy))
    return Markup(made)  # noqa: S704


def public_page(request: Request, make: Callable[[], Response], *, etag: str) -> Response:
    """An anonymous reader's page whose ETag (`etag`, from fingerprint_etag) is known before
    rendering: when this process has made the page under this ETag, 304 if the reader's copy
    is current, else this process's copy; else `make()` (which checks the request, renders
    the page and calls conditional with this etag, which answers the 304), kept for the next.
    Never a 304 before the page was made once: a request the handler refuses (a language
    that is none, say) is refused even with `If-None-Match: *`. With
    Settings.check_fragments (the tests), the page is made every time and must equal the copy
    (FragmentKeyIncomplete): the proof that the ETag names all the page shows."""
    cache: PageCache = request.app.state.page_cache
    if not request.app.state.settings.check_fragments:
        return cache.answer_or_make(etag, request.headers, make)
    response = make()
    kept = cache.get(etag)
    if kept is not None and response.status_code == 200 and kept.body != response.body:
        raise FragmentKeyIncomplete(f"{request.url.path}: the same ETag made another page")
    cache.keep(etag, response)
    return response


READER_COPIES = BoundedCache(64 * 1024 * 1024)
"""Members' pages as last made for them (reader_copy), for the whole process."""
_MASK_BYTES = _MASK_SLOT.encode()


@dataclass(frozen=True)
class ReaderCopy:
    body: bytes  # the CSRF token's place marked (_MASK_SLOT)
    headers: list[tuple[bytes, bytes]]  # without Content-Length

    def answer(self, token: str) -> Response:
        body = self.body.replace(_MASK_BYTES, token.encode()) if token else self.body
        return _copy(body, [*self.headers, (b"content-length", str(len(body)).encode())])


def reader_copy(request: Request, make: Callable[[], Response], *facts: object) -> Response:
    """A signed-in member's page (GET), made by `make()` once and given again while nothing
    that makes it has changed: the same reader (their person, seat and powers), address, htmx
    headers, cookies, language, release, the council's state version (any act anywhere makes
    every page anew: council.database.version_state) and the clock, which `make()` reads down
    to the step (council.database.reading_clock). `facts`: whatever else the page shows, such
    as the reader's visit, which is bookkeeping rather than state. The CSRF token is masked
    afresh in each answer. With Settings.check_fragments (the tests), the page is made every
    time and must equal the copy (FragmentKeyIncomplete)."""
    state = request.state
    app = request.app
    if (
        request.method != "GET"
        or not state.actor.signed_in
        or not app.state.settings.reader_copies
        or app.state.templates.env.auto_reload
    ):
        return make()
    version = getattr(state, "state_version", None)
    if version is None:  # nothing was ever written
        return make()
    state.now = reading_clock(state.now, version)
    kept_elsewhere = tuple(
        extension.reader_facts(state.db, state.actor)
        for extension in app.state.extensions
        if extension.reader_facts is not None
    )
    key = _reader_key(request, version, (*facts, kept_elsewhere))
    kept = READER_COPIES.get(key)
    if kept is not None and not app.state.settings.check_fragments:
        state.csrf_used = True
        return kept.answer(mask_csrf_token(state.csrf_token))
    response = make()
    made = getattr(response, "body", None)  # none for a streamed answer
    if response.status_code != 200 or not isinstance(made, bytes):
        return response
    headers = [(k, v) for k, v in response.raw_headers if k != b"content-length"]
    if any(k == b"set-cookie" for k, _v in headers):
        return response
    masked = getattr(state, "csrf_masked", None)
    body = made.replace(masked.encode(), _MASK_BYTES) if masked else made
    if kept is not None and kept.body != body:
        raise FragmentKeyIncomplete(f"{request.url.path}: the same key made another page")
    READER_COPIES.put(key, ReaderCopy(body, headers), len(body))
    return response


def _reader_key(request: Request, version: StateVersion, facts: tuple) -> str:
    state = request.state
    actor = state.actor
    session_cookie = session_cookie_name(request.url.scheme)
    return _key_of(
        release_version(request),
        _host(request.scope),
        request.scope["path"],
        request.scope.get("query_string", b""),
        sorted((k, v) for k, v in request.headers.items() if k.startswith("hx-")),
        sorted((k, v) for k, v in request.cookies.items() if k != session_cookie),
        i18n.current_language(),
        actor.person.id,
        actor.seat.id if actor.seat else None,
        *(
            sorted(found)
            for found in (
                actor.sitting,
                actor.following,
                actor.chairing,
                actor.chaired_groups,
                actor.recused_subjects,
                actor.vice_chair_subjects,
                actor.unattended_subjects,
            )
        ),
        actor.chairs_council,
        version.stamp,
        state.now.isoformat(),
        facts,
    )


def _key_of(*parts: object) -> str:
    """A key for a kept fragment or page: a digest of the parts' reprs."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(repr(part).encode() + b"\x1f")
    return digest.hexdigest()


def _validators(request: Request, etag: str, last_modified: datetime | None) -> dict:
    headers = {
        "ETag": etag,
        "Cache-Control": PRIVATE_CACHE if request.state.actor.signed_in else PUBLIC_CACHE,
        "Vary": "Cookie, Accept-Language",
    }
    if last_modified is not None:
        headers["Last-Modified"] = formatdate(last_modified.timestamp(), usegmt=True)
    return headers


def fingerprint_etag(request: Request, *parts: object) -> str:
    """A weak ETag for a page from what it shows (`parts`: the rows and moments it depends on),
    the request (address, language) and the release: known before rendering, so a 304 costs
    no rendering. Weak, as it names what the page says rather than its bytes."""
    return page_etag(request.scope, i18n.current_language(), parts)


def page_etag(scope: Scope, language: str, facts: object) -> str:
    """fingerprint_etag from the request's scope: what council.public computes before any
    request machinery, and the handlers after it, alike."""
    digest = hashlib.sha256(_release_of(scope["app"]).encode())
    address = scope.get("root_path", "") + scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    # the host asked for: pages link absolutely (url_for), so a copy made for one host name
    # (a forged Host header, say) is never another's
    for part in (_host(scope), address, query, language, facts):
        digest.update(b"\x1f" + repr(part).encode())
    return f'W/"{digest.hexdigest()[:32]}"'


def _host(scope: Scope) -> str:
    """The scheme and host the request was made to, as request.base_url takes them."""
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return f"{scope.get('scheme', 'http')}://{value.decode('latin-1')}"
    server = scope.get("server") or ("", None)
    return f"{scope.get('scheme', 'http')}://{server[0]}:{server[1]}"


def row_values(row: object) -> tuple:
    """A row's column values, for fingerprint_etag (None for no row)."""
    if row is None:
        return ()
    return tuple(getattr(row, column.key) for column in row.__table__.columns)


def release_version(request: Request) -> str:
    """A digest of what the pages are made from: templates, catalogues and code. Read once
    per process, except in development where templates are read again as they change."""
    return _release_of(request.app)


def _release_of(app: Any) -> str:
    if app.state.templates.env.auto_reload:
        return _release_digest()
    return _release_version()


@functools.cache
def _release_version() -> str:
    return _release_digest()


def _release_digest() -> str:
    digest = hashlib.sha256()
    root = TEMPLATE_DIR.parent
    for folder, pattern in (
        ("templates", "*.*"),
        ("council", "*.py"),
        ("workspaces", "*.py"),
        ("council/translations", "*.po"),
    ):
        for path in sorted((root / folder).rglob(pattern)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def is_not_modified(headers: Mapping[str, str], etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since (weak comparison for the former)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in offered or etag.removeprefix("W/") in offered
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since and last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return int(last_modified.timestamp()) <= since.timestamp()
    return False


def redirect(request: Request, route: str, /, *, fragment: str = "", **params: Any) -> Response:
    """POST-redirect-GET; htmx follows HX-Redirect, plain browsers the 303."""
    url = str(request.url_for(route, **params)) + (f"#{fragment}" if fragment else "")
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


class FormValues(dict):
    """values()'s answer: the fields as typed, and which ones held a control character."""

    refused: dict[str, str]


def values(form: FormData, *names: str) -> FormValues:
    """The submitted text fields, stripped, so a rejected form can come back filled in.

    A control character no typed text has (council.text) is taken out here, so none reaches
    a rule, the database or a page; refuse_control_characters() then refuses the form."""
    found = FormValues()
    found.refused = {}
    for name in names:
        value = str(form.get(name, "")).strip()
        if text.has_control(value):
            value = text.without_control(value).strip()
            found.refused[name] = text.removed_control_message()
        found[name] = value
    return found


def refuse_control_characters(form: dict[str, Any]) -> None:
    """Raise Invalid beside each field of `form` (from values(), perhaps with more fields
    added) that held a control character, which is taken out of `form`. Handlers call it first
    in the `try` whose `except Invalid` shows the form again: filled in, ready to send once
    checked. 422, never a silent change of what was typed."""
    errors = dict(getattr(form, "refused", {}))
    for name, value in form.items():
        if isinstance(value, str) and text.has_control(value):
            form[name] = text.without_control(value)
            errors[name] = text.removed_control_message()
        elif isinstance(value, list) and any(
            isinstance(item, str) and text.has_control(item) for item in value
        ):
            form[name] = [
                text.without_control(item) if isinstance(item, str) else item for item in value
            ]
            errors[name] = text.removed_control_message()
    if errors:
        raise Invalid(errors)


def counting_number(value: str | None) -> int | None:
    """A non-negative whole number from a form or a query string (at most nine digits);
    anything else, blank included, is None."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def keep_changes(request: Request) -> None:
    """Commit what this request wrote even though it answers with a refusal (a failed
    sign-in is counted, say); the handler rolls back first whatever else it tried."""
    request.state.transaction.keep = True
