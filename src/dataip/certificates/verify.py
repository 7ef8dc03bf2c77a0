"""Verify a certificate PDF offline (离线验证证书): everything a court or a bank needs to check.

:func:`verify_certificate_pdf` needs only the PDF, the registry's ledger public key (vkey) and
the registry's CA certificate. It checks, in order (see :data:`.errors.STEPS`):

1. ``pdf`` -- a readable PDF of at most :data:`MAX_PDF_BYTES`;
2. ``signature`` -- the registry's signature (field ``RegistrySeal``) is intact and valid;
3. ``signer`` -- its certificate chains to the registry's CA;
4. ``modified`` -- the signature covers the whole file: not one byte follows the signed
   range (what ``pdfsig`` calls "Total document signed"), no incremental update, not even
   signature upkeep (DSS, document timestamps), which ``pdfsig`` does not accept either;
5. ``attachments`` -- ``certificate.json``, ``evidence.bundle.json`` and ``qr-payload.txt``;
6. ``evidence`` -- the bundle proves a ledger entry under a checkpoint signed by the vkey;
7. ``content`` -- that entry is the ``certificate_issued`` event of exactly this data;
8. ``qr`` -- the QR payload is signed by the vkey and states the same certificate.

Any failure raises a :class:`~dataip.evidence.errors.VerificationError` subclass from
:mod:`.errors`; pyHanko's own log messages (warnings with tracebacks about a broken file) are
silenced while it runs. Pure Python (no Django, no network, no database).
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dataip.evidence import VerificationError, canonical_json
from dataip.evidence.bundle import MAX_BUNDLE_BYTES, VerifiedBundle, verify_bundle

from .content import CertificateContent, ledger_payload
from .errors import (
    ContentMismatch,
    EvidenceInvalid,
    MalformedPdf,
    MissingEvidence,
    ModifiedAfterSigning,
    NotWholeFileSigned,
    QrPayloadInvalid,
    SignatureInvalid,
    Unsigned,
    UntrustedSigner,
)
from .qr import MAX_QR_TEXT, VerifiedQr, verify_qr_payload

__all__ = [
    "ATTACHMENT_BUNDLE",
    "ATTACHMENT_DATA",
    "ATTACHMENT_QR",
    "EVENT_TYPE",
    "MAX_PDF_BYTES",
    "VerifiedCertificate",
    "verify_certificate_pdf",
]

MAX_PDF_BYTES = 20 * 1024 * 1024
ATTACHMENT_DATA = "certificate.json"
ATTACHMENT_BUNDLE = "evidence.bundle.json"
ATTACHMENT_QR = "qr-payload.txt"
EVENT_TYPE = "certificate_issued"
FIELD_NAME = "RegistrySeal"
_LIMITS = {
    ATTACHMENT_DATA: 256 * 1024,
    ATTACHMENT_BUNDLE: MAX_BUNDLE_BYTES,
    ATTACHMENT_QR: MAX_QR_TEXT,
}


def signer_organisation(subject: str) -> str:
    """The ``Organization`` of an X.509 subject written as ``Common Name: …, Organization: …,
    Country: …`` (asn1crypto's ``human_friendly``), or the whole subject if it names none."""
    for part in subject.split(", "):
        name, _, value = part.partition(": ")
        if name.strip() == "Organization" and value.strip():
            return value.strip()
    return subject


@dataclass(frozen=True)
class VerifiedCertificate:
    """What a verified certificate PDF proves. Build it with :func:`verify_certificate_pdf`."""

    content: CertificateContent
    bundle: VerifiedBundle
    qr: VerifiedQr
    signer_subject: str
    signer_sha256: str
    signed_at: datetime | None
    timestamp_at: datetime | None
    timestamp_trusted: bool | None
    pdf_sha256: str

    @property
    def signer_organisation(self) -> str:
        """The organisation that signed (the ``Organization`` of the signing certificate's
        subject), for people; the whole subject stays in ``signer_subject`` for experts."""
        return signer_organisation(self.signer_subject)

    def summary(self, lang: str = "en") -> str:
        """What the certificate proves, in plain words (``lang`` is ``"zh"`` or ``"en"``)."""
        c, cp = self.content, self.bundle.checkpoint
        holders = "、".join(h.name for h in c.holders)
        when = self.timestamp_at or self.signed_at or datetime.min.replace(tzinfo=UTC)
        stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        if lang == "zh":
            lines = [
                "证书真实有效：数字签名、账本证据与二维码载荷均已验证。",
                f"- 证书编号 {c.certificate_number}（第{c.version}版），"
                f"登记号 {c.registration_number}；",
                f"- 数据名称：{c.product_name}；权利人：{holders}；",
                f"- 有效期 {c.valid_from} 至 {c.valid_until}；发证机关：{c.registry_zh}；",
                f"- 签名人：{self.signer_subject}；签名时间 {stamp}"
                + ("（可信时间戳）" if self.timestamp_trusted else "")
                + "；",
                f"- 账本 {self.bundle.origin} 第 {self.bundle.index} 条，检查点 {cp.size} 条目。",
                "注意：离线验证只证明签发时的内容；证书是否仍然有效（被替换、注销、撤销、"
                "质押）请在登记机构的验证页面查询。",
            ]
        else:
            lines = [
                "GENUINE certificate: signature, ledger evidence and QR payload all verified.",
                f"- certificate {c.certificate_number} (version {c.version}), registration "
                f"{c.registration_number};",
                f"- data: {c.product_name_en or c.product_name}; holder(s): {holders};",
                f"- valid {c.valid_from} to {c.valid_until}; issued by {c.registry_en};",
                f"- signed by {self.signer_subject} at {stamp}"
                + (" (trusted timestamp)" if self.timestamp_trusted else "")
                + ";",
                f"- ledger {self.bundle.origin}, entry {self.bundle.index}, checkpoint of "
                f"{cp.size} entries.",
                "Note: offline verification proves what was issued; whether the certificate is "
                "still current (superseded, cancelled, revoked, pledged) is answered by the "
                "registry's verification page.",
            ]
        return "\n".join(lines) + "\n"


_QUIET_LOGGERS = ("pyhanko", "pyhanko_certvalidator")
_quiet_lock = threading.Lock()
_quiet_depth = 0
_saved_levels: dict[str, int] = {}


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """Silence pyHanko's loggers (and their children) while a verification runs.

    A broken or forged file makes pyHanko log warnings and errors with tracebacks; the
    verdict is our :class:`VerificationError`, so they would only be noise on stderr. The
    loggers are restored when the last concurrent verification ends.
    """
    global _quiet_depth
    with _quiet_lock:
        if _quiet_depth == 0:
            for name in _QUIET_LOGGERS:
                logger = logging.getLogger(name)
                _saved_levels[name] = logger.level
                logger.setLevel(logging.CRITICAL + 1)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                for name in _QUIET_LOGGERS:
                    logging.getLogger(name).setLevel(_saved_levels.pop(name, logging.NOTSET))


def _load_certs(pem: bytes, what: str) -> list[Any]:
    from pyhanko.keys import load_certs_from_pemder_data

    try:
        certs = list(load_certs_from_pemder_data(pem))
    except (ValueError, TypeError):
        certs = []
    if not certs:
        raise ValueError(f"{what} holds no PEM or DER certificate")
    return certs


def _reader(data: bytes) -> Any:
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not isinstance(data, bytes | bytearray):
        raise MalformedPdf("the certificate must be given as bytes")
    if len(data) > MAX_PDF_BYTES:
        raise MalformedPdf(f"the file is larger than {MAX_PDF_BYTES // (1024 * 1024)} MiB")
    if not bytes(data[:1024]).lstrip().startswith(b"%PDF-"):
        raise MalformedPdf("the file is not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(bytes(data)))
        signatures = list(reader.embedded_regular_signatures)
    except Exception:
        raise MalformedPdf("the PDF cannot be read: it is damaged or not a PDF") from None
    return reader, signatures


def _validate(signatures: list[Any], ca_pem: bytes, tsa_ca_pem: bytes | None) -> tuple[Any, Any]:
    """The registry's signature and its validation status; raise on any problem."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    ours = [s for s in signatures if s.field_name == FIELD_NAME]
    if not ours:
        raise Unsigned("the PDF has no registry signature (field RegistrySeal)")
    if len(signatures) > 1:
        raise ModifiedAfterSigning("the PDF carries another signature besides the registry's")
    signature = ours[0]
    trust = ValidationContext(trust_roots=_load_certs(ca_pem, "the CA file"), allow_fetching=False)
    ts_trust = (
        ValidationContext(trust_roots=_load_certs(tsa_ca_pem, "the TSA CA file"))
        if tsa_ca_pem
        else None
    )
    try:
        status = validate_pdf_signature(
            signature, signer_validation_context=trust, ts_validation_context=ts_trust
        )
    except SignatureValidationError as exc:
        raise SignatureInvalid(f"the signature cannot be validated: {exc}") from None
    except Exception:
        raise SignatureInvalid("the signature cannot be validated: it is damaged") from None
    return signature, status


def _check_status(status: Any) -> None:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if not status.intact:
        raise SignatureInvalid("the signed bytes were changed (digest mismatch)")
    if not status.valid:
        raise SignatureInvalid("the signature value does not verify")
    if not status.trusted:
        raise UntrustedSigner(
            f"the signing certificate {status.signing_cert.subject.human_friendly!r} does not "
            "chain to the registry's CA"
        )
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE and status.docmdp_ok is not False:
        return
    if (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level
        not in (
            None,
            ModificationLevel.NONE,
        )
    ):
        level = status.modification_level.name.lower()
        raise ModifiedAfterSigning(
            f"an incremental update ({level}) was added to the PDF after the registry signed it"
        )
    raise NotWholeFileSigned(
        "bytes follow the signed range (coverage: "
        f"{status.coverage.name.lower() if status.coverage else 'unknown'})"
    )


def _name_tree(node: Any, depth: int = 0) -> dict[str, Any]:
    """The leaves of a PDF name tree (``/Names`` pairs, following ``/Kids``)."""
    if depth > 8:
        raise MissingEvidence("the attachment list is nested too deeply")
    found: dict[str, Any] = {}
    if "/Names" in node:
        names = node["/Names"]  # indexing resolves indirect objects, .get() does not
        for i in range(0, len(names) - 1, 2):
            found[str(names[i])] = names[i + 1]
    if "/Kids" in node:
        for kid in node["/Kids"]:
            found.update(_name_tree(kid.get_object(), depth + 1))
    return found


def _attachments(reader: Any) -> dict[str, bytes]:
    """The three attachments the certificate must carry."""
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
        specs = _name_tree(tree.get_object())
    except (KeyError, TypeError, AttributeError):
        raise MissingEvidence("the PDF has no embedded files") from None
    files: dict[str, bytes] = {}
    for name, limit in _LIMITS.items():
        if name not in specs:
            raise MissingEvidence(f"the PDF lacks the attachment {name}")
        try:
            stream = specs[name].get_object()["/EF"]["/F"].get_object()
            data = bytes(stream.data)
        except Exception as exc:
            raise MissingEvidence(f"the attachment {name} cannot be read ({exc})") from None
        if len(data) > limit:
            raise MissingEvidence(f"the attachment {name} is larger than {limit} bytes")
        files[name] = data
    return files


def _check_ledger(content: CertificateContent, bundle: VerifiedBundle) -> None:
    """The bundle's entry must be the certificate_issued event of exactly ``content``."""
    if bundle.event_type != EVENT_TYPE:
        raise ContentMismatch(
            f"the ledger entry is a {bundle.event_type!r} event, not {EVENT_TYPE}"
        )
    if bundle.registration != content.registration_number:
        raise ContentMismatch("the ledger entry is for another registration number")
    expected = hashlib.sha256(canonical_json(ledger_payload(content))).hexdigest()
    if bundle.opened.get("payload_sha256") != expected:
        raise ContentMismatch("the ledger entry records another certificate's data")
    if bundle.origin != content.log_origin:
        raise ContentMismatch("the certificate names another ledger than its evidence bundle")


def _check_qr(content: CertificateContent, bundle: VerifiedBundle, qr: VerifiedQr) -> None:
    p = qr.payload
    stated = (p.registration_number, p.certificate_number, p.version, p.valid_from,
              p.valid_until, p.data_sha256)  # fmt: skip
    actual = (content.registration_number, content.certificate_number, content.version,
              content.valid_from, content.valid_until, content.sha256())  # fmt: skip
    if stated != actual:
        raise QrPayloadInvalid("the QR payload states another certificate than the PDF")
    if p.tree_size != bundle.checkpoint.size or not bundle.checkpoint.root_hash.hex().startswith(
        p.root_prefix
    ):
        raise QrPayloadInvalid("the QR payload names another checkpoint than the evidence bundle")
    if qr.key_name != bundle.origin:
        raise QrPayloadInvalid("the QR payload is signed by another log's key")


def verify_certificate_pdf(
    pdf_bytes: bytes,
    trusted_vkey: str | Sequence[str],
    ca_pem: bytes,
    *,
    tsa_ca_pem: bytes | None = None,
) -> VerifiedCertificate:
    """Verify a certificate PDF with the registry's vkey(s) and CA certificate(s) (PEM or DER).

    ``tsa_ca_pem`` (optional) are the TSA's CA certificates: with them, the signature's RFC
    3161 timestamp is checked as trusted too. Raises a
    :class:`~dataip.evidence.errors.VerificationError` subclass of
    :mod:`~dataip.certificates.errors` (its ``step`` names the failed check); returns what the
    certificate proves.
    """
    with _quiet_pyhanko():
        reader, signatures = _reader(pdf_bytes)
        _, status = _validate(signatures, ca_pem, tsa_ca_pem)
        _check_status(status)
        files = _attachments(reader)
    try:
        bundle = verify_bundle(files[ATTACHMENT_BUNDLE], trusted_vkey)
    except VerificationError as exc:
        step = exc.step or "bundle"
        raise EvidenceInvalid(f"{step}: {exc.message}") from None
    content = CertificateContent.from_json(files[ATTACHMENT_DATA])
    _check_ledger(content, bundle)
    try:
        qr_text = files[ATTACHMENT_QR].decode("utf-8")
    except UnicodeDecodeError:
        raise QrPayloadInvalid("the QR payload is not UTF-8 text") from None
    qr = verify_qr_payload(qr_text, trusted_vkey)
    _check_qr(content, bundle, qr)
    return VerifiedCertificate(
        content=content, bundle=bundle, qr=qr, **_signature_facts(status, pdf_bytes)
    )


def _signature_facts(status: Any, pdf_bytes: bytes) -> dict[str, Any]:
    """Who sealed a verified PDF, when (and whether a trusted TSA says so), and its digest."""
    stamp = status.timestamp_validity
    return {
        "signer_subject": str(status.signing_cert.subject.human_friendly),
        "signer_sha256": status.signing_cert.sha256.hex(),
        "signed_at": status.signer_reported_dt,
        "timestamp_at": None if stamp is None else stamp.timestamp,
        "timestamp_trusted": None if stamp is None else bool(stamp.trusted),
        "pdf_sha256": hashlib.sha256(pdf_bytes).hexdigest(),
    }
