"""Calendar and PRC working-day arithmetic, checked against real holiday arrangements."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from dataip.registry.calendar import DayUnit, add_days, calendar_covers, is_working_day

CAL = DayUnit.CALENDAR_DAYS
WORK = DayUnit.WORKING_DAYS


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_it_counts_calendar_days_from_the_day_after_start() -> None:
    assert add_days(date(2026, 1, 1), 15, CAL) == date(2026, 1, 16)
    assert add_days(date(2026, 1, 1), 30, CAL) == date(2026, 1, 31)
    assert add_days(date(2028, 2, 28), 1, CAL) == date(2028, 2, 29)
    assert add_days(date(2025, 12, 25), 10, CAL) == date(2026, 1, 4)


def test_it_returns_the_start_for_zero_days_and_refuses_negative_counts() -> None:
    assert add_days(date(2025, 10, 1), 0, CAL) == date(2025, 10, 1)
    assert add_days(date(2025, 10, 1), 0, WORK) == date(2025, 10, 1)
    with pytest.raises(ValueError, match="negative"):
        add_days(date(2025, 10, 1), -1, WORK)


def test_it_knows_the_hand_checked_national_day_2025_arrangement() -> None:
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October were worked.
    assert date(2025, 9, 28).weekday() == 6
    assert date(2025, 10, 11).weekday() == 5
    assert is_working_day(date(2025, 9, 28))
    assert is_working_day(date(2025, 10, 11))
    assert not any(is_working_day(d) for d in _days(date(2025, 10, 1), date(2025, 10, 8)))
    assert is_working_day(date(2025, 10, 9))
    assert not is_working_day(date(2025, 10, 12))  # an ordinary Sunday


def test_it_skips_national_day_2025_and_counts_make_up_days() -> None:
    # From Friday 26 September: 28 Sep (make-up), 29, 30, [1–8 Oct off], 9, 10, 11 (make-up),
    # 13, 14, 15, 16 — the 10th working day is Thursday 16 October.
    assert add_days(date(2025, 9, 26), 1, WORK) == date(2025, 9, 28)
    assert add_days(date(2025, 9, 26), 3, WORK) == date(2025, 9, 30)
    assert add_days(date(2025, 9, 26), 4, WORK) == date(2025, 10, 9)
    assert add_days(date(2025, 9, 26), 6, WORK) == date(2025, 10, 11)
    assert add_days(date(2025, 9, 26), 10, WORK) == date(2025, 10, 16)


def test_it_skips_spring_festival_2025() -> None:
    # 2025: 28 January – 4 February off; Sunday 26 January and Saturday 8 February worked.
    assert is_working_day(date(2025, 1, 26))
    assert is_working_day(date(2025, 2, 8))
    assert not any(is_working_day(d) for d in _days(date(2025, 1, 28), date(2025, 2, 4)))
    assert add_days(date(2025, 1, 24), 1, WORK) == date(2025, 1, 26)
    assert add_days(date(2025, 1, 24), 3, WORK) == date(2025, 2, 5)
    assert add_days(date(2025, 1, 24), 6, WORK) == date(2025, 2, 8)


def test_it_skips_spring_festival_2026() -> None:
    # 2026: 15–23 February off; Saturdays 14 and 28 February worked.
    assert is_working_day(date(2026, 2, 14))
    assert is_working_day(date(2026, 2, 28))
    assert not any(is_working_day(d) for d in _days(date(2026, 2, 15), date(2026, 2, 23)))
    assert add_days(date(2026, 2, 6), 6, WORK) == date(2026, 2, 14)
    assert add_days(date(2026, 2, 6), 7, WORK) == date(2026, 2, 24)
    assert add_days(date(2026, 2, 6), 10, WORK) == date(2026, 2, 27)
    assert add_days(date(2026, 2, 6), 11, WORK) == date(2026, 2, 28)
    # From Friday 13 February: 14 (make-up), [15–23 off], 24, 25, 26, 27, 28 (make-up), 2, 3, 4,
    # 5 March — 20 calendar days for 10 working days.
    assert add_days(date(2026, 2, 13), 10, WORK) == date(2026, 3, 5)


def test_it_agrees_with_chinese_calendar_on_every_day_of_2025_and_2026() -> None:
    for day in _days(date(2025, 1, 1), date(2026, 12, 31)):
        assert is_working_day(day) == chinese_calendar.is_workday(day), day


@pytest.mark.parametrize(
    "start", [date(2025, 1, 20), date(2025, 9, 26), date(2025, 12, 31), date(2026, 2, 1)]
)
@pytest.mark.parametrize("count", [1, 5, 10, 15, 20])
def test_it_ends_on_the_nth_working_day_as_chinese_calendar_counts_them(
    start: date, count: int
) -> None:
    end = add_days(start, count, WORK)
    assert chinese_calendar.is_workday(end)
    assert len(chinese_calendar.get_workdays(start + timedelta(days=1), end)) == count


def test_it_reports_which_years_chinese_calendar_covers() -> None:
    assert calendar_covers(2025)
    assert calendar_covers(2026)
    assert not calendar_covers(2003)
    assert not calendar_covers(2099)


def test_it_falls_back_to_monday_to_friday_for_years_without_data() -> None:
    assert not calendar_covers(2099)
    # 1 January 2099 is a Thursday: a holiday in practice, but unknown to the data.
    assert date(2099, 1, 1).weekday() == 3
    assert is_working_day(date(2099, 1, 1))
    assert not is_working_day(date(2099, 1, 3))  # Saturday
    assert add_days(date(2099, 1, 1), 2, WORK) == date(2099, 1, 5)
    assert add_days(date(2099, 1, 2), 10, WORK) == date(2099, 1, 16)


def test_it_accepts_the_unit_as_its_string_value() -> None:
    assert DayUnit("working_days") is WORK
    assert DayUnit("calendar_days") is CAL
    assert add_days(date(2025, 9, 26), 10, DayUnit("working_days")) == date(2025, 10, 16)
