"""Applicants: the step-by-step application, submission, the status timeline, corrections."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dataip.certificates.application_copy import application_copy as build_copy
from dataip.certificates.application_copy import copy_for
from dataip.deposits.queries import cited_deposits
from dataip.errors import FieldErrors, NotFound, ValidationFailed, gettext_noop
from dataip.registry import clock, labels, queries
from dataip.registry.actors import applicant_holder_ids
from dataip.registry.declaration import DECLARATION
from dataip.registry.details import public_details
from dataip.registry.fields import PUBLIC_FIELDS
from dataip.registry.i18n import field_errors
from dataip.registry.i18n import render as render_message
from dataip.registry.kinds import ProductKind
from dataip.registry.models import Application
from dataip.registry.queries import applicants, decisions, listings, rights
from dataip.registry.queries.declared import Declared, declared_fields, public_fields
from dataip.registry.queries.files import certificates_of
from dataip.registry.queries.objections import objections_against
from dataip.registry.regimes import load_regime
from dataip.registry.services import applications as filing
from dataip.registry.services.context import context_for
from dataip.registry.workflow import (
    PUBLIC_STATUSES,
    Action,
    Status,
    allowed_actions,
    identity_verified,
)
from dataip.web.access import actor_of, applicant_required, login_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import (
    STEP_ORDER,
    STEP_TITLES,
    STEPS,
    DetailsForm,
    HoldersForm,
    MaterialForm,
    NewApplicationForm,
    ProductStepForm,
)
from dataip.web.views._common import action_buttons, allowed, with_deadline

EDITING = (Status.DRAFT, Status.CORRECTION_REQUESTED)


def own_application(request: HttpRequest, application_id: int) -> Application:
    """The application if the signed-in applicant's side may see it (confidential included)."""
    actor = actor_of(request)
    application = queries.get_application_for(actor, application_id)
    if not actor.sees_holder_ids & applicant_holder_ids(application):
        raise NotFound(gettext_noop("No such application."))
    return application


def step_of(name: str) -> str:
    """The step of the application form where the missing item ``name`` is filled in."""
    if name.startswith("details."):
        return "details"
    if name.startswith("materials."):
        return "materials"
    if name == "holders" or name.startswith("shares"):
        return "holders"
    return next((step for step, names in STEPS.items() if name in names), "basics")


def anchor_of(name: str) -> str:
    """The id of the form field (or of the form) where ``name`` is filled in."""
    if name.startswith("details."):
        return f"id_detail_{name.split('.', 1)[1]}"
    if name.startswith("materials."):
        return "id_kind"
    if name == "holders" or name.startswith("shares"):
        return "id_identifier_1"
    return f"id_{name}"


def missing_links(application: Application, names: list[str]) -> list[dict[str, str]]:
    """Each missing item, labelled, with the link to its step and field."""
    return [
        {
            "name": name,
            "label": capfirst(labels.field(name)),
            "step": str(STEP_TITLES[step_of(name)]),
            "url": reverse("web:application-step", args=[application.pk, step_of(name)])
            + f"#{anchor_of(name)}",
        }
        for name in names
    ]


def _steps(application: Application, current: str) -> list[dict[str, Any]]:
    """The steps, the current one marked; a step is ticked once nothing in it is missing (the
    last one once the application is submitted)."""
    editing = application.status in EDITING
    unfinished = (
        {step_of(n) for n in applicants.missing_for_submission(application)} if editing else set()
    )
    return [
        {
            "name": name,
            "title": STEP_TITLES[name],
            "current": name == current,
            "done": not editing if name == "review" else name not in unfinished,
            "url": reverse("web:application-step", args=[application.pk, name]),
        }
        for name in STEP_ORDER
    ]


@applicant_required
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    """The applicant's applications and where each stands."""
    user = user_of(request)
    return render(
        request,
        "web/my_applications.html",
        {
            "applications": applicants.applications_of(user.holder_id),
            "referrals": listings.referrals_for_holder(actor_of(request).sees_holder_ids),
        },
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def new_application(request: HttpRequest) -> HttpResponse:
    """Start an application: choose the kind of product and name it; a draft is saved."""
    user = user_of(request)
    regime = load_regime(settings.DATAIP_REGIME)
    kinds = [(k.value, labels.kind(k.value)) for k in ProductKind if regime.allows(k)]
    form = NewApplicationForm(kinds, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = filing.create_draft(
                actor=actor_of(request),
                user=user,
                kind=form.cleaned_data["kind"],
                values={"name": form.cleaned_data["name"]},
            )
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            messages.success(request, _("Draft saved. Continue with the details."))
            return redirect("web:application-step", application.pk, "basics")
    status = 422 if form.errors else 200
    return render(request, "web/application_new.html", {"form": form}, status=status)


def _form_for(step: str, application: Application, data: Any = None) -> Any:
    product = application.product
    if step == "details":
        initial = {"revision": application.revision, **DetailsForm.initial_from(product.details)}
        return DetailsForm(ProductKind(product.kind), data, initial=initial)
    initial = {name: getattr(product, name) for name in STEPS[step]}
    initial["revision"] = application.revision
    return ProductStepForm(step, data, initial=initial)


@applicant_required
@require_http_methods(["GET", "POST"])
def application_step(request: HttpRequest, application_id: int, step: str) -> HttpResponse:
    """One step of the application form; saving keeps a draft (with stale-form protection)."""
    if step not in STEP_ORDER:
        raise NotFound(gettext_noop("No such page."))
    application = own_application(request, application_id)
    if step == "holders":
        return holders_step(request, application)
    if step == "materials":
        return materials_step(request, application)
    if step == "review":
        return review_step(request, application)
    editable = Action.EDIT in allowed(application, actor_of(request))
    form = _form_for(step, application, request.POST if request.method == "POST" else None)
    # A change the workflow does not allow now is refused by the service (a 409 page).
    if request.method == "POST" and form.is_valid():
        try:
            filing.update_draft(
                application.pk,
                actor=actor_of(request),
                values=form.values(),
                revision=form.cleaned_data["revision"],
            )
        except ValidationFailed as error:
            put_on_form(form, error, form.names() if isinstance(form, DetailsForm) else None)
        else:
            following = STEP_ORDER[STEP_ORDER.index(step) + 1]
            messages.success(request, _("Saved."))
            return redirect("web:application-step", application.pk, following)
    status = 422 if form.errors else 200
    context = {
        "application": application,
        "form": form,
        "step": step,
        "steps": _steps(application, step),
        "editable": editable,
    }
    return render(request, "web/application_step.html", context, status=status)


def holders_step(request: HttpRequest, application: Application) -> HttpResponse:
    """The holders of the right and their shares (they must add up to 100 %)."""
    editable = Action.EDIT in allowed(application, actor_of(request))
    current = applicants.holders_with_shares(application)
    initial: dict[str, Any] = {}
    for row, (holder, share) in enumerate(current, start=1):
        initial[f"identifier_{row}"] = holder.identifier
        initial[f"share_{row}"] = share
    form = HoldersForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        shares: dict[int, Any] = {}
        unknown = FieldErrors()
        for position, (identifier, share) in enumerate(form.rows(), start=1):
            found = applicants.holder_by_identifier(identifier)
            if found is None:
                unknown.add(f"identifier_{position}", gettext_noop("No holder has this number."))
            else:
                shares[found.pk] = share
        try:
            unknown.raise_if_any()
            filing.set_holders(application.pk, actor=actor_of(request), shares=shares)
        except ValidationFailed as error:
            put_on_form(form, error, {"shares": "identifier_1"})
        else:
            messages.success(request, _("Saved."))
            return redirect("web:application-step", application.pk, "materials")
    context = {
        "application": application,
        "form": form,
        "current": current,
        "step": "holders",
        "steps": _steps(application, "holders"),
        "editable": editable,
    }
    status = 422 if form.errors else 200
    return render(request, "web/application_holders.html", context, status=status)


def materials_step(request: HttpRequest, application: Application) -> HttpResponse:
    """Upload materials (each hashed with SHA-256 as it is stored), or remove one."""
    actor = actor_of(request)
    user = user_of(request)
    editable = Action.EDIT in allowed(application, actor)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            filing.add_material(
                application.pk,
                actor=actor,
                user=user,
                kind=form.cleaned_data["kind"],
                name=upload.name or "material",
                content=upload,
            )
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            messages.success(request, _("Uploaded: %(name)s") % {"name": upload.name})
            return redirect("web:application-step", application.pk, "materials")
    context = {
        "application": application,
        "form": form,
        "materials": filing.current_materials(application),
        "checklist": [
            (kind, labels.material(kind), have)
            for kind, have in applicants.material_checklist(application)
        ],
        "step": "materials",
        "steps": _steps(application, "materials"),
        "editable": editable,
    }
    status = 422 if form.errors else 200
    return render(request, "web/application_materials.html", context, status=status)


@applicant_required
@require_POST
def remove_material(request: HttpRequest, application_id: int, material_id: int) -> HttpResponse:
    """Withdraw a material from an application that is still being edited."""
    application = own_application(request, application_id)
    filing.remove_material(application.pk, material_id, actor=actor_of(request))
    messages.success(request, _("The material was removed."))
    return redirect("web:application-step", application.pk, "materials")


def _public_preview(application: Application) -> list[Declared]:
    """The product's fields as the public record will show them once announced."""
    product = application.product
    kind = ProductKind(product.kind)
    shown = {name: getattr(product, name) for name in PUBLIC_FIELDS}
    shown["details"] = public_details(kind, product.details)
    return public_fields(shown, kind)


def review_step(
    request: HttpRequest,
    application: Application,
    declaration_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """Everything as the examiner and as the public will see it (each field marked public or
    confidential), the materials, the deposits, what is still missing (each linked to its
    step and field), the declaration of truthfulness and the submit (or resubmit) button."""
    actor = actor_of(request)
    names = applicants.missing_for_submission(application)
    snapshot = context_for(application, clock.now())
    actions = [a for a in allowed_actions(snapshot, actor) if a in (Action.SUBMIT, Action.RESUBMIT)]
    unverified = identity_verified(snapshot)  # the organisation may draft, not submit yet
    fields = declared_fields(application.product, ProductKind(application.product.kind))
    context = {
        "unverified": render_message(unverified) if unverified is not None else "",
        "application": application,
        "missing": missing_links(application, names) if application.status in EDITING else [],
        "actions": action_buttons(application, actions),
        "fields": [{"field": f, "url": _field_url(application, f.name)} for f in fields if f.name],
        "public_preview": _public_preview(application),
        "holders": applicants.holders_with_shares(application),
        "materials": filing.current_materials(application),
        "deposits": cited_deposits(application),
        "declaration": DECLARATION,
        "declaration_text": DECLARATION.text(labels.is_english()),
        "declaration_error": declaration_error,
        "step": "review",
        "steps": _steps(application, "review"),
    }
    return render(request, "web/application_review.html", context, status=status)


def _field_url(application: Application, name: str) -> str:
    step = step_of(name)
    return reverse("web:application-step", args=[application.pk, step]) + f"#{anchor_of(name)}"


@applicant_required
@require_POST
def submit(request: HttpRequest, application_id: int) -> HttpResponse:
    """Submit a draft, or resubmit after a correction, with the declaration of truthfulness
    accepted; the revision guards against stale pages. Without the declaration the review
    page comes back (422) naming it, and nothing changes."""
    application = own_application(request, application_id)
    actor = actor_of(request)
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = None
    declaration = request.POST.get("declaration") or None
    step = filing.resubmit if application.status == Status.CORRECTION_REQUESTED else filing.submit
    try:
        step(application.pk, actor=actor, revision=revision, declaration=declaration)
    except ValidationFailed as error:
        reasons = field_errors(error)
        if set(reasons) != {"declaration"}:
            raise
        return review_step(request, application, " ".join(reasons["declaration"]), status=422)
    if step is filing.resubmit:
        messages.success(request, _("The corrected application was submitted."))
    else:
        messages.success(request, _("The application was submitted."))
    return redirect("web:application", application.pk)


@login_required
@require_GET
def application_copy(request: HttpRequest, application_id: int) -> HttpResponse:
    """The PDF copy of the submitted application, confidential fields included: for the
    applicant's side and staff only (anyone else: 404)."""
    app = copy_for(actor_of(request), application_id)
    response = HttpResponse(build_copy(app, cited_deposits(app)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{app.number}-application.pdf"'
    return response


@applicant_required
@require_POST
def withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    """Withdraw an application before it is approved."""
    application = own_application(request, application_id)
    if not request.POST.get("confirm"):
        decisions.check_possible(application, Action.WITHDRAW, actor_of(request))
        FieldErrors.raise_one(
            "confirm",
            gettext_noop("Tick the confirmation to %(action)s: this step cannot be undone."),
            action=Action.WITHDRAW.value,
        )
    filing.withdraw(application.pk, actor=actor_of(request), reason=request.POST.get("reason", ""))
    messages.success(request, decisions.outcome(application, Action.WITHDRAW))
    return redirect("web:application", application.pk)


@applicant_required
@require_GET
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    """An application: where it stands, its timeline, what to do next, its certificates."""
    app = own_application(request, application_id)
    actor = actor_of(request)
    actions = allowed(app, actor)
    events = applicants.events_of(app)
    context = {
        "application": app,
        "events": events,
        "reasons_shown": {a.value for a in applicants.REASONS_SHOWN_TO_APPLICANT},
        "can_edit": Action.EDIT in actions,
        "can_withdraw": Action.WITHDRAW in actions,
        "withdraw_consequence": decisions.consequence(app, Action.WITHDRAW)
        if Action.WITHDRAW in actions
        else "",
        "certificates": certificates_of(app),
        "materials": filing.current_materials(app),
        "is_public": Status(app.status) in PUBLIC_STATUSES,
        "came_from": listings.source_of(app),
        "decision_documents": rights.decision_documents_of(app),
        "objections": with_deadline(objections_against(actor, app.pk))
        if actor.sees_holder_ids & applicant_holder_ids(app)
        else [],
    }
    return render(request, "web/application.html", context)
