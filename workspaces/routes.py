"""The route table of the working-group spaces."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from workspaces import (
    amendment_views,
    api,
    comment_views,
    desk_views,
    document_views,
    feeds,
    followup_views,
    open_data,
    recommendation_views,
    report_views,
    round_views,
    statement_views,
    version_views,
    views,
)


def routes() -> list[BaseRoute]:
    return [
        Route("/groups/{slug:str}/drafts", views.group_drafts, name="group_drafts"),
        Route(
            "/groups/{slug:str}/drafts/new",
            views.draft_new,
            methods=["GET", "POST"],
            name="draft_new",
        ),
        Route("/drafts/{draft_id:id}", views.draft, name="draft"),
        Route(
            "/drafts/{draft_id:id}/revise",
            views.draft_revise,
            methods=["GET", "POST"],
            name="draft_revise",
        ),
        Route(
            "/drafts/{draft_id:id}/revisions/{number:id}",
            views.draft_revision,
            name="draft_revision",
        ),
        Route("/drafts/{draft_id:id}/history", views.draft_history, name="draft_history"),
        Route("/drafts/{draft_id:id}/compare", views.draft_compare, name="draft_compare"),
        Route("/drafts/{draft_id:id}/changes", views.draft_changes, name="draft_changes"),
        Route(
            "/drafts/{draft_id:id}/withdraw",
            views.draft_withdraw,
            methods=["GET", "POST"],
            name="draft_withdraw",
        ),
        Route(
            "/drafts/{draft_id:id}/comments", comment_views.draft_comments, name="draft_comments"
        ),
        Route(
            "/drafts/{draft_id:id}/comments",
            comment_views.comment_post,
            methods=["POST"],
            name="comment_post",
        ),
        Route("/comments/{comment_id:id}", comment_views.comment, name="comment"),
        Route(
            "/comments/{comment_id:id}/reply",
            comment_views.comment_reply,
            methods=["GET", "POST"],
            name="comment_reply",
        ),
        Route(
            "/comments/{comment_id:id}/edit",
            comment_views.comment_edit,
            methods=["GET", "POST"],
            name="comment_edit",
        ),
        Route(
            "/comments/{comment_id:id}/withdraw",
            comment_views.comment_withdraw,
            methods=["GET", "POST"],
            name="comment_withdraw",
        ),
        Route(
            "/comments/{comment_id:id}/hide",
            comment_views.comment_hide,
            methods=["GET", "POST"],
            name="comment_hide",
        ),
        Route(
            "/comments/{comment_id:id}/restore",
            comment_views.comment_restore,
            methods=["POST"],
            name="comment_restore",
        ),
        Route(
            "/comments/{comment_id:id}/resolve",
            comment_views.comment_resolve,
            methods=["POST"],
            name="comment_resolve",
        ),
        Route(
            "/comments/{comment_id:id}/reopen",
            comment_views.comment_reopen,
            methods=["POST"],
            name="comment_reopen",
        ),
        Route("/people/{person_id:id}", comment_views.person, name="person"),
        *amendment_routes(),
        *version_routes(),
        *round_routes(),
        *recommendation_routes(),
        *document_routes(),
        *report_routes(),
        *followup_routes(),
    ]


def amendment_routes() -> list[BaseRoute]:
    return [
        Route(
            "/drafts/{draft_id:id}/amendments",
            amendment_views.draft_amendments,
            name="draft_amendments",
        ),
        Route(
            "/drafts/{draft_id:id}/amendments/new",
            amendment_views.amendment_new,
            methods=["GET", "POST"],
            name="amendment_new",
        ),
        Route(
            "/drafts/{draft_id:id}/amendments/editorial",
            amendment_views.editorial_new,
            methods=["GET", "POST"],
            name="editorial_new",
        ),
        Route(
            "/drafts/{draft_id:id}/amendments/decide",
            amendment_views.amendments_decide,
            methods=["GET", "POST"],
            name="amendments_decide",
        ),
        Route(
            "/drafts/{draft_id:id}/amendments/merge",
            amendment_views.amendments_merge,
            methods=["GET", "POST"],
            name="amendments_merge",
        ),
        Route("/amendments/{amendment_id:id}", amendment_views.amendment, name="amendment"),
        Route(
            "/amendments/{amendment_id:id}/support",
            amendment_views.amendment_support,
            methods=["POST"],
            name="amendment_support",
        ),
        Route(
            "/amendments/{amendment_id:id}/withdraw",
            amendment_views.amendment_withdraw,
            methods=["GET", "POST"],
            name="amendment_withdraw",
        ),
        Route(
            "/amendments/{amendment_id:id}/rebase",
            amendment_views.amendment_rebase,
            methods=["GET", "POST"],
            name="amendment_rebase",
        ),
        Route(
            "/amendments/{amendment_id:id}/comments",
            amendment_views.amendment_comment,
            methods=["POST"],
            name="amendment_comment",
        ),
    ]


def version_routes() -> list[BaseRoute]:
    return [
        Route(
            "/drafts/{draft_id:id}/versions", version_views.draft_versions, name="draft_versions"
        ),
        Route(
            "/drafts/{draft_id:id}/versions/{language:str}",
            version_views.draft_version,
            name="draft_version",
        ),
        Route(
            "/drafts/{draft_id:id}/versions/{language:str}/title",
            version_views.version_title,
            methods=["GET", "POST"],
            name="version_title",
        ),
        Route(
            "/drafts/{draft_id:id}/versions/{language:str}/paragraphs/{paragraph_id:str}",
            version_views.version_paragraph,
            methods=["GET", "POST"],
            name="version_paragraph",
        ),
    ]


def round_routes() -> list[BaseRoute]:
    return [
        Route(
            "/drafts/{draft_id:id}/rounds/new",
            round_views.round_open,
            methods=["GET", "POST"],
            name="round_open",
        ),
        Route("/rounds/{round_id:id}", round_views.round_page, name="round"),
        Route(
            "/rounds/{round_id:id}/position",
            round_views.position_cast,
            methods=["POST"],
            name="position_cast",
        ),
        Route(
            "/rounds/{round_id:id}/statement",
            round_views.statement_submit,
            methods=["GET", "POST"],
            name="statement_submit",
        ),
        Route(
            "/rounds/{round_id:id}/extend",
            round_views.round_extend,
            methods=["GET", "POST"],
            name="round_extend",
        ),
        Route(
            "/rounds/{round_id:id}/close",
            round_views.round_close,
            methods=["GET", "POST"],
            name="round_close",
        ),
        Route(
            "/rounds/{round_id:id}/remind",
            desk_views.round_remind,
            methods=["POST"],
            name="round_remind",
        ),
        Route(
            "/rounds/{round_id:id}/chair-statement",
            round_views.round_chair_statement,
            methods=["GET", "POST"],
            name="round_chair_statement",
        ),
        Route(
            "/rounds/{round_id:id}/chair-statement/publish",
            round_views.round_statement_publish,
            methods=["GET", "POST"],
            name="round_statement_publish",
        ),
    ]


def recommendation_routes() -> list[BaseRoute]:
    """The published side. The PDF's route comes before the page's, whose {number} would
    otherwise take "WG2-2026-03.pdf"."""
    return [
        Route("/recommendations", recommendation_views.library, name="recommendations"),
        Route("/recommendations.atom", feeds.council_feed, name="recommendations_feed"),
        Route(
            "/groups/{slug:str}/recommendations.atom",
            feeds.group_feed,
            name="group_recommendations_feed",
        ),
        Route(
            "/recommendations/{number:str}.pdf",
            recommendation_views.recommendation_pdf,
            name="recommendation_pdf",
        ),
        Route(
            "/recommendations/{number:str}",
            recommendation_views.recommendation,
            name="recommendation",
        ),
        Route(
            "/recommendations/{number:str}/supersede",
            recommendation_views.supersede,
            methods=["GET", "POST"],
            name="recommendation_supersede",
        ),
        api.ApiRoute("/api/v1/openapi.json", api.openapi, name="api_openapi"),
        api.ApiRoute(
            "/api/v1/recommendations", api.recommendation_list, name="api_recommendations"
        ),
        api.ApiRoute(
            "/api/v1/recommendations/{number:str}",
            api.recommendation_detail,
            name="api_recommendation",
        ),
        Route("/statements/{number:str}", statement_views.statement, name="statement"),
        api.ApiRoute("/api/v1/statements", api.statement_list, name="api_statements"),
        api.ApiRoute("/api/v1/statements/{number:str}", api.statement_detail, name="api_statement"),
        Route(
            "/open-data/recommendations.jsonl",
            open_data.recommendations_jsonl,
            name="open_data_recommendations",
        ),
        Route(
            "/open-data/statements.jsonl", open_data.statements_jsonl, name="open_data_statements"
        ),
        Route("/open-data/follow-up.jsonl", open_data.followup_jsonl, name="open_data_followup"),
        Route("/open-data/reports.jsonl", open_data.reports_jsonl, name="open_data_reports"),
    ]


def followup_routes() -> list[BaseRoute]:
    return [
        Route("/follow-up", followup_views.council_overview, name="followup_overview"),
        Route("/follow-up/{slug:str}", followup_views.group_overview, name="followup_group"),
        Route(
            "/recommendations/{number:str}/follow-up/seats",
            followup_views.seats,
            methods=["GET", "POST"],
            name="followup_seats",
        ),
        Route(
            "/recommendations/{number:str}/follow-up/{seat_id:id}",
            followup_views.report,
            methods=["GET", "POST"],
            name="followup_report",
        ),
    ]


def report_routes() -> list[BaseRoute]:
    """Reports: "/reports/new" before the page's {number}, and drafts under /reports/drafts/,
    which no report number can name."""
    return [
        Route("/reports", report_views.report_list, name="reports"),
        Route("/reports/new", report_views.report_new, methods=["GET", "POST"], name="report_new"),
        Route(
            "/groups/{slug:str}/reports/new",
            report_views.group_report_new,
            methods=["GET", "POST"],
            name="group_report_new",
        ),
        Route(
            "/reports/drafts/{report_id:id}",
            report_views.report_edit,
            methods=["GET", "POST"],
            name="report_edit",
        ),
        Route(
            "/reports/drafts/{report_id:id}/preview",
            report_views.report_preview,
            name="report_preview",
        ),
        Route(
            "/reports/drafts/{report_id:id}/publish",
            report_views.report_publish,
            methods=["GET", "POST"],
            name="report_publish",
        ),
        Route("/reports/{number:str}.pdf", report_views.report_download, name="report_download"),
        Route("/reports/{number:str}", report_views.report, name="report"),
    ]


def document_routes() -> list[BaseRoute]:
    """The evidence library (workspaces.document_views)."""
    return [
        Route("/documents", document_views.library, name="documents"),
        Route(
            "/documents/new",
            document_views.document_new,
            methods=["GET", "POST"],
            name="document_new",
        ),
        Route("/documents/{document_id:id}", document_views.document, name="document"),
        Route(
            "/documents/{document_id:id}/file", document_views.document_file, name="document_file"
        ),
        Route(
            "/documents/{document_id:id}/edit",
            document_views.document_edit,
            methods=["GET", "POST"],
            name="document_edit",
        ),
        Route(
            "/documents/{document_id:id}/withdraw",
            document_views.document_withdraw,
            methods=["GET", "POST"],
            name="document_withdraw",
        ),
    ]
