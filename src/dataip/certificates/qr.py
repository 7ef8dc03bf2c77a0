"""The certificate's QR code (二维码): a verification URL carrying a signed payload.

The QR code holds one URL::

    <public URL>/verify/<certificate number>?v=<version>#<payload>

Opened by a phone, the URL shows the registry's live answer for that certificate version
(the part after ``#`` never leaves the phone). ``<payload>`` is the URL-safe base64 (RFC 4648
§5, no padding) of a C2SP signed note, signed with the registry's ledger key (Ed25519), so a
scanner app can check it offline with the registry's published vkey::

    dataip certificate v1
    reg <registration number>
    cert <certificate number> <version>
    valid <valid from> <valid until>
    holder <holders' names joined by 、, at most 40 characters, … if cut>
    data <SHA-256 hex of certificate.json>
    log <checkpoint tree size> <first 16 hex digits of the checkpoint root hash>

    — <log origin> <base64(key ID || Ed25519 signature)>

The first line contains spaces, so the note can never be mistaken for a checkpoint (whose
first line is the log origin, which has none). Pure Python: no Django.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from dataip.evidence import Ed25519Verifier, NoteSigner, VerificationError, open_note, sign_note

from .content import CertificateContent
from .errors import QrPayloadInvalid

__all__ = [
    "HOLDER_CHARS",
    "TAG",
    "QrPayload",
    "VerifiedQr",
    "payload_for",
    "qr_text",
    "sign_payload",
    "verification_url",
    "verify_qr_payload",
]

TAG = "dataip certificate v1"
#: Holders' names in the payload are cut to this many characters (the full names are in
#: ``certificate.json``, whose digest the payload signs).
HOLDER_CHARS = 40
ROOT_PREFIX_HEX = 16
#: A payload is a few hundred bytes; refuse anything much larger before decoding it.
MAX_QR_TEXT = 4096

_REG = re.compile(r"[0-9A-Z]{16}")
_CERT = re.compile(r"[0-9]{17}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_ROOT = re.compile(rf"[0-9a-f]{{{ROOT_PREFIX_HEX}}}")


@dataclass(frozen=True)
class QrPayload:
    """The fields of a QR payload (see the module docstring for the text form)."""

    registration_number: str
    certificate_number: str
    version: int
    valid_from: str
    valid_until: str
    holders: str
    data_sha256: str
    tree_size: int
    root_prefix: str

    def text(self) -> str:
        """The note text (every line ends in a newline)."""
        lines = [
            TAG,
            f"reg {self.registration_number}",
            f"cert {self.certificate_number} {self.version}",
            f"valid {self.valid_from} {self.valid_until}",
            f"holder {self.holders}",
            f"data {self.data_sha256}",
            f"log {self.tree_size} {self.root_prefix}",
        ]
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> QrPayload:
        """Parse note text; raise :class:`QrPayloadInvalid` on any deviation from the format."""
        lines = text.split("\n")
        if len(lines) != 8 or lines[-1] != "" or lines[0] != TAG:
            raise QrPayloadInvalid(f"not a {TAG!r} payload")
        fields = {}
        for line in lines[1:-1]:
            key, _, value = line.partition(" ")
            if key in fields or not value:
                raise QrPayloadInvalid(f"bad payload line {line[:60]!r}")
            fields[key] = value
        try:
            cert, version = fields["cert"].split(" ")
            valid_from, valid_until = fields["valid"].split(" ")
            size, root = fields["log"].split(" ")
            registration, holders, data = fields["reg"], fields["holder"], fields["data"]
        except (KeyError, ValueError):
            raise QrPayloadInvalid("the payload lacks a field or a field is malformed") from None
        checks = [
            (_REG, registration),
            (_CERT, cert),
            (_DECIMAL, version),
            (_DATE, valid_from),
            (_DATE, valid_until),
            (_HEX64, data),
            (_DECIMAL, size),
            (_ROOT, root),
        ]
        for pattern, value in checks:
            if not pattern.fullmatch(value):
                raise QrPayloadInvalid(f"malformed payload value {value[:60]!r}")
        return cls(registration, cert, int(version), valid_from, valid_until, holders, data,
                   int(size), root)  # fmt: skip


def _holders_text(names: str) -> str:
    """One line of names: control and separator characters become spaces; cut if long."""
    cleaned = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in names)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > HOLDER_CHARS:
        cleaned = cleaned[: HOLDER_CHARS - 1] + "…"
    return cleaned or "-"


def payload_for(content: CertificateContent, tree_size: int, root_hash: bytes) -> QrPayload:
    """The payload for ``content`` whose ledger entry is covered by the checkpoint of
    ``tree_size`` entries with root ``root_hash``."""
    return QrPayload(
        registration_number=content.registration_number,
        certificate_number=content.certificate_number,
        version=content.version,
        valid_from=content.valid_from,
        valid_until=content.valid_until,
        holders=_holders_text(content.holder_names),
        data_sha256=content.sha256(),
        tree_size=tree_size,
        root_prefix=root_hash.hex()[:ROOT_PREFIX_HEX],
    )


def sign_payload(payload: QrPayload, signer: NoteSigner) -> str:
    """The payload as a signed note, signed by the registry's ledger key."""
    return sign_note(payload.text(), [signer])


def verification_url(public_url: str, certificate_number: str, version: int) -> str:
    """The page that answers for one certificate version."""
    return f"{public_url.rstrip('/')}/verify/{certificate_number}?v={version}"


def qr_text(public_url: str, payload: QrPayload, note: str) -> str:
    """What the QR code encodes: the verification URL, ``#``, the base64url signed note."""
    encoded = base64.urlsafe_b64encode(note.encode("utf-8")).decode("ascii").rstrip("=")
    url = verification_url(public_url, payload.certificate_number, payload.version)
    return f"{url}#{encoded}"


@dataclass(frozen=True)
class VerifiedQr:
    """A QR payload whose signature verified with a trusted registry key."""

    payload: QrPayload
    note: str
    key: str
    url: str

    @property
    def key_name(self) -> str:
        """The name (log origin) of the key that signed."""
        return self.key.split("+")[0]


def _note_of(text: str) -> tuple[str, str]:
    """(URL, signed note) from the QR text, or ('', note) if given the bare note."""
    if text.lstrip().startswith(TAG):
        return "", text.lstrip()
    url, sep, encoded = text.strip().partition("#")
    if not sep or not encoded:
        raise QrPayloadInvalid("the QR text has no payload after '#'")
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
        return url, raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise QrPayloadInvalid("the QR payload is not URL-safe base64 of UTF-8 text") from None


def verify_qr_payload(text: str, trusted_vkey: str | Sequence[str]) -> VerifiedQr:
    """Verify a scanned QR text (or the bare signed note) with the registry's vkey(s).

    Checks the note's Ed25519 signature by a trusted key, the payload format, and, when a URL
    is present, that the URL names the same certificate number and version. Raises
    :class:`QrPayloadInvalid`. No network, no database.
    """
    if len(text) > MAX_QR_TEXT:
        raise QrPayloadInvalid("the QR text is too long")
    url, note = _note_of(text)
    keys = [trusted_vkey] if isinstance(trusted_vkey, str) else list(trusted_vkey)
    try:
        verifiers = [Ed25519Verifier.from_vkey(k.strip()) for k in keys]
        opened = open_note(note, verifiers)
    except VerificationError as exc:
        raise QrPayloadInvalid(f"payload signature: {exc.message}") from None
    payload = QrPayload.parse(opened.text)
    first = opened.signatures[0]
    key = next(v for v in verifiers if (v.name, v.key_id) == (first.name, first.key_id))
    if url:
        parts = urlsplit(url)
        expected = f"/verify/{payload.certificate_number}"
        if not parts.path.endswith(expected) or parts.query != f"v={payload.version}":
            raise QrPayloadInvalid("the URL names another certificate than the signed payload")
    return VerifiedQr(payload=payload, note=note, key=key.vkey, url=url)
