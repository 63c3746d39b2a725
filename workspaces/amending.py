"""The rules of amendments as pure functions: what a batch of accepted amendments makes of a
revision, when an amendment is outdated, what a sub-amendment does to its parent, what may be
merged. workspaces.amendments stores and audits what these decide.

A revision is read here as its paragraphs in order, (stable id, text). A change replaces or
deletes a paragraph by id, or inserts a new paragraph (with its own new id) after one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

REPLACE, INSERT, DELETE = "replace", "insert", "delete"


@dataclass(frozen=True)
class Change:
    action: str
    paragraph_id: str
    """The paragraph replaced or deleted, or the one an insertion follows."""
    text: str = ""
    original: str = ""
    """The paragraph's text when the change was written (the preceding one, for an insertion)."""
    new_paragraph_id: str | None = None

    @property
    def key(self) -> str:
        """What a sub-amendment names: the paragraph this change leaves with its text."""
        return self.new_paragraph_id or self.paragraph_id


@dataclass(frozen=True)
class Proposal:
    """An amendment as accepted: its id (kept as the paragraphs' origin), number and changes."""

    id: int
    number: int
    changes: tuple[Change, ...]


class Clash(Exception):
    """Two accepted amendments change the same paragraph: the chair merges them, or picks one."""

    def __init__(self, paragraph_id: str, numbers: Sequence[int]):
        super().__init__(paragraph_id, numbers)
        self.paragraph_id = paragraph_id
        self.numbers = sorted(numbers)


class Gone(Exception):
    """A change names a paragraph the revision does not have (the amendment is outdated)."""

    def __init__(self, number: int, paragraph_id: str):
        super().__init__(number, paragraph_id)
        self.number = number
        self.paragraph_id = paragraph_id


def apply(
    paragraphs: Sequence[tuple[str, str]], accepted: Iterable[Proposal]
) -> list[tuple[str, str, int | None]]:
    """The paragraphs after `accepted`: (id, text, id of the amendment that made it, or None
    for a paragraph left as it was). At most one accepted amendment may replace or delete a
    paragraph; insertions after the same paragraph follow in amendment order; an insertion
    after a deleted paragraph takes its place."""
    present = {paragraph_id for paragraph_id, _ in paragraphs}
    rewritten: dict[str, tuple[Change, Proposal]] = {}
    inserted: dict[str, list[tuple[Change, Proposal]]] = {}
    for proposal in sorted(accepted, key=lambda p: p.number):
        for change in proposal.changes:
            if change.paragraph_id not in present:
                raise Gone(proposal.number, change.paragraph_id)
            if change.action == INSERT:
                inserted.setdefault(change.paragraph_id, []).append((change, proposal))
                continue
            earlier = rewritten.get(change.paragraph_id)
            if earlier is not None and earlier[1].id != proposal.id:
                raise Clash(change.paragraph_id, [earlier[1].number, proposal.number])
            rewritten[change.paragraph_id] = (change, proposal)
    result: list[tuple[str, str, int | None]] = []
    for paragraph_id, text in paragraphs:
        replaced = rewritten.get(paragraph_id)
        if replaced is None:
            result.append((paragraph_id, text, None))
        elif replaced[0].action == REPLACE:
            change, proposal = replaced
            result.append((paragraph_id, change.text, proposal.id))
        for change, proposal in inserted.get(paragraph_id, ()):
            result.append((change.key, change.text, proposal.id))  # its new paragraph's id
    return result


def is_outdated(changes: Iterable[Change], current: Mapping[str, str]) -> bool:
    """Whether a revision (paragraph id -> text) changed what `changes` were written on: a
    replaced or deleted paragraph whose text changed or that is gone, or an insertion whose
    preceding paragraph is gone."""
    for change in changes:
        text = current.get(change.paragraph_id)
        if text is None or (change.action != INSERT and text != change.original):
            return True
    return False


def sub_amendment_outdated(changes: Iterable[Change], parent: Iterable[Change]) -> bool:
    """Whether the parent's changes no longer read as the sub-amendment's were written on."""
    texts = {change.key: change.text for change in parent if change.action != DELETE}
    return is_outdated(changes, texts)


def amend_parent(parent: Sequence[Change], sub: Iterable[Change]) -> list[Change]:
    """The parent's changes with the accepted sub-amendment's texts: each of its changes
    replaces the text of the parent's change with the same key."""
    texts = {change.key: change.text for change in sub}
    return [
        Change(c.action, c.paragraph_id, texts.get(c.key, c.text), c.original, c.new_paragraph_id)
        for c in parent
    ]


def merged_paragraph(proposals: Sequence[Sequence[Change]]) -> str | None:
    """The one paragraph all of `proposals` replace or delete, each only it; None if they
    cannot be merged (fewer than two, an insertion, or another paragraph)."""
    if len(proposals) < 2:
        return None
    targets = set()
    for changes in proposals:
        if len(changes) != 1 or changes[0].action == INSERT:
            return None
        targets.add(changes[0].paragraph_id)
    return targets.pop() if len(targets) == 1 else None
