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
