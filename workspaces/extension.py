"""How the working-group spaces plug into the council application (see council.extensions)."""

from __future__ import annotations

from datetime import timedelta

from council.extensions import Extension, NavLink, Panel
from council.i18n import lazy
from council.worker import Job

# importing models and round_models registers their tables
from workspaces import (  # noqa: F401
    amendment_models,
    archive,
    demo,
    desk,
    document_models,
    document_views,
    drafts,
    followup,
    followup_models,
    live_topics,
    models,
    notices,
    pdf,
    recommendation_models,
    recommendation_views,
    recommendations,
    rendering,
    report_models,
    report_pdf,
    round_models,
    round_views,
    rounds,
    routes,
    statement_models,
    views,
    waiting,
)


def extension() -> Extension:
    return Extension(
        name="workspaces",
        routes=routes.routes(),
        panels=[
            Panel(
                page="group", template="workspaces/_group_drafts.html", context=views.group_panel
            ),
            Panel(
                page="home", template="workspaces/_home_rounds.html", context=round_views.home_panel
            ),
            Panel(page="home", template="workspaces/_home_drafts.html", context=views.home_panel),
            Panel(
                page="group",
                template="workspaces/_group_recommendations.html",
                context=recommendation_views.group_panel,
            ),
            Panel(
                page="group",
                template="workspaces/_group_documents.html",
                context=document_views.group_panel,
            ),
            Panel(
                page="welcome",
                template="workspaces/_welcome_recommendations.html",
                context=recommendation_views.welcome_panel,
            ),
            Panel(
                page="needs_you",
                template="workspaces/_needs_you.html",
                context=waiting.needs_you_panel,
            ),
            Panel(page="desk", template="workspaces/_desk.html", context=desk.desk_panel),
        ],
        nav=[
            NavLink(
                route="recommendations",
                label=lazy("Recommendations"),
                action="recommendations.read",
            )
        ],
        seed_demo=demo.seed,
        reader_facts=drafts.visits_seen,
        bookkeeping={
            drafts.VISITS: drafts.write_visits,
            pdf.MADE: pdf.write_made,
            report_pdf.MADE: report_pdf.write_made,
        },
        notification_kinds=[*notices.KINDS, *followup.KINDS],
        published_heads=recommendations.published_heads,
        archive_texts=archive.texts,
        after_import=archive.after_import,
        jobs=[
            *rounds.JOBS,
            *notices.JOBS,
            *followup.JOBS,
            Job(
                "recommendations.rerender",
                rendering.rerender_stale,
                every=timedelta(minutes=5),
                label=lazy("Render the published pages again after a release"),
            ),
            pdf.JOB,
        ],
    )
