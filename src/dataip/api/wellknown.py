"""``/.well-known/dataip-log-key``: the ledger's public key, for anyone verifying evidence."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from dataip.ledger import keys


@require_GET
def log_key(request: HttpRequest) -> HttpResponse:
    """The current C2SP verifier key of the log, one line of text/plain."""
    return HttpResponse(keys.vkey() + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def log_keys(request: HttpRequest) -> HttpResponse:
    """Every verifier key the log has used (rotations included), oldest first."""
    body = "".join(f"{vkey}\n" for vkey in keys.all_vkeys())
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
