"""Headings of stored HTML (Markdown rendered at write time) placed in the outline of the page
that shows them.

A text's headings are written once and shown on several pages: under a page's h2 on the draft
and round pages, right under the h1 of a recommendation, in a quotation. Each page says at which
level the text's top headings sit; the levels below follow, and none is skipped (a heading is
at most one level below the one before it), so that the page keeps one outline: WCAG 1.3.1,
and the heading rules of the Nu Html Checker and axe. Stored HTML was cleaned by nh3, which
keeps no attribute on a heading, so its heading tags are exactly `<hN>` and `</hN>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup

_HEADING = re.compile(r"<(/?)h([1-6])>")
_DEEPEST = 6


def fit_headings(htmls: Iterable[str], top: int) -> list[Markup]:
    """The blocks of one text (its paragraphs, in order), their headings moved so that the
    text's highest heading is at level `top` and none skips a level after the one before it.
    The text's own structure is kept where it has no gap: `#`, `##`, `###` become `top`,
    `top + 1`, `top + 2`; the deepest level is h6."""
    blocks = [str(html) for html in htmls]
    levels = [
        int(level) for html in blocks for closing, level in _HEADING.findall(html) if not closing
    ]
    if not levels:
        return [Markup(html) for html in blocks]  # noqa: S704  (stored, sanitised HTML)
    shift = top - min(levels)
    previous = top - 1
    shown = 0

    def move(match: re.Match) -> str:
        nonlocal previous, shown
        if not match.group(1):
            shown = max(1, min(int(match.group(2)) + shift, previous + 1, _DEEPEST))
            previous = shown
        return f"<{match.group(1)}h{shown}>"

    return [Markup(_HEADING.sub(move, html)) for html in blocks]  # noqa: S704  (as above)


def headings_at(html: str, top: int) -> Markup:
    """One stored block or text, its headings fitted at `top` (see fit_headings)."""
    return fit_headings([html], top)[0]


def headings_as_text(html: str) -> Markup:
    """Stored HTML whose headings are not part of the page's outline (a comment, a quoted
    paragraph): each heading becomes a paragraph in bold."""
    return Markup(  # noqa: S704  (stored, sanitised HTML; only heading tags are replaced)
        _HEADING.sub(lambda match: "</strong></p>" if match.group(1) else "<p><strong>", str(html))
    )
