"""How the working-group spaces plug into the council application (see council.extensions)."""

from __future__ import annotations

from council.extensions import Extension, Panel

# importing models and round_models registers their tables
from workspaces import demo, models, round_models, round_views, routes, views  # noqa: F401


def extension() -> Extension:
    return Extension(
        name="workspaces",
        routes=routes.routes(),
        panels=[
            Panel(page="group", template="workspaces/_group_drafts.html",
                  context=views.group_panel),
            Panel(page="home", template="workspaces/_home_rounds.html",
                  context=round_views.home_panel),
            Panel(page="home", template="workspaces/_home_drafts.html",
                  context=views.home_panel),
        ],
        seed_demo=demo.seed,
    )
