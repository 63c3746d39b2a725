"""What typed text may hold. C0 control characters other than tab, line feed and carriage
return are refused wherever text comes in: no keyboard types them, PostgreSQL refuses NUL, and
XML 1.0 (the Atom feeds) refuses them all."""

from __future__ import annotations

import re

from council.i18n import gettext as _

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_control(value: str) -> bool:
    return CONTROL.search(value) is not None


def control_message() -> str:
    return _(
        "This text contains invisible control characters, which it cannot hold. Remove "
        "them (they often come with text copied from another program) and send it again."
    )


def removed_control_message() -> str:
    return _(
        "This text contained invisible control characters, which it cannot hold (they "
        "often come with text copied from another program). They are removed below: check "
        "the text and send it again."
    )


def without_control(value: str) -> str:
    return CONTROL.sub("", value)


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids, so that a document always parses
    whatever was stored before they were refused."""
    return XML_FORBIDDEN.sub("", text)
