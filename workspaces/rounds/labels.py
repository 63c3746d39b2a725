"""What a position's choice and a round's outcome are called on the pages."""

from __future__ import annotations

from council.i18n import gettext as _
from workspaces.decisions import Choice, Outcome


def choice_label(choice: str) -> str:
    return {
        Choice.SUPPORT: _("Support"),
        Choice.SUPPORT_WITH_RESERVATION: _("Support with a reservation"),
        Choice.ABSTAIN: _("Abstain"),
        Choice.OBJECT: _("Object"),
    }.get(choice, choice)


def outcome_label(outcome: str | None) -> str:
    return {
        Outcome.ADOPTED: _("Adopted"),
        Outcome.NOT_ADOPTED: _("Not adopted"),
        Outcome.NO_QUORUM: _("No quorum"),
    }.get(outcome, outcome or "")
