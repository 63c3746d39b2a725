from datetime import UTC, datetime, timedelta

import pytest

from council.rotation import (
    PlannedTerm,
    add_months,
    next_in_order,
    terms_until,
    upcoming,
    vice_chair,
)

ORDER = [10, 20, 30, 40]
ALL = set(ORDER)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


# next in order


@pytest.mark.parametrize(
    ("current", "present", "expected"),
    [
        pytest.param(10, ALL, 20, id="next"),
        pytest.param(40, ALL, 10, id="wraps around"),
        pytest.param(10, {10, 30, 40}, 30, id="skips a departed seat"),
        pytest.param(30, {10, 20, 30}, 10, id="skips a departed seat across the wrap"),
        pytest.param(20, {20}, 20, id="only seat left chairs again"),
        pytest.param(20, set(), None, id="nobody present"),
        pytest.param(20, {10, 30}, 30, id="current seat itself departed"),
        pytest.param(None, ALL, 10, id="no chair yet starts at the top"),
        pytest.param(None, {30, 40}, 30, id="no chair yet skips departed seats"),
        pytest.param(99, {20, 30}, 20, id="seat outside the order starts at the top"),
        pytest.param(10, {10, 20, 99}, 20, id="present seats outside the order never chair"),
    ],
)
def test_next_in_order(current, present, expected) -> None:
    assert next_in_order(ORDER, current, present) == expected


def test_empty_order_has_no_next_seat() -> None:
    assert next_in_order([], None, ALL) is None
    assert next_in_order([], 10, ALL) is None
    assert upcoming([], ALL, None, at(2026, 1, 1), 6, 3) == []
    assert terms_until((10, at(2025, 1, 1), at(2025, 7, 1)), [], ALL, 6, at(2026, 1, 1)) == []
    assert vice_chair([], ALL, 10) is None


# months


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        pytest.param(at(2026, 1, 15), 1, at(2026, 2, 15), id="mid-month"),
        pytest.param(at(2026, 1, 31), 1, at(2026, 2, 28), id="jan 31 to feb 28"),
        pytest.param(at(2028, 1, 31), 1, at(2028, 2, 29), id="jan 31 to feb 29 in a leap year"),
        pytest.param(at(2026, 3, 31), 1, at(2026, 4, 30), id="31st to a 30-day month"),
        pytest.param(at(2026, 8, 31), 6, at(2027, 2, 28), id="across the year end"),
        pytest.param(at(2026, 11, 30), 2, at(2027, 1, 30), id="into january"),
        pytest.param(at(2026, 12, 1), 12, at(2027, 12, 1), id="a year"),
        pytest.param(at(2026, 3, 31), -1, at(2026, 2, 28), id="backwards"),
        pytest.param(at(2026, 5, 10), 0, at(2026, 5, 10), id="zero"),
    ],
)
def test_add_months(moment, months, expected) -> None:
    assert add_months(moment, months) == expected


def test_add_months_keeps_time_and_zone() -> None:
    moment = datetime(2026, 1, 31, 23, 59, 58, 123, tzinfo=UTC)

    assert add_months(moment, 1) == datetime(2026, 2, 28, 23, 59, 58, 123, tzinfo=UTC)


# automatic turnover


def test_no_automatic_term_while_the_last_one_runs() -> None:
    last = (10, at(2026, 1, 1), at(2026, 7, 1))

    assert terms_until(last, ORDER, ALL, 6, at(2026, 6, 30, 23)) == []


def test_next_seat_takes_over_at_the_exact_end() -> None:
    last = (10, at(2026, 1, 1), at(2026, 7, 1))

    assert terms_until(last, ORDER, ALL, 6, at(2026, 7, 1)) == [
        PlannedTerm(20, at(2026, 7, 1), at(2027, 1, 1), automatic=True),
    ]


def test_one_second_before_the_end_the_old_term_still_runs() -> None:
    last = (10, at(2026, 1, 1), at(2026, 7, 1))

    assert terms_until(last, ORDER, ALL, 6, at(2026, 7, 1) - timedelta(seconds=1)) == []


def test_turnover_across_several_missed_terms_wraps_and_skips_departed() -> None:
    last = (30, at(2024, 1, 1), at(2024, 7, 1))

    planned = terms_until(last, ORDER, {10, 30, 40}, 6, at(2026, 3, 1))

    assert planned == [
        PlannedTerm(40, at(2024, 7, 1), at(2025, 1, 1)),
        PlannedTerm(10, at(2025, 1, 1), at(2025, 7, 1)),
        PlannedTerm(30, at(2025, 7, 1), at(2026, 1, 1)),
        PlannedTerm(40, at(2026, 1, 1), at(2026, 7, 1)),
    ]
    assert planned[-1].starts_at <= at(2026, 3, 1) < planned[-1].ends_at


def test_turnover_dates_do_not_drift_from_a_month_end() -> None:
    last = (10, at(2025, 12, 1), at(2026, 1, 31))

    planned = terms_until(last, ORDER, ALL, 1, at(2026, 4, 15))

    assert [(t.starts_at, t.ends_at) for t in planned] == [
        (at(2026, 1, 31), at(2026, 2, 28)),
        (at(2026, 2, 28), at(2026, 3, 31)),
        (at(2026, 3, 31), at(2026, 4, 30)),
    ]
    assert [t.seat_id for t in planned] == [20, 30, 40]
    assert all(t.automatic for t in planned)


def test_handover_to_a_non_next_seat_continues_from_that_seat() -> None:
    """Seat 20 declined its turn, so 10 handed over to 30; the rotation goes on after 30."""
    handed_over = (30, at(2026, 2, 10), at(2026, 8, 10))

    planned = terms_until(handed_over, ORDER, ALL, 6, at(2027, 3, 1))

    assert [t.seat_id for t in planned] == [40, 10]
    assert planned[0].starts_at == at(2026, 8, 10)
    assert upcoming(ORDER, ALL, 30, at(2026, 8, 10), 6, 2)[0].seat_id == 40


def test_nobody_left_to_take_over() -> None:
    last = (10, at(2026, 1, 1), at(2026, 7, 1))

    assert terms_until(last, ORDER, set(), 6, at(2027, 1, 1)) == []


def test_the_only_seat_left_keeps_the_chair_term_after_term() -> None:
    last = (10, at(2026, 1, 1), at(2026, 7, 1))

    planned = terms_until(last, ORDER, {10}, 6, at(2027, 2, 1))

    assert [(t.seat_id, t.ends_at) for t in planned] == [(10, at(2027, 1, 1)), (10, at(2027, 7, 1))]


@pytest.mark.parametrize("term_length", [0, -6])
def test_a_term_lasts_at_least_a_month(term_length) -> None:
    with pytest.raises(ValueError, match="month"):
        terms_until((10, at(2026, 1, 1), at(2026, 2, 1)), ORDER, ALL, term_length, at(2026, 3, 1))
    with pytest.raises(ValueError, match="month"):
        upcoming(ORDER, ALL, 10, at(2026, 2, 1), term_length, 2)


# whose turn is next


def test_upcoming_terms_with_dates() -> None:
    assert upcoming(ORDER, {10, 20, 40}, 20, at(2026, 8, 31), 24, 3) == [
        PlannedTerm(40, at(2026, 8, 31), at(2028, 8, 31)),
        PlannedTerm(10, at(2028, 8, 31), at(2030, 8, 31)),
        PlannedTerm(20, at(2030, 8, 31), at(2032, 8, 31)),
    ]


def test_upcoming_month_end_dates_do_not_drift() -> None:
    ends = [t.ends_at for t in upcoming(ORDER, ALL, 10, at(2026, 8, 31), 6, 3)]

    assert ends == [at(2027, 2, 28), at(2027, 8, 31), at(2028, 2, 29)]


def test_upcoming_without_chair_starts_at_the_top() -> None:
    assert [t.seat_id for t in upcoming(ORDER, ALL, None, at(2026, 1, 1), 6, 2)] == [10, 20]


def test_upcoming_with_nobody_present_or_no_count() -> None:
    assert upcoming(ORDER, set(), 10, at(2026, 1, 1), 6, 3) == []
    assert upcoming(ORDER, ALL, 10, at(2026, 1, 1), 6, 0) == []


# vice chair


@pytest.mark.parametrize(
    ("chair", "present", "expected"),
    [
        pytest.param(10, ALL, 20, id="next seat"),
        pytest.param(40, ALL, 10, id="wraps around"),
        pytest.param(10, {10, 30}, 30, id="skips a departed seat"),
        pytest.param(10, {10}, None, id="no other seat"),
        pytest.param(None, ALL, None, id="no chair"),
    ],
)
def test_vice_chair(chair, present, expected) -> None:
    assert vice_chair(ORDER, present, chair) == expected
