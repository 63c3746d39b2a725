"""Thin handlers for language versions: the versions of a draft, one version side by side with
the original, and the translation of one paragraph (or of the title) at a time."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from council.errors import Conflict, Invalid, NotFound
from council.settings import LANGUAGES
from council.views import permission
from council.web import redirect, refuse_control_characters, values
from workspaces import drafts, rounds, versions, views
from workspaces.versions import State
from workspaces.views import draft_group, load_draft


def _language(request: Request) -> str:
    language = request.path_params["language"]
    if language not in LANGUAGES:
        raise NotFound()
    return language


def _context(request: Request) -> dict:
    state = request.state
    draft, group = load_draft(request)
    draft = rounds.draft_as_of(state.db, draft, state.now)
    paragraphs = drafts.paragraphs(state.db, drafts.latest_revision(state.db, draft))
    return {
        "draft": draft,
        "group": group,
        "paragraphs": paragraphs,
        "languages": versions.version_languages(state.council, draft),
        "may_translate": versions.may_translate(state.db, state.actor, draft),
        "frozen": drafts.is_frozen(state.db, draft),
    }


@permission("deliberations.read", target=draft_group)
def draft_versions(request: Request) -> Response:
    """Every version of the draft: how many paragraphs are current, outdated, missing."""
    state = request.state
    context = _context(request)
    draft = context["draft"]
    return views._page(
        request,
        "workspaces/versions.html",
        {
            **context,
            "counts": versions.counts(state.db, state.council, draft, context["paragraphs"]),
            "titles": {code: versions.title_in(draft, code)[0] for code in context["languages"]},
        },
    )


@permission("deliberations.read", target=draft_group)
def draft_version(request: Request) -> Response:
    """One version beside the original, paragraph by paragraph, with each one's state."""
    state = request.state
    language = _language(request)
    context = _context(request)
    if language not in context["languages"]:
        raise NotFound()
    rows = versions.version(state.db, context["draft"], context["paragraphs"], language)
    title, purpose = versions.title_in(context["draft"], language)
    return views._page(
        request,
        "workspaces/version.html",
        {
            **context,
            "version_language": language,
            "rows": rows,
            "State": State,
            "version_title": title,
            "version_purpose": purpose,
        },
    )


@permission("version.edit", target=draft_group)
def version_paragraph(request: Request) -> Response:
    state = request.state
    language = _language(request)
    context = _context(request)
    draft = context["draft"]
    versions.check_translating(state.db, state.actor, state.council, draft, language)
    paragraph_id = request.path_params["paragraph_id"]
    rows = versions.version(state.db, draft, context["paragraphs"], language)
    row = next((r for r in rows if r.original.paragraph_id == paragraph_id), None)
    if row is None:
        raise NotFound()
    context = {
        **context,
        "version_language": language,
        "row": row,
        "State": State,
        "errors": {},
        "next_row": _next_to_do(rows, row),
    }
    template = "workspaces/version_paragraph.html"
    if request.method == "GET":
        current = row.translation.source if row.translation else ""
        form = {"text": current, "seen_original": row.original.source, "seen_translation": current}
        return views._page(request, template, {**context, "form": form})
    form = values(state.form, "text", "seen_original", "seen_translation", "then")
    try:
        refuse_control_characters(form)
        versions.save_paragraph(
            state.db,
            actor=state.actor,
            council=state.council,
            draft=draft,
            language=language,
            paragraph_id=paragraph_id,
            text=form["text"],
            seen_original=form["seen_original"],
            seen_translation=form["seen_translation"],
            now=state.now,
        )
    except Invalid as invalid:
        return views._page(
            request, template, {**context, "form": form, "errors": invalid.errors}, status_code=422
        )
    except Conflict as refused:
        # show what is there now, and keep what they typed
        form["seen_original"] = row.original.source
        form["seen_translation"] = row.translation.source if row.translation else ""
        return views._page(
            request,
            template,
            {**context, "form": form, "errors": {"form": refused.message}},
            status_code=409,
        )
    following = context["next_row"]
    if form["then"] == "next" and following is not None:
        return redirect(
            request,
            "version_paragraph",
            draft_id=draft.id,
            language=language,
            paragraph_id=following.original.paragraph_id,
        )
    return redirect(
        request, "draft_version", draft_id=draft.id, language=language, fragment=f"v-{paragraph_id}"
    )


def _next_to_do(
    rows: list[versions.ParagraphVersion], row: versions.ParagraphVersion
) -> versions.ParagraphVersion | None:
    """The next paragraph after `row` (then from the start) that is not current."""
    at = rows.index(row)
    return next((r for r in rows[at + 1 :] + rows[:at] if r.state != State.CURRENT), None)


@permission("version.edit", target=draft_group)
def version_title(request: Request) -> Response:
    state = request.state
    language = _language(request)
    context = _context(request)
    draft = context["draft"]
    versions.check_translating(state.db, state.actor, state.council, draft, language)
    context = {**context, "version_language": language, "errors": {}}
    template = "workspaces/version_title.html"
    if request.method == "GET":
        title, purpose = versions.title_in(draft, language)
        return views._page(
            request, template, {**context, "form": {"title": title, "purpose": purpose}}
        )
    form = values(state.form, "title", "purpose")
    try:
        refuse_control_characters(form)
        versions.save_title(
            state.db,
            actor=state.actor,
            council=state.council,
            draft=draft,
            language=language,
            title=form["title"],
            purpose=form["purpose"],
            now=state.now,
        )
    except Invalid as invalid:
        return views._page(
            request, template, {**context, "form": form, "errors": invalid.errors}, status_code=422
        )
    return redirect(request, "draft_version", draft_id=draft.id, language=language)
