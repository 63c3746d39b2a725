"""Rounds: a time-boxed comment or decision step on one revision of a draft.

- `acts`: what changes a round (open, cast, statement, extend, close, settle) and the
  worker's job that stores the close of rounds past their deadline;
- `reading`: finding rounds, and reading them as the clock leaves them (`as_of`);
- `sealing`: what a close records, computed once for both;
- `pages`: what the round page and the panels show;
- `labels`: the names of choices and outcomes.

`from workspaces import rounds` gives them all: `rounds.cast_position`, `rounds.as_of`, ...
"""

from workspaces.rounds.acts import (
    CHAIR_STATEMENT_DAYS,
    JOBS,
    LONGEST,
    MAX_NOTE,
    MAX_REASON,
    MAX_STATEMENT,
    MAX_TEXT,
    PositionForm,
    RoundClosed,
    add_chair_statement,
    cast_position,
    chair_statement_until,
    check_chair_statement_open,
    close_due_rounds,
    close_round,
    deadline_input,
    default_deadline,
    extend_deadline,
    may_add_chair_statement,
    open_round,
    parse_deadline,
    settle_expired,
    submit_statement,
)
from workspaces.rounds.labels import choice_label, outcome_label
from workspaces.rounds.pages import (
    OpenRound,
    PositionView,
    RoundPage,
    StatementView,
    open_round_counts,
    open_rounds_for,
    own_statement,
    round_page,
)
from workspaces.rounds.reading import (
    accepting,
    adopted_round,
    any_expired,
    as_of,
    comment_round_id,
    comment_sealed,
    draft_as_of,
    draft_rounds,
    get_round,
    open_round_of,
    past_deadline,
    round_comment_count,
    summaries_as_of,
)
from workspaces.rounds.sealing import Closing, closing_of, decided_closing, rule_settings

_settings = rule_settings  # the name tests/workspaces/test_round_concurrency.py imports

__all__ = [
    "CHAIR_STATEMENT_DAYS",
    "JOBS",
    "LONGEST",
    "MAX_NOTE",
    "MAX_REASON",
    "MAX_STATEMENT",
    "MAX_TEXT",
    "Closing",
    "OpenRound",
    "PositionForm",
    "PositionView",
    "RoundClosed",
    "RoundPage",
    "StatementView",
    "accepting",
    "add_chair_statement",
    "adopted_round",
    "any_expired",
    "as_of",
    "cast_position",
    "chair_statement_until",
    "check_chair_statement_open",
    "choice_label",
    "close_due_rounds",
    "close_round",
    "closing_of",
    "comment_round_id",
    "comment_sealed",
    "deadline_input",
    "decided_closing",
    "default_deadline",
    "draft_as_of",
    "draft_rounds",
    "extend_deadline",
    "get_round",
    "may_add_chair_statement",
    "open_round",
    "open_round_counts",
    "open_round_of",
    "open_rounds_for",
    "outcome_label",
    "own_statement",
    "parse_deadline",
    "past_deadline",
    "round_comment_count",
    "round_page",
    "rule_settings",
    "settle_expired",
    "submit_statement",
    "summaries_as_of",
]
