"""``/.well-known/dataip-log-key``: the ledger's public key, for anyone verifying evidence.

``dataip-log-key`` (the current vkey) and ``dataip-log-keys`` (every vkey) are plain text, one
key a line; ``dataip-log-keys.json`` is the key history (``dataip.log-keys/v1``): every key
with its validity period, each retired key's record signed by its successor
(:func:`dataip.evidence.key_history.verify_key_history` checks it).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from dataip.ledger import key_history, keys


@require_GET
def log_key(request: HttpRequest) -> HttpResponse:
    """The current C2SP verifier key of the log, one line of text/plain."""
    return HttpResponse(keys.vkey() + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def log_keys(request: HttpRequest) -> HttpResponse:
    """Every verifier key the log has used (rotations included), oldest first."""
    body = "".join(f"{vkey}\n" for vkey in keys.all_vkeys())
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@require_GET
def log_key_history(request: HttpRequest) -> HttpResponse:
    """Every key with its validity period, retired keys signed by their successors (JSON)."""
    return JsonResponse(key_history.document(), json_dumps_params={"ensure_ascii": False})
