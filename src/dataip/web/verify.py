"""Public certificate verification (证书查验): by number, from the QR code, or by upload.

Every answer is a page: 200 with the verdict (genuine, not genuine, unknown number), or 400
with the reason for bad input (wrong check character, not a PDF, too large). The views read
through :mod:`dataip.certificates.lookup`; none writes anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dataip.certificates import lookup, pki
from dataip.certificates.records import VerifiedRecord
from dataip.certificates.verify import MAX_PDF_BYTES
from dataip.errors import DomainError, NotFound
from dataip.evidence import VerificationError
from dataip.evidence.trust_list import TrustList, recognise_bundle
from dataip.ledger import keys
from dataip.registry import labels
from dataip.registry.i18n import describe

STATUS_TEXT = {
    "valid": _("Valid: the registration is in force and this is its current certificate."),
    "expired": _("Expired: the registration's period of validity has ended."),
    "cancelled": _("Cancelled: the holder cancelled the registration."),
    "revoked": _("Revoked: the registry revoked the registration."),
    "superseded": _(
        "Superseded: a newer version of this certificate was issued; this version no longer "
        "states the current particulars."
    ),
    "pending": _("Registered; the certificate is being issued."),
}
STATUS_WORD = {
    "valid": _("valid"),
    "expired": _("expired"),
    "cancelled": _("cancelled"),
    "revoked": _("revoked"),
    "superseded": _("superseded"),
    "pending": _("certificate being issued"),
}
#: Some bytes more than the largest PDF, for the multipart envelope.
_UPLOAD_SLACK = 64 * 1024


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def _plain(failure: VerificationError) -> str:
    """Why verification failed, in plain words in the page's language; the technical detail
    (``failure.message``, English) is folded away for experts."""
    zh, en = failure.plain
    return en if _lang() == "en" else zh


def _form(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"max_mib": MAX_PDF_BYTES // (1024 * 1024), **extra}
    return render(request, "web/verify.html", context, status=status)


def _record_result(
    request: HttpRequest, answer: lookup.Answer, record: VerifiedRecord
) -> HttpResponse:
    """The answer for a verified encumbrance statement or pledge registration certificate."""
    lang = _lang()
    checkpoint = record.bundle.checkpoint
    context = {
        "answer": answer,
        "record": record,
        "title": record.title(lang),
        "rows": [(zh if lang == "zh" else en, value) for zh, en, value in record.content.rows],
        "tree_size": checkpoint.size,
        "root_hash": checkpoint.root_hash.hex(),
        "status_word": STATUS_WORD.get(answer.status, ""),
    }
    return render(request, "web/verify_record_result.html", context)


def _result(request: HttpRequest, answer: lookup.Answer) -> HttpResponse:
    if answer.record is not None:
        return _record_result(request, answer, answer.record)
    certificate = answer.certificate
    bundle_url = None
    if certificate is not None and certificate.pdf:
        bundle_url = (
            reverse("web:verify-bundle", args=[certificate.number]) + f"?v={certificate.version}"
        )
    context = {
        "answer": answer,
        "lang": _lang(),
        "status_word": STATUS_WORD.get(answer.status, ""),
        "status_text": STATUS_TEXT.get(answer.status, ""),
        "failure": None if answer.failure is None else _plain(answer.failure),
        "failure_detail": None if answer.failure is None else answer.failure.message,
        "bundle_url": bundle_url,
        "state_lines": [] if answer.state is None else labels.state_lines(answer.state),
        "content": None if answer.verified is None else answer.verified.content,
        "holders": []
        if answer.application is None
        else list(answer.application.holders.values_list("holder__name", "holder__name_en")),
    }
    return render(request, "web/verify_result.html", context)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The form (number or upload); a number goes to its own page, an upload is checked."""
    if request.method == "GET":
        number = request.GET.get("number")
        if number is None:
            return _form(request)
        try:
            query = lookup.parse_number(number)
        except DomainError as exc:
            return _form(request, status=400, number=number, number_error=describe(exc))
        return redirect("web:verify-number", number=query.number)
    return _upload(request)


def _upload(request: HttpRequest) -> HttpResponse:
    """Check an uploaded PDF; refuse an oversized body before reading it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = MAX_PDF_BYTES // (1024 * 1024)
    too_large = _("The file is larger than %(limit)s MiB: it is not a certificate.") % {
        "limit": limit
    }
    if length > MAX_PDF_BYTES + _UPLOAD_SLACK:
        return _form(request, status=400, upload_error=too_large)
    try:
        uploaded = request.FILES.get("pdf")
    except MultiPartParserError:
        uploaded = None
    if uploaded is None:
        try:
            bundle = request.FILES.get("bundle")
        except MultiPartParserError:
            bundle = None
        if bundle is not None:
            return _bundle(request, bundle.read(MAX_PDF_BYTES + 1))
        return _form(request, status=400, upload_error=_("Choose a certificate PDF to upload."))
    if uploaded.size is not None and uploaded.size > MAX_PDF_BYTES:
        return _form(request, status=400, upload_error=too_large)
    try:
        answer = lookup.answer_for_pdf(uploaded.read(), trusted=trust_list())
    except DomainError as exc:
        return _form(request, status=400, upload_error=describe(exc))
    return _result(request, answer)


def trust_list() -> TrustList | None:
    """The trust list of ``DATAIP_TRUST_LIST``, or None when the setting is empty."""
    path = str(getattr(settings, "DATAIP_TRUST_LIST", "") or "")
    return TrustList.load(Path(path)) if path else None


def _bundle(request: HttpRequest, data: bytes) -> HttpResponse:
    """Check an uploaded evidence bundle: ours, or a registry's on the trust list."""
    if not data or len(data) > MAX_PDF_BYTES:
        return _form(
            request, status=400, bundle_error=_("Choose an evidence bundle (JSON) to upload.")
        )
    lang = _lang()
    trusted = trust_list()  # a broken trust list is the operator's error: let it be loud
    try:
        recognised = recognise_bundle(data, keys.all_vkeys(), trusted)
    except VerificationError as exc:
        refused = {"failure": _plain(exc), "failure_detail": exc.message, "origin": None}
        return render(request, "web/verify_bundle_result.html", refused)
    context: dict[str, Any] = {
        "failure": None,
        "origin": recognised.origin,
        "peer": recognised.peer,
        "policy_checked": recognised.policy_checked,
        "cosigners": ", ".join(recognised.cosigners) or "—",
        "summary": recognised.bundle.summary(lang),
    }
    return render(request, "web/verify_bundle_result.html", context)


@require_GET
def verify_number(request: HttpRequest, number: str) -> HttpResponse:
    """The answer for a number, e.g. from a certificate's QR code (``?v=<version>``)."""
    try:
        version = int(request.GET["v"]) if "v" in request.GET else None
    except ValueError:
        return _form(request, status=400, number=number, number_error=_("Invalid version."))
    try:
        answer = lookup.answer_for_number(number, version)
    except DomainError as exc:
        return _form(request, status=400, number=number, number_error=describe(exc))
    return _result(request, answer)


@require_GET
def verify_bundle(request: HttpRequest, number: str) -> HttpResponse:
    """The evidence bundle of a certificate version, as a download."""
    try:
        version = int(request.GET["v"]) if "v" in request.GET else None
        name, data = lookup.bundle_for(number, version)
    except ValueError:
        return _form(request, status=400, number=number, number_error=_("Invalid version."))
    except NotFound as exc:
        return _form(request, status=404, number=number, number_error=describe(exc))
    except DomainError as exc:
        return _form(request, status=400, number=number, number_error=describe(exc))
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def ca_certificate(request: HttpRequest) -> HttpResponse:
    """The CA certificate(s) that verifiers trust for the certificates' PDF signature."""
    response = HttpResponse(pki.trust_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="dataip-certificate-ca.pem"'
    return response
