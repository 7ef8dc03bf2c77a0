"""The read side (查询): what each person may see, with the access check built in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from dataip.registry import clock
from dataip.registry.models import Application
from dataip.registry.workflow import Status


@dataclass(frozen=True)
class Figures:
    """Headline numbers for the home page."""

    applications: int
    under_publicity: int
    registered: int
    provinces: int
    industries: int


def registry_figures() -> Figures:
    """Counts over submitted applications and registrations (drafts are nobody's business)."""
    by_status = dict(
        Application.objects.exclude(status=Status.DRAFT)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    registered = Application.objects.filter(status__in=[Status.REGISTERED, Status.EXPIRED])
    return Figures(
        applications=sum(by_status.values()),
        under_publicity=by_status.get(Status.UNDER_PUBLICITY, 0),
        registered=by_status.get(Status.REGISTERED, 0),
        provinces=registered.values("product__province_code").distinct().count(),
        industries=registered.values("product__industry_code").distinct().count(),
    )


def current_announcements() -> list[Application]:
    """Applications under public announcement now, the soonest to end first."""
    today = clock.local_date(clock.now())
    return list(
        Application.objects.filter(status=Status.UNDER_PUBLICITY, announcement_ends__gte=today)
        .select_related("product", "filed_by")
        .order_by("announcement_ends", "id")
    )
