"""Headings of stored texts fitted in the outline of the page that shows them (council.outline)."""

from __future__ import annotations

import re

from council.outline import fit_headings, headings_as_text, headings_at

# how workspaces.markdown stores "# A", "## B", "### C": the text's top heading is h3
STORED = ["<h3>A</h3>", "<p>One.</p>", "<h4>B</h4>", "<p>Two &lt;h2&gt;.</p>", "<h5>C</h5>"]


def levels(blocks) -> list[int]:
    return [int(level) for block in blocks for level in re.findall(r"<h([1-6])>", block)]


def test_the_text_s_top_heading_takes_the_level_the_page_gives_and_the_rest_follow():
    assert levels(fit_headings(STORED, 2)) == [2, 3, 4]
    assert levels(fit_headings(STORED, 3)) == [3, 4, 5]
    shown = fit_headings(STORED, 2)
    assert shown[0] == "<h2>A</h2>" and shown[4] == "<h4>C</h4>"
    assert shown[3] == "<p>Two &lt;h2&gt;.</p>"  # escaped text is text, never a tag


def test_no_heading_skips_a_level_even_when_the_text_does():
    skipping = [
        "<h3>Recommendation</h3>",
        "<p>x</p>",
        "<h5>Priorities</h5>",
        "<h6>Detail</h6>",
        "<h4>Review</h4>",
    ]
    assert levels(fit_headings(skipping, 2)) == [2, 3, 4, 3]
    starting_low = ["<h5>Priorities</h5>", "<h3>Recommendation</h3>"]  # "###" before "#"
    assert levels(fit_headings(starting_low, 3)) == [3, 3]


def test_the_deepest_level_is_h6_and_texts_without_headings_are_unchanged():
    deep = [f"<h{n}>{n}</h{n}>" for n in (3, 4, 5, 6)]
    assert levels(fit_headings(deep, 5)) == [5, 6, 6, 6]
    assert fit_headings(["<p>Plain.</p>"], 2) == ["<p>Plain.</p>"]
    assert headings_at("<h3>A</h3><p>b</p>", 2) == "<h2>A</h2><p>b</p>"


def test_headings_outside_the_outline_become_bold_paragraphs():
    assert headings_as_text("<h4>Point</h4><p>Text.</p>") == (
        "<p><strong>Point</strong></p><p>Text.</p>"
    )
