"""What a certificate states (证书内容), as one canonical JSON document: ``certificate.json``.

The document is RFC 8785 canonical JSON tagged ``"schema": "dataip.certificate/v1"``; its
SHA-256 is recorded in the ledger (event ``certificate_issued``), signed in the QR payload and
the document itself is attached to the PDF. Everything printed on the certificate comes from
it. Pure Python: no Django.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from dataip.evidence.canonical import canonical_json

from .errors import ContentMismatch

__all__ = ["SCHEMA", "CertificateContent", "HolderEntry", "ledger_payload"]

SCHEMA = "dataip.certificate/v1"


@dataclass(frozen=True)
class HolderEntry:
    """One holder of the right (权利人) and its share in per cent (``"100.00"``)."""

    name: str
    name_en: str
    share: str


@dataclass(frozen=True)
class CertificateContent:
    """Every statement of one certificate version. Dates are ISO ``YYYY-MM-DD`` strings in the
    registry's time zone; ``issued_at`` is RFC 3339 UTC."""

    certificate_number: str
    version: int
    registration_number: str
    application_number: str
    product_name: str
    product_name_en: str
    kind: str
    kind_zh: str
    kind_en: str
    holders: tuple[HolderEntry, ...]
    industry_code: str
    industry_zh: str
    industry_en: str
    registered_on: str
    valid_from: str
    valid_until: str
    issued_on: str
    issued_at: str
    registry_code: str
    registry_zh: str
    registry_en: str
    log_origin: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (no floats; every value a string or an integer)."""
        return {
            "schema": SCHEMA,
            "certificate_number": self.certificate_number,
            "version": self.version,
            "registration_number": self.registration_number,
            "application_number": self.application_number,
            "product": {"name": self.product_name, "name_en": self.product_name_en},
            "kind": {"code": self.kind, "zh": self.kind_zh, "en": self.kind_en},
            "holders": [
                {"name": h.name, "name_en": h.name_en, "share": h.share} for h in self.holders
            ],
            "industry": {
                "code": self.industry_code,
                "zh": self.industry_zh,
                "en": self.industry_en,
            },
            "registered_on": self.registered_on,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "issued_on": self.issued_on,
            "issued_at": self.issued_at,
            "registry": {
                "code": self.registry_code,
                "zh": self.registry_zh,
                "en": self.registry_en,
            },
            "log_origin": self.log_origin,
        }

    def to_json(self) -> bytes:
        """The canonical JSON bytes (RFC 8785): what is hashed, logged and attached."""
        return canonical_json(self.to_dict())

    def sha256(self) -> str:
        """SHA-256 (hex) of :meth:`to_json`."""
        return hashlib.sha256(self.to_json()).hexdigest()

    @property
    def holder_names(self) -> str:
        """The holders' names, joined as printed (、)."""
        return "、".join(h.name for h in self.holders)

    @classmethod
    def from_json(cls, data: bytes) -> CertificateContent:
        """Parse ``certificate.json``; raise :class:`ContentMismatch` if it is not one."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ContentMismatch("certificate.json is not valid UTF-8 JSON") from None
        content = cls.from_dict(document)
        if content.to_json() != data:
            raise ContentMismatch("certificate.json is not in canonical form (RFC 8785)")
        return content

    @classmethod
    def from_dict(cls, document: Any) -> CertificateContent:
        """Build from the JSON document, checking every field's presence and type."""
        if not isinstance(document, dict) or document.get("schema") != SCHEMA:
            raise ContentMismatch(f"certificate data is not a {SCHEMA} document")
        holders = field_at(document, "holders", list)
        if not holders:
            raise ContentMismatch("certificate data names no holder")
        entries = tuple(
            HolderEntry(
                field_at(h, "name", str), field_at(h, "name_en", str), field_at(h, "share", str)
            )
            for h in holders
        )
        version = field_at(document, "version", int)
        if version < 1:
            raise ContentMismatch("certificate version must be 1 or more")
        return cls(
            certificate_number=field_at(document, "certificate_number", str),
            version=version,
            registration_number=field_at(document, "registration_number", str),
            application_number=field_at(document, "application_number", str),
            product_name=field_at(document, "product.name", str),
            product_name_en=field_at(document, "product.name_en", str),
            kind=field_at(document, "kind.code", str),
            kind_zh=field_at(document, "kind.zh", str),
            kind_en=field_at(document, "kind.en", str),
            holders=entries,
            industry_code=field_at(document, "industry.code", str),
            industry_zh=field_at(document, "industry.zh", str),
            industry_en=field_at(document, "industry.en", str),
            registered_on=_date(document, "registered_on"),
            valid_from=_date(document, "valid_from"),
            valid_until=_date(document, "valid_until"),
            issued_on=_date(document, "issued_on"),
            issued_at=field_at(document, "issued_at", str),
            registry_code=field_at(document, "registry.code", str),
            registry_zh=field_at(document, "registry.zh", str),
            registry_en=field_at(document, "registry.en", str),
            log_origin=field_at(document, "log_origin", str),
        )


def ledger_payload(content: CertificateContent) -> dict[str, Any]:
    """The payload of the ``certificate_issued`` ledger event for ``content``.

    The ledger leaf carries the SHA-256 of this payload's canonical JSON, so a verifier who
    holds ``certificate.json`` can recompute it and compare it with the leaf.
    """
    return {
        "certificate_number": content.certificate_number,
        "version": content.version,
        "data_sha256": content.sha256(),
    }


def field_at(obj: Any, path: str, kind: type, what: str = "certificate data") -> Any:
    """The value at dotted ``path`` of a signed document (``what`` names it in the error); it
    must exist and be of ``kind`` (bool is not int)."""
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ContentMismatch(f"{what} has no field {path!r}")
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ContentMismatch(f"{what} field {path!r} has the wrong type")
    return value


def _date(obj: Any, path: str) -> str:
    """An ISO date string field."""
    text = str(field_at(obj, path, str))
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ContentMismatch(f"certificate data field {path!r} is not a date") from None
    return text
