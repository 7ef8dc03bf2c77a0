"""Sign-in throttling (登录限制) with django-axes: per user name and address, and per address.

Every failed sign-in (a wrong password on the portal or at ``/admin/login/``, a right password
for a non-staff account at ``/admin/login/``, a wrong second-factor code) is one failure, kept in
the database (``axes.AccessAttempt``; SQLite or PostgreSQL, shared by every app server). A user
name is paused from an address after ``DATAIP_LOGIN_ATTEMPTS`` failures; an address is paused
for every user name after ``DATAIP_LOGIN_ADDRESS_ATTEMPTS`` failures across user names (password
spraying). A pause lasts ``DATAIP_LOGIN_PAUSE`` seconds after the last failure.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.http import HttpRequest


def attempts(request: HttpRequest | None = None, credentials: Any = None) -> int:
    """The failure limit axes compares with (per user name and address)."""
    return int(settings.DATAIP_LOGIN_ATTEMPTS)


def pause(request: HttpRequest | None = None) -> timedelta:
    """How long a locked-out user name or address is refused."""
    return timedelta(seconds=int(settings.DATAIP_LOGIN_PAUSE))


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The user name counted: case-folded, so that ``Alice`` and ``alice`` count together."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username")
    return str(name).strip().casefold() if name else None


class SignInAttempts(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler with a limit of its own for the address alone.

    Axes compares one number with one limit; ``get_failures`` gives it the larger of the user
    name's failures from the address and the address's failures scaled to that limit
    (``address × ATTEMPTS // ADDRESS_ATTEMPTS`` reaches ``ATTEMPTS`` exactly when the address
    reaches ``ADDRESS_ATTEMPTS``).
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counts = [
            found.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for found in self.get_user_attempts(request, credentials)
        ]
        if not counts:
            return 0
        per_name = counts[0]
        per_address = counts[-1] if len(counts) > 1 else 0
        scaled = per_address * attempts() // max(int(settings.DATAIP_LOGIN_ADDRESS_ATTEMPTS), 1)
        return max(per_name, scaled)

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        """After a right password, forget this user name's failures from this address (not the
        address's failures under other names: a sprayer's own account must not clear them)."""
        super().user_logged_in(sender, request, user, **kwargs)
        name = username_of(request, {"username": user.get_username()})
        AccessAttempt.objects.filter(
            username=name, ip_address=getattr(request, "axes_ip_address", None)
        ).delete()


def is_locked_out(request: HttpRequest, username: str) -> bool:
    """Whether this user name, or the request's address, is paused now."""
    return bool(AxesProxyHandler.is_locked(request, {"username": username}))


def count_failure(request: HttpRequest, username: str) -> bool:
    """Count one failed sign-in step (the same signal Django sends for a wrong password);
    return whether it locked the user name or address out."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def retry_after(request: HttpRequest) -> int:
    """Seconds to wait before trying again (the whole pause: it runs from the last failure)."""
    return int(pause(request).total_seconds())
