"""The HTML of a recommendation, rendered once per interface language and kept.

Readers get the stored HTML; it is rendered again only when the recommendation changes (a
supersession, a chair's statement given later) or when the templates or catalogues that made
it do (a new release), which `version` captures. The text itself stays in the language it was
adopted in; only the words around it (headings, labels, dates) follow the reader.
"""

from __future__ import annotations

import functools
import hashlib

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


def version(recommendation: Recommendation) -> str:
    return f"{inputs_version()}-{recommendation.updated_at.timestamp():.6f}"


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
    """The HTML readers get, and whether it is fresh from rendering (then the caller may keep
    it, in a transaction of its own): stored ones are current unless a release changed the
    templates or catalogues since."""
    row = session.exec(select(RecommendationRendering).where(
        RecommendationRendering.recommendation_id == recommendation.id,
        RecommendationRendering.language == language)).first()
    if row is not None and row.version == version(recommendation):
        return row, False
    return rendition(session, recommendation, language), True
