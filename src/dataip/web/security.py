"""Security of the pages: a strict Content-Security-Policy and sign-in throttling.

The policy allows nothing but the site's own files: no inline script or style, no other
origin, no framing. Every page's script and style is a static file under ``web/static/web/``.
Throttling counts failed sign-ins per user name and client address in the cache (the local
memory cache of one process by default; a deployment with several app servers points
``CACHES`` at a shared cache so the count is shared too).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send the policy with every response (unless a view has set its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


def client_address(request: HttpRequest) -> str:
    """The client's address as the server sees it (behind a proxy: the proxy's view of it)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def _key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.casefold()}\0{address}".encode()).hexdigest()
    return f"dataip:login-failures:{digest}"


def login_blocked(username: str, address: str) -> bool:
    """True while this user name has failed too often from this address."""
    return int(cache.get(_key(username, address), 0)) >= settings.DATAIP_LOGIN_ATTEMPTS


def login_failed(username: str, address: str) -> None:
    """Count a failed sign-in; the count lapses after the pause."""
    key = _key(username, address)
    if cache.add(key, 1, settings.DATAIP_LOGIN_PAUSE):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.DATAIP_LOGIN_PAUSE)


def login_succeeded(username: str, address: str) -> None:
    """Forget the failures of this user name from this address."""
    cache.delete(_key(username, address))
