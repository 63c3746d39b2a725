"""Small PDF files for the evidence library's tests: one line of text per page (written by the
demo's PDF writer, in Helvetica, which pypdf reads back), and, if asked, a script run on opening."""

from __future__ import annotations

from workspaces.demo_pdf import write_pdf


def make_pdf(*lines: str, javascript: bool = False) -> bytes:
    """A valid PDF with one page per line of text (one blank page without any)."""
    return write_pdf([[line] for line in lines], javascript=javascript)
