"""Render user-written Markdown to HTML that is safe to store and show as-is.

Drafts are rendered once, at write time, and pages output the stored HTML without
escaping; so everything here must produce HTML that cannot run script, whatever
the author typed. markdown-it-py ignores raw HTML (html=False) and nh3 then
allow-lists the tags, attributes and URL schemes that plain Markdown produces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from html.parser import HTMLParser
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

References = Mapping[str, Any]  # markdown-it's env["references"]: label -> href and title

ALLOWED_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
        "pre", "code", "em", "strong", "del", "s", "a", "table", "thead", "tbody",
        "tr", "th", "td", "hr", "br",
    }
)  # fmt: skip
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

# The page owns h1 and h2; a draft's headings start at h3.
_DEMOTED_HEADING = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}
_ALIGNMENTS = frozenset({"left", "center", "right"})
_INLINE_TAGS = frozenset({"em", "strong", "del", "s", "a", "code"})
"""Tags inside a line of text; the others separate words (readable())."""

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    tag_attribute_values={"th": {"align": set(_ALIGNMENTS)}, "td": {"align": set(_ALIGNMENTS)}},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
)


def _render_image_as_link(
    renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict
) -> str:
    """Images are not allowed on pages, so show the alt text as a link to the image."""
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env) or "image"
    src = escape(str(token.attrGet("src") or ""))
    return f'<a href="{src}">{escape(alt)}</a>'


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.add_render_rule("image", _render_image_as_link)
    return md


_md = _build_parser()


def _adjust_tokens(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = _DEMOTED_HEADING[token.tag]
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrGet("style") or "")
            token.attrs.pop("style", None)
            if style.startswith("text-align:"):
                token.attrSet("align", style.removeprefix("text-align:"))


def link_references(text: str) -> References:
    """The link reference definitions of a document, to render its blocks one by one."""
    env: dict[str, Any] = {}
    _md.parse(text, env)
    return env.get("references", {})


def render_markdown(text: str, references: References | None = None) -> str:
    """Safe HTML for `text`; `references` resolves [text][label] links defined elsewhere."""
    env: dict[str, Any] = {"references": dict(references)} if references else {}
    tokens = _md.parse(text, env)
    _adjust_tokens(tokens)
    html = _md.renderer.render(tokens, _md.options, env)
    return _cleaner.clean(html)


def readable(html: str) -> str:
    """The words of rendered `html` as a reader sees them, without tags or Markdown marks:
    entities unescaped, blocks (paragraphs, list items, cells) separated by one space."""
    parser = _Words()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


class _Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _INLINE_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
