"""Day counting for registry periods: calendar days, or PRC working days (工作日).

Working days follow the State Council's holiday arrangements as published in the
``chinese_calendar`` package: weekends and statutory holidays are skipped, and make-up working
days on a weekend (调休上班) count as working days.

``chinese_calendar`` only has data for a range of years (see :func:`calendar_covers`); it is
updated once a year when the next year's arrangement is published. Outside that range this
module falls back to Monday–Friday, which ignores holidays and make-up days. Keep the package
up to date so deadlines in the coming year are right.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar

__all__ = ["DayUnit", "add_days", "calendar_covers", "is_working_day"]


class DayUnit(StrEnum):
    """How a period's length is counted."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


def calendar_covers(year: int) -> bool:
    """Return whether ``chinese_calendar`` has the holiday arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: date) -> bool:
    """Return whether ``day`` is a PRC working day.

    Weekends and statutory holidays are not; make-up working weekends are. For a year that
    ``chinese_calendar`` does not cover, Monday–Friday are working days (holidays unknown).
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_days(start: date, count: int, unit: DayUnit) -> date:
    """Return the last day of a period of ``count`` days of ``unit`` that follows ``start``.

    As in the PRC Civil Code's rule for periods counted in days, the day of the triggering event
    is not counted: the period begins the day after ``start`` and the result is its last day,
    the day on which the period ends.

    * Calendar days: ``start + count`` days, e.g. 15 calendar days from 2026-01-01 end on
      2026-01-16.
    * Working days: the ``count``-th working day after ``start`` (see :func:`is_working_day`),
      e.g. 10 working days from Friday 2025-09-26 end on 2025-10-16, because the National Day
      holiday 2025-10-01..08 is skipped and Sunday 2025-09-28 and Saturday 2025-10-11 are make-up
      working days that count.

    ``count`` 0 returns ``start``; a negative ``count`` raises ValueError.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    unit = DayUnit(unit)
    if unit is DayUnit.CALENDAR_DAYS:
        return start + timedelta(days=count)
    day = start
    remaining = count
    one_day = timedelta(days=1)
    while remaining:
        day += one_day
        if is_working_day(day):
            remaining -= 1
    return day
