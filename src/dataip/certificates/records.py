"""Sealed records other than the certificate (登记机构出具的其他证明): the encumbrance
statement a bank downloads before lending (权利负担查询证明) and the pledge registration
certificate (质押登记证明). Pure Python: no Django.

Each is one canonical JSON document, ``record.json`` (``"schema": "dataip.record/v1"``): what
the record states (``rows``, printed on the page, and ``data``, for machines), the registration
it is about, and the application's latest ledger leaf when it was issued (``as_of``), so the
record is an answer *as of* that entry of the log. Issuing it is itself a ledger event
(``encumbrance_statement_issued`` / ``pledge_certificate_issued``) whose payload carries the
document's SHA-256, and whose leaf names the application's previous leaf (``prev``).

The PDF embeds ``record.json``, ``evidence.bundle.json`` (the issuing event's leaf, its
inclusion proof and the signed checkpoint) and ``latest.bundle.json`` (the application's
latest leaf before it, sealed: no openings), and carries the registry's PAdES seal.
:func:`verify_record_pdf` checks all of it offline, like
:func:`~dataip.certificates.verify.verify_certificate_pdf`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dataip.evidence import VerificationError, canonical_json
from dataip.evidence.bundle import MAX_BUNDLE_BYTES, VerifiedBundle, verify_bundle

from .content import field_at
from .errors import ContentMismatch, EvidenceInvalid, MissingEvidence
from .verify import (
    MAX_PDF_BYTES,
    _check_status,
    _name_tree,
    _quiet_pyhanko,
    _reader,
    _signature_facts,
    _validate,
)

__all__ = [
    "ATTACHMENT_BUNDLE",
    "ATTACHMENT_LATEST",
    "ATTACHMENT_RECORD",
    "KINDS",
    "SCHEMA",
    "RecordContent",
    "VerifiedRecord",
    "is_record_pdf",
    "ledger_payload",
    "verify_record_pdf",
]

SCHEMA = "dataip.record/v1"
ATTACHMENT_RECORD = "record.json"
ATTACHMENT_BUNDLE = "evidence.bundle.json"
ATTACHMENT_LATEST = "latest.bundle.json"
ENCUMBRANCE_STATEMENT = "encumbrance_statement"
PLEDGE_CERTIFICATE = "pledge_certificate"

#: kind -> (event type, title in Chinese, title in English)
KINDS: Mapping[str, tuple[str, str, str]] = {
    ENCUMBRANCE_STATEMENT: (
        "encumbrance_statement_issued",
        "数据知识产权权利负担查询证明",
        "Encumbrance Statement of a Data IP Registration",
    ),
    PLEDGE_CERTIFICATE: (
        "pledge_certificate_issued",
        "数据知识产权质押登记证明",
        "Pledge Registration Certificate of a Data IP Right",
    ),
}
_LIMITS = {
    ATTACHMENT_RECORD: 256 * 1024,
    ATTACHMENT_BUNDLE: MAX_BUNDLE_BYTES,
    ATTACHMENT_LATEST: MAX_BUNDLE_BYTES,
}


@dataclass(frozen=True)
class RecordContent:
    """What one sealed record states. ``rows`` are (Chinese label, English label, value) as
    printed; ``data`` the same facts for machines; ``as_of`` the application's latest ledger
    leaf before the record (``{"index": int, "leaf_hash": hex}``)."""

    kind: str
    number: str
    registration_number: str
    issued_at: str
    registry_code: str
    registry_zh: str
    registry_en: str
    log_origin: str
    as_of_index: int
    as_of_leaf_hash: str
    rows: tuple[tuple[str, str, str], ...]
    data: Mapping[str, Any]

    @property
    def event_type(self) -> str:
        """The ledger event that records the issuing of this record."""
        return KINDS[self.kind][0]

    @property
    def title_zh(self) -> str:
        """The record's title in Chinese."""
        return KINDS[self.kind][1]

    @property
    def title_en(self) -> str:
        """The record's title in English."""
        return KINDS[self.kind][2]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (no floats)."""
        return {
            "schema": SCHEMA,
            "kind": self.kind,
            "number": self.number,
            "registration_number": self.registration_number,
            "issued_at": self.issued_at,
            "registry": {
                "code": self.registry_code,
                "zh": self.registry_zh,
                "en": self.registry_en,
            },
            "log_origin": self.log_origin,
            "as_of": {"index": self.as_of_index, "leaf_hash": self.as_of_leaf_hash},
            "rows": [list(row) for row in self.rows],
            "data": dict(self.data),
        }

    def to_json(self) -> bytes:
        """The canonical JSON bytes (RFC 8785): what is hashed, logged and attached."""
        return canonical_json(self.to_dict())

    def sha256(self) -> str:
        """SHA-256 (hex) of :meth:`to_json`."""
        return hashlib.sha256(self.to_json()).hexdigest()

    @classmethod
    def from_json(cls, data: bytes) -> RecordContent:
        """Parse ``record.json``; raise :class:`ContentMismatch` if it is not one."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ContentMismatch("record.json is not valid UTF-8 JSON") from None
        content = cls.from_dict(document)
        try:
            canonical = content.to_json()
        except (TypeError, ValueError):
            raise ContentMismatch("record.json holds values canonical JSON cannot carry") from None
        if canonical != data:
            raise ContentMismatch("record.json is not in canonical form (RFC 8785)")
        return content

    @classmethod
    def from_dict(cls, document: Any) -> RecordContent:
        """Build from the JSON document, checking every field's presence and type."""
        if not isinstance(document, dict) or document.get("schema") != SCHEMA:
            raise ContentMismatch(f"the record is not a {SCHEMA} document")
        kind = _get(document, "kind", str)
        if kind not in KINDS:
            raise ContentMismatch(f"unknown kind of record {kind!r}")
        rows = _get(document, "rows", list)
        if not all(
            isinstance(r, list) and len(r) == 3 and all(isinstance(v, str) for v in r) for r in rows
        ):
            raise ContentMismatch("the record's rows are not [zh, en, value] strings")
        return cls(
            kind=kind,
            number=_get(document, "number", str),
            registration_number=_get(document, "registration_number", str),
            issued_at=_get(document, "issued_at", str),
            registry_code=_get(document, "registry.code", str),
            registry_zh=_get(document, "registry.zh", str),
            registry_en=_get(document, "registry.en", str),
            log_origin=_get(document, "log_origin", str),
            as_of_index=_get(document, "as_of.index", int),
            as_of_leaf_hash=_get(document, "as_of.leaf_hash", str),
            rows=tuple((r[0], r[1], r[2]) for r in rows),
            data=_get(document, "data", dict),
        )


def ledger_payload(content: RecordContent) -> dict[str, Any]:
    """The payload of the issuing event: the record's kind, number and the SHA-256 of
    ``record.json`` (the leaf commits to the SHA-256 of this payload)."""
    return {"kind": content.kind, "number": content.number, "data_sha256": content.sha256()}


def _get(obj: Any, path: str, kind: type) -> Any:
    return field_at(obj, path, kind, "the record")


@dataclass(frozen=True)
class VerifiedRecord:
    """What a verified record PDF proves. Build it with :func:`verify_record_pdf`."""

    content: RecordContent
    bundle: VerifiedBundle
    latest: VerifiedBundle
    signer_subject: str
    signer_sha256: str
    signed_at: datetime | None
    timestamp_at: datetime | None
    timestamp_trusted: bool | None
    pdf_sha256: str

    def title(self, lang: str) -> str:
        """The record's title in ``lang``."""
        return self.content.title_zh if lang == "zh" else self.content.title_en

    def summary(self, lang: str = "en") -> str:
        """What the record proves, in plain words (``lang`` is ``"zh"`` or ``"en"``)."""
        c, cp = self.content, self.bundle.checkpoint
        when = self.timestamp_at or self.signed_at or datetime.min.replace(tzinfo=UTC)
        stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        root = cp.root_hash.hex()
        if lang == "zh":
            lines = [
                f"{c.title_zh}真实有效：数字签名与账本证据均已验证。",
                f"- 编号 {c.number}，登记号 {c.registration_number}，出具时间 {c.issued_at}；",
                f"- 所述内容截至账本第 {c.as_of_index} 条（该登记的最新条目），"
                f"出具记录为账本第 {self.bundle.index} 条；",
                f"- 检查点 {cp.size} 条目，根哈希 {root}；",
                f"- 签名人：{self.signer_subject}；签名时间 {stamp}"
                + ("（可信时间戳）" if self.timestamp_trusted else "")
                + "。",
            ]
            lines += [f"  {zh}：{value}" for zh, _, value in c.rows]
            lines.append("注意：离线验证只证明出具时的内容；此后的变化请在登记机构查询。")
        else:
            lines = [
                f"GENUINE: {c.title_en}; signature and ledger evidence verified.",
                f"- number {c.number}, registration {c.registration_number}, issued {c.issued_at};",
                f"- it states the registration as of ledger entry {c.as_of_index} (its latest), "
                f"and its issuing is ledger entry {self.bundle.index};",
                f"- checkpoint of {cp.size} entries, root {root};",
                f"- signed by {self.signer_subject} at {stamp}"
                + (" (trusted timestamp)" if self.timestamp_trusted else "")
                + ".",
            ]
            lines += [f"  {en}: {value}" for _, en, value in c.rows]
            lines.append(
                "Note: offline verification proves what was stated when it was issued; ask the "
                "registry for anything that changed since."
            )
        return "\n".join(lines) + "\n"


def _attachments(reader: Any) -> dict[str, bytes]:
    try:
        specs = _name_tree(reader.root["/Names"]["/EmbeddedFiles"].get_object())
    except (KeyError, TypeError, AttributeError):
        raise MissingEvidence("the PDF has no embedded files") from None
    files: dict[str, bytes] = {}
    for name, limit in _LIMITS.items():
        if name not in specs:
            raise MissingEvidence(f"the PDF lacks the attachment {name}")
        try:
            data = bytes(specs[name].get_object()["/EF"]["/F"].get_object().data)
        except Exception as exc:
            raise MissingEvidence(f"the attachment {name} cannot be read ({exc})") from None
        if len(data) > limit:
            raise MissingEvidence(f"the attachment {name} is larger than {limit} bytes")
        files[name] = data
    return files


def is_record_pdf(pdf_bytes: bytes) -> bool:
    """Whether the PDF carries a ``record.json`` attachment (then it is verified with
    :func:`verify_record_pdf`, not as a certificate). False for anything unreadable."""
    try:
        with _quiet_pyhanko():
            reader, _ = _reader(pdf_bytes)
            specs = _name_tree(reader.root["/Names"]["/EmbeddedFiles"].get_object())
    except Exception:
        return False
    return ATTACHMENT_RECORD in specs


def _bundle(data: bytes, trusted_vkey: str | Sequence[str]) -> VerifiedBundle:
    try:
        return verify_bundle(data, trusted_vkey)
    except VerificationError as exc:
        raise EvidenceInvalid(f"{exc.step or 'bundle'}: {exc.message}") from None


def _check_ledger(content: RecordContent, bundle: VerifiedBundle, latest: VerifiedBundle) -> None:
    if bundle.event_type != content.event_type:
        raise ContentMismatch(
            f"the ledger entry is a {bundle.event_type!r} event, not {content.event_type}"
        )
    if bundle.registration != content.registration_number:
        raise ContentMismatch("the ledger entry is for another registration number")
    expected = hashlib.sha256(canonical_json(ledger_payload(content))).hexdigest()
    if bundle.opened.get("payload_sha256") != expected:
        raise ContentMismatch("the ledger entry records another record's data")
    if bundle.origin != content.log_origin or latest.origin != content.log_origin:
        raise ContentMismatch("the record names another ledger than its evidence")
    if bundle.opened.get("prev") != content.as_of_leaf_hash:
        raise ContentMismatch("the issuing event follows another leaf than the record states")
    if latest.index != content.as_of_index or latest.leaf_hash.hex() != content.as_of_leaf_hash:
        raise ContentMismatch("the latest-leaf evidence proves another entry than the record")
    if latest.index >= bundle.index:
        raise ContentMismatch("the record's latest entry is not before its issuing event")


def verify_record_pdf(
    pdf_bytes: bytes,
    trusted_vkey: str | Sequence[str],
    ca_pem: bytes,
    *,
    tsa_ca_pem: bytes | None = None,
) -> VerifiedRecord:
    """Verify an encumbrance statement or pledge registration certificate PDF with the
    registry's vkey(s) and CA certificate(s): the seal covers the whole file and chains to the
    CA, both bundles verify, the issuing event records exactly this ``record.json`` and follows
    the latest leaf it names. Raises a :class:`~dataip.evidence.errors.VerificationError`
    subclass of :mod:`~dataip.certificates.errors`."""
    if len(pdf_bytes) > MAX_PDF_BYTES:
        raise MissingEvidence("the file is too large")
    with _quiet_pyhanko():
        reader, signatures = _reader(pdf_bytes)
        _, status = _validate(signatures, ca_pem, tsa_ca_pem)
        _check_status(status)
        files = _attachments(reader)
    bundle = _bundle(files[ATTACHMENT_BUNDLE], trusted_vkey)
    latest = _bundle(files[ATTACHMENT_LATEST], trusted_vkey)
    content = RecordContent.from_json(files[ATTACHMENT_RECORD])
    _check_ledger(content, bundle, latest)
    return VerifiedRecord(
        content=content, bundle=bundle, latest=latest, **_signature_facts(status, pdf_bytes)
    )
