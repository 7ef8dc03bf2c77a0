"""The registrar verifies organisations (主体认证): the queue of organisations pending
verification and of identity claim disputes, each case with its documents, and the decision."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dataip.errors import DomainError, ValidationFailed
from dataip.registry.i18n import describe
from dataip.registry.queries import identity as found
from dataip.registry.services import identity
from dataip.registry.workflow import Role
from dataip.web.access import actor_of, staff_required
from dataip.web.errors import put_on_form
from dataip.web.forms import PortalForm
from dataip.web.views._common import download


class OrganisationDecisionForm(PortalForm):
    """Approve, or refuse with the reason; the decision cannot be undone."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("approve", gettext_lazy("Approve")),
            ("refuse", gettext_lazy("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=gettext_lazy("Required to refuse: the applicant sees it."),
    )
    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))

    def clean(self) -> dict[str, object]:
        """A refusal needs its reason."""
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not str(data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the refusal."))
        return data


@staff_required(Role.REGISTRAR)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Organisations pending verification and identity claim disputes, the oldest first."""
    cases = found.pending_cases(actor_of(request))
    return render(request, "web/staff/organisations.html", {"cases": cases})


@staff_required(Role.REGISTRAR)
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, kind: str, case_id: int) -> HttpResponse:
    """One case with its documents; approve, or refuse with the reason, after confirming."""
    actor = actor_of(request)
    item = found.case_for(actor, kind, case_id)
    form = OrganisationDecisionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            identity.decide(
                kind, case_id, actor=actor, approve=approve, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            put_on_form(form, error)
        except DomainError as error:
            form.add_error(None, describe(error))
            status = error.http_status
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("web:organisation-queue")
    context = {"case": item, "form": form}
    if form.errors and status == 200:
        status = 422
    return render(request, "web/staff/organisation.html", context, status=status)


@staff_required(Role.REGISTRAR)
@require_GET
def document(request: HttpRequest, kind: str, case_id: int, document_id: int) -> FileResponse:
    """An identity document of a case, as a download."""
    item = found.document_for(actor_of(request), kind, case_id, document_id)
    response = download(item.file, item.original_name, item.content_type)
    response["Cache-Control"] = "no-store"
    return response
