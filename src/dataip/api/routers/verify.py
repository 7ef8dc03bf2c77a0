"""Certificate verification for platforms and banks: by number, or by uploading the PDF.

The same answers as the public page ``/verify`` (both read :mod:`dataip.certificates.lookup`),
as JSON. Mount with ``api.add_router("/verify", router)``: ``GET /verify/{number}[?v=]`` and
``POST /verify`` (multipart, field ``pdf``). Bad input is an RFC 9457 problem (400); a number
this registry never issued is a 404 problem (``certificate_not_found``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import get_language
from ninja import P, QueryEx, Router

from dataip.api.schemas.log import Problem
from dataip.api.schemas.public import PublicState
from dataip.api.schemas.verify import (
    BundleVerificationOut,
    CertificateOut,
    HolderOut,
    PledgeOut,
    RecordOut,
    SignatureOut,
    VerificationOut,
)
from dataip.certificates import lookup
from dataip.certificates.verify import MAX_PDF_BYTES
from dataip.errors import NotFound, gettext_noop
from dataip.evidence import VerificationError
from dataip.evidence.trust_list import TrustList, recognise_bundle
from dataip.ledger import keys
from dataip.registry.regimes import load_regime

router = Router(tags=["verification"])
ERRORS: dict[int, type[Problem]] = {400: Problem, 404: Problem, 422: Problem}
_UPLOAD_SLACK = 64 * 1024
_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["pdf"],
                    "properties": {"pdf": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}
_BUNDLE_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["bundle"],
                    "properties": {"bundle": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


class CertificateNotFound(NotFound):
    """No certificate with this number was issued by this registry."""

    code = "certificate_not_found"


def _certificate(answer: lookup.Answer) -> CertificateOut | None:
    app, cert = answer.application, answer.certificate
    if app is None or cert is None:
        return None
    regime = load_regime(app.regime_code)
    holders = [
        HolderOut(name=name, nameEn=name_en or "", share=str(share))
        for name, name_en, share in app.holders.order_by("-share", "id").values_list(
            "holder__name", "holder__name_en", "share"
        )
    ]
    return CertificateOut(
        certificateNumber=cert.number,
        version=cert.version,
        currentVersion=answer.current.version if answer.current else cert.version,
        registrationNumber=app.registration_number or "",
        productName=app.product.name,
        productNameEn=app.product.name_en,
        holders=holders,
        registeredOn=app.registered_on,
        validFrom=app.valid_from,
        validUntil=app.valid_until,
        issuedAt=cert.issued_at,
        supersededAt=cert.superseded_at,
        registry=regime.registry_name_zh,
        registryEn=regime.registry_name_en,
    )


def _record(answer: lookup.Answer, lang: str) -> RecordOut | None:
    record = answer.record
    if record is None:
        return None
    content, checkpoint = record.content, record.bundle.checkpoint
    return RecordOut(
        kind=content.kind,
        title=record.title(lang),
        number=content.number,
        registrationNumber=content.registration_number,
        issuedAt=content.issued_at,
        rows=[[zh if lang == "zh" else en, value] for zh, en, value in content.rows],
        asOfIndex=content.as_of_index,
        logIndex=record.bundle.index,
        treeSize=checkpoint.size,
        rootHash=checkpoint.root_hash.hex(),
        pledgeStatus=answer.record_status or None,
        summary=record.summary(lang),
    )


def _signature(answer: lookup.Answer) -> SignatureOut | None:
    if answer.record is not None:
        return _record_signature(answer)
    verified = answer.verified
    if verified is None:
        return None
    checkpoint = verified.bundle.checkpoint
    return SignatureOut(
        signer=verified.signer_subject,
        signerSha256=verified.signer_sha256,
        signedAt=verified.signed_at,
        timestampAt=verified.timestamp_at,
        timestampTrusted=verified.timestamp_trusted,
        identicalToIssued=answer.identical,
        logOrigin=verified.bundle.origin,
        logIndex=verified.bundle.index,
        treeSize=checkpoint.size,
        rootHash=checkpoint.root_hash.hex(),
    )


def _record_signature(answer: lookup.Answer) -> SignatureOut | None:
    record = answer.record
    if record is None:
        return None
    checkpoint = record.bundle.checkpoint
    return SignatureOut(
        signer=record.signer_subject,
        signerSha256=record.signer_sha256,
        signedAt=record.signed_at,
        timestampAt=record.timestamp_at,
        timestampTrusted=record.timestamp_trusted,
        identicalToIssued=answer.identical,
        logOrigin=record.bundle.origin,
        logIndex=record.bundle.index,
        treeSize=checkpoint.size,
        rootHash=checkpoint.root_hash.hex(),
    )


def _trust_list() -> TrustList | None:
    """The trust list of ``DATAIP_TRUST_LIST`` (peer registries), or None when it is empty."""
    path = str(getattr(settings, "DATAIP_TRUST_LIST", "") or "")
    return TrustList.load(Path(path)) if path else None


def _out(request: HttpRequest, answer: lookup.Answer) -> VerificationOut:
    cert = answer.certificate
    bundle_url = None
    if cert is not None and cert.pdf:
        path = reverse("web:verify-bundle", args=[cert.number]) + f"?v={cert.version}"
        bundle_url = request.build_absolute_uri(path)
    failure = answer.failure
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    return VerificationOut(
        verdict=answer.verdict,
        issuedBy=answer.issuer or None,
        cosigners=list(answer.cosigners),
        status=answer.status or None,
        underPledge=answer.under_pledge,
        pledges=[
            PledgeOut(pledgee=p.pledgee, starts=p.starts, ends=p.ends)
            for p in answer.pledges
            if p.in_force
        ],
        state=None if answer.state is None else PublicState.of(answer.state),
        reasonCode=None if failure is None else failure.code,
        reason=None if failure is None else failure.explain(lang),
        failedStep=None if failure is None else failure.step,
        certificate=_certificate(answer),
        signature=_signature(answer),
        bundleUrl=bundle_url,
        record=_record(answer, lang),
    )


@router.post(
    "/bundle",
    response={200: BundleVerificationOut, **ERRORS},
    summary="Verify an evidence bundle (own or a peer registry's)",
    openapi_extra=_BUNDLE_DOC,
)
def verify_bundle_upload(request: HttpRequest) -> BundleVerificationOut:
    """Upload an evidence bundle (multipart field ``bundle``): it is verified with this
    registry's log keys, or with those of a registry on its trust list (``DATAIP_TRUST_LIST``),
    whose witness policy must then be met. The answer names the issuing registry (origin)."""
    try:
        uploaded = request.FILES.get("bundle")
    except MultiPartParserError:
        uploaded = None
    data = b"" if uploaded is None else uploaded.read(MAX_PDF_BYTES + 1)
    if not data or len(data) > MAX_PDF_BYTES:
        raise lookup.BadUpload(gettext_noop("Choose an evidence bundle (JSON) to upload."))
    trusted = _trust_list()
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    try:
        found = recognise_bundle(data, keys.all_vkeys(), trusted)
    except VerificationError as exc:
        return BundleVerificationOut(
            verdict="not_recognised",
            origin=None,
            peer=None,
            witnessPolicyMet=None,
            cosigners=[],
            eventType=None,
            logIndex=None,
            treeSize=None,
            rootHash=None,
            summary=None,
            reasonCode=exc.code,
            reason=exc.explain(lang),
            failedStep=exc.step,
        )
    bundle = found.bundle
    return BundleVerificationOut(
        verdict="genuine",
        origin=found.origin,
        peer=found.peer,
        witnessPolicyMet=True if found.policy_checked else None,
        cosigners=list(found.cosigners),
        eventType=bundle.event_type,
        logIndex=bundle.index,
        treeSize=bundle.checkpoint.size,
        rootHash=bundle.checkpoint.root_hash.hex(),
        summary=bundle.summary(lang),
        reasonCode=None,
        reason=None,
        failedStep=None,
    )


@router.get(
    "/{number}", response={200: VerificationOut, **ERRORS}, summary="Verify a certificate number"
)
def verify_number(
    request: HttpRequest,
    number: str,
    v: QueryEx[int | None, P(ge=1, le=lookup.MAX_VERSION)] = None,
) -> VerificationOut:
    """Whether this registry issued a certificate with this registration or certificate number
    (check character verified first), and its current status; ``v`` names a version."""
    answer = lookup.answer_for_number(number, v)
    if not answer.found:
        raise CertificateNotFound(gettext_noop("No certificate with this number was issued here."))
    return _out(request, answer)


@router.post(
    "",
    response={200: VerificationOut, **ERRORS},
    summary="Verify a certificate PDF",
    openapi_extra=_UPLOAD_DOC,
)
def verify_pdf(request: HttpRequest) -> VerificationOut:
    """Upload a certificate PDF (multipart field ``pdf``, at most 20 MiB): its signature,
    embedded evidence bundle and QR payload are verified, then its status is looked up."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_PDF_BYTES + _UPLOAD_SLACK:  # refuse before reading the body
        raise lookup.BadUpload(
            gettext_noop("The file is larger than %(limit)s MiB: it is not a certificate."),
            limit=MAX_PDF_BYTES // (1024 * 1024),
        )
    try:
        uploaded = request.FILES.get("pdf")
    except MultiPartParserError:
        uploaded = None
    if uploaded is None:
        raise lookup.BadUpload(gettext_noop("Choose a certificate PDF to upload."))
    data = uploaded.read(MAX_PDF_BYTES + 1)
    return _out(request, lookup.answer_for_pdf(data, trusted=_trust_list()))
