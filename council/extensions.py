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
class Extension:
    name: str
    routes: list[BaseRoute] = field(default_factory=list)
    seed_demo: Callable | None = None
    """seed_demo(session, *, people, groups, now): add demo content after the structure."""


def load_extensions() -> list[Extension]:
    found = []
    for point in sorted(entry_points(group="council.extensions"), key=lambda p: p.name):
        extension = point.load()
        found.append(extension() if callable(extension) else extension)
    return found
