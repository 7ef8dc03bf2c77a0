"""Deposit pages: holders upload manifests and download receipts; applications cite deposits;
examiners see cited deposits and overlap warnings; the public sees that a deposit exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dataip.deposits import queries, receipt, services
from dataip.deposits import tsa as deposit_tsa
from dataip.errors import DomainError, NotFound, ValidationFailed, gettext_noop
from dataip.registry import queries as registry_queries
from dataip.registry.actors import applicant_holder_ids
from dataip.registry.i18n import describe, field_errors
from dataip.registry.models import Application
from dataip.registry.workflow import Actor, Role, Status
from dataip.web.access import actor_of, applicant_required, login_required, user_of
from dataip.web.deposit_forms import CiteForm, ManifestForm

EDITING = (Status.DRAFT.value, Status.CORRECTION_REQUESTED.value)
STAFF = frozenset({Role.EXAMINER, Role.REGISTRAR})


def _put_on_form(form: forms.Form, error: ValidationFailed) -> None:
    """Each refused field's reasons next to the field; others above the form."""
    for name, reasons in field_errors(error).items():
        for reason in reasons:
            form.add_error(name if name in form.fields else None, reason)


def _attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ── holders ────────────────────────────────────────────────────────────────────────────


@applicant_required
@require_http_methods(["GET", "POST"])
def my_deposits(request: HttpRequest) -> HttpResponse:
    """The holder's deposits, and the form to deposit a new manifest."""
    user = user_of(request)
    form = ManifestForm(request.POST, request.FILES) if request.method == "POST" else ManifestForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["manifest"]
        try:
            deposit = services.create_deposit(
                actor=actor_of(request), user=user, content=upload, size=upload.size
            )
        except ValidationFailed as error:
            _put_on_form(form, error)
        except DomainError as error:
            form.add_error(None, describe(error))
        else:
            messages.success(
                request,
                _("Deposit %(number)s is recorded, timestamped and logged.")
                % {"number": deposit.number},
            )
            return redirect("deposits:detail", deposit.pk)
    assert user.holder_id is not None  # noqa: S101 - applicant_required
    deposits = queries.deposits_of(user.holder_id)
    status = 422 if form.errors else 200
    context = {"form": form, "deposits": deposits, **_holder_tools(request)}
    return render(request, "deposits/my_deposits.html", context, status=status)


HOLDER_TOOLS = Path(__file__).resolve().parents[1] / "static" / "download"
"""Where ``bin/build-holder-tools`` puts the holder tools wheel (served as a static file)."""


def _holder_tools(request: HttpRequest) -> dict[str, str]:
    """The newest holder tools wheel's name and absolute address, if one was built."""
    wheels = sorted(HOLDER_TOOLS.glob("dataip_holder_tools-*.whl"))
    if not wheels:
        return {}
    name = wheels[-1].name
    url = request.build_absolute_uri(static(f"download/{name}"))
    return {"holder_tools_name": name, "holder_tools_url": url}


@login_required
@require_GET
def detail(request: HttpRequest, deposit_id: int) -> HttpResponse:
    """A deposit's facts and receipts: for its holder, and staff of a citing application."""
    actor = actor_of(request)
    deposit = queries.get_deposit_for(actor, deposit_id)
    citing = [
        a
        for a in Application.objects.filter(deposit_citations__deposit=deposit)
        .select_related("product")
        .order_by("id")
        if registry_queries.can_see_confidential(actor, a)
    ]
    return render(
        request,
        "deposits/detail.html",
        {
            "deposit": deposit,
            "own": deposit.holder_id in actor.holder_ids,
            "citing": citing,
            "formats": sorted(deposit.formats.items(), key=lambda kv: (-kv[1], kv[0])),
            "statement": bytes(deposit.statement).decode("utf-8"),
        },
    )


@login_required
@require_GET
def receipt_json(request: HttpRequest, deposit_id: int) -> HttpResponse:
    """The receipt (JSON): the evidence to keep."""
    deposit = queries.get_deposit_for(actor_of(request), deposit_id)
    return _attachment(
        receipt.receipt_json(deposit), receipt.receipt_name(deposit, "json"), "application/json"
    )


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, deposit_id: int) -> HttpResponse:
    """The printable receipt (PDF, one page, Chinese and English)."""
    deposit = queries.get_deposit_for(actor_of(request), deposit_id)
    return _attachment(
        receipt.receipt_pdf(deposit), receipt.receipt_name(deposit, "pdf"), "application/pdf"
    )


@login_required
@require_GET
def manifest(request: HttpRequest, deposit_id: int) -> HttpResponse:
    """The manifest as uploaded (confidential: file names and digests)."""
    deposit = queries.get_deposit_for(actor_of(request), deposit_id)
    with deposit.manifest.open("rb") as handle:
        content = handle.read()
    return _attachment(content, f"{deposit.number}.manifest.json", "application/json")


# ── the public ─────────────────────────────────────────────────────────────────────────


@require_GET
def tsa_ca(request: HttpRequest) -> HttpResponse:
    """The CA certificate(s) that verifiers of deposit time-stamps trust (PEM)."""
    pem = deposit_tsa.ca_pem()
    if not pem:
        raise NotFound(gettext_noop("No such page."))
    response = HttpResponse(pem, content_type="application/pem-certificate-chain")
    response["Content-Disposition"] = 'attachment; filename="tsa-ca.pem"'
    return response


@require_GET
def public(request: HttpRequest, number: str) -> HttpResponse:
    """That a deposit exists: its number, its time and its root; nothing confidential."""
    return render(request, "deposits/public.html", {"deposit": queries.public_deposit(number)})


# ── applications ───────────────────────────────────────────────────────────────────────


def _application(actor: Actor, application_id: int) -> Application:
    return registry_queries.get_application_for(actor, application_id)


def _choices(application: Application) -> list[tuple[int, str]]:
    return [
        (d.pk, f"{d.number} · {d.file_count} · {d.root[:16]}…")
        for d in queries.citable_deposits(application)
    ]


def application_context(actor: Actor, application: Application) -> dict[str, Any]:
    """What a page about ``application`` may show of its deposits, for ``actor``.

    ``deposits`` (the cited deposits, confidential viewers only), ``public_deposits`` (what the
    public sees), ``warnings`` (overlap warnings, examiners and registrars only), ``may_cite``.
    """
    confidential = registry_queries.can_see_confidential(actor, application)
    applicant = bool(actor.holder_ids & applicant_holder_ids(application))
    return {
        "application": application,
        "deposits": queries.cited_deposits(application) if confidential else [],
        "public_deposits": [] if confidential else queries.public_deposits_of(application),
        "warnings": queries.overlap_warnings(application) if actor.roles & STAFF else [],
        "may_cite": applicant and application.status in EDITING,
        "confidential": confidential,
        "applicant": applicant,
        "staff": bool(actor.roles & STAFF),
    }


@require_GET
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    """An application's deposits: cited ones (and citing, while editable); warnings for staff."""
    actor = actor_of(request)
    found = _application(actor, application_id)
    context = application_context(actor, found)
    if context["may_cite"]:
        context["form"] = CiteForm(_choices(found))
    return render(request, "deposits/application.html", context)


@applicant_required
@require_POST
def cite(request: HttpRequest, application_id: int) -> HttpResponse:
    """Cite one of the applicant side's deposits."""
    actor = actor_of(request)
    found = _application(actor, application_id)
    form = CiteForm(_choices(found), request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of your deposits."))
    else:
        try:
            services.cite_deposit(found.pk, form.cleaned_data["deposit"], actor=actor)
        except DomainError as error:
            messages.error(request, describe(error))
        else:
            messages.success(request, _("The deposit is cited."))
    return redirect("deposits:application", found.pk)


@applicant_required
@require_POST
def uncite(request: HttpRequest, application_id: int, deposit_id: int) -> HttpResponse:
    """Remove a cited deposit (while the application may be edited)."""
    actor = actor_of(request)
    found = _application(actor, application_id)
    try:
        services.uncite_deposit(found.pk, deposit_id, actor=actor)
    except DomainError as error:
        messages.error(request, describe(error))
    else:
        messages.success(request, _("The deposit is no longer cited."))
    return redirect("deposits:application", found.pk)
