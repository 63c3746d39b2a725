import re
from html import escape

from workspaces.diffs import Compared, ParagraphChange, paragraph_diff, word_diff_html
from workspaces.paragraphs import build_paragraphs


def blocks(*pairs: tuple[str, str]) -> list[Compared]:
    """Plain-text paragraphs numbered in order, their HTML the escaped text."""
    return [
        Compared(pid, text, f"<p>{escape(text)}</p>", number)
        for number, (pid, text) in enumerate(pairs, start=1)
    ]


def compared(markdown: str, ids: list[str]) -> list[Compared]:
    paragraphs = build_paragraphs(markdown, [], iter(ids).__next__)
    return [Compared(p.id, p.source, p.html, p.number) for p in paragraphs]


def test_identical_texts_have_no_markup() -> None:
    assert word_diff_html("Same words here.", "Same words here.") == "Same words here."


def test_inserted_word_is_wrapped_in_ins() -> None:
    html = word_diff_html("States share data.", "States share arrival data.")

    assert html.count("<ins>") == 1
    assert "arrival" in html.split("<ins>")[1].split("</ins>")[0]
    assert "<del>" not in html


def test_deleted_word_is_wrapped_in_del() -> None:
    html = word_diff_html("States share arrival data.", "States share data.")

    assert html.count("<del>") == 1
    assert "arrival" in html.split("<del>")[1].split("</del>")[0]
    assert "<ins>" not in html


def test_replaced_words_are_merged_into_one_change() -> None:
    html = word_diff_html("the quick brown fox", "the slow red fox")

    assert html == "the <del>quick brown</del><ins>slow red</ins> fox"


def test_whitespace_and_newlines_are_preserved() -> None:
    html = word_diff_html("line one\n\nline two", "line one\n\nline 2")

    assert html == "line one\n\nline <del>two</del><ins>2</ins>"


def test_texts_are_escaped() -> None:
    html = word_diff_html("<script>alert(1)</script>", '<script>alert("x")</script> & more')

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    assert "<" not in re.sub(r"</?(ins|del)>", "", html)


def test_empty_texts() -> None:
    assert word_diff_html("", "") == ""
    assert word_diff_html("", "new") == "<ins>new</ins>"
    assert word_diff_html("old", "") == "<del>old</del>"


def test_paragraph_kinds() -> None:
    old = blocks(("a", "Alpha."), ("b", "Bravo."), ("c", "Charlie."), ("d", "Delta."))
    new = blocks(("c", "Charlie."), ("a", "Alpha changed."), ("e", "Echo <b>."), ("b", "Bravo."))

    assert paragraph_diff(old, new) == [
        ParagraphChange("moved", "c", 3, 1, "Charlie.", moved=True),
        ParagraphChange("removed", "d", 4, None, "Delta."),
        ParagraphChange("changed", "a", 1, 2, "Alpha<ins> changed</ins>."),
        ParagraphChange("added", "e", None, 3, "Echo &lt;b&gt;."),
        ParagraphChange("unchanged", "b", 2, 4, "Bravo."),
    ]


def test_moved_and_changed_paragraph_is_changed_with_moved_flag() -> None:
    old = blocks(("a", "One"), ("b", "Two"), ("c", "Three"))
    new = blocks(("b", "Two"), ("c", "Three"), ("a", "One more"))

    changes = paragraph_diff(old, new)

    assert [(c.kind, c.id, c.moved) for c in changes] == [
        ("unchanged", "b", False),
        ("unchanged", "c", False),
        ("changed", "a", True),
    ]


def test_removed_paragraphs_follow_their_preceding_survivor() -> None:
    old = blocks(("x", "Gone first."), ("a", "A"), ("y", "Gone."), ("z", "Also gone."), ("b", "B"))
    new = blocks(("a", "A"), ("b", "B"))

    assert [(c.kind, c.id) for c in paragraph_diff(old, new)] == [
        ("removed", "x"),
        ("unchanged", "a"),
        ("removed", "y"),
        ("removed", "z"),
        ("unchanged", "b"),
    ]


def test_removed_text_is_escaped() -> None:
    changes = paragraph_diff(blocks(("a", "<script>alert(1)</script>")), [])

    assert changes == [
        ParagraphChange("removed", "a", 1, None, "&lt;script&gt;alert(1)&lt;/script&gt;")
    ]


def test_empty_revisions() -> None:
    assert paragraph_diff([], []) == []
    assert [c.kind for c in paragraph_diff([], blocks(("a", "A")))] == ["added"]


def test_paragraphs_are_compared_in_the_words_read_not_the_markdown_marks() -> None:
    old = compared("# Title\n\nStates **share** data.\n\n- One item", ["h", "a", "b"])
    new = compared(
        "# New title\n\nStates **share** arrival data.\n\n- One item, kept", ["h", "a", "b"]
    )

    assert [c.html for c in paragraph_diff(old, new)] == [
        "<del>Title</del><ins>New title</ins>",
        "States share <ins>arrival </ins>data.",
        "One item<ins>, kept</ins>",
    ]


def test_changes_cite_paragraph_numbers_and_headings_have_none() -> None:
    old = compared("Intro.\n\nFirst.", ["i", "f"])
    new = compared("## Measures\n\nIntro.\n\nFirst.\n\n---", ["h", "i", "f", "r"])

    assert [(c.kind, c.id, c.old_number, c.new_number) for c in paragraph_diff(old, new)] == [
        ("added", "h", None, None),
        ("unchanged", "i", 1, 1),
        ("unchanged", "f", 2, 2),
        ("added", "r", None, None),
    ]


def test_a_change_of_formatting_only_is_a_change_without_changed_words() -> None:
    old = compared("See [the report](https://a.example) *now*.", ["a"])
    new = compared("See [the report](https://b.example) now.", ["a"])

    [change] = paragraph_diff(old, new)

    assert change.kind == "changed" and change.html == "See the report now."
    assert change.formatting_only
