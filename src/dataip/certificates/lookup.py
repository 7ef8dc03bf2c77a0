"""Answers for third parties (证书查验): is this certificate genuine, and what is its status?

The public verification page and the API ask the same two questions through this module:
:func:`answer_for_number` (a registration or certificate number, from a form or a QR code)
and :func:`answer_for_pdf` (an uploaded certificate, verified offline-style first, then looked
up). Bad input raises :class:`BadNumber` or :class:`BadUpload` (HTTP 400, never a 500).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from dataip.certificates import pki
from dataip.certificates.errors import MalformedPdf
from dataip.certificates.models import Certificate, IssuedRecord
from dataip.certificates.records import VerifiedRecord, is_record_pdf, verify_record_pdf
from dataip.certificates.verify import MAX_PDF_BYTES, VerifiedCertificate, verify_certificate_pdf
from dataip.errors import DomainError, NotFound, gettext_noop
from dataip.evidence import VerificationError
from dataip.evidence.commitments import PUBLIC_FIELDS
from dataip.evidence.trust_list import TrustList
from dataip.evidence.witness_policy import check_policy
from dataip.ledger import bundles, keys, timestamps
from dataip.registry import clock
from dataip.registry.events import event_openings
from dataip.registry.identifiers import (
    InvalidIdentifier,
    parse_certificate_number,
    parse_registration_number,
)
from dataip.registry.models import Application
from dataip.registry.queries.public import PublicPledge, PublicState, public_record
from dataip.registry.regimes import all_regimes
from dataip.registry.workflow import PUBLIC_STATUSES, Status

__all__ = [
    "STATUSES",
    "Answer",
    "BadNumber",
    "BadUpload",
    "Query",
    "answer_for_number",
    "answer_for_pdf",
    "bundle_for",
    "parse_number",
]

#: The status words of an answer, most serious first.
STATUSES = ("revoked", "cancelled", "expired", "superseded", "pending", "valid")
MAX_VERSION = 1_000_000

_REASONS = {
    "empty": gettext_noop("Enter a registration number or a certificate number."),
    "length": gettext_noop(
        "A registration number has 16 characters and a certificate number 17 digits."
    ),
    "format": gettext_noop("This is neither a registration number nor a certificate number."),
    "checksum": gettext_noop(
        "The check character of this registration number is wrong: please look for a typing error."
    ),
    "birth_date": gettext_noop("This is neither a registration number nor a certificate number."),
}


class BadNumber(DomainError):
    """The text is not a well-formed registration or certificate number."""

    code = "bad_number"
    http_status = 400


class BadUpload(DomainError):
    """The upload is missing, too large or not a readable PDF."""

    code = "bad_upload"
    http_status = 400


@dataclass(frozen=True)
class Query:
    """A parsed number: ``kind`` is ``"registration"`` or ``"certificate"``."""

    kind: str
    number: str


def _compact(text: str) -> str:
    """NFKC, upper case, without spaces and hyphens (people copy numbers in groups)."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(c for c in folded if not c.isspace() and c != "-")


def parse_number(text: str) -> Query:
    """A registration number (its check character verified first, with every regime's
    algorithm) or a certificate number; raise :class:`BadNumber` with the reason."""
    value = _compact(text)
    if not value:
        raise BadNumber(_REASONS["empty"])
    try:
        if len(value) == 17:
            return Query("certificate", str(parse_certificate_number(value)))
        if len(value) != 16:
            raise InvalidIdentifier("number", "length")
        reasons = []
        for algorithm in sorted({r.check_algorithm for r in all_regimes().values()}):
            try:
                return Query("registration", str(parse_registration_number(value, algorithm)))
            except InvalidIdentifier as exc:
                reasons.append(exc.reason)
        raise InvalidIdentifier("number", "checksum" if "checksum" in reasons else "format")
    except InvalidIdentifier as exc:
        raise BadNumber(_REASONS[exc.reason]) from None


@dataclass(frozen=True)
class Answer:
    """What the registry says about one certificate version.

    ``found`` is False for a number the registry never issued and for a PDF that failed
    verification (``failure`` says why). ``certificate`` is the version asked about (the
    newest one when no version was named); ``status`` is one of :data:`STATUSES`.
    """

    found: bool
    query: Query | None = None
    application: Application | None = None
    certificate: Certificate | None = None
    current: Certificate | None = None
    status: str = ""
    pledges: list[PublicPledge] = field(default_factory=list)
    state: PublicState | None = None
    """The state of the right, as the public registration page shows it."""
    verified: VerifiedCertificate | None = None
    failure: VerificationError | None = None
    issuer: str = ""
    """The log origin of the peer registry (on the trust list) that issued a verified PDF;
    empty for this registry's own certificates."""
    cosigners: tuple[str, ...] = ()
    """The peer's witnesses whose cosignatures met its policy."""
    identical: bool | None = None
    record: VerifiedRecord | None = None
    """A verified encumbrance statement or pledge registration certificate (not a certificate)."""
    issued_record: IssuedRecord | None = None
    """This registry's row of that record (None if it has no record of it)."""

    @property
    def record_status(self) -> str:
        """For a pledge registration certificate: ``in_force`` or ``released`` now (else '')."""
        row = self.issued_record
        if row is None or row.pledge is None:
            return ""
        return "in_force" if row.pledge.status == "active" else "released"

    @property
    def under_pledge(self) -> bool:
        """True while a pledge of the registration stands."""
        return any(p.in_force for p in self.pledges)

    @property
    def superseded(self) -> bool:
        """True if a newer version of the certificate was issued."""
        return self.certificate is not None and self.certificate.superseded_at is not None

    @property
    def verdict(self) -> str:
        """``genuine`` (ours, or a trusted peer's: see ``issuer``), ``not_genuine`` (a PDF that
        failed) or ``unknown`` (no such number)."""
        if self.failure is not None:
            return "not_genuine"
        return "genuine" if self.found or self.issuer else "unknown"


def _status(application: Application, certificate: Certificate | None, today: date) -> str:
    state = Status(application.status)
    if state == Status.REVOKED:
        return "revoked"
    if state == Status.CANCELLED:
        return "cancelled"
    if state == Status.EXPIRED or (
        application.valid_until is not None and application.valid_until < today
    ):
        return "expired"
    if certificate is not None and certificate.superseded_at is not None:
        return "superseded"
    return "valid" if certificate is not None else "pending"


def _answer(
    application: Application, version: int | None, query: Query | None, today: date | None
) -> Answer:
    """The answer for ``version`` (default: the newest) of the registration's certificate."""
    certificates = list(application.certificates.order_by("version"))
    current = certificates[-1] if certificates else None
    chosen = current
    if version is not None:
        chosen = next((c for c in certificates if c.version == version), None)
        if chosen is None:
            return Answer(found=False, query=query)
    day = today or clock.local_date(clock.now())
    record = public_record(application, today=day)
    return Answer(
        found=True,
        query=query,
        application=application,
        certificate=chosen,
        current=current,
        status=_status(application, chosen, day),
        pledges=record.pledges,
        state=record.state,
    )


def _find(query: Query) -> Application | None:
    found = Application.objects.select_related("product").filter(
        status__in=[s.value for s in PUBLIC_STATUSES]
    )
    if query.kind == "certificate":
        return found.filter(certificate_number=query.number).first()
    return found.filter(registration_number=query.number).first()


def answer_for_number(
    text: str, version: int | None = None, *, today: date | None = None
) -> Answer:
    """The answer for a registration or certificate number (and optionally one version)."""
    query = parse_number(text)
    if version is not None and not 1 <= version <= MAX_VERSION:
        raise BadNumber(gettext_noop("The certificate version must be a number from 1."))
    application = _find(query)
    if application is None:
        return Answer(found=False, query=query)
    return _answer(application, version, query, today)


def answer_for_pdf(
    data: bytes, *, today: date | None = None, trusted: TrustList | None = None
) -> Answer:
    """Verify an uploaded certificate PDF, then say what the registry knows of it.

    A PDF that does not verify with this registry's keys and CA is tried against the peer
    registries of ``trusted`` (their log keys, CAs and witness policies): mutual recognition
    (互认). Such an answer names the ``issuer``; its status is kept by that registry."""
    if not data:
        raise BadUpload(gettext_noop("Choose a certificate PDF to upload."))
    if len(data) > MAX_PDF_BYTES:
        raise BadUpload(
            gettext_noop("The file is larger than %(limit)s MiB: it is not a certificate."),
            limit=MAX_PDF_BYTES // (1024 * 1024),
        )
    if is_record_pdf(data):
        return _record_answer(data, today)
    try:
        verified = verify_certificate_pdf(
            data, keys.all_vkeys(), pki.trust_pem(), tsa_ca_pem=timestamps.tsa_ca_pem()
        )
    except MalformedPdf:
        raise BadUpload(
            gettext_noop(
                "The file cannot be read as a PDF: it may be damaged, or not a certificate. "
                "Upload the certificate PDF exactly as the registry issued it."
            )
        ) from None
    except VerificationError as exc:
        return _peer_answer(data, trusted) or Answer(found=False, failure=exc)
    content = verified.content
    query = Query("certificate", content.certificate_number)
    application = _find(query)
    if application is None:  # signed by us, but not in this database (e.g. another instance)
        return Answer(found=False, query=query, verified=verified)
    answer = _answer(application, content.version, query, today)
    stored = answer.certificate
    identical = stored is not None and stored.pdf_sha256 == hashlib.sha256(data).hexdigest()
    return Answer(
        found=answer.found,
        query=query,
        application=application,
        certificate=stored,
        current=answer.current,
        status=answer.status,
        pledges=answer.pledges,
        state=answer.state,
        verified=verified,
        identical=identical,
    )


def _record_answer(data: bytes, today: date | None) -> Answer:
    """The answer for an uploaded encumbrance statement or pledge registration certificate:
    verified offline-style, then looked up by its number (its status: the registration's now)."""
    try:
        verified = verify_record_pdf(
            data, keys.all_vkeys(), pki.trust_pem(), tsa_ca_pem=timestamps.tsa_ca_pem()
        )
    except VerificationError as exc:
        return Answer(found=False, failure=exc)
    content = verified.content
    query = Query("registration", content.registration_number)
    row = (
        IssuedRecord.objects.select_related("application__product", "pledge")
        .filter(number=content.number, data_sha256=content.sha256())
        .first()
    )
    if row is None:
        return Answer(found=False, query=query, record=verified)
    application = row.application
    day = today or clock.local_date(clock.now())
    current = application.certificates.order_by("-version").first()
    return Answer(
        found=True,
        query=query,
        application=application,
        current=current,
        status=_status(application, current, day),
        pledges=public_record(application, today=day).pledges,
        record=verified,
        issued_record=row,
        identical=row.pdf_sha256 == hashlib.sha256(data).hexdigest(),
    )


def _peer_answer(data: bytes, trusted: TrustList | None) -> Answer | None:
    """The answer for a certificate a registry on the trust list issued; None if it is not
    one (the caller then reports why it failed against this registry's own keys)."""
    if trusted is None or not trusted.registries:
        return None
    try:
        verified = verify_certificate_pdf(
            data, trusted.log_vkeys(), trusted.ca_pem(), tsa_ca_pem=timestamps.tsa_ca_pem()
        )
        origin = verified.bundle.origin
        names = check_policy(verified.bundle.checkpoint_note, trusted.policy_for(origin))
    except VerificationError:
        return None
    query = Query("certificate", verified.content.certificate_number)
    return Answer(
        found=False, query=query, verified=verified, issuer=origin, cosigners=tuple(names)
    )


def bundle_for(text: str, version: int | None = None) -> tuple[str, bytes]:
    """The evidence bundle of a certificate version's ``certificate_issued`` event, and a file
    name for it; raise :class:`NotFound` if there is no such certificate."""
    answer = answer_for_number(text, version)
    certificate = answer.certificate
    if certificate is None:
        raise NotFound(gettext_noop("No certificate with this number was issued here."))
    name = f"certificate-{certificate.number}-v{certificate.version}.bundle.json"
    # anyone may ask: the bundle opens what the public verify page states (type, numbers),
    # never the payload digest or prev (the holder's PDF carries every opening)
    event = certificate.event
    shown = {k: v for k, v in event_openings(event).items() if k in PUBLIC_FIELDS}
    if event.leaf_index is None:
        raise NotFound(gettext_noop("No certificate with this number was issued here."))
    return name, bundles.bundle_for_entry(event.leaf_index, shown)
