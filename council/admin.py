"""The secretariat's area: seats, people, working groups and who sits in them."""

from __future__ import annotations


def routes() -> list:
    return []
