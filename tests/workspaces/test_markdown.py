import re
from html.parser import HTMLParser

import pytest

from workspaces.markdown import readable, render_markdown

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](&#106;avascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "![i](javascript:alert(1))",
    "![i](data:image/png;base64,iVBORw0KGgo=)",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
    "[x](vbscript:msgbox)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox>",
    '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "> <script>alert(1)</script>\n> - [x](javascript:alert(1))",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> [x](javascript:alert(1)) |",
]

SAFE_SCHEMES = {None, "http", "https", "mailto"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see (it drops tabs/newlines and surrounding controls)."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_xss_payload_does_not_survive_rendering(source: str) -> None:
    html = render_markdown(source)

    assert "<script" not in html.lower()
    for tag, attrs in elements(html):
        assert tag not in {"script", "img", "iframe", "svg", "style", "object", "embed"}
        for name, value in attrs.items():
            assert not name.startswith("on")
            if name in {"href", "src"}:
                assert url_scheme(value or "") in SAFE_SCHEMES, value
                assert "javascript:" not in (value or "").lower()


def test_raw_html_is_shown_as_text() -> None:
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_emphasis_strong_strikethrough_and_code_render() -> None:
    html = render_markdown("*em* **strong** ~~gone~~ `x < y`")

    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<s>gone</s>" in html
    assert "<code>x &lt; y</code>" in html


def test_https_and_mailto_links_render_with_safe_rel() -> None:
    html = render_markdown('[site](https://example.org "Title") and <someone@example.org>')

    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert links == [
        {"href": "https://example.org", "title": "Title", "rel": "nofollow noopener noreferrer"},
        {"href": "mailto:someone@example.org", "rel": "nofollow noopener noreferrer"},
    ]


def test_reference_links_resolve() -> None:
    html = render_markdown("See [the report][r].\n\n[r]: https://example.org/report")

    assert '<a href="https://example.org/report"' in html


def test_image_becomes_a_link_to_the_image() -> None:
    html = render_markdown("![Chart of arrivals](https://example.org/chart.png)")

    assert "<img" not in html
    assert '<a href="https://example.org/chart.png"' in html
    assert ">Chart of arrivals</a>" in html


def test_lists_render_including_ordered_start() -> None:
    assert render_markdown("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
    assert render_markdown("3. c\n4. d").startswith('<ol start="3">\n<li>c</li>')


def test_table_renders_with_alignment() -> None:
    html = render_markdown("| Left | Right |\n|:-----|------:|\n| 1 | 2 |")

    assert "<table>" in html
    assert '<th align="left">Left</th>' in html
    assert '<td align="right">2</td>' in html
    assert "style=" not in html


def test_headings_are_demoted_below_the_page_headings() -> None:
    html = render_markdown("# One\n\n## Two\n\n### Three\n\n#### Four\n\n###### Six")

    assert [tag for tag, _ in elements(html)] == ["h3", "h4", "h5", "h6", "h6"]


def test_fenced_code_keeps_text_escaped_without_language_class() -> None:
    html = render_markdown("```python\nif a < b:\n    pass\n```")

    assert html == "<pre><code>if a &lt; b:\n    pass\n</code></pre>\n"


def test_empty_text_renders_nothing() -> None:
    assert render_markdown("") == ""
    assert render_markdown("  \n\n ") == ""


@pytest.mark.parametrize(
    ("markdown", "words"),
    [
        ("## Measures *now*", "Measures now"),
        ("- **Bold** item, [a link](https://example.org) &amp; more", "Bold item, a link & more"),
        ("1. First line\n   still first\n\n   Second part", "First line still first Second part"),
        ("> quoted\n> - item", "quoted item"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2"),
        ("Line one  \nline two", "Line one line two"),
        ("---", ""),
    ],
)
def test_readable_text_has_no_markdown_marks_or_tags(markdown: str, words: str) -> None:
    assert readable(render_markdown(markdown)) == words
