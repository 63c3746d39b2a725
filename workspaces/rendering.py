"""The HTML of a recommendation, rendered once per interface language and version, and kept.

Readers get the stored HTML; it is rendered again when the recommendation changes (a
supersession, a chair's statement given later), in that change's transaction, and when the
templates or catalogues that made it do (a new release), which `version` captures. After a
release a read renders the stale HTML in memory and serves it without storing it (a read
writes nothing); the worker's job `rerender_stale` stores the new HTML.

The words around the text (headings, labels, dates) are in the interface language; the text,
its title and the names of the working group and seats are in one of the versions the text is
authentic in. A rendering's key (the `language` of its row, and of its PDF's) says which: "es"
is the Spanish interface with the version Spanish readers get by default (the Spanish one, or
the original when there is none); "es:fr" is the Spanish interface with the French version,
which a Spanish reader gets by asking for it (`?lang=fr`). Every key is rendered at publication:
three for a text in one language, nine for a text in three.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime
from pathlib import Path

from markupsafe import Markup, escape
from sqlmodel import Session, select

from council import i18n, outline
from council.names import Localized
from council.settings import LANGUAGES
from council.web import TEMPLATE_DIR, make_templates, strong_etag
from workspaces import citations
from workspaces.recommendation_models import Recommendation, RecommendationRendering

ARTICLE = "workspaces/_recommendation_article.html"
_INPUTS = (
    "workspaces/_recommendation_article.html",
    "workspaces/_recommendation_macros.html",
    "workspaces/_citations.html",
)


@functools.cache
def environment():
    return make_templates().env


@functools.cache
def catalogues():
    return i18n.load_catalogues(LANGUAGES)


@functools.cache
def inputs_version() -> str:
    """A digest of the templates, catalogues and code the stored HTML depends on (the code
    that fits the text's headings in the page's outline: council.outline)."""
    digest = hashlib.sha256()
    for name in _INPUTS:
        digest.update((TEMPLATE_DIR / name).read_bytes())
    digest.update(Path(outline.__file__).read_bytes())
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


def version_at(updated_at: datetime) -> str:
    """The current version of a recommendation last changed at `updated_at`."""
    return _version(updated_at)


def _version(updated_at: datetime) -> str:
    return f"{inputs_version()}-{updated_at.timestamp():.6f}"


def key(interface: str, text: str | None = None) -> str:
    """The key of the rendering in `interface` showing the version in `text` (None: the one
    that interface's readers get by default)."""
    return f"{interface}:{text}" if text else interface


def parse(rendering_key: str) -> tuple[str, str | None]:
    """The interface language and the version asked for (None: the default) of a key."""
    interface, _, text = rendering_key.partition(":")
    return interface, text or None


def keys(recommendation: Recommendation, data: dict) -> list[str]:
    """Every rendering kept: each interface language with its readers' default version, and
    with each of the other versions."""
    from workspaces import recommendations

    found = []
    for interface in LANGUAGES:
        default = recommendations.text_language(recommendation, data, interface)
        found += [key(interface)] + [
            key(interface, code)
            for code in recommendations.languages(recommendation, data)
            if code != default
        ]
    return found


def choose(
    recommendation: Recommendation, data: dict, *, reader: str, asked: str | None
) -> str | None:
    """The key of the rendering for a reader of `reader` who asked for the version in `asked`
    (None or "": no version named); None when the text is not authentic in `asked`."""
    from workspaces import recommendations

    if not asked:
        return key(reader)
    if asked not in recommendations.languages(recommendation, data):
        return None
    if recommendations.text_language(recommendation, data, reader) == asked:
        return key(reader)
    return key(reader, asked)


def text_of(recommendation: Recommendation, data: dict, rendering_key: str):
    """The version a rendering shows (a workspaces.recommendations.Text)."""
    from workspaces import recommendations

    interface, asked = parse(rendering_key)
    return recommendations.text_in(recommendation, data, asked or interface)


def render(
    session: Session,
    recommendation: Recommendation,
    rendering_key: str,
    *,
    context: dict | None = None,
) -> str:
    """The article under `rendering_key`; `context` (from article_context) when rendering
    several."""
    from workspaces import recommendations

    context = context or article_context(session, recommendation)
    data = context["record"]
    interface, _asked = parse(rendering_key)
    text = text_of(recommendation, data, rendering_key)

    def seat(name: str) -> Markup:
        return in_language(recommendations.seat_name(data, name, text.language), interface)

    with i18n.speaking(interface, catalogues()[interface]):
        return (
            environment()
            .get_template(ARTICLE)
            .render(
                {
                    **context,
                    "language": interface,
                    "text": text,
                    "seat": seat,
                    "group_name": in_language(
                        recommendations.group_name(data, text.language), interface
                    ),
                    "citations": citations.in_article(
                        text.paragraphs, data, context.get("public_documents", frozenset())
                    ),
                }
            )
        )


def in_language(name: Localized, language: str) -> Markup:
    """A name, escaped; marked with its own language when it is not `language`'s."""
    if name.language != language:
        return Markup('<span lang="{}">{}</span>').format(name.language, name.text)
    return escape(name.text)


def article_context(session: Session, recommendation: Recommendation) -> dict:
    """What the article shows besides the words of the interface: the same in every language."""
    from workspaces import recommendations  # it imports this module to render at publication

    data = recommendations.record(recommendation)
    return {
        "recommendation": recommendation,
        "record": data,
        "linked": recommendations.linked(session, recommendation),
        # the cited documents the public may read now (workspaces.citations)
        "public_documents": citations.public_ids(session, data),
    }


def render_all(session: Session, recommendation: Recommendation) -> None:
    """Render and store the HTML under every key (at publication and after a change)."""
    context = article_context(session, recommendation)
    for rendering_key in keys(recommendation, context["record"]):
        session.merge(rendition(session, recommendation, rendering_key, context=context))
    session.flush()


def rendition(
    session: Session,
    recommendation: Recommendation,
    rendering_key: str,
    *,
    context: dict | None = None,
) -> RecommendationRendering:
    html = render(session, recommendation, rendering_key, context=context)
    return RecommendationRendering(
        recommendation_id=recommendation.id,
        language=rendering_key,
        version=version(recommendation),
        html=html,
        etag=strong_etag(html),
    )


def stored(
    session: Session, recommendation: Recommendation, rendering_key: str
) -> tuple[RecommendationRendering, bool]:
    """The HTML readers get under `rendering_key` (a language, or see `key`), and whether it
    is fresh from rendering rather than stored: stored ones are current unless a release
    changed the templates or catalogues since. A fresh one is not stored here (rerender_stale
    does that)."""
    row = session.exec(
        select(RecommendationRendering).where(
            RecommendationRendering.recommendation_id == recommendation.id,
            RecommendationRendering.language == rendering_key,
        )
    ).first()
    if row is not None and row.version == version(recommendation):
        return row, False
    return rendition(session, recommendation, rendering_key), True


def rerender_stale(session: Session, now: datetime) -> int:
    """The worker's job: render again and store up to RERENDER_BATCH stored renderings whose
    version is not current; how many it stored. Idempotent: a current rendering is left alone.
    (PDFs need no job: a download makes a stale one again, and council.bookkeeping stores it.)
    """
    stale = [
        (recommendation_id, language)
        for recommendation_id, language, stored_version, updated_at in session.exec(
            select(
                RecommendationRendering.recommendation_id,
                RecommendationRendering.language,
                RecommendationRendering.version,
                Recommendation.updated_at,
            )
            .join(Recommendation, Recommendation.id == RecommendationRendering.recommendation_id)
            .order_by(
                RecommendationRendering.recommendation_id.desc(), RecommendationRendering.language
            )
        ).all()
        if parse(language)[0] in LANGUAGES and stored_version != _version(updated_at)
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
