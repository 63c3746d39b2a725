import re

from workspaces.diffs import ParagraphChange, paragraph_diff, word_diff_html


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
    old = [("a", "Alpha."), ("b", "Bravo."), ("c", "Charlie."), ("d", "Delta.")]
    new = [("c", "Charlie."), ("a", "Alpha changed."), ("e", "Echo <b>."), ("b", "Bravo.")]

    assert paragraph_diff(old, new) == [
        ParagraphChange("moved", "c", 3, 1, "Charlie.", moved=True),
        ParagraphChange("removed", "d", 4, None, "Delta."),
        ParagraphChange("changed", "a", 1, 2, "Alpha<ins> changed</ins>."),
        ParagraphChange("added", "e", None, 3, "Echo &lt;b&gt;."),
        ParagraphChange("unchanged", "b", 2, 4, "Bravo."),
    ]


def test_moved_and_changed_paragraph_is_changed_with_moved_flag() -> None:
    old = [("a", "One"), ("b", "Two"), ("c", "Three")]
    new = [("b", "Two"), ("c", "Three"), ("a", "One more")]

    changes = paragraph_diff(old, new)

    assert [(c.kind, c.id, c.moved) for c in changes] == [
        ("unchanged", "b", False),
        ("unchanged", "c", False),
        ("changed", "a", True),
    ]


def test_removed_paragraphs_follow_their_preceding_survivor() -> None:
    old = [("x", "Gone first."), ("a", "A"), ("y", "Gone."), ("z", "Also gone."), ("b", "B")]
    new = [("a", "A"), ("b", "B")]

    assert [(c.kind, c.id) for c in paragraph_diff(old, new)] == [
        ("removed", "x"),
        ("unchanged", "a"),
        ("removed", "y"),
        ("removed", "z"),
        ("unchanged", "b"),
    ]


def test_removed_text_is_escaped() -> None:
    changes = paragraph_diff([("a", "<script>alert(1)</script>")], [])

    assert changes == [
        ParagraphChange("removed", "a", 1, None, "&lt;script&gt;alert(1)&lt;/script&gt;")
    ]


def test_empty_revisions() -> None:
    assert paragraph_diff([], []) == []
    assert [c.kind for c in paragraph_diff([], [("a", "A")])] == ["added"]
