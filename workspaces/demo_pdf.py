"""Small PDF files for the demo council's evidence library, written without a layout engine:
the research papers' text set in Helvetica, a few lines a page, which pypdf reads back for search.

WeasyPrint would do, but costs a second or more a paper; the demo builds in several tests."""

from __future__ import annotations

import textwrap

LINES_PER_PAGE = 44
WIDTH = 88  # characters a line at 11 points on a letter page


def _escaped(text: str) -> bytes:
    return (
        text.replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
        .encode("cp1252", "replace")
    )


def _lines(title: str, authors: str, paragraphs: list[str]) -> list[str]:
    lines = [*textwrap.wrap(title, WIDTH), authors, ""]
    for paragraph in paragraphs:
        lines += textwrap.wrap(paragraph, WIDTH) + [""]
    return lines


def make_pdf(title: str, authors: str, paragraphs: list[str]) -> bytes:
    """A valid PDF of the paper: its title, authors and paragraphs, page after page."""
    lines = _lines(title, authors, paragraphs)
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    return write_pdf(pages, info={"Title": title, "Author": authors})


def write_pdf(
    pages: list[list[str]], *, info: dict[str, str] | None = None, javascript: bool = False
) -> bytes:
    """A valid PDF with the given lines on each page (one blank page without any), its
    document information (`info`: Title, Author...) and, if asked, a script run on opening
    (which the evidence library must refuse)."""
    pages = pages or [[]]
    font = 3 + 2 * len(pages)
    extra = font
    kids = " ".join(f"{3 + 2 * n} 0 R" for n in range(len(pages)))
    opening = ""
    if javascript:
        extra += 1
        opening = f" /OpenAction {extra} 0 R"
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R{opening} >>".encode(),
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
    ]
    for n, page in enumerate(pages):
        content = (
            b"BT /F1 11 Tf 14 TL 64 740 Td "
            + b" ".join(b"(" + _escaped(line) + b") Tj T*" for line in page)
            + b" ET"
        )
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * n} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    if javascript:
        objects.append(b"<< /Type /Action /S /JavaScript /JS (app.alert\\('opened'\\);) >>")
    trailer = b"/Root 1 0 R"
    if info:
        entries = b" ".join(
            b"/" + key.encode("ascii") + b" (" + _escaped(value) + b")"
            for key, value in info.items()
        )
        objects.append(b"<< " + entries + b" >>")
        trailer += b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d " % (len(objects) + 1) + trailer
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
