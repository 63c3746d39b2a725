"""Small PDF files written by hand for the evidence library's tests: one line of text per page
(Latin-1, in Helvetica, which pypdf reads back), and, if asked, a script run on opening."""

from __future__ import annotations


def _escaped(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def make_pdf(*lines: str, javascript: bool = False) -> bytes:
    """A valid PDF with one page per line of text (one blank page without any)."""
    lines = lines or ("",)
    font = 3 + 2 * len(lines)
    action = font + 1
    kids = " ".join(f"{3 + 2 * n} 0 R" for n in range(len(lines)))
    opening = f" /OpenAction {action} 0 R" if javascript else ""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R{opening} >>".encode(),
        f"<< /Type /Pages /Kids [{kids}] /Count {len(lines)} >>".encode(),
    ]
    for n, line in enumerate(lines):
        content = b"BT /F1 12 Tf 72 720 Td (" + _escaped(line) + b") Tj ET"
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
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
