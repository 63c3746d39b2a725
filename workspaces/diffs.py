"""Show what changed between two revisions of a draft.

Reviewers compare revisions paragraph by paragraph (by stable id) and word by word
inside a paragraph, in the words they read (not the Markdown marks). The output is HTML
built from escaped user text, so it is safe to insert into a page as-is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape
from typing import Literal

from workspaces.markdown import readable

ChangeKind = Literal["unchanged", "changed", "added", "removed", "moved"]

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Compared:
    """A paragraph as compared: its stable id, its Markdown source (whether it changed), its
    rendered HTML (the words shown) and its citable number (None for a heading)."""

    id: str
    source: str
    html: str
    number: int | None = None

    @property
    def words(self) -> str:
        """Its text as read; a block without words (a rule, link definitions) shows its source."""
        return readable(self.html) or self.source


@dataclass(frozen=True)
class ParagraphChange:
    """One paragraph of the comparison.

    `kind` is "changed" whenever the text differs, even if the paragraph also moved;
    "moved" means moved with identical text. `moved` is set in both cases.
    """

    kind: ChangeKind
    id: str
    old_number: int | None
    new_number: int | None
    html: str
    moved: bool = False

    @property
    def formatting_only(self) -> bool:
        """Changed in its Markdown (emphasis, a link's address) but not in the words shown."""
        return self.kind == "changed" and "<ins>" not in self.html and "<del>" not in self.html


@dataclass(frozen=True)
class _Segment:
    equal: bool
    old: str
    new: str


def word_diff_html(old: str, new: str) -> str:
    """Escaped `new` text with deletions in <del> and insertions in <ins>."""
    return "".join(_segment_html(segment) for segment in _word_segments(old, new))


def _word_segments(old: str, new: str) -> list[_Segment]:
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    segments = [
        _Segment(tag == "equal", "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    return _merge_adjacent_changes(segments)


def _merge_adjacent_changes(segments: list[_Segment]) -> list[_Segment]:
    """Fold whitespace between two changes into one change: <del>a b</del><ins>c d</ins>."""
    merged: list[_Segment] = []
    for index, segment in enumerate(segments):
        between_changes = 0 < index < len(segments) - 1  # opcodes alternate equal/change
        if segment.equal and between_changes and not segment.new.strip():
            segment = _Segment(False, segment.old, segment.new)
        if merged and not segment.equal and not merged[-1].equal:
            last = merged.pop()
            segment = _Segment(False, last.old + segment.old, last.new + segment.new)
        merged.append(segment)
    return merged


def _segment_html(segment: _Segment) -> str:
    if segment.equal:
        return escape(segment.new)
    deleted = f"<del>{escape(segment.old)}</del>" if segment.old else ""
    inserted = f"<ins>{escape(segment.new)}</ins>" if segment.new else ""
    return deleted + inserted


def paragraph_diff(old: Sequence[Compared], new: Sequence[Compared]) -> list[ParagraphChange]:
    """Changes in new-document order; a removed paragraph follows its old predecessor."""
    old_index = {paragraph.id: index for index, paragraph in enumerate(old)}
    new_ids = {paragraph.id for paragraph in new}
    in_order = _longest_increasing([old_index[p.id] for p in new if p.id in old_index])
    removed_after = _removed_by_anchor(old, new_ids)

    changes = list(removed_after.get(None, []))
    for paragraph in new:
        if paragraph.id in old_index:
            index = old_index[paragraph.id]
            changes.append(_kept(old[index], paragraph, moved=index not in in_order))
        else:
            changes.append(
                ParagraphChange(
                    "added", paragraph.id, None, paragraph.number, escape(paragraph.words)
                )
            )
        changes.extend(removed_after.get(paragraph.id, []))
    return changes


def _kept(old: Compared, new: Compared, *, moved: bool) -> ParagraphChange:
    if old.source != new.source:
        html = word_diff_html(old.words, new.words)
        return ParagraphChange("changed", new.id, old.number, new.number, html, moved)
    kind: ChangeKind = "moved" if moved else "unchanged"
    return ParagraphChange(kind, new.id, old.number, new.number, escape(new.words), moved)


def _removed_by_anchor(
    old: Sequence[Compared], new_ids: set[str]
) -> dict[str | None, list[ParagraphChange]]:
    """Removed paragraphs keyed by the id of the closest preceding surviving one (or None)."""
    removed: dict[str | None, list[ParagraphChange]] = {}
    anchor: str | None = None
    for paragraph in old:
        if paragraph.id in new_ids:
            anchor = paragraph.id
            continue
        change = ParagraphChange(
            "removed", paragraph.id, paragraph.number, None, escape(paragraph.words)
        )
        removed.setdefault(anchor, []).append(change)
    return removed


def _longest_increasing(values: list[int]) -> set[int]:
    """The values of one longest strictly increasing subsequence (patience sorting)."""
    tail_values: list[int] = []
    tail_indexes: list[int] = []
    parents: list[int | None] = []
    for index, value in enumerate(values):
        length = bisect_left(tail_values, value)
        parents.append(tail_indexes[length - 1] if length else None)
        if length == len(tail_values):
            tail_values.append(value)
            tail_indexes.append(index)
        else:
            tail_values[length] = value
            tail_indexes[length] = index
    result: set[int] = set()
    current = tail_indexes[-1] if tail_indexes else None
    while current is not None:
        result.add(values[current])
        current = parents[current]
    return result
