"""Packages that add areas to the workspace, found through the `council.extensions` entry point.

This keeps the dependency one way: `workspaces` registers itself in pyproject.toml and imports
`council`; `council` never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from starlette.routing import BaseRoute


@dataclass(frozen=True)
class Panel:
    """A region an extension adds to a council page: "home", "group", "needs_you" (what waits
    for the reader), "welcome" (the front page of anonymous visitors), or "desk" (the chair's
    desk of each group the reader chairs, on the home and group pages: council.desk).

    `context(session, actor, group, now)` loads what `template` shows (group is None but on
    the group page); it must run a fixed number of queries, whatever the amount of content.
    """

    page: str
    template: str
    context: Callable


@dataclass(frozen=True)
class NavLink:
    """An entry an extension adds to the main navigation, shown to whoever may `action` on the
    council. `label` is a msgid (mark it with council.i18n.lazy), translated when shown."""

    route: str
    label: str
    action: str


@dataclass(frozen=True)
class Extension:
    name: str
    routes: list[BaseRoute] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    nav: list[NavLink] = field(default_factory=list)
    seed_demo: Callable | None = None
    """seed_demo(session, *, groups, seats, heads, delegates, secretariat, now, documents_dir):
    demo content added after the council's structure (files, if any, under documents_dir)."""
    jobs: list = field(default_factory=list)
    """council.worker.Job: due work the worker runs for this extension."""
    bookkeeping: dict = field(default_factory=dict)
    """kind -> writer(session, {key: value}): notes reads make (council.bookkeeping)."""
    notification_kinds: list = field(default_factory=list)
    """council.notifications.Kind: what this extension tells people (registered by create_app)."""
    published_heads: Callable | None = None
    """published_heads(session) -> [(label, digest)]: audit chain heads this extension
    published to outsiders, which `council audit verify --published` looks for (council.audit)."""
    archive_texts: Callable | None = None
    """archive_texts(session) -> [(relative path, markdown)]: this extension's texts, written
    as Markdown into a council archive for people to read (council.archive)."""
    reader_facts: Callable | None = None
    """reader_facts(session, actor) -> a value that changes whenever what this extension keeps
    about the reader outside the council's state (council.database.UNVERSIONED tables, such
    as visits) and shows on a page changes: named in the key of every kept page
    (council.web.reader_copy). One cheap query."""
    after_import: Callable | None = None
    """after_import(session): rebuild what this extension keeps outside its models (search
    indexes) once an archive's rows are loaded (council.archive)."""


def nav_links(extensions: list[Extension], can, council) -> list[NavLink]:
    """The extensions' navigation entries that `can(action, council)` allows."""
    return [link for extension in extensions for link in extension.nav if can(link.action, council)]


def panels_for(extensions: list[Extension], page: str, session, actor, group, now) -> list:
    """(template, context) of every extension panel on `page`."""
    return [
        (panel.template, panel.context(session, actor, group, now))
        for extension in extensions
        for panel in extension.panels
        if panel.page == page
    ]


def published_heads(extensions: list[Extension], session) -> list[tuple[str, str]]:
    return [
        head
        for extension in extensions
        if extension.published_heads
        for head in extension.published_heads(session)
    ]


def load_extensions() -> list[Extension]:
    found = []
    for point in sorted(entry_points(group="council.extensions"), key=lambda p: p.name):
        extension = point.load()
        found.append(extension() if callable(extension) else extension)
    return found
