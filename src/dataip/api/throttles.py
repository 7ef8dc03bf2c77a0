"""How many API requests a client may make per minute (接口限流), counted in the shared cache.

Two throttles of django-ninja's kind run on every route, after authentication: a token's
requests are counted per token (``DATAIP_LIMIT_API_TOKEN_PER_MINUTE``), requests without a token
per client address (``DATAIP_LIMIT_API_ANONYMOUS_PER_MINUTE``; the address as the last proxy
saw it when ``DATAIP_BEHIND_PROXY`` is set). Each count is a fixed window of one minute, kept
in the cache with an atomic add-then-increment, so it holds across app servers when the cache
is shared (``DATAIP_CACHE_URL``, Redis) and within one process on the local-memory cache.
Refused requests are answered by :func:`dataip.api.errors._throttled` (429, ``Retry-After``).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from dataip.api.auth import Caller

WINDOW = 60
"""Seconds of one counting window."""
now = time.time
"""The clock the windows are cut from (a test may hold it still)."""


def count_request(key: str) -> int:
    """Add one to the count under ``key`` in the current window and return the new count.

    ``add`` creates the count atomically (Redis ``SET NX``), ``incr`` raises it atomically;
    a count that lapsed between the two starts again."""
    window = int(now() // WINDOW)
    key = f"dataip:api-requests:{key}:{window}"
    if cache.add(key, 1, WINDOW * 2):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, WINDOW * 2)
        return 1


def seconds_to_next_window() -> int:
    """Whole seconds until the current window ends (at least one)."""
    return max(1, math.ceil(WINDOW - now() % WINDOW))


class _PerMinute(BaseThrottle):
    """A fixed one-minute window per identity; 0 in the setting turns the throttle off."""

    setting = ""

    def identity(self, request: HttpRequest) -> str | None:
        """Whom the request is counted for, or None when this throttle does not count it."""
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        """Count the request; False once the identity went over its limit in this window."""
        limit = int(getattr(settings, self.setting))
        identity = self.identity(request)
        if limit <= 0 or identity is None:
            return True
        return count_request(identity) <= limit

    def wait(self) -> float | None:
        """Seconds until the window ends and the count starts again."""
        return seconds_to_next_window()


class TokenThrottle(_PerMinute):
    """Requests made with an API token, per token."""

    setting = "DATAIP_LIMIT_API_TOKEN_PER_MINUTE"

    def identity(self, request: HttpRequest) -> str | None:
        caller = getattr(request, "auth", None)
        return f"token:{caller.token.pk}" if isinstance(caller, Caller) else None


class AddressThrottle(_PerMinute):
    """Requests made without a token (public routes), per client address."""

    setting = "DATAIP_LIMIT_API_ANONYMOUS_PER_MINUTE"

    def identity(self, request: HttpRequest) -> str | None:
        if getattr(request, "auth", None) is not None:
            return None
        return f"address:{self.get_ident(request) or 'unknown'}"


THROTTLES: list[BaseThrottle] = [TokenThrottle(), AddressThrottle()]
"""The throttles of every route of the API."""
