"""The working groups' part of a council archive (council.archive): their texts as Markdown
for people to read, and the search index rebuilt once an archive is loaded."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator

from sqlmodel import Session, select

from council import i18n
from council.i18n import gettext as _
from council.models import WorkingGroup
from council.names import language_in_words
from council.settings import LANGUAGES
from workspaces import documents, recommendations, statements
from workspaces.document_models import Document, DocumentText
from workspaces.models import Draft, Revision
from workspaces.recommendation_models import Recommendation
from workspaces.statement_models import PublishedStatement


def texts(session: Session) -> Iterator[tuple[str, str]]:
    """(path, Markdown) of every revision of every draft, every published recommendation in
    each of its authentic languages, and every published chair's statement."""
    groups = {group.id: group for group in session.exec(select(WorkingGroup))}
    drafts = {draft.id: draft for draft in session.exec(select(Draft))}
    for revision in session.exec(
        select(Revision)
        .order_by(Revision.draft_id, Revision.number)
        .execution_options(yield_per=200)
    ):
        draft = drafts[revision.draft_id]
        yield (
            f"drafts/{draft.id}/revision-{revision.number}.md",
            _revision(draft, revision, groups[draft.working_group_id]),
        )
    for item in session.exec(select(Recommendation).order_by(Recommendation.id)):
        data = recommendations.record(item)
        for code in recommendations.languages(item, data):
            with _in(code):  # each version's words around it in its language
                markdown = _recommendation(item, data, recommendations.text_in(item, data, code))
            yield f"recommendations/{item.number}.{code}.md", markdown
    for item in session.exec(select(PublishedStatement).order_by(PublishedStatement.id)):
        with _in(item.language):
            markdown = _statement(item, statements.record(item))
        yield f"statements/{item.number}.md", markdown


@functools.cache
def _catalogues() -> dict:
    return i18n.load_catalogues(LANGUAGES)


def _in(code: str):
    return i18n.speaking(code, _catalogues()[code if code in LANGUAGES else "en"])


def _revision(draft: Draft, revision: Revision, group: WorkingGroup) -> str:
    facts = [
        _("Working group: %(name)s", name=group.name),
        _(
            "Revision %(number)s of %(date)s, in %(language)s",
            number=revision.number,
            date=revision.created_at.date().isoformat(),
            language=language_in_words(draft.language),
        ),
    ]
    if revision.summary:
        facts.append(_("What changed: %(summary)s", summary=revision.summary))
    return _document(draft.title, facts, revision.source)


def _recommendation(item: Recommendation, data: dict, text: recommendations.Text) -> str:
    facts = [
        _(
            "Recommendation %(number)s, adopted on %(date)s",
            number=item.number,
            date=item.adopted_at.date().isoformat(),
        ),
        _("Working group: %(name)s", name=recommendations.group_name(data, text.language).text),
    ]
    body = []
    for paragraph in text.paragraphs:
        marks = "".join(f"[^{number}]" for number in paragraph.get("footnotes", []))
        number = f"**{paragraph['number']}.**" if paragraph.get("number") else ""
        # the number before the text, or on a line of its own before a list or a quote
        joint = "\n\n" if _BLOCK.match(paragraph["markdown"]) else " "
        body.append((number + joint if number else "") + paragraph["markdown"] + marks)
    for note in data.get("footnotes", []):
        seat = recommendations.seat_name(data, note["seat"], text.language).text
        body.append(
            f"[^{note['number']}]: "
            + _("%(seat)s: %(text)s", seat=seat, text=" ".join(note["text"].split()))
        )
    return _document(text.title, facts, "\n\n".join(body))


_BLOCK = re.compile(r"\s*([-*+>|#]|\d+[.)]|```|~~~)")


def _statement(item: PublishedStatement, data: dict) -> str:
    facts = [
        _(
            "Chair's statement %(number)s, published on %(date)s",
            number=item.number,
            date=item.published_at.date().isoformat(),
        ),
        _("Working group: %(name)s", name=statements.group_name(data, item.language).text),
    ]
    return _document(item.title, facts, data["statement"]["text"] or "")


def _document(title: str, facts: list[str], body: str) -> str:
    return "\n".join([f"# {title}", "", *[f"- {fact}" for fact in facts], "", body.strip(), ""])


def after_import(session: Session) -> None:
    """Index every recommendation and document again: the search indexes are kept outside
    the models (workspaces.search, workspaces.document_search)."""
    for item in session.exec(select(Recommendation).order_by(Recommendation.id)):
        recommendations.index(session, item, json.loads(item.record))
    texts = dict(session.exec(select(DocumentText.document_id, DocumentText.text)).all())
    for document in session.exec(select(Document).order_by(Document.id)):
        documents._index(session, document, texts.get(document.id, ""))  # as at upload
