"""The route table of the working-group spaces."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from workspaces import views


def routes() -> list[BaseRoute]:
    return [
        Route("/groups/{slug:str}/drafts", views.group_drafts, name="group_drafts"),
        Route("/groups/{slug:str}/drafts/new", views.draft_new, methods=["GET", "POST"],
              name="draft_new"),
        Route("/drafts/{draft_id:int}", views.draft, name="draft"),
        Route("/drafts/{draft_id:int}/revise", views.draft_revise, methods=["GET", "POST"],
              name="draft_revise"),
        Route("/drafts/{draft_id:int}/revisions/{number:int}", views.draft_revision,
              name="draft_revision"),
        Route("/drafts/{draft_id:int}/history", views.draft_history, name="draft_history"),
        Route("/drafts/{draft_id:int}/compare", views.draft_compare, name="draft_compare"),
        Route("/drafts/{draft_id:int}/changes", views.draft_changes, name="draft_changes"),
        Route("/drafts/{draft_id:int}/withdraw", views.draft_withdraw, methods=["GET", "POST"],
              name="draft_withdraw"),
    ]
