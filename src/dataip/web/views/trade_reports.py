"""Trade reports (交易所交易报送) on the portal: a data exchange's members list the trades their
exchange reported, report one and withdraw one (``/exchange/trades``); a holder disputes a
report from its registration's rights page; a registrar sees the disputed reports.

Every act goes through ``registry.services.trade_reports``, as the API's routes do; the
workflow decides who may act (only a member of a verified exchange reports). Withdrawing and
disputing ask for a confirmation tick.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import BLANK_CHOICE_DASH
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dataip.errors import DomainError, NotFound, ValidationFailed, gettext_noop
from dataip.registry import labels
from dataip.registry.i18n import describe
from dataip.registry.models import Holder, LicenceKind, Trade, TradeKind
from dataip.registry.models.holders import OrganisationType, Verification
from dataip.registry.queries import rights, trade_reports
from dataip.registry.services import trade_reports as reporting
from dataip.registry.workflow import Role
from dataip.web.access import actor_of, applicant_required, staff_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import DATE_INPUT, PortalForm


class TradeReportForm(PortalForm):
    """A trade to report; the service checks every field and names each bad one."""

    registration_number = forms.CharField(label=gettext_lazy("Registration number"), max_length=40)
    contract_reference = forms.CharField(label=gettext_lazy("Contract reference"), max_length=100)
    traded_on = forms.CharField(label=gettext_lazy("Trade date"), max_length=10, widget=DATE_INPUT)
    amount = forms.CharField(
        label=gettext_lazy("Amount"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("At most two decimals."),
    )
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, initial="CNY")
    kind = forms.ChoiceField(
        label=gettext_lazy("What was traded"), choices=[*BLANK_CHOICE_DASH, *TradeKind.choices]
    )
    buyer_name = forms.CharField(label=gettext_lazy("Buyer's name"), max_length=200)
    buyer_identifier = forms.CharField(
        label=gettext_lazy("Buyer's unified social credit code"),
        max_length=18,
        help_text=gettext_lazy(
            "Optional for a licence; a transfer needs a buyer registered with the registry."
        ),
    )
    licence_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of licence"),
        choices=[*BLANK_CHOICE_DASH, *LicenceKind.choices],
        help_text=gettext_lazy("For a licence only."),
    )
    starts = forms.CharField(label=gettext_lazy("From"), max_length=10, widget=DATE_INPUT)
    ends = forms.CharField(label=gettext_lazy("Until"), max_length=10, widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # the service names what is missing


class WithdrawForm(PortalForm):
    """Withdraw a report (irreversible: ticked)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


class DisputeForm(PortalForm):
    """Dispute a report, with the reason (irreversible: ticked)."""

    reason = forms.CharField(
        label=gettext_lazy("Why the report is wrong"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,  # the service names a missing reason
    )
    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _refused(form: forms.Form, error: DomainError) -> None:
    if isinstance(error, ValidationFailed):
        put_on_form(form, error)
    else:
        form.add_error(None, describe(error))


def row(trade: Trade) -> dict[str, Any]:
    """A report as the pages show it: the trade, and its names in the page's language."""
    transfer = trade.transfer
    return {
        "trade": trade,
        "kind": labels.trade_kind(trade.kind),
        "status": labels.trade_status(trade.status),
        "licence_kind": labels.licence(trade.licence_kind) if trade.licence_kind else "",
        "transfer": labels.record_status(transfer.status) if transfer else "",
    }


def _exchange_member(request: HttpRequest) -> bool:
    """Whether the signed-in person is a member of a data exchange (verified or not); others
    get 404 on these pages. Whether it may report is the workflow's to say."""
    holder = user_of(request).holder
    if holder is None or holder.org_type != OrganisationType.EXCHANGE:
        raise NotFound(gettext_noop("This page is for data exchanges."))
    return holder.verification == Verification.VERIFIED


# ── the exchange's pages ──────────────────────────────────────────────────────────────


@applicant_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """The trades the exchange reported, newest first, each with its state."""
    verified = _exchange_member(request)
    found = trade_reports.reports_by_exchange(actor_of(request))
    context = {"rows": [row(t) for t in found], "verified": verified}
    return render(request, "web/exchange_trades/list.html", context)


@applicant_required
@require_http_methods(["GET", "POST"])
def new_report(request: HttpRequest) -> HttpResponse:
    """Report a trade of a registered product (found by its registration number)."""
    verified = _exchange_member(request)
    form = TradeReportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = reporting.report_trade(
                data["registration_number"] or "",
                actor=actor_of(request),
                contract_reference=data["contract_reference"] or "",
                traded_on=data["traded_on"],
                amount=data["amount"],
                currency=(data["currency"] or "CNY").strip().upper(),
                kind=data["kind"] or "",
                buyer_name=data["buyer_name"] or "",
                buyer_identifier=data["buyer_identifier"] or "",
                licence_kind=data["licence_kind"] or "",
                starts=data["starts"],
                ends=data["ends"],
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The trade was reported."))
            return redirect("web:exchange-trade", made.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "verified": verified}
    return render(request, "web/exchange_trades/new.html", context, status=status)


@applicant_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, trade_id: int) -> HttpResponse:
    """One report of the exchange: its parties, state, the transfer it proposed; and the
    form to withdraw it (to correct it, report the contract again)."""
    _exchange_member(request)
    found = trade_reports.report_of_exchange(actor_of(request), trade_id)
    form = WithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            reporting.withdraw_trade_report(
                trade_id, actor=actor_of(request), reason=form.cleaned_data["reason"] or ""
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The report was withdrawn."))
            return redirect("web:exchange-trade", trade_id)
    context = {"r": row(found), "form": form, "sellers": _sellers(found)}
    return render(
        request, "web/exchange_trades/detail.html", context, status=422 if form.errors else 200
    )


def _sellers(trade: Trade) -> list[str]:
    names = dict(Holder.objects.filter(pk__in=trade.sellers).values_list("pk", "name"))
    return [names.get(h, "") for h in trade.sellers]


# ── the holder disputes; the registrar looks ──────────────────────────────────────────


@applicant_required
@require_http_methods(["GET", "POST"])
def dispute(request: HttpRequest, application_id: int, trade_id: int) -> HttpResponse:
    """A holder disputes a trade an exchange reported on its registration, with the reason."""
    actor = actor_of(request)
    application = rights.held_registration(actor, application_id=application_id)
    found = trade_reports.report_for_holder(actor, trade_id)
    if found.application_id != application.pk:
        raise NotFound(gettext_noop("No such trade report."))
    form = DisputeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            reporting.dispute_trade(trade_id, actor=actor, reason=form.cleaned_data["reason"] or "")
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The report is marked as disputed; the exchange is told."))
            return redirect("web:rights", application.pk)
    context = {"application": application, "r": row(found), "form": form}
    return render(
        request, "web/exchange_trades/dispute.html", context, status=422 if form.errors else 200
    )


@staff_required(Role.REGISTRAR)
@require_GET
def disputed(request: HttpRequest) -> HttpResponse:
    """The registrar's view of the reports holders dispute."""
    rows = [row(t) for t in trade_reports.disputed_reports()]
    return render(request, "web/exchange_trades/disputed.html", {"rows": rows})
