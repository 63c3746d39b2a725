"""Numbers of published records (recommendations, chair's statements, reports): the next one of
their series, per working group (or the council) and year, given once and never reused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from council.errors import Conflict

ATTEMPTS = 20


def insert_numbered(
    session: Session,
    row: Any,
    *,
    series: list[Any],
    year: int,
    number: Callable[[int], str],
    failure: str,
    prepare: Callable[[], None] | None = None,
) -> None:
    """Give `row` (a model with `year`, `sequence` and `number`, new or already stored) the
    next sequence of `year` in `series` (the conditions naming its series) and store it.

    Two publications racing for a number both get one: the unique constraint refuses the
    second, whose savepoint is rolled back, and it takes the following number. After
    ATTEMPTS lost races, `failure` is the 409's message.

    Every change to the row is made inside the savepoint (begin_nested flushes what is
    pending before it starts, and a refused flush there would end the whole transaction):
    `prepare` makes the row's other changes, again at each attempt."""
    model = type(row)
    stored = row.id is not None
    conditions = [*series, model.year == year]
    if stored:
        conditions.append(model.id != row.id)
    for _attempt in range(ATTEMPTS):
        last = session.exec(select(func.max(model.sequence)).where(*conditions)).one()
        sequence = (last or 0) + 1
        code = number(sequence)
        try:
            with session.begin_nested():
                if prepare is not None:
                    prepare()
                row.year, row.sequence, row.number = year, sequence, code
                session.add(row)
                session.flush()
            return
        except IntegrityError:
            if not stored:  # the refused insert leaves a transient row to add again
                if row in session:
                    session.expunge(row)
                row.id = None
    raise Conflict(failure)
