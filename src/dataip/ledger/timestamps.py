"""RFC 3161 timestamps of checkpoints (检查点可信时间戳), from the TSA in ``DATAIP_TSA_URL``.

The request goes over the network, so it never runs inside a ledger transaction: a checkpoint
is committed first and timestamped afterwards. A failure leaves the checkpoint without a token;
``sign_pending`` (run by ``dataip tick``) tries again.
"""

from __future__ import annotations

import logging
import secrets
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from dataip.evidence.timestamp import (
    TimestampError,
    TimestampInfo,
    timestamp_request,
    token_from_response,
    verify_timestamp,
)
from dataip.ledger.models import Checkpoint, CheckpointTimestamp

logger = logging.getLogger("dataip.ledger")
MAX_REPLY_BYTES = 1 << 20


def tsa_url() -> str:
    """The configured TSA URL ('' when timestamping is off)."""
    return str(settings.DATAIP_TSA_URL or "")


def tsa_ca_pem() -> bytes | None:
    """The trusted TSA CA certificate(s), if ``DATAIP_TSA_CA_FILE`` is set."""
    path = str(settings.DATAIP_TSA_CA_FILE or "")
    return Path(path).read_bytes() if path else None


def request_token(url: str, data: bytes, *, timeout: float) -> bytes:
    """Ask the TSA at ``url`` for a token over ``SHA-256(data)``; return the token (DER).

    Raises :class:`TimestampError` for an HTTP, network or protocol failure.
    """
    if not url.startswith(("http://", "https://")):
        raise TimestampError(f"TSA URL must be http(s): {url!r}")
    query = timestamp_request(data, nonce=secrets.randbits(63))
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=query,
        headers={"Content-Type": "application/timestamp-query"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
            body = reply.read(MAX_REPLY_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if isinstance(exc, urllib.error.HTTPError):
            exc.close()  # it holds the connection; left open, it leaks the socket
        raise TimestampError(f"TSA {url} did not answer: {exc}") from None
    if len(body) > MAX_REPLY_BYTES:
        raise TimestampError(f"TSA {url} sent a reply larger than {MAX_REPLY_BYTES} bytes")
    return token_from_response(body, query)


def timestamp_checkpoint(checkpoint: Checkpoint) -> CheckpointTimestamp | None:
    """Get and store a token over ``checkpoint.note``; None if no TSA is configured.

    Raises :class:`TimestampError` if the TSA fails or its token does not verify; the
    checkpoint itself is untouched either way.
    """
    url = tsa_url()
    if not url:
        return None
    existing = CheckpointTimestamp.objects.filter(checkpoint=checkpoint).first()
    if existing is not None:
        return existing
    note = checkpoint.note.encode("utf-8")
    token = request_token(url, note, timeout=float(settings.DATAIP_TSA_TIMEOUT))
    verify_timestamp(token, note, ca_pem=tsa_ca_pem())
    try:
        with transaction.atomic():
            return CheckpointTimestamp.objects.create(
                checkpoint=checkpoint, token=token, tsa_url=url, created_at=timezone.now()
            )
    except IntegrityError:  # another process stored one first
        return CheckpointTimestamp.objects.get(checkpoint=checkpoint)


def describe(stamp: CheckpointTimestamp) -> TimestampInfo:
    """What a stored token says (its chain checked when ``DATAIP_TSA_CA_FILE`` is set)."""
    return verify_timestamp(
        bytes(stamp.token), stamp.checkpoint.note.encode("utf-8"), ca_pem=tsa_ca_pem()
    )
