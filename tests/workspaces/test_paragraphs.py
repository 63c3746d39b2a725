import itertools
import random
import re
import time
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from workspaces.paragraphs import (
    Paragraph,
    block_kinds,
    build_paragraphs,
    match_paragraphs,
    new_paragraph_id,
    numbers,
    split_blocks,
)


def counter_ids() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"new{next(numbers)}"


def match(old: list[tuple[str, str]], new: list[str]) -> list[str]:
    return match_paragraphs(old, new, counter_ids())


LONG_A = "The working group recommends that member states share arrival data every quarter."
LONG_B = "Reception centres should publish their capacity and occupancy in an open format."
LONG_C = "Children travelling alone must be referred to child protection services at once."
LONG_D = "Each state names a focal point who answers questions from the other members."


# splitting


def test_split_paragraphs_and_headings() -> None:
    text = "# Title\n\nFirst paragraph\nstill first.\n\nSecond paragraph.\n\nSetext\n------\n"

    assert split_blocks(text) == [
        "# Title",
        "First paragraph\nstill first.",
        "Second paragraph.",
        "Setext\n------",
    ]


def test_split_each_list_item_is_its_own_block() -> None:
    text = "- one\n- two\n\n1. first\n2. second\n3) third"

    assert split_blocks(text) == ["- one", "- two", "1. first", "2. second", "3) third"]


def test_split_nested_list_stays_inside_its_item() -> None:
    text = "- parent\n  - child\n  - child two\n- sibling\n\n  continued sibling"

    assert split_blocks(text) == [
        "- parent\n  - child\n  - child two",
        "- sibling\n\n  continued sibling",
    ]


def test_split_fenced_code_with_blank_lines_is_one_block() -> None:
    text = "Before.\n\n```\ncode\n\n\nmore code\n```\n\nAfter."

    assert split_blocks(text) == ["Before.", "```\ncode\n\n\nmore code\n```", "After."]


def test_split_quote_table_rule_and_indented_code() -> None:
    text = "> quoted\n> - item\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n    indented code"

    assert split_blocks(text) == [
        "> quoted\n> - item",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "---",
        "    indented code",
    ]


def test_split_keeps_link_reference_definitions() -> None:
    assert split_blocks("See [it][r].\n\n[r]: https://example.org") == [
        "See [it][r].",
        "[r]: https://example.org",
    ]


def test_split_normalises_crlf() -> None:
    assert split_blocks("One\r\nline\r\n\r\n- item\r\n") == ["One\nline", "- item"]


def test_split_empty_and_whitespace_text() -> None:
    assert split_blocks("") == []
    assert split_blocks("  \n\t\n  ") == []


# matching


def test_unchanged_text_keeps_all_ids() -> None:
    old = [("a", LONG_A), ("b", LONG_B), ("c", LONG_C)]

    assert match(old, [LONG_A, LONG_B, LONG_C]) == ["a", "b", "c"]


def test_small_edit_keeps_id() -> None:
    edited = LONG_B.replace("open format", "open, machine-readable format")

    assert match([("a", LONG_A), ("b", LONG_B)], [LONG_A, edited]) == ["a", "b"]


def test_edit_above_keeps_ids_of_the_rest() -> None:
    old = [("a", LONG_A), ("b", LONG_B), ("c", LONG_C)]
    edited = LONG_A.replace("every quarter", "every month")

    assert match(old, [edited, LONG_B, LONG_C]) == ["a", "b", "c"]


def test_reordered_paragraphs_keep_their_ids() -> None:
    old = [("a", LONG_A), ("b", LONG_B), ("c", LONG_C), ("d", LONG_D)]

    assert match(old, [LONG_D, LONG_B, LONG_A, LONG_C]) == ["d", "b", "a", "c"]


def test_moved_and_edited_paragraph_keeps_its_id() -> None:
    old = [("a", LONG_A), ("b", LONG_B), ("c", LONG_C)]
    edited = LONG_A.replace("quarter", "month")

    assert match(old, [LONG_B, LONG_C, edited]) == ["b", "c", "a"]


def test_insert_in_the_middle_gets_a_new_id() -> None:
    old = [("a", LONG_A), ("b", LONG_B), ("c", LONG_C)]

    assert match(old, [LONG_A, LONG_B, LONG_D, LONG_C]) == ["a", "b", "new1", "c"]


def test_deleted_paragraph_drops_its_id() -> None:
    old = [("a", LONG_A), ("b", LONG_B), ("c", LONG_C)]

    assert match(old, [LONG_A, LONG_C]) == ["a", "c"]


def test_split_paragraph_gives_the_original_id_to_the_larger_part() -> None:
    first = "The working group recommends that member states share arrival data every quarter"
    second = "using the common template and the shared definitions agreed in annex two."
    old = [("a", f"{first}, {second}"), ("b", LONG_B)]

    assert match(old, [f"{first}.", second.capitalize(), LONG_B]) == ["a", "new1", "b"]


def test_a_split_paragraph_gives_its_id_to_one_part_only_the_more_similar() -> None:
    """Both parts resemble the old paragraph; one old paragraph is never paired with two new
    ones, and the id goes to the closer part even when it comes second."""
    short = "Member states share the arrival data of the region every quarter of the year"
    longer = (
        "using one common template, the shared definitions agreed in annex two and the "
        "secure channel"
    )
    old = [("a", f"{short}, {longer}."), ("b", LONG_B)]

    assert match(old, [f"{short}.", f"{longer[0].upper()}{longer[1:]}.", LONG_B]) == [
        "new1",
        "a",
        "b",
    ]
    assert match(old, [f"{longer[0].upper()}{longer[1:]}.", f"{short}.", LONG_B]) == [
        "a",
        "new1",
        "b",
    ]


def test_merged_paragraphs_keep_the_id_of_the_most_similar_one() -> None:
    short = "Reports are due in March."
    old = [("a", LONG_A), ("s", short), ("b", LONG_B)]

    assert match(old, [f"{LONG_A} {short}", LONG_B]) == ["a", "b"]


def test_duplicate_identical_paragraphs_are_paired_in_order() -> None:
    old = [("x1", "Agreed."), ("a", LONG_A), ("x2", "Agreed.")]

    assert match(old, ["Agreed.", LONG_A, "Agreed.", "Agreed."]) == ["x1", "a", "x2", "new1"]


def test_edited_duplicate_prefers_the_paragraph_at_the_same_position() -> None:
    old = [("x1", LONG_A), ("b", LONG_B), ("x2", LONG_A)]
    edited = LONG_A.replace("quarter", "month")

    assert match(old, [LONG_A, LONG_B, edited]) == ["x1", "b", "x2"]
    assert match(old, [edited, LONG_B, edited]) == ["x1", "b", "x2"]


def test_all_new_text_gets_all_new_ids() -> None:
    old = [("a", LONG_A), ("b", LONG_B)]

    assert match(old, [LONG_C, LONG_D]) == ["new1", "new2"]


def test_empty_old_and_empty_new() -> None:
    assert match([], [LONG_A, LONG_B]) == ["new1", "new2"]
    assert match([("a", LONG_A)], []) == []
    assert match([], []) == []


def test_ids_are_unique_even_if_the_generator_repeats_old_ids() -> None:
    repeated = iter(["a", "a", "fresh", "b", "fresh", "other"])
    old = [("a", LONG_A), ("b", LONG_B)]

    ids = match_paragraphs(old, [LONG_C, LONG_D, LONG_A], lambda: next(repeated))

    assert ids == ["fresh", "other", "a"]


def test_matching_is_deterministic() -> None:
    old = [("a", LONG_A), ("b", LONG_B), ("c", LONG_C)]
    new = [LONG_C.replace("once", "once."), LONG_A + " Also yearly.", LONG_D, LONG_B]

    assert match(old, new) == match(old, new) == ["c", "a", "new1", "b"]


def test_five_hundred_paragraphs_with_edits_moves_and_inserts() -> None:
    rng = random.Random(7)
    vocabulary = [f"word{n}" for n in range(2000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def paragraph() -> str:
        return " ".join(rng.choices(vocabulary, weights, k=rng.randint(20, 120)))

    old = [(f"p{n}", paragraph()) for n in range(500)]
    new = [text for _, text in old]
    for n in range(0, 500, 5):
        new[n] = new[n] + " an extra sentence at the end."
    new.insert(250, new.pop(10))
    new.insert(100, paragraph())
    expected = [f"p{n}" for n in range(500)]
    expected.insert(250, expected.pop(10))
    expected.insert(100, "new1")

    started = time.perf_counter()
    ids = match(old, new)
    elapsed = time.perf_counter() - started

    assert ids == expected
    assert elapsed < 8  # a guard against quadratic matching, loose for a loaded CI machine


def test_five_hundred_unrelated_paragraphs_are_matched_quickly() -> None:
    rng = random.Random(11)
    vocabulary = [f"word{n}" for n in range(2000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def paragraph() -> str:
        return " ".join(rng.choices(vocabulary, weights, k=rng.randint(20, 120)))

    old = [(f"p{n}", paragraph()) for n in range(500)]

    started = time.perf_counter()
    ids = match(old, [paragraph() for _ in range(500)])
    elapsed = time.perf_counter() - started

    assert len(set(ids)) == 500
    assert elapsed < 10  # a guard against quadratic matching, loose for a loaded CI machine


# ids and building


def test_new_paragraph_id_is_a_short_html_safe_id() -> None:
    ids = {new_paragraph_id() for _ in range(1000)}

    assert len(ids) == 1000
    assert all(re.fullmatch(r"[a-z][a-z0-9]{7}", paragraph_id) for paragraph_id in ids)


def test_build_paragraphs_renders_blocks_with_positions_numbers_and_ids() -> None:
    paragraphs = build_paragraphs("# Title\n\nText with *emphasis*.", [], counter_ids())

    assert paragraphs == [
        Paragraph("new1", 1, "# Title", "<h3>Title</h3>\n", None),
        Paragraph("new2", 2, "Text with *emphasis*.", "<p>Text with <em>emphasis</em>.</p>\n", 1),
    ]


def test_build_paragraphs_keeps_ids_of_the_previous_revision() -> None:
    previous = [("a", LONG_A), ("b", LONG_B)]

    paragraphs = build_paragraphs(
        f"{LONG_B}\n\n{LONG_C}\n\n{LONG_A} Indeed.", previous, lambda: "fresh"
    )

    assert [(p.id, p.position) for p in paragraphs] == [("b", 1), ("fresh", 2), ("a", 3)]


def test_build_paragraphs_renders_list_items_as_one_item_lists() -> None:
    paragraphs = build_paragraphs("- apples\n- pears\n\n1. first\n1. second", [], counter_ids())

    assert [p.html for p in paragraphs] == [
        "<ul>\n<li>apples</li>\n</ul>\n",
        "<ul>\n<li>pears</li>\n</ul>\n",
        "<ol>\n<li>first</li>\n</ol>\n",
        '<ol start="2">\n<li>second</li>\n</ol>\n',
    ]
    assert paragraphs[3].source == "1. second"


def test_build_paragraphs_resolves_reference_links_across_blocks() -> None:
    paragraphs = build_paragraphs("See [the report][r].\n\n[r]: https://example.org", [])

    assert '<a href="https://example.org"' in paragraphs[0].html
    assert paragraphs[1].source == "[r]: https://example.org"
    assert paragraphs[1].html == ""


def test_build_paragraphs_of_empty_text_is_empty() -> None:
    assert build_paragraphs("\n\n", [("a", LONG_A)]) == []


# properties and scale (matching runs while the draft is locked for writing)

WORDS = [
    "the",
    "group",
    "shares",
    "data",
    "every",
    "quarter",
    "states",
    "report",
    "agreed",
    "annex",
    "two",
    ".",
    ",",
]
paragraph_texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)


@st.composite
def revisions(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[str]]:
    """An old revision and a new text made from it by edits, moves, splits, merges, inserts,
    deletions and duplicates (a small vocabulary makes near and exact repeats common)."""
    old_texts = draw(st.lists(paragraph_texts, max_size=30))
    new = list(old_texts)
    for _ in range(draw(st.integers(0, 12))):
        at = draw(st.integers(0, max(len(new) - 1, 0)))
        operation = draw(
            st.sampled_from(["edit", "move", "split", "merge", "insert", "delete", "duplicate"])
        )
        if operation == "insert" or not new:
            new.insert(at, draw(paragraph_texts))
        elif operation == "edit":
            words = new[at].split()
            words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(WORDS))
            new[at] = " ".join(words)
        elif operation == "move":
            new.insert(draw(st.integers(0, len(new) - 1)), new.pop(at))
        elif operation == "split" and " " in new[at]:
            first, _, rest = new[at].partition(" ")
            new[at : at + 1] = [first, rest]
        elif operation == "merge" and at + 1 < len(new):
            new[at : at + 2] = [f"{new[at]} {new[at + 1]}"]
        elif operation == "delete":
            new.pop(at)
        elif operation == "duplicate":
            new.insert(at, new[at])
    return [(f"old{n}", text) for n, text in enumerate(old_texts)], new


def repeating_ids(old: list[tuple[str, str]]) -> Callable[[], str]:
    """A generator that first offers every old id twice, as a bad random source might."""
    offers = itertools.chain(
        *([paragraph_id] * 2 for paragraph_id, _ in old), (f"new{n}" for n in itertools.count(1))
    )
    return lambda: next(offers)


@settings(max_examples=300, deadline=None)
@given(revisions())
def test_every_new_paragraph_gets_one_id_used_once(revision) -> None:
    old, new = revision

    ids = match_paragraphs(old, new, repeating_ids(old))

    assert len(ids) == len(new) and all(ids)
    assert len(set(ids)) == len(ids)  # so no old paragraph is given to two new ones


@settings(max_examples=300, deadline=None)
@given(revisions())
def test_an_old_id_is_only_kept_never_minted_again(revision) -> None:
    old, new = revision

    ids = match_paragraphs(old, new, repeating_ids(old))

    old_ids = {paragraph_id for paragraph_id, _ in old}
    kept = [paragraph_id for paragraph_id in ids if paragraph_id in old_ids]
    minted = [paragraph_id for paragraph_id in ids if paragraph_id not in old_ids]
    assert len(kept) <= len(old)
    assert all(paragraph_id.startswith("new") for paragraph_id in minted)


@settings(max_examples=300, deadline=None)
@given(revisions())
def test_unchanged_paragraphs_keep_their_ids_whatever_else_changes(revision) -> None:
    old, new = revision

    ids = match(old, new)

    for text in set(new):
        old_ids = {paragraph_id for paragraph_id, old_text in old if old_text == text}
        kept = [
            paragraph_id
            for paragraph_id, new_text in zip(ids, new, strict=True)
            if new_text == text and paragraph_id in old_ids
        ]
        assert len(kept) == min(len(old_ids), new.count(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(paragraph_texts, max_size=30), st.randoms(use_true_random=False))
def test_an_unchanged_or_reordered_text_keeps_every_id(texts, rng) -> None:
    old = [(f"old{n}", text) for n, text in enumerate(texts)]
    order = list(range(len(old)))
    rng.shuffle(order)

    reordered = [texts[n] for n in order]

    assert match(old, texts) == [paragraph_id for paragraph_id, _ in old]
    ids = match(old, reordered)
    assert sorted(ids) == sorted(paragraph_id for paragraph_id, _ in old)
    assert [dict(old)[paragraph_id] for paragraph_id in ids] == reordered  # each with its text


@settings(max_examples=100, deadline=None)
@given(revisions())
def test_matching_is_deterministic_for_any_revision(revision) -> None:
    old, new = revision

    assert match(old, new) == match(old, new)


def every_paragraph_changed(count: int, words: int) -> tuple[list[tuple[str, str]], list[str]]:
    rng = random.Random(count)
    vocabulary = [f"word{n}" for n in range(3000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    old = [(f"p{n}", " ".join(rng.choices(vocabulary, weights, k=words))) for n in range(count)]
    return old, [f"{text} amended" for _, text in old]


def test_a_200_kb_revision_with_every_paragraph_changed_matches_in_linear_time(capsys) -> None:
    cases = {
        "1,000 paragraphs of 25 words, each edited": every_paragraph_changed(1000, 25),
        "4,000 paragraphs of 5 words, each edited": every_paragraph_changed(4000, 5),
        "10,000 one-word paragraphs, all replaced": (
            [(f"p{n}", f"old{n}") for n in range(10_000)],
            [f"new{n}" for n in range(10_000)],
        ),
    }
    timings = []
    for name, (old, new) in cases.items():
        size = len("\n\n".join(new).encode())
        assert size <= 200 * 1024
        started = time.perf_counter()
        ids = match(old, new)
        elapsed = time.perf_counter() - started
        timings.append((name, size, len(new), elapsed))

        assert len(set(ids)) == len(new)
        if "edited" in name:
            assert ids == [paragraph_id for paragraph_id, _ in old]
        assert elapsed < 8, f"{name}: {elapsed:.2f} s"  # a guard against blow-ups

    with capsys.disabled():
        print()
        for name, size, count, elapsed in timings:
            print(
                f"  matching {name} ({size // 1024} KB): {elapsed:.3f} s, "
                f"{elapsed / count * 1e6:.0f} µs a paragraph"
            )


def test_a_paragraph_only_recased_or_respaced_keeps_its_id() -> None:
    old = [("a", LONG_A), ("b", LONG_B), ("c", LONG_C)]

    ids = match(old, [LONG_C.upper(), LONG_A.replace(" ", "\n"), LONG_D])

    assert ids == ["c", "a", "new1"]


def test_a_long_paragraph_moved_far_and_edited_keeps_its_id() -> None:
    rng = random.Random(3)
    vocabulary = [f"word{n}" for n in range(2000)]
    old = [(f"p{n}", " ".join(rng.choices(vocabulary, k=40))) for n in range(300)]
    new = [f"{text} (amended)" for _, text in old]
    new.insert(280, new.pop(5))

    ids = match(old, new)

    assert ids[280] == "p5"
    assert len(set(ids)) == 300 and all(paragraph_id.startswith("p") for paragraph_id in ids)


def test_very_long_paragraphs_are_compared_in_linear_time() -> None:
    rng = random.Random(5)
    vocabulary = [f"word{n}" for n in range(500)]
    old = [(f"p{n}", " ".join(rng.choices(vocabulary, k=3000))) for n in range(6)]
    edited = [
        " ".join(word if rng.random() > 0.1 else "new" for word in text.split()) for _, text in old
    ]
    repeated = [("r", "the " * 20_000)]

    started = time.perf_counter()
    ids = match(old, edited)
    repeated_ids = match(repeated, ["the " * 19_999 + "end"])
    elapsed = time.perf_counter() - started

    assert ids == [f"p{n}" for n in range(6)]
    assert repeated_ids == ["r"]
    assert elapsed < 5  # quadratic comparison of 20,000 words would take minutes


# numbers one cites


def cited(markdown: str) -> list[tuple[int | None, str]]:
    return [(p.number, p.source) for p in build_paragraphs(markdown, [], counter_ids())]


def test_headings_rules_and_link_definitions_have_no_number() -> None:
    text = (
        "# Title\n\nFirst [report][r].\n\n---\n\nSetext\n======\n\nSecond.\n\n"
        "[r]: https://example.org"
    )

    assert cited(text) == [
        (None, "# Title"),
        (1, "First [report][r]."),
        (None, "---"),
        (None, "Setext\n======"),
        (2, "Second."),
        (None, "[r]: https://example.org"),
    ]


def test_list_items_quotes_tables_and_code_are_numbered_in_reading_order() -> None:
    text = "Intro.\n\n- one\n- two\n\n> quoted\n\n| a |\n|---|\n| 1 |\n\n```\ncode\n```"

    assert [number for number, _ in cited(text)] == [1, 2, 3, 4, 5, 6]


def test_numbering_continues_across_headings() -> None:
    text = (
        "# Title\n\nFirst.\n\n## Measures\n\nSecond.\n\n1. Third.\n2. Fourth.\n\n## End\n\nFifth."
    )

    assert [(number, source) for number, source in cited(text) if number] == [
        (1, "First."),
        (2, "Second."),
        (3, "1. Third."),
        (4, "2. Fourth."),
        (5, "Fifth."),
    ]
    assert numbers(block_kinds(text)) == [None, 1, None, 2, 3, 4, None, 5]


def test_joined_blocks_keep_lists_tight_and_split_back_into_the_same_blocks():
    from workspaces.paragraphs import join_blocks

    blocks = [
        "# Title",
        "Intro.",
        "- one",
        "- two\n  continued",
        "1. first",
        "2. second",
        "* star",
        "After.",
    ]

    text = join_blocks(blocks)

    assert text == (
        "# Title\n\nIntro.\n\n- one\n- two\n  continued\n\n1. first\n2. second\n\n* star\n\nAfter."
    )
    assert split_blocks(text) == blocks


# Corners that mutation testing (docs/MUTATION.md) found no test for


def test_a_paragraph_keeping_exactly_half_its_words_keeps_its_id() -> None:
    """The similarity threshold (0.5) is inclusive, whatever the lengths."""
    assert match([("p", "alpha beta gamma delta")], ["alpha beta epsilon zeta"]) == ["p"]
    assert match([("p", "alpha beta gamma delta")], ["alpha eta epsilon zeta"]) == ["new1"]
    assert match([("p", "alpha beta")], ["alpha beta gamma delta epsilon zeta"]) == ["p"]


def test_long_paragraphs_are_compared_by_their_word_pairs() -> None:
    """Past ~300 words each, pairs of adjacent words stand in for difflib: a lightly edited
    paragraph keeps its id wherever it moves; the same words in another order do not."""
    rng = random.Random(7)
    vocabulary = [f"word{n}" for n in range(300)]
    old = [(f"p{n}", " ".join(rng.choices(vocabulary, k=400))) for n in range(3)]
    edited = [
        " ".join(word if rng.random() > 0.1 else "new" for word in text.split()) for _, text in old
    ]
    assert match(old, [edited[2], edited[0], edited[1]]) == ["p2", "p0", "p1"]
    words = old[0][1].split()
    reordered = " ".join([*reversed(words[:240]), *words[240:]])  # 40% of its pairs left
    assert match(old[:1], [reordered]) == ["new1"]


def test_of_two_equally_similar_paragraphs_the_one_nearer_the_old_place_keeps_the_id() -> None:
    a = "the council asks every member state to report on the protection of migrants"
    b, c = "a second paragraph about something else entirely", "a third one on another matter"
    new = [f"{a} one", b, c, f"{a} two"]
    assert match([("b", b), ("c", c), ("a", a)], new) == ["new1", "b", "c", "a"]
    assert match([("b", b), ("a", a), ("c", c)], new) == ["a", "b", "c", "new1"]


def test_edited_paragraphs_of_common_words_are_found_where_they_are_expected() -> None:
    """No word is rare here (each is in every paragraph): only their place finds them."""
    rng = random.Random(1)
    vocabulary = [f"w{n}" for n in range(12)]
    old = [(f"p{n}", " ".join(rng.choices(vocabulary, k=30))) for n in range(12)]
    new = []
    for _, text in old:
        words = text.split()
        words[3], words[20] = "changed", "edited"
        new.append(" ".join(words))
    assert match(old, new) == [paragraph_id for paragraph_id, _ in old]


def test_a_long_paragraph_of_a_few_words_repeated_keeps_its_id_when_edited() -> None:
    """difflib's autojunk would ignore every word that repeats: it is off."""
    rng = random.Random(2)
    words = rng.choices([f"w{n}" for n in range(40)], k=300)
    edited = [word if rng.random() > 0.2 else "edited" for word in words]
    assert match([("p", " ".join(words))], [" ".join(edited)]) == ["p"]


def test_an_id_repeated_by_the_old_revision_is_still_given_once() -> None:
    assert match([("p", "one text"), ("p", "another text")], ["one text", "another text"]) == [
        "p",
        "new1",
    ]
