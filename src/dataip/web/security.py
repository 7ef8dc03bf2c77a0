"""Security of the pages: a strict Content-Security-Policy, and the client's address.

The policy allows nothing but the site's own files: no inline script or style, no other
origin, no framing. Every page's script and style is a static file under ``web/static/web/``.
Failed sign-ins are counted by django-axes (``dataip.accounts.signin``), per user name and
address and per address, with the address as :func:`client_address` sees it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
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


WORKER_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", 1)
"""The policy of the browser fingerprint's Web Worker alone: hash-wasm compiles WebAssembly,
which a worker may do only under ``'wasm-unsafe-eval'`` (it allows no ``eval`` of script)."""

WASM_WORKERS = ("web/fingerprint-worker.js",)
"""Static files (under ``STATIC_URL``) that are served with :data:`WORKER_POLICY`."""


def _policy(request: HttpRequest) -> str:
    static = "/" + settings.STATIC_URL.lstrip("/")
    if request.path.startswith(static) and request.path[len(static) :] in WASM_WORKERS:
        return WORKER_POLICY
    return POLICY


class ContentSecurityPolicyMiddleware:
    """Send the policy with every response (unless a view has set its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", _policy(request))
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
