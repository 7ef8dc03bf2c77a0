"""Examiners and the registrar: the work queue, the examination checklist, decisions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dataip.accounts import saved_views
from dataip.errors import (
    DomainError,
    Message,
    NotFound,
    ValidationFailed,
    gettext_noop,
)
from dataip.registry import clock, fields, labels, queries, reference
from dataip.registry.i18n import describe, field_errors
from dataip.registry.i18n import render as render_message
from dataip.registry.kinds import ProductKind
from dataip.registry.models import Application
from dataip.registry.queries import applicants, decisions, listings, rights, staff
from dataip.registry.queries.objections import undecided_objections
from dataip.registry.services import changes, examination, lifecycle, publicity, registrar
from dataip.registry.services.casework import STEPS
from dataip.registry.services.registrar import ReissueGround
from dataip.registry.workflow import TERMINAL, TRANSITIONS, Action, Role, Status
from dataip.web.access import actor_of, login_required, staff_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.field_help import FieldHelpMixin
from dataip.web.forms import PortalForm
from dataip.web.views._common import (
    action_buttons,
    allowed,
    download,
    may_propose,
    with_deadline,
)
from dataip.web.views.bank import done, said
from dataip.web.views.declared import declared_fields
from dataip.web.views.rights import ChangeForm

EXAMINERS = (Role.EXAMINER, Role.REGISTRAR)


@staff_required(Role.EXAMINER, Role.REGISTRAR, Role.EXPERT)
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where staff land after signing in: the queue, or the expert's reviews."""
    if actor_of(request).roles & set(EXAMINERS):
        return redirect("web:queue")
    return redirect("web:reviews")


class QueueFilterForm(FieldHelpMixin, forms.Form):
    """The queue's search, filters and sort (all optional; a bad value is named, not ignored)."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Application or registration number, product name or holder."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    province = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    examiner = forms.ChoiceField(label=gettext_lazy("Examiner"), required=False)
    deadline_before = forms.DateField(
        label=gettext_lazy("Deadline on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("urgency", gettext_lazy("Most urgent first")),
            ("submitted", gettext_lazy("Submitted, oldest first")),
            ("-submitted", gettext_lazy("Submitted, newest first")),
            ("deadline", gettext_lazy("Deadline")),
            ("number", gettext_lazy("Application number")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", _("Any"))]
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        province_field = cast(forms.ChoiceField, self.fields["province"])
        examiner_field = cast(forms.ChoiceField, self.fields["examiner"])
        kind_field.choices = blank + [(k.value, labels.kind(k.value)) for k in ProductKind]
        province_field.choices = blank + [
            (p.code2, labels.province(p.code2)) for p in reference.provinces()
        ]
        examiner_field.choices = blank + [
            (str(u.pk), u.display_name or u.username) for u in staff.examiners()
        ]

    def wanted(self, status: str) -> staff.QueueFilter:
        """The filter asked for (the valid fields only)."""
        data = self.cleaned_data if self.is_valid() else {}
        examiner = data.get("examiner")
        return staff.QueueFilter(
            status=status,
            q=data.get("q", ""),
            kind=data.get("kind", ""),
            province=data.get("province", ""),
            examiner=int(examiner) if examiner else None,
            deadline_before=data.get("deadline_before"),
            overdue=bool(data.get("overdue")),
            sort=data.get("sort") or "urgency",
        )


class SaveViewForm(PortalForm):
    """Save the queue's current filters under a name."""

    name = forms.CharField(label=gettext_lazy("Name of the view"), max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)


def _queue_context(request: HttpRequest) -> tuple[dict[str, Any], int]:
    status = request.GET.get("status", Status.SUBMITTED.value)
    counts = staff.queue_counts()
    tabs = [(s.value, labels.status(s.value), counts[s.value]) for s in staff.BROWSABLE_STATUSES]
    form = QueueFilterForm(request.GET)
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    context: dict[str, Any] = {
        "status": status,
        "tabs": tabs,
        "filters": form,
        "query": query,
        "without_status": "&".join(p for p in query.split("&") if not p.startswith("status=")),
        "saved_views": saved_views.views_of(user_of(request)),
        "save_form": SaveViewForm(initial={"query": query}),
        "unknown_status": "",
    }
    try:
        found = staff.queue(form.wanted(status))
    except staff.UnknownStatus:
        context |= {"unknown_status": status, "status_name": status, "page": None}
        return context, 400
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    today = clock.local_date(clock.now())
    context |= {
        "status_name": labels.status(status),
        "page": page,
        "rows": [
            {"application": a, "deadline": staff.deadline_of(a, today)} for a in page.object_list
        ],
    }
    return context, 200


@staff_required(*EXAMINERS)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The work queue of one status (every status may be browsed), searched, filtered and
    sorted, with each case's deadline and overdue flag, and the person's saved views."""
    context, status_code = _queue_context(request)
    undecided = with_deadline(list(undecided_objections()))
    context |= {
        "objections_waiting": len(undecided),
        "objections_overdue": sum(1 for r in undecided if r["deadline"] == "overdue"),
        "objections_due_soon": sum(1 for r in undecided if r["deadline"] == "due_soon"),
    }
    return render(request, "web/queue.html", context, status=status_code)


@staff_required(*EXAMINERS)
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    """Save the queue's current filters under a name (the person's own views)."""
    form = SaveViewForm(request.POST)
    query = request.POST.get("query", "")[:1000].lstrip("?")
    if form.is_valid():
        try:
            view = saved_views.save_view(
                user_of(request), name=form.cleaned_data["name"], query=query
            )
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
            return redirect(reverse("web:queue") + "?" + view.query)
    problems = [str(e) for errors in form.errors.values() for e in errors]
    messages.error(request, _("The view is not saved: %(why)s") % {"why": " ".join(problems)})
    return redirect(reverse("web:queue") + "?" + query)


@staff_required(*EXAMINERS)
@require_POST
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    """Delete one of the person's saved views."""
    saved_views.delete_view(user_of(request), view_id)
    messages.success(request, _("The view is deleted."))
    return redirect("web:queue")


@staff_required(Role.REGISTRAR, Role.EXAMINER)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The registrar's dashboard: each queue's size and oldest case, the overdue cases, and
    this month's throughput by day."""
    figures = staff.dashboard()
    context = {
        "figures": figures,
        "queues": [(q, labels.status(q.status)) for q in figures.queues],
        "overdue": [
            {"application": a, "deadline": staff.deadline_of(a, figures.today)}
            for a in figures.overdue
        ],
    }
    return render(request, "web/staff/dashboard.html", context)


def _case(request: HttpRequest, application_id: int) -> Application:
    actor = actor_of(request)
    application = queries.get_application_for(actor, application_id)
    if not actor.roles & set(EXAMINERS):
        raise NotFound(gettext_noop("No such application."))
    return application


@login_required
@require_GET
def decision_file(request: HttpRequest, application_id: int, file_id: int) -> FileResponse:
    """The document of a decision on a registration (its revocation): for the registry's
    staff and the registration's holders."""
    item = rights.decision_document_for(actor_of(request), application_id, file_id)
    return download(item.file, item.original_name, item.content_type)


BUTTON_STYLES = {True: "btn btn-danger", False: "btn btn-primary"}
"""A decision that ends the application (its rule leads to a terminal status) is styled as a
danger; any other as the primary action."""


def _buttons(application: Application, actions: list[Action]) -> list[dict[str, Any]]:
    """The case page's action forms: each with its reason field labelled with the action, and,
    where the action cannot be undone, the confirmation naming its consequence."""
    buttons = action_buttons(application, [a for a in actions if a in STEPS])
    for button in buttons:
        action = Action(button["action"])
        button["confirm"] = decisions.asks_confirmation(action)
        button["consequence"] = (
            decisions.consequence(application, action) if button["confirm"] else ""
        )
        button["reason_label"] = _("Reason for: %(action)s") % {"action": button["label"]}
        rule = TRANSITIONS[(Status(application.status), action)]
        button["style"] = BUTTON_STYLES[rule.to in TERMINAL]
    return buttons


def _objection_forms(
    application: Application, rows: list[dict[str, Any]], can_decide: bool
) -> list[dict[str, Any]]:
    """Each pending objection's two decisions, each with its own reason and confirmation."""
    for row in rows:
        objection = row["objection"]
        row["decisions"] = []
        if not can_decide or objection.status != "pending":
            continue
        for value, action in DECISIONS.items():
            row["decisions"].append(
                {
                    "value": value,
                    "key": f"objection-{objection.pk}-{value}",
                    "action": action.value,
                    "label": labels.action(action.value),
                    "reason_label": _("Reason for: %(action)s")
                    % {"action": labels.action(action.value)},
                    "consequence": decisions.consequence(application, action, objection=objection),
                    "style": BUTTON_STYLES[action == Action.UPHOLD_OBJECTION],
                }
            )
    return rows


def _case_page(
    request: HttpRequest,
    application: Application,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    actions = allowed(application, actor)
    can_assign = may_propose(application, actor, Action.ASSIGN_EXPERT)
    can_decide = Action.DISMISS_OBJECTION in actions or Action.UPHOLD_OBJECTION in actions
    objections = with_deadline(staff.objections_to(application))
    context: dict[str, Any] = {
        "can_revoke": Action.REVOKE in actions,
        "can_correct": Action.CORRECT_PARTICULARS in actions,
        "can_reissue": Action.REISSUE_CERTIFICATE in actions,
        "application": application,
        "missing": [labels.field(n) for n in applicants.missing_for_submission(application)],
        "materials": list(application.materials.order_by("id")),
        "fields": declared_fields(application.product, ProductKind(application.product.kind)),
        "holders": applicants.holders_with_shares(application),
        "panel": staff.panel_of(application),
        "objections": _objection_forms(application, objections, can_decide),
        "decision_documents": rights.decision_documents_of(application),
        "events": applicants.events_of(application),
        "came_from": listings.source_of(application),
        "buttons": _buttons(application, actions),
        "can_assign": can_assign,
        "experts": staff.expert_choices(application) if can_assign else [],
        "deadline": staff.deadline_of(application),
        "can_decide_objections": can_decide,
    }
    forms_shown = [*context["buttons"], *(d for row in objections for d in row["decisions"])]
    for shown in forms_shown:
        refused = failed is not None and failed["key"] == shown.get("key", shown["action"])
        shown["errors"] = failed["errors"] if refused and failed else {}
        shown["typed"] = failed["reason"] if refused and failed else ""
    return render(request, "web/case.html", context, status=status)


@staff_required(*EXAMINERS)
@require_GET
def case(request: HttpRequest, application_id: int) -> HttpResponse:
    """The examination checklist: missing items, materials and hashes, every declared field,
    holders, panel, objections, the full history, and the actions the workflow allows now."""
    return _case_page(request, _case(request, application_id))


def _refused_on_case(
    request: HttpRequest, application: Application, key: str, error: ValidationFailed
) -> HttpResponse:
    """The case page again (422) with the refused form's errors next to its fields and what
    was typed kept: nothing was done."""
    failed = {
        "key": key,
        "errors": field_errors(error),
        "reason": request.POST.get("reason", ""),
    }
    return _case_page(request, application, failed, status=422)


def _unconfirmed(action: Action) -> ValidationFailed:
    return ValidationFailed(
        {
            "confirm": [
                Message(
                    gettext_noop(
                        "Tick the confirmation to %(action)s: this step cannot be undone."
                    ),
                    {"action": action.value},
                )
            ]
        }
    )


@staff_required(*EXAMINERS)
@require_POST
def act(request: HttpRequest, application_id: int) -> HttpResponse:
    """Take one action on the application, with the reason given (the workflow decides). An
    action that cannot be undone is taken only with its confirmation ticked; otherwise, and
    for a missing reason, the case page answers 422 with the error by the field."""
    application = _case(request, application_id)
    actor = actor_of(request)
    try:
        action = Action(request.POST.get("action", ""))
        step = STEPS[action]
    except (ValueError, KeyError):
        raise NotFound(gettext_noop("No such action.")) from None
    try:
        if decisions.asks_confirmation(action) and not request.POST.get("confirm"):
            decisions.check_possible(application, action, actor)
            raise _unconfirmed(action)
        step(application.pk, actor, request.POST.get("reason", "").strip())
    except ValidationFailed as error:
        return _refused_on_case(request, application, action.value, error)
    messages.success(request, decisions.outcome(application, action))
    return redirect("web:case", application.pk)


@staff_required(Role.REGISTRAR)
@require_POST
def assign(request: HttpRequest, application_id: int) -> HttpResponse:
    """The registrar puts one or several experts on the panel in one go; if the workflow
    refuses any (a conflict of interest), none is assigned and the page says which and why."""
    application = _case(request, application_id)
    chosen = request.POST.getlist("experts") or request.POST.getlist("expert")
    experts = [staff.user_to_assign(pk) for pk in dict.fromkeys(chosen)]
    panel = reverse("web:case", args=[application.pk]) + "#panel"
    try:
        examination.assign_experts(application.pk, actor=actor_of(request), experts=experts)
    except examination.ExpertRefused as refused:
        messages.error(
            request,
            _("Nobody was assigned: %(expert)s cannot sit on this panel. %(reason)s")
            % {"expert": refused.expert, "reason": describe(refused)},
        )
        return _case_page(request, application, status=refused.http_status)
    except ValidationFailed as error:
        reasons = [render_message(m) for ms in error.errors.values() for m in ms]
        messages.error(request, " ".join(reasons))
        return _case_page(request, application, status=422)
    names = ", ".join(str(e) for e in experts)
    messages.success(request, _("On the panel now: %(experts)s.") % {"experts": names})
    return redirect(panel)


DECISIONS = {"dismiss": Action.DISMISS_OBJECTION, "uphold": Action.UPHOLD_OBJECTION}
"""The decisions on an objection, by the value their form posts."""


@staff_required(*EXAMINERS)
@require_POST
def decide_objection(request: HttpRequest, objection_id: int) -> HttpResponse:
    """Dismiss or uphold an objection, with the reason, once the consequence is confirmed
    (dismissing the last objection after the announcement registers the application)."""
    found = staff.get_objection(objection_id)
    application = _case(request, found.application_id)
    reason = request.POST.get("reason", "").strip()
    action = DECISIONS.get(request.POST.get("decision", ""))
    if action is None:
        raise NotFound(gettext_noop("No such action."))
    actor = actor_of(request)
    try:
        if not request.POST.get("confirm"):
            decisions.check_possible(application, action, actor)
            raise _unconfirmed(action)
        if action == Action.DISMISS_OBJECTION:
            publicity.dismiss_objection(objection_id, actor=actor, reason=reason)
        else:
            publicity.uphold_objection(objection_id, actor=actor, reason=reason)
    except ValidationFailed as error:
        key = f"objection-{objection_id}-{request.POST.get('decision')}"
        return _refused_on_case(request, application, key, error)
    messages.success(request, decisions.outcome(application, action, objection=found))
    return redirect("web:case", found.application_id)


# ── registered rights: change requests and revocation (登记后) ────────────────────────────


class ChangeDecisionForm(PortalForm):
    """Approve or refuse a change request; a refusal needs its reason."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("approve", gettext_lazy("Approve: the change applies, a certificate is re-issued")),
            ("refuse", gettext_lazy("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=gettext_lazy("Required when refusing."),
    )
    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


class RevokeForm(PortalForm):
    """Revoke a registration on an upheld challenge or a court decision."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    reference = forms.CharField(
        label=gettext_lazy("The decision's reference"),
        max_length=200,
        help_text=gettext_lazy("The court judgment's or the registry's decision number."),
    )
    decision = forms.FileField(
        label=gettext_lazy("The decision's document"),
        help_text=gettext_lazy(
            "The judgment or the registry's decision, as a PDF or an image of at most 20 MiB."
        ),
    )
    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _refused(form: forms.Form, error: DomainError) -> None:
    if isinstance(error, ValidationFailed):
        put_on_form(form, error)
    else:
        form.add_error(None, describe(error))


@staff_required(*EXAMINERS)
@require_GET
def change_queue(request: HttpRequest) -> HttpResponse:
    """Change requests of registered rights waiting for an examiner, the oldest first."""
    return render(request, "web/staff/changes.html", {"changes": rights.pending_changes()})


@staff_required(*EXAMINERS)
@require_http_methods(["GET", "POST"])
def change_request(request: HttpRequest, change_id: int) -> HttpResponse:
    """One change request: the old and new value of each particular; approve or refuse."""
    found = rights.change_request(change_id)
    if found is None:
        raise NotFound(gettext_noop("No such change request."))
    form = ChangeDecisionForm(_posted(request))
    params = {"registration_number": found.application.registration_number}
    said(form, Action.APPROVE_CHANGE, params, reason_for=_("approve or refuse the change"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decided = Action.APPROVE_CHANGE if data["decision"] == "approve" else Action.REFUSE_CHANGE
        try:
            if data["decision"] == "approve":
                changes.approve_change(change_id, actor=actor_of(request), reason=data["reason"])
            else:
                changes.refuse_change(change_id, actor=actor_of(request), reason=data["reason"])
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, done(decided, params))
            return redirect("web:change-queue")
    rows = [
        {"field": labels.field(name), "old": diff.get("old"), "new": diff.get("new")}
        for name, diff in found.changes.items()
    ]
    context = {"change": found, "rows": rows, "form": form}
    return render(request, "web/staff/change.html", context, status=422 if form.errors else 200)


@staff_required(Role.REGISTRAR)
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, application_id: int) -> HttpResponse:
    """The registrar revokes a registration (撤销), with the reason and the decision's
    reference; the public record and verification show it."""
    application = _case(request, application_id)
    if application.status != Status.REGISTERED:
        raise NotFound(gettext_noop("No such registration."))
    form = RevokeForm(_posted(request), request.FILES if request.method == "POST" else None)
    form.fields["confirm"].label = _("I confirm: %(consequence)s") % {
        "consequence": decisions.consequence(application, Action.REVOKE)
    }
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["decision"]
        try:
            lifecycle.revoke(
                application.pk,
                actor=actor_of(request),
                reason=form.cleaned_data["reason"],
                reference=form.cleaned_data["reference"],
                decision=[(document.name or "decision", document)],
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, decisions.outcome(application, Action.REVOKE))
            return redirect("web:case", application.pk)
    context = {"application": application, "form": form}
    return render(request, "web/staff/revoke.html", context, status=422 if form.errors else 200)


# ── the registrar on a registered right: correction, re-issue; the queue (登记后) ─────────


class CorrectionForm(ChangeForm):
    """The registered particulars prefilled; the registrar corrects the wrong ones (更正)."""

    holder_name = forms.CharField(label=gettext_lazy("Holder's name"), max_length=200)
    holder_name_en = forms.CharField(
        label=gettext_lazy("Holder's name in English"), max_length=200, required=False
    )
    holder_address = forms.CharField(
        label=gettext_lazy("Holder's address"), max_length=300, required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("The obvious error and where the right value comes from."),
    )
    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last = ["holder_name", "holder_name_en", "holder_address", "reason", "confirm"]
        self.order_fields([*(n for n in self.fields if n not in last), *last])

    def corrected(self, application: Application) -> dict[str, Any]:
        """The particulars whose value differs from the registered one."""
        holder_fields = ("holder_name", "holder_name_en", "holder_address", "reason", "confirm")
        others = {name: self.fields.pop(name) for name in holder_fields}
        try:
            found = self.changed(application)  # the product's particulars only
        finally:
            self.fields.update(others)
        holder = application.filed_by
        for name in ("holder_name", "holder_name_en", "holder_address"):
            value = (self.cleaned_data.get(name) or "").strip()
            if value != (getattr(holder, name.removeprefix("holder_")) or ""):
                found[name] = value
        return found


class ReissueForm(PortalForm):
    """Issue the certificate again with the same particulars (补发/换发)."""

    ground = forms.ChoiceField(
        label=gettext_lazy("Ground"), choices=ReissueGround.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


def _registered_case(request: HttpRequest, application_id: int) -> Application:
    application = _case(request, application_id)
    if application.status != Status.REGISTERED:
        raise NotFound(gettext_noop("No such registration."))
    return application


@staff_required(Role.REGISTRAR)
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, application_id: int) -> HttpResponse:
    """The registrar corrects an obvious error in the registered particulars (更正), with the
    reason; logged, and a new certificate version is issued."""
    application = _registered_case(request, application_id)
    product, holder = application.product, application.filed_by
    initial = {name: getattr(product, name) for name in fields.CHANGEABLE}
    initial |= {"holder_name": holder.name, "holder_name_en": holder.name_en}
    initial["holder_address"] = holder.address
    form = CorrectionForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            registrar.correct_particulars(
                application.pk,
                actor=actor_of(request),
                values=form.corrected(application),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(
                request, _("The particulars are corrected; a new certificate is issued.")
            )
            return redirect("web:case", application.pk)
    context = {"application": application, "form": form}
    return render(request, "web/staff/correct.html", context, status=422 if form.errors else 200)


@staff_required(Role.REGISTRAR)
@require_http_methods(["GET", "POST"])
def reissue(request: HttpRequest, application_id: int) -> HttpResponse:
    """The registrar issues the certificate again with the same particulars (补发/换发)."""
    application = _registered_case(request, application_id)
    form = ReissueForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            registrar.reissue_certificate(
                application.pk,
                actor=actor_of(request),
                ground=form.cleaned_data["ground"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("A new certificate version is issued."))
            return redirect("web:case", application.pk)
    context = {"application": application, "form": form}
    return render(request, "web/staff/reissue.html", context, status=422 if form.errors else 200)


@staff_required(*EXAMINERS)
@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """Requests after registration that wait, with their deadlines (overdue ones first)."""
    kind = request.GET.get("kind", "")
    everything = staff.pending_requests()
    counts = staff.pending_counts(everything)
    shown = [item for item in everything if not kind or item.kind == kind]
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "item": item,
            "kind": labels.pending(item.kind),
            "waits_for": labels.waits_for(item.waits_for),
            "url": reverse("web:change-request", args=[item.record_id])
            if item.kind == staff.Pending.CHANGE
            else reverse("web:case", args=[item.application.pk]),
        }
        for item in page.object_list
    ]
    tabs = [(k.value, labels.pending(k.value), counts[k.value]) for k in staff.Pending]
    context = {
        "rows": rows,
        "page": page,
        "tabs": tabs,
        "kind": kind,
        "overdue": counts["overdue"],
    }
    return render(request, "web/staff/pending.html", context)
