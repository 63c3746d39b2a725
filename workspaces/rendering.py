"""The HTML of a recommendation, rendered once per interface language and kept.

Readers get the stored HTML; it is rendered again when the recommendation changes (a
supersession, a chair's statement given later), in that change's transaction, and when the
templates or catalogues that made it do (a new release), which `version` captures. After a
release a read renders the stale HTML in memory and serves it without storing it (a read
writes nothing); the worker's job `rerender_stale` stores the new HTML. The text itself stays
in the language it was adopted in; only the words around it (headings, labels, dates) follow
the reader.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime

from sqlmodel import Session, select

from council import i18n
from council.settings import LANGUAGES
from council.web import TEMPLATE_DIR, make_templates, strong_etag
from workspaces.recommendation_models import Recommendation, RecommendationRendering

ARTICLE = "workspaces/_recommendation_article.html"
_INPUTS = ("workspaces/_recommendation_article.html", "workspaces/_recommendation_macros.html")


@functools.cache
def environment():
    return make_templates().env


@functools.cache
def catalogues():
    return i18n.load_catalogues(LANGUAGES)


@functools.cache
def inputs_version() -> str:
    """A digest of the templates and catalogues the stored HTML depends on."""
    digest = hashlib.sha256()
    for name in _INPUTS:
        digest.update((TEMPLATE_DIR / name).read_bytes())
    for language in LANGUAGES:
        path = i18n.CATALOGUE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


RERENDER_BATCH = 150
"""Stale renderings stored again per run of the job, so that its write transaction stays
short; the rest wait for the next run (readers get them rendered in memory meanwhile)."""


def version(recommendation: Recommendation) -> str:
    return _version(recommendation.updated_at)


def _version(updated_at: datetime) -> str:
    return f"{inputs_version()}-{updated_at.timestamp():.6f}"


def render(session: Session, recommendation: Recommendation, language: str, *,
           context: dict | None = None) -> str:
    """The article in `language`; `context` (from article_context) when rendering several."""
    context = context or article_context(session, recommendation)
    with i18n.speaking(language, catalogues()[language]):
        return environment().get_template(ARTICLE).render({**context, "language": language})


def article_context(session: Session, recommendation: Recommendation) -> dict:
    """What the article shows besides the words of the interface: the same in every language."""
    from workspaces import recommendations  # it imports this module to render at publication

    return {
        "recommendation": recommendation,
        "record": recommendations.record(recommendation),
        "linked": recommendations.linked(session, recommendation),
    }


def render_all(session: Session, recommendation: Recommendation) -> None:
    """Render and store the HTML in every language (at publication and after a change)."""
    context = article_context(session, recommendation)
    for language in LANGUAGES:
        session.merge(rendition(session, recommendation, language, context=context))
    session.flush()


def rendition(session: Session, recommendation: Recommendation, language: str, *,
              context: dict | None = None) -> RecommendationRendering:
    html = render(session, recommendation, language, context=context)
    return RecommendationRendering(
        recommendation_id=recommendation.id, language=language,
        version=version(recommendation), html=html, etag=strong_etag(html))


def stored(session: Session, recommendation: Recommendation,
           language: str) -> tuple[RecommendationRendering, bool]:
    """The HTML readers get, and whether it is fresh from rendering rather than stored: stored
    ones are current unless a release changed the templates or catalogues since. A fresh one
    is not stored here (rerender_stale does that)."""
    row = session.exec(select(RecommendationRendering).where(
        RecommendationRendering.recommendation_id == recommendation.id,
        RecommendationRendering.language == language)).first()
    if row is not None and row.version == version(recommendation):
        return row, False
    return rendition(session, recommendation, language), True


def rerender_stale(session: Session, now: datetime) -> int:
    """The worker's job: render again and store up to RERENDER_BATCH stored renderings whose
    version is not current; how many it stored. Idempotent: a current rendering is left alone.
    (PDFs need no job: a download makes a stale one again, and council.bookkeeping stores it.)
    """
    stale = [
        (recommendation_id, language)
        for recommendation_id, language, stored_version, updated_at in session.exec(
            select(RecommendationRendering.recommendation_id, RecommendationRendering.language,
                   RecommendationRendering.version, Recommendation.updated_at)
            .join(Recommendation, Recommendation.id == RecommendationRendering.recommendation_id)
            .order_by(RecommendationRendering.recommendation_id.desc(),
                      RecommendationRendering.language)
        ).all()
        if language in LANGUAGES and stored_version != _version(updated_at)
    ][:RERENDER_BATCH]
    by_recommendation: dict[int, list[str]] = {}
    for recommendation_id, language in stale:
        by_recommendation.setdefault(recommendation_id, []).append(language)
    for recommendation_id, languages in by_recommendation.items():
        recommendation = session.get(Recommendation, recommendation_id)
        context = article_context(session, recommendation)
        for language in languages:
            row = rendition(session, recommendation, language, context=context)
            row.rendered_at = now
            session.merge(row)
    session.flush()
    return len(stale)
