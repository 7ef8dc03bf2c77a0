"""The registry's notion of "now" and "today", in the registry's time zone."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """The current time (aware)."""
    return timezone.now()


def local_date(at: datetime) -> date:
    """The calendar date of ``at`` in the registry's time zone (Asia/Shanghai by default)."""
    return timezone.localtime(at).date()
