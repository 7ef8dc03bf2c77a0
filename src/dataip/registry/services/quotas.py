"""Quotas (配额): how many of a kind of record one party may make, counted on the database.

Each check runs inside the transaction that would make the record, after the row that
serialises such records is locked (the application for objections, the organisation for
drafts), so two app servers cannot both let the last one through; a refused request makes
nothing. The limits are settings of the deployment (``DATAIP_LIMIT_*``; 0: no limit).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from math import ceil

from django.conf import settings
from django.utils import timezone

from dataip.accounts.models import User
from dataip.errors import RateLimited, gettext_noop
from dataip.registry.models import Application, Objection


def check_objections(application: Application, objector: User) -> None:
    """Refuse a further objection once ``objector`` has filed the most one person may file
    against this announcement (``DATAIP_LIMIT_OBJECTIONS_PER_ANNOUNCEMENT``).

    The quota lasts as long as the announcement: waiting does not lift it, so the refusal
    names no time to try again."""
    limit = settings.DATAIP_LIMIT_OBJECTIONS_PER_ANNOUNCEMENT
    if limit <= 0:
        return
    filed = Objection.objects.filter(application=application, objector=objector).count()
    if filed >= limit:
        raise RateLimited(
            gettext_noop(
                "You have filed as many objections to this announcement as one person may "
                "(%(most)s); no further objection to it is accepted."
            ),
            limit="objections_per_announcement",
            retry_after=None,
            most=limit,
        )


def check_drafts(holder_id: int, *, now: datetime | None = None) -> None:
    """Refuse a further draft once the organisation has started its daily quota of
    applications (``DATAIP_LIMIT_DRAFTS_PER_DAY``), counted per calendar day in the registry's
    time zone; the refusal says how long until midnight, when the count starts again.

    Call it with the organisation's row locked, in the transaction that creates the draft."""
    limit = settings.DATAIP_LIMIT_DRAFTS_PER_DAY
    if limit <= 0:
        return
    now = timezone.localtime(now or timezone.now())
    midnight = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    started = Application.objects.filter(filed_by_id=holder_id, created_at__gte=midnight).count()
    if started >= limit:
        tomorrow = midnight + timedelta(days=1)
        raise RateLimited(
            gettext_noop(
                "Your organisation has started as many applications today as it may in a day "
                "(%(most)s); start the next one tomorrow."
            ),
            limit="drafts_per_day",
            retry_after=ceil((tomorrow - now).total_seconds()),
            most=limit,
        )
