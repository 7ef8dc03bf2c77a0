"""Deposit receipts (存证回执): the JSON evidence and its printable PDF page.

The JSON follows ``dataip.deposit-receipt/v1`` (see :mod:`dataip.evidence.deposit_receipt`,
which verifies it offline): the deposit's facts, the statement, the RFC 3161 token, the ledger
event's payload and the evidence bundle of its ledger entry. It is built when asked for, so
the bundle carries the newest checkpoint covering the entry (timestamped, when the ledger has
a TSA), and the openings of the leaf's commitments (the receipt is the holder's).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings

from dataip.deposits import tsa as deposit_tsa
from dataip.deposits.models import Deposit
from dataip.deposits.pdf import ReceiptPage, render_receipt
from dataip.deposits.services import HOLDER_COMMITMENT, payload_of
from dataip.evidence.deposit_receipt import FORMAT
from dataip.evidence.timestamp import TimestampError, verify_timestamp
from dataip.ledger.bundles import bundle_for_event
from dataip.registry.regimes import load_regime

__all__ = ["receipt_document", "receipt_json", "receipt_name", "receipt_pdf"]


def _utc(moment: Any) -> str:
    return str(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _ca_digest(deposit: Deposit) -> str | None:
    """SHA-256 (DER) of the published TSA CA certificate, if the token chains to it (so a
    verifier can compare it with the ``tsa-ca.pem`` it downloaded)."""
    try:
        pem = deposit_tsa.ca_pem()
        verify_timestamp(bytes(deposit.token), bytes(deposit.statement), ca_pem=pem)
        first = x509.load_pem_x509_certificates(pem)[0]
    except (TimestampError, ValueError, IndexError, OSError):
        return None
    return hashlib.sha256(first.public_bytes(Encoding.DER)).hexdigest()


def receipt_name(deposit: Deposit, extension: str) -> str:
    """The download name: ``CZ202600000001.receipt.json`` / ``.pdf``."""
    return f"{deposit.number}.receipt.{extension}"


def receipt_document(deposit: Deposit) -> dict[str, Any]:
    """The receipt of ``deposit`` as a JSON-ready object."""
    statement = bytes(deposit.statement)
    token = bytes(deposit.token)
    info = verify_timestamp(token, statement)
    # the holder's receipt: the bundle opens every commitment of the deposit's leaf
    bundle = json.loads(bundle_for_event(deposit.event))
    public = str(settings.DATAIP_PUBLIC_URL)
    return {
        "format": FORMAT,
        "deposit": {
            "number": deposit.number,
            "registered_at": _utc(deposit.created_at),
            "root": deposit.root,
            "files": deposit.file_count,
            "bytes": deposit.byte_count,
            "formats": deposit.formats,
            "names": "hmac-sha256" if deposit.hidden_names else "plain",
        },
        "statement": statement.decode("utf-8"),
        "statement_sha256": hashlib.sha256(statement).hexdigest(),
        "holder_commitment": deposit.holder_commitment,
        "holder_commitment_scheme": HOLDER_COMMITMENT,
        "timestamp": {
            "token": base64.b64encode(token).decode("ascii"),
            "hash": "sha256",
            "over": "statement",
            "tsa": deposit.tsa,
            "tsa_name": info.tsa_name or info.signer,
            "time": _utc(info.gen_time),
            "serial": f"{info.serial_number:x}",
            "policy": info.policy,
            "tsa_ca_sha256": _ca_digest(deposit),
        },
        "ledger": {
            "index": deposit.leaf_index,
            "origin": str(settings.DATAIP_LOG_ORIGIN),
            "event": payload_of(deposit),
            "bundle": bundle,
        },
        "verify": {
            "tsa_ca": f"{public}/deposits/tsa-ca.pem",
            "log_keys": f"{public}/.well-known/dataip-log-keys",
            "command": "dataip verify-deposit RECEIPT.json --manifest manifest.json "
            "--tsa-ca tsa-ca.pem --key registry.vkeys",
        },
    }


def receipt_json(deposit: Deposit) -> bytes:
    """The receipt as UTF-8 JSON bytes (indented, for reading)."""
    document = receipt_document(deposit)
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def receipt_pdf(deposit: Deposit, document: dict[str, Any] | None = None) -> bytes:
    """The printable one-page receipt."""
    regime = load_regime(settings.DATAIP_REGIME)
    public = str(settings.DATAIP_PUBLIC_URL)
    page = ReceiptPage(
        registry_zh=regime.registry_name_zh,
        registry_en=regime.registry_name_en,
        tsa_ca_url=f"{public}/deposits/tsa-ca.pem",
        log_keys_url=f"{public}/.well-known/dataip-log-keys",
    )
    font = str(getattr(settings, "DATAIP_CERT_FONT", "") or "") or None
    if font is None:
        return render_receipt(document or receipt_document(deposit), page)
    return render_receipt(document or receipt_document(deposit), page, font_path=font)
