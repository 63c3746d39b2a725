"""Split drafts into paragraphs whose ids survive edits.

Comments and reservations are anchored to a paragraph id, so each new revision
must reuse the ids of the previous one wherever a paragraph is still "the same"
(unchanged, moved, lightly edited, split or merged), and mint new ids otherwise.
"""

from __future__ import annotations

import re
import secrets
import string
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import chain

from markdown_it import MarkdownIt
from markdown_it.token import Token

from workspaces.markdown import References, link_references, render_markdown

SIMILARITY_THRESHOLD = 0.5
"""Minimum difflib ratio (over words) for an edited paragraph to keep its id."""

# Bounds that keep matching near-linear (it runs while the draft is locked for writing)
NEARBY = 4
"""Unpaired old paragraphs compared on each side of where an unpaired new one is expected."""
SHARING = 4
"""Unpaired old paragraphs compared because they share the most rare words (found if moved)."""
RARE = 8
"""A word is rare when at most this many unpaired old paragraphs contain it."""
RATIO_BUDGET = 1_000_000
"""Word pairs difflib may weigh in one match; its time grows with their product."""
RATIO_PAIR_LIMIT = 100_000
"""Longer pairs (over ~300 words each) are scored by shared word pairs, in linear time."""

_ID_FIRST = string.ascii_lowercase
_ID_REST = string.ascii_lowercase + string.digits
_WORD = re.compile(r"\w+|[^\w\s]")
_ORDERED_MARKER = re.compile(r"^\d+(?=[.)])")

_LISTS = frozenset({"bullet_list_open", "ordered_list_open"})
# Splitting needs only the blocks: inline markup is left unparsed (on some texts, most of the time).
_parser = (
    MarkdownIt("commonmark", {"html": False})
    .enable(["table", "strikethrough"])
    .disable(["inline", "text_join"])
)


UNNUMBERED = frozenset({"heading", "hr", "references"})
"""Blocks that are not paragraphs one can cite: headings, rules, link reference definitions."""


@dataclass(frozen=True)
class Paragraph:
    id: str
    position: int
    """Place among all the blocks of the revision, headings included (the stored order)."""
    source: str
    html: str
    number: int | None = None
    """The number diplomats cite: operative paragraphs 1..n in reading order; None for the
    blocks in UNNUMBERED."""


@dataclass(frozen=True)
class _Block:
    source: str
    number: int | None = None  # rendered number of an ordered list item
    kind: str = "paragraph"


def new_paragraph_id() -> str:
    """Eight random lowercase letters/digits, starting with a letter (valid in `p-<id>`)."""
    return secrets.choice(_ID_FIRST) + "".join(secrets.choice(_ID_REST) for _ in range(7))


def split_blocks(markdown: str) -> list[str]:
    return [block.source for block in _split(markdown)]


@lru_cache(maxsize=4)  # a save splits its text twice: to count paragraphs, then to store them
def _split(markdown: str) -> tuple[_Block, ...]:
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ()
    lines = text.split("\n")
    spans = _block_spans(_parser.parse(text))
    blocks: list[_Block] = []
    covered_to = 0
    for start, end, kind, number in spans:
        blocks.extend(_uncovered_blocks(lines, covered_to, start))
        source = _trim("\n".join(lines[start:end]), keep_indent=kind == "code_block")
        if source:
            blocks.append(_Block(source, number, kind))
        covered_to = max(covered_to, end)
    blocks.extend(_uncovered_blocks(lines, covered_to, len(lines)))
    return tuple(blocks)


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
            blocks.append(_Block("\n".join(chunk).strip(), kind="references"))
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
    """One id per new block, reusing old ids for identical, moved, edited, split or merged text.

    Near-linear, as it runs while the draft is locked: equal texts, then texts with equal words
    (ignoring case and spacing), are paired by hashing; only the rest are compared, each with a
    few old paragraphs (those near where it is expected and those sharing its rarest words),
    within a budget of difflib work.
    """
    old_words = [_words(text) for _, text in old]
    new_words = [_words(text) for text in new_blocks]
    pairs: dict[int, int] = {}
    _pair_equal([text for _, text in old], new_blocks, pairs)
    _pair_equal([tuple(w) for w in old_words], [tuple(w) for w in new_words], pairs)
    pairs.update(_similar_pairs(old_words, new_words, pairs))
    return _assign_ids(old, len(new_blocks), pairs, new_id)


def _pair_equal(
    old_keys: Sequence[Hashable], new_keys: Sequence[Hashable], pairs: dict[int, int]
) -> None:
    """Add new index -> old index for unpaired equal keys, duplicates paired in order."""
    taken = set(pairs.values())
    positions: dict[Hashable, deque[int]] = defaultdict(deque)
    for i, key in enumerate(old_keys):
        if i not in taken:
            positions[key].append(i)
    for j, key in enumerate(new_keys):
        if j not in pairs and (waiting := positions.get(key)):
            pairs[j] = waiting.popleft()


def _similar_pairs(
    old_words: Sequence[list[str]],
    new_words: Sequence[list[str]],
    pairs: dict[int, int],
) -> dict[int, int]:
    """Greedy best-first pairing of the unpaired blocks whose similarity passes the threshold."""
    taken = set(pairs.values())
    old_left = [i for i in range(len(old_words)) if i not in taken]
    new_left = [j for j in range(len(new_words)) if j not in pairs]
    if not old_left or not new_left:
        return {}
    scorer = _Scorer(old_words, new_words, old_left, new_left)
    rare = _rare_word_index(scorer.old_counts)
    anchors = sorted(pairs.items())
    candidates: list[tuple[float, int, int, int]] = []
    for j in new_left:
        nearby = _candidates(
            j, old_left, anchors, len(new_words), len(old_words), scorer.new_counts[j], rare
        )
        bounds = [(bound, i) for i in nearby if (bound := scorer.bound(i, j))]
        for _, i in sorted(bounds, key=lambda item: -item[0]):  # likeliest first, for the budget
            score = scorer.score(i, j)
            if score >= SIMILARITY_THRESHOLD:
                distance = abs(j * len(old_words) - i * len(new_words))  # relative positions
                candidates.append((-score, distance, j, i))
    candidates.sort()
    similar: dict[int, int] = {}
    used_old: set[int] = set()
    for _, _, j, i in candidates:
        if j not in similar and i not in used_old:
            similar[j] = i
            used_old.add(i)
    return similar


def _rare_word_index(old_counts: dict[int, Counter[str]]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for i, counts in old_counts.items():
        for word in counts:
            index[word].append(i)
    return {word: found for word, found in index.items() if len(found) <= RARE}


def _candidates(
    j: int,
    old_left: list[int],
    anchors: list[tuple[int, int]],
    new_count: int,
    old_count: int,
    counts: Counter[str],
    rare: dict[str, list[int]],
) -> list[int]:
    """The few unpaired old blocks worth comparing with new block `j`, in a stable order."""
    # Where j is expected: as far after the equal pair before it as it is in the new text,
    # or as far before the equal pair after it (the text's ends count as pairs).
    k = bisect_left(anchors, (j, -1))
    before = anchors[k - 1] if k else (-1, -1)
    after = anchors[k] if k < len(anchors) else (new_count, old_count)
    chosen: dict[int, None] = {}
    for expected in (before[1] + j - before[0], after[1] - (after[0] - j)):
        at = bisect_left(old_left, expected)
        chosen.update(dict.fromkeys(old_left[max(at - NEARBY, 0) : at + NEARBY]))
    shared = Counter(chain.from_iterable(rare.get(word, ()) for word in counts))
    best = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:SHARING]
    chosen.update(dict.fromkeys(i for i, _ in best))
    return list(chosen)


class _Scorer:
    """Similarity of old and new blocks' words: difflib's ratio within a budget of work, after
    cheap upper bounds."""

    def __init__(
        self,
        old_words: Sequence[list[str]],
        new_words: Sequence[list[str]],
        old_left: list[int],
        new_left: list[int],
    ):
        self.old_words, self.new_words = old_words, new_words
        self.old_counts = {i: Counter(old_words[i]) for i in old_left}
        self.new_counts = {j: Counter(new_words[j]) for j in new_left}
        self.pairs: dict[tuple[int, int], Counter[tuple[str, str]]] = {}
        self.matcher = SequenceMatcher(None, autojunk=False)
        self.matched_new: int | None = None
        self.budget = RATIO_BUDGET

    def bound(self, i: int, j: int) -> float:
        """difflib's quick_ratio (shared words over all words) if it passes, else 0."""
        old, new = self.old_words[i], self.new_words[j]
        least = SIMILARITY_THRESHOLD * (len(old) + len(new)) / 2  # shared words needed
        if min(len(old), len(new)) < least:
            return 0.0
        a, b = self.old_counts[i], self.new_counts[j]
        common = a.keys() & b.keys()
        shared = sum(map(min, map(a.__getitem__, common), map(b.__getitem__, common)))
        return 2 * shared / (len(old) + len(new)) if shared >= least else 0.0

    def score(self, i: int, j: int) -> float:
        old, new = self.old_words[i], self.new_words[j]
        work = len(old) * len(new)
        if work > RATIO_PAIR_LIMIT or work > self.budget:
            a, b = self._pairs(0, i, old), self._pairs(1, j, new)
            return round(2 * (a & b).total() / (a.total() + b.total()), 2)
        self.budget -= work
        if self.matched_new != j:
            self.matcher.set_seq2(new)
            self.matched_new = j
        self.matcher.set_seq1(old)
        return round(self.matcher.ratio(), 2)

    def _pairs(self, side: int, index: int, words: list[str]) -> Counter[tuple[str, str]]:
        """Adjacent word pairs: like difflib's ratio, comparing them keeps order in view, but
        in linear time; it is stricter (one changed word breaks two pairs)."""
        if (side, index) not in self.pairs:
            self.pairs[side, index] = Counter(zip(["", *words], [*words, ""], strict=True))
        return self.pairs[side, index]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


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
    return _paragraphs(markdown, blocks, ids)


def build_with_ids(markdown: str, ids: Sequence[str]) -> list[Paragraph] | None:
    """The paragraphs of `markdown` given their ids in order (a text assembled from known
    paragraphs, e.g. by accepting amendments); None if it does not split into len(ids) blocks."""
    blocks = _split(markdown)
    if len(blocks) != len(ids):
        return None
    return _paragraphs(markdown, blocks, ids)


_LIST_ITEM = re.compile(r"([-*+])[ \t]|\d{1,9}([.)])[ \t]")


def join_blocks(sources: Sequence[str]) -> str:
    """Markdown from blocks, as a revision's text: items of the same list stay in one tight
    list (one line break between them), other blocks are separated by an empty line."""
    text = ""
    previous = None
    for source in sources:
        marker = _LIST_ITEM.match(source)
        kind = marker and (marker.group(1) or marker.group(2))
        if text:
            text += "\n" if kind and kind == previous else "\n\n"
        text += source
        previous = kind
    return text


def block_kinds(markdown: str) -> list[str]:
    """The kind of each block of `markdown` ("paragraph", "heading", "list_item", ...)."""
    return [block.kind for block in _split(markdown)]


def numbers(kinds: Sequence[str]) -> list[int | None]:
    """The citable number of each block: 1..n over the blocks not in UNNUMBERED."""
    result: list[int | None] = []
    count = 0
    for kind in kinds:
        if kind in UNNUMBERED:
            result.append(None)
        else:
            count += 1
            result.append(count)
    return result


def _paragraphs(markdown: str, blocks: Sequence[_Block], ids: Sequence[str]) -> list[Paragraph]:
    references = link_references(markdown)
    cited = numbers([block.kind for block in blocks])
    return [
        Paragraph(
            paragraph_id,
            position,
            block.source,
            _render_block(block, references),
            cited[position - 1],
        )
        for position, (paragraph_id, block) in enumerate(zip(ids, blocks, strict=True), start=1)
    ]


def _render_block(block: _Block, references: References) -> str:
    source = block.source
    if block.number is not None:
        # A list item is rendered alone as a one-item list. Ordered items get the number
        # the whole list would show (start + index), so "1. 1. 1." lists still count up.
        source = _ORDERED_MARKER.sub(str(block.number), source, count=1)
    return render_markdown(source, references)
