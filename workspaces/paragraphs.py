"""Split drafts into paragraphs whose ids survive edits.

Comments and reservations are anchored to a paragraph id, so each new revision
must reuse the ids of the previous one wherever a paragraph is still "the same"
(unchanged, moved, lightly edited, split or merged), and mint new ids otherwise.
"""

from __future__ import annotations

import re
import secrets
import string
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from markdown_it import MarkdownIt
from markdown_it.token import Token

from workspaces.markdown import References, link_references, render_markdown

SIMILARITY_THRESHOLD = 0.5
"""Minimum difflib ratio (over words) for an edited paragraph to keep its id."""

_ID_FIRST = string.ascii_lowercase
_ID_REST = string.ascii_lowercase + string.digits
_WORD = re.compile(r"\w+|[^\w\s]")
_ORDERED_MARKER = re.compile(r"^\d+(?=[.)])")

_LISTS = frozenset({"bullet_list_open", "ordered_list_open"})
_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class Paragraph:
    id: str
    position: int
    source: str
    html: str


@dataclass(frozen=True)
class _Block:
    source: str
    number: int | None = None  # rendered number of an ordered list item


def new_paragraph_id() -> str:
    """Eight random lowercase letters/digits, starting with a letter (valid in `p-<id>`)."""
    return secrets.choice(_ID_FIRST) + "".join(secrets.choice(_ID_REST) for _ in range(7))


def split_blocks(markdown: str) -> list[str]:
    return [block.source for block in _split(markdown)]


def _split(markdown: str) -> list[_Block]:
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return []
    lines = text.split("\n")
    spans = _block_spans(_parser.parse(text))
    blocks: list[_Block] = []
    covered_to = 0
    for start, end, kind, number in spans:
        blocks.extend(_uncovered_blocks(lines, covered_to, start))
        source = _trim("\n".join(lines[start:end]), keep_indent=kind == "code_block")
        if source:
            blocks.append(_Block(source, number))
        covered_to = max(covered_to, end)
    blocks.extend(_uncovered_blocks(lines, covered_to, len(lines)))
    return blocks


def _block_spans(tokens: Sequence[Token]) -> list[tuple[int, int, str, int | None]]:
    """(start line, end line, kind, list number) of each top-level block; list items split."""
    spans: list[tuple[int, int, str, int | None]] = []
    list_start: int | None = None
    item_index = 0
    for token in tokens:
        if token.type == "ordered_list_open" and token.level == 0:
            list_start, item_index = int(token.attrGet("start") or 1), 0
        elif token.type == "bullet_list_open" and token.level == 0:
            list_start = None
        elif token.type == "list_item_open" and token.level == 1 and token.map:
            number = None if list_start is None else list_start + item_index
            item_index += 1
            spans.append((token.map[0], token.map[1], "list_item", number))
        elif token.level == 0 and token.nesting >= 0 and token.map and token.type not in _LISTS:
            spans.append((token.map[0], token.map[1], token.type.removesuffix("_open"), None))
    return spans


def _uncovered_blocks(lines: list[str], start: int, end: int) -> list[_Block]:
    """Lines no token covers are link reference definitions; keep them so no text is lost."""
    blocks: list[_Block] = []
    chunk: list[str] = []
    for line in [*lines[start:end], ""]:
        if line.strip():
            chunk.append(line)
        elif chunk:
            blocks.append(_Block("\n".join(chunk).strip()))
            chunk = []
    return blocks


def _trim(source: str, keep_indent: bool) -> str:
    if keep_indent:  # an indented code block is only code because of its indent
        return source.strip("\n").rstrip()
    return source.strip()


def match_paragraphs(
    old: Sequence[tuple[str, str]],
    new_blocks: Sequence[str],
    new_id: Callable[[], str],
) -> list[str]:
    """One id per new block, reusing old ids for identical, moved, edited, split or merged text."""
    pairs = _exact_pairs([text for _, text in old], new_blocks)
    paired_old = set(pairs.values())
    old_left = [i for i in range(len(old)) if i not in paired_old]
    new_left = [j for j in range(len(new_blocks)) if j not in pairs]
    pairs.update(_similar_pairs(old, new_blocks, old_left, new_left))
    return _assign_ids(old, len(new_blocks), pairs, new_id)


def _exact_pairs(old_texts: Sequence[str], new_texts: Sequence[str]) -> dict[int, int]:
    """new index -> old index for identical texts, duplicates paired in order."""
    positions: dict[str, deque[int]] = defaultdict(deque)
    for i, text in enumerate(old_texts):
        positions[text].append(i)
    pairs: dict[int, int] = {}
    for j, text in enumerate(new_texts):
        if positions.get(text):
            pairs[j] = positions[text].popleft()
    return pairs


def _similar_pairs(
    old: Sequence[tuple[str, str]],
    new_blocks: Sequence[str],
    old_left: list[int],
    new_left: list[int],
) -> dict[int, int]:
    """Greedy best-first pairing of the remaining blocks whose similarity passes the threshold."""
    old_profiles, new_profiles = _profiles(
        [old[i][1] for i in old_left], [new_blocks[j] for j in new_left]
    )
    candidates: list[tuple[float, int, int, int]] = []
    matcher = SequenceMatcher(None, autojunk=False)
    for j, new_profile in zip(new_left, new_profiles, strict=True):
        matcher.set_seq2(new_profile.words)
        for i, old_profile in zip(old_left, old_profiles, strict=True):
            if not _may_be_similar(old_profile, new_profile):
                continue
            matcher.set_seq1(old_profile.words)
            score = round(matcher.ratio(), 2)
            if score >= SIMILARITY_THRESHOLD:
                distance = abs(j * len(old) - i * len(new_blocks))  # relative position distance
                candidates.append((-score, distance, j, i))
    candidates.sort()
    pairs: dict[int, int] = {}
    used_old: set[int] = set()
    for _, _, j, i in candidates:
        if j not in pairs and i not in used_old:
            pairs[j] = i
            used_old.add(i)
    return pairs


@dataclass(frozen=True)
class _Profile:
    words: list[str]
    size: int
    mask: int  # one bit per word occurrence that also occurs in a text of the other side


def _profiles(old_texts: list[str], new_texts: list[str]) -> tuple[list[_Profile], list[_Profile]]:
    old_words = [_words(text) for text in old_texts]
    new_words = [_words(text) for text in new_texts]
    old_bags = [_numbered(words) for words in old_words]
    new_bags = [_numbered(words) for words in new_words]
    shared = set().union(*old_bags) & set().union(*new_bags)
    bit = {token: n for n, token in enumerate(sorted(shared))}

    def profile(words: list[str], bag: list[str]) -> _Profile:
        return _Profile(words, len(words), sum(1 << bit[token] for token in bag if token in bit))

    return (
        [profile(w, b) for w, b in zip(old_words, old_bags, strict=True)],
        [profile(w, b) for w, b in zip(new_words, new_bags, strict=True)],
    )


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _numbered(words: list[str]) -> list[str]:
    """Words numbered by occurrence ("the#1", "the#2"), making a multiset a set."""
    seen: Counter[str] = Counter()
    numbered = []
    for word in words:
        seen[word] += 1
        numbered.append(f"{word}#{seen[word]}")
    return numbered


def _may_be_similar(a: _Profile, b: _Profile) -> bool:
    """Cheap upper bound of difflib's ratio (its quick_ratio: shared words over all words)."""
    least = SIMILARITY_THRESHOLD * (a.size + b.size) / 2
    return a.size >= least and b.size >= least and (a.mask & b.mask).bit_count() >= least


def _assign_ids(
    old: Sequence[tuple[str, str]],
    count: int,
    pairs: dict[int, int],
    new_id: Callable[[], str],
) -> list[str]:
    ids: list[str | None] = [None] * count
    used: set[str] = set()
    for j in sorted(pairs):
        old_id = old[pairs[j]][0]
        if old_id not in used:
            ids[j] = old_id
            used.add(old_id)
    reserved = used | {old_id for old_id, _ in old}  # never resurrect a dropped id by chance
    result: list[str] = []
    for paragraph_id in ids:
        if paragraph_id is None:
            paragraph_id = new_id()
            while paragraph_id in reserved:
                paragraph_id = new_id()
            reserved.add(paragraph_id)
        result.append(paragraph_id)
    return result


def build_paragraphs(
    markdown: str,
    previous: Sequence[tuple[str, str]],
    new_id: Callable[[], str] = new_paragraph_id,
) -> list[Paragraph]:
    blocks = _split(markdown)
    ids = match_paragraphs(previous, [block.source for block in blocks], new_id)
    references = link_references(markdown)
    return [
        Paragraph(paragraph_id, position, block.source, _render_block(block, references))
        for position, (paragraph_id, block) in enumerate(zip(ids, blocks, strict=True), start=1)
    ]


def _render_block(block: _Block, references: References) -> str:
    source = block.source
    if block.number is not None:
        # A list item is rendered alone as a one-item list. Ordered items get the number
        # the whole list would show (start + index), so "1. 1. 1." lists still count up.
        source = _ORDERED_MARKER.sub(str(block.number), source, count=1)
    return render_markdown(source, references)
