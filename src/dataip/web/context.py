"""What every page's template may show: the signed-in person's unread notices (the header)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dataip.registry.queries.notifications import unread_count
from dataip.web.access import signed_in_user


def notifications(request: HttpRequest) -> dict[str, object]:
    """``unread_notices``: counted (one indexed query) only when a template shows it."""
    user = signed_in_user(request)
    if user is None:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: unread_count(user.pk))}


def site(request: HttpRequest) -> dict[str, object]:
    """The footer's settings (``DATAIP_SITE_CONTACT``, ``…_HOURS``, ``…_RECORD_NUMBER``; empty
    ones are not shown) and the page's breadcrumbs (``web/breadcrumbs.py``)."""
    from django.conf import settings

    from dataip.web.breadcrumbs import breadcrumbs_for

    return {
        "site_contact": getattr(settings, "DATAIP_SITE_CONTACT", ""),
        "site_hours": getattr(settings, "DATAIP_SITE_HOURS", ""),
        "site_record_number": getattr(settings, "DATAIP_SITE_RECORD_NUMBER", ""),
        "breadcrumbs": SimpleLazyObject(lambda: breadcrumbs_for(request)),
    }
