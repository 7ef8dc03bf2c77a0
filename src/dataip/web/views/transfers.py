"""Transfers (转让) on the web: the holder proposes one from its registration's page (and may
withdraw it); the assignee and every other joint holder see it under "Transfers waiting for
you" and confirm or decline it. It takes effect with the last confirmation.

Every act goes through ``registry.services.changes``, as the API's routes do; each asks for a
confirmation first, since none can be undone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dataip.errors import DomainError
from dataip.registry.queries import rights
from dataip.registry.queries.applicants import holder_by_identifier
from dataip.registry.services import changes
from dataip.registry.workflow import Action
from dataip.web.access import actor_of, applicant_required
from dataip.web.views.bank import ConfirmForm, ReasonForm, _posted, _refused, done, said
from dataip.web.views.rights import CheckedForm, _amount, _currency, _date, _door, held

WAITING = "web:transfers-waiting"


class TransferForm(CheckedForm):
    """A transfer to propose: the assignee by its identity code, the dates, the price."""

    assignee = forms.CharField(
        label=gettext_lazy("Assignee's credit code or ID number"),
        max_length=18,
        help_text=gettext_lazy("The assignee must be registered with the registry."),
    )
    contract_date = _date("Contract date")
    effective_date = _date("Effective date")
    price = _amount("Price (optional)")
    currency = _currency()
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class WithdrawForm(CheckedForm):
    """Withdrawing a proposed transfer, with an optional reason."""

    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


@applicant_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, application_id: int) -> HttpResponse:
    """Propose to transfer the registration to a registered holder (confirmed first); the
    assignee and every other joint holder then confirm it."""
    application = held(request, application_id)

    def act(data: dict[str, Any]) -> object:
        assignee = holder_by_identifier(data["assignee"] or "")
        return changes.propose_transfer(
            application.pk,
            actor=actor_of(request),
            assignee_id=assignee.pk if assignee else 0,  # 0: the service says no such holder
            contract_date=data["contract_date"],
            effective_date=data["effective_date"],
            price=data["price"] or None,
            currency=(data["currency"] or "CNY").strip().upper(),
        )

    return _door(
        request,
        application,
        TransferForm(_posted(request), initial={"currency": "CNY"}),
        action=Action.PROPOSE_TRANSFER,
        title=_("Transfer the registration"),
        act=act,
        done=_("The transfer was proposed. It takes effect once every party has confirmed it."),
        confirm=_(
            "The assignee and every other joint holder will be asked to confirm; once they "
            "have, the assignee becomes the sole holder."
        ),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, application_id: int, transfer_id: int) -> HttpResponse:
    """The proposer's organisation withdraws a transfer not yet in effect (confirmed first)."""
    application = held(request, application_id)
    transfer = rights.proposed_transfer(actor_of(request), transfer_id)
    if transfer.application_id != application.pk:
        return redirect("web:rights-transfer-withdraw", transfer.application_id, transfer_id)
    return _door(
        request,
        application,
        WithdrawForm(_posted(request)),
        action=Action.CANCEL_TRANSFER,
        title=_("Withdraw the transfer to %(assignee)s") % {"assignee": transfer.assignee.name},
        act=lambda data: changes.cancel_transfer(
            transfer_id, actor=actor_of(request), reason=data["reason"] or ""
        ),
        done=_("The transfer was withdrawn."),
        confirm=_("A withdrawn transfer cannot be resumed; propose a new one if needed."),
    )


# ── the parties' side: transfers waiting for their confirmation (转让确认) ───────────────


@applicant_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """Transfers the signed-in person's organisation is a party to and has to confirm."""
    found = rights.transfers_waiting_for(actor_of(request).holder_ids)
    return render(request, "web/rights/transfers_waiting.html", {"transfers": found})


def _act(
    request: HttpRequest,
    transfer_id: int,
    form: forms.Form,
    act: Any,
    *,
    action: str,
    title: str,
    button: str,
    reason_for: str = "",
    button_class: str = "btn btn-primary",
) -> HttpResponse:
    """One irreversible act of a party on one transfer: the transfer, the form, the tick naming
    what the act does (the last confirmation makes the assignee the holder)."""
    holder_ids = actor_of(request).holder_ids
    view = rights.transfer_for_party(holder_ids, transfer_id)
    others = [
        name
        for name, pk in zip(view.waiting, sorted(view.waiting_ids), strict=False)
        if pk not in holder_ids
    ]
    said_as = action
    if action == Action.CONFIRM_TRANSFER and not others:
        said_as = "confirm_transfer_last"
    params = {
        "registration_number": view.transfer.application.registration_number,
        "assignee": view.transfer.assignee.name,
        "others": ", ".join(others),
    }
    said(form, said_as, params, reason_for=reason_for)
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, done(said_as, params))
            return redirect(WAITING)
    context = {
        "view": view,
        "form": form,
        "title": title,
        "button": button,
        "button_class": button_class,
    }
    status = 422 if form.errors else 200
    return render(request, "web/rights/transfer_action.html", context, status=status)


@applicant_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """A party confirms the transfer; the last confirmation makes it take effect."""
    return _act(
        request,
        transfer_id,
        ConfirmForm(_posted(request)),
        lambda data: changes.confirm_transfer(transfer_id, actor=actor_of(request)),
        action=Action.CONFIRM_TRANSFER,
        title=_("Confirm the transfer"),
        button=_("Confirm the transfer"),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """A party declines the transfer, with the reason: the transfer is cancelled."""
    return _act(
        request,
        transfer_id,
        ReasonForm(_posted(request)),
        lambda data: changes.decline_transfer(
            transfer_id, actor=actor_of(request), reason=data["reason"]
        ),
        action=Action.DECLINE_TRANSFER,
        title=_("Decline the transfer"),
        button=_("Decline the transfer"),
        reason_for=_("decline the transfer"),
        button_class="btn btn-danger",
    )
