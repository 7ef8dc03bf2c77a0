"""After the certificate (登记后): the pages of a registered right's holder (权利人) — licences,
trades, service revenue, changes of particulars, renewal, cancellation, valuations and the
split of income between joint holders — and the licensee's (被许可方) list of its licences.

Every action goes through its service (``registry.services.licensing``, ``changes``,
``pledges``, ``lifecycle``); the workflow decides who may act and when, and a page offers a
form only where the workflow would let the person act (otherwise it says why). Irreversible
actions (ending a licence, renewal, cancellation) ask for confirmation first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import BLANK_CHOICE_DASH
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dataip.errors import DomainError, FieldErrors, ValidationFailed, gettext_noop
from dataip.registry import clock, fields, labels
from dataip.registry import territory as territories
from dataip.registry.details import FieldType
from dataip.registry.i18n import describe
from dataip.registry.models import (
    Application,
    ConsentPurpose,
    LicenceKind,
    PledgeStatus,
    ValuationMethod,
)
from dataip.registry.queries import decisions, listings, rights
from dataip.registry.services import changes, licensing, lifecycle, pledges
from dataip.registry.services.context import context_for
from dataip.registry.workflow import Action, Actor, decide
from dataip.web.access import actor_of, applicant_required
from dataip.web.errors import put_on_form
from dataip.web.forms import DATE_INPUT, PortalForm, _product_field

DONE = "web:rights"


# ── forms: they shape the input; the services check it and name each bad field ─────────


def _date(label: str) -> forms.CharField:
    return forms.CharField(label=gettext_lazy(label), max_length=10, widget=DATE_INPUT)


def _amount(label: str) -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy(label),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("At most two decimals."),
    )


def _currency() -> forms.CharField:
    return forms.CharField(label=gettext_lazy("Currency"), max_length=3, initial="CNY")


class CheckedForm(PortalForm):
    """A form whose every field the service checks (and names when wrong, all at once)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ConfirmedForm(PortalForm):
    """A form whose action cannot be undone: it is sent once more, confirmed."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


def _territory_choices() -> list[tuple[str, str]]:
    """Nationwide, then every province followed by its prefectures, named in the language of
    the page."""
    english = labels.is_english()
    return [(territories.NATIONWIDE, _("Nationwide")), *territories.choices(english)]


class TerritoryField(forms.MultipleChoiceField):
    """Nationwide or regions; nothing chosen is left for the service to name."""

    def to_python(self, value: Any) -> list[str]:
        return [item for item in super().to_python(value) if item]


class LicenceForm(CheckedForm):
    """A licence to record (许可备案)."""

    licensee = forms.CharField(
        label=gettext_lazy("Licensee's credit code or ID number"),
        max_length=18,
        help_text=gettext_lazy(
            "Unified social credit code, or resident ID number for a natural person."
        ),
    )
    licensee_name = forms.CharField(
        label=gettext_lazy("Licensee's name"),
        max_length=200,
        help_text=gettext_lazy("Needed only if the licensee is not registered with the registry."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of licence"),
        choices=[*BLANK_CHOICE_DASH, *LicenceKind.choices],
    )
    scope = forms.CharField(
        label=gettext_lazy("Scope of use"), widget=forms.Textarea(attrs={"rows": 3})
    )
    territory = TerritoryField(
        label=gettext_lazy("Territory"),
        choices=_territory_choices,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=gettext_lazy(
            "Nationwide, or one or more provinces and cities (GB/T 2260); hold Ctrl or ⌘ to "
            "choose several. A province includes its cities."
        ),
    )
    starts = _date("From")
    ends = _date("Until")
    fee = _amount("Licence fee")
    currency = _currency()


class EndLicenceForm(ConfirmedForm):
    """Ending a licence early (terminated or surrendered)."""

    on = _date("Ended on")
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class TradeForm(CheckedForm):
    """A trade on a data exchange (场内交易)."""

    exchange = forms.CharField(label=gettext_lazy("Data exchange"), max_length=200)
    contract_reference = forms.CharField(label=gettext_lazy("Contract reference"), max_length=100)
    traded_on = _date("Trade date")
    amount = _amount("Amount")
    currency = _currency()


class RevenueForm(CheckedForm):
    """Service revenue earned in a period (数据服务收入)."""

    period_start = _date("Period from")
    period_end = _date("Period until")
    amount = _amount("Amount")
    currency = _currency()
    description = forms.CharField(label=gettext_lazy("Service"), max_length=200, required=False)


class ChangeForm(PortalForm):
    """The registered particulars that a change request may change, prefilled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in fields.PRODUCT_FIELDS:
            if spec.name in fields.CHANGEABLE:
                self.fields[spec.name] = _product_field(spec)

    def changed(self, application: Application) -> dict[str, Any]:
        """The particulars whose value differs from the registered one."""
        product = application.product
        result: dict[str, Any] = {}
        for name in self.fields:
            spec = fields.FIELDS_BY_NAME[name]
            value = self.cleaned_data.get(name)
            current = getattr(product, name)
            if spec.type in {FieldType.INTEGER, FieldType.DATE}:
                if value != current:
                    result[name] = value
            elif (value or "") != (current or ""):
                result[name] = value or ""
        return result


class CancelForm(ConfirmedForm):
    """Voluntary cancellation (注销), with the reason."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ValuationForm(CheckedForm):
    """A valuation (价值评估), optionally backing one pledge or one trade."""

    method = forms.ChoiceField(
        label=gettext_lazy("Approach"), choices=[*BLANK_CHOICE_DASH, *ValuationMethod.choices]
    )
    evaluator = forms.CharField(label=gettext_lazy("Valuer"), max_length=200)
    valued_on = _date("Valuation date")
    value = _amount("Value")
    currency = _currency()
    inputs = forms.CharField(
        label=gettext_lazy("Inputs"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy("One per line, as name: value (discount rate: 8%)."),
    )

    def __init__(self, application: Application, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pledges_ = [
            (str(p.pk), f"{p.contract_reference} · {p.pledgee.name}")
            for p in application.pledges.select_related("pledgee").order_by("id")
        ]
        trades = [
            (str(t.pk), f"{t.contract_reference} · {t.exchange} · {t.traded_on:%Y-%m-%d}")
            for t in application.trades.order_by("id")
        ]
        self.fields["pledge"] = forms.ChoiceField(
            label=_("Backs the pledge"), required=False, choices=[("", "—"), *pledges_]
        )
        self.fields["trade"] = forms.ChoiceField(
            label=_("Backs the trade"), required=False, choices=[("", "—"), *trades]
        )

    def parsed_inputs(self) -> dict[str, str]:
        """The inputs as name → value; a line without ``name: value`` is refused."""
        result: dict[str, str] = {}
        for line in str(self.cleaned_data.get("inputs") or "").splitlines():
            if not line.strip():
                continue
            name, colon, value = line.partition(":")
            if not colon or not name.strip():
                FieldErrors.raise_one(
                    "inputs", gettext_noop("Write one input per line, as name: value.")
                )
            result[name.strip()] = value.strip()
        return result


# ── how a page acts ────────────────────────────────────────────────────────────────────


def why_not(application: Application, actor: Actor, action: Action) -> str:
    """Why the workflow would refuse ``actor`` this action now, in the user's language (empty
    when it would not: the page then offers the form)."""
    try:
        decide(context_for(application, clock.now()), action, actor)
    except DomainError as refused:
        return describe(refused)
    return ""


def held(request: HttpRequest, application_id: int) -> Application:
    """The registration if the signed-in person acts for one of its current holders."""
    return rights.held_registration(actor_of(request), application_id=application_id)


def _door(
    request: HttpRequest,
    application: Application,
    form: forms.Form,
    *,
    action: Action,
    title: str,
    act: Callable[[dict[str, Any]], object],
    done: str | Callable[[], str],
    confirm: str = "",
    names: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Show ``form``; on a valid post, confirm first if asked, then ``act``; the service's
    field errors go back on the form, with everything typed kept."""
    refused = why_not(application, actor_of(request), action)
    if request.method == "POST" and not refused and form.is_valid():
        if confirm and not form.cleaned_data.get("confirmed"):
            context = {"application": application, "form": form, "title": title}
            return render(request, "web/rights/confirm.html", {**context, "confirm": confirm})
        try:
            act(form.cleaned_data)
        except ValidationFailed as error:
            put_on_form(form, error, names)
        else:
            messages.success(request, done if isinstance(done, str) else done())
            return redirect(DONE, application.pk)
    context = {"application": application, "form": form, "title": title, "refused": refused}
    status = 422 if form.errors else 409 if refused and request.method == "POST" else 200
    return render(request, "web/rights/form.html", context, status=status)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# ── the holder's pages ────────────────────────────────────────────────────────────────


OFFERED = (
    Action.GRANT_LICENCE,
    Action.RECORD_TRADE,
    Action.RECORD_REVENUE,
    Action.REQUEST_CHANGE,
    Action.RECORD_VALUATION,
    Action.PROPOSE_TRANSFER,
    Action.RENEW,
    Action.CANCEL,
)
PAGES = {
    Action.GRANT_LICENCE: "web:rights-licence",
    Action.RECORD_TRADE: "web:rights-trade",
    Action.RECORD_REVENUE: "web:rights-revenue",
    Action.REQUEST_CHANGE: "web:rights-change",
    Action.RECORD_VALUATION: "web:rights-valuation",
    Action.PROPOSE_TRANSFER: "web:rights-transfer",
    Action.RENEW: "web:rights-renew",
    Action.CANCEL: "web:rights-cancel",
}


@applicant_required
@require_GET
def manage(request: HttpRequest, application_id: int) -> HttpResponse:
    """A registration as its holder manages it: what can be done now, what was recorded,
    and how the income splits between the joint holders."""
    application = held(request, application_id)
    actor = actor_of(request)
    today = clock.local_date(clock.now())
    records = rights.records_of(application)
    actions = []
    for action in OFFERED:
        refused = why_not(application, actor, action)
        actions.append({"url": PAGES[action], "label": labels.action(action), "refused": refused})
    can_end = not why_not(application, actor, Action.END_LICENCE)
    can_dispute = not why_not(application, actor, Action.DISPUTE_TRADE)
    context = {
        "application": application,
        "actions": actions,
        "licences": [
            {
                "licence": lic,
                "kind": labels.licence(lic.kind),
                "territory": labels.territory(lic.regions, lic.territory),
                "in_force": rights.in_force(lic, today),
                "can_end": can_end and lic.ended_on is None,
            }
            for lic in records.licences
        ],
        "listings": listings.listings_of_application(application),
        # Trades: the holder's own records and the exchanges' reports (disputable while they
        # stand), each with where it stands.
        "trades": [
            (
                t,
                labels.trade_status(t.status),
                can_dispute and t.reported_by_id is not None and t.status == "reported",
            )
            for t in records.trades
        ],
        "revenues": records.revenues,
        "valuations": [(v, labels.valuation_method(v.method)) for v in records.valuations],
        "changes": [(c, labels.record_status(c.status)) for c in records.changes],
        "income": rights.income_statement(application),
        "transfers": [
            (view, bool(view.waiting_ids & actor.holder_ids))
            for view in rights.transfers_of(application)
        ],
        "can_withdraw": not why_not(application, actor, Action.CANCEL_TRANSFER),
        "pledges": rights.pledges_of(application),
        "can_ask_consent": not why_not(application, actor, Action.REQUEST_CONSENT),
    }
    return render(request, "web/rights/manage.html", context)


@applicant_required
@require_http_methods(["GET", "POST"])
def licence(request: HttpRequest, application_id: int) -> HttpResponse:
    """Record a licence granted to a registered holder or to a party outside the registry."""
    application = held(request, application_id)
    form = LicenceForm(_data(request))

    def act(data: dict[str, Any]) -> object:
        return licensing.grant_licence(
            application.pk,
            actor=actor_of(request),
            licensee_identifier=data["licensee"] or "",
            licensee_name=data["licensee_name"] or "",
            kind=data["kind"],
            scope=data["scope"],
            territory=data["territory"],
            starts=data["starts"],
            ends=data["ends"],
            fee=data["fee"],
            currency=data["currency"],
        )

    return _door(
        request,
        application,
        form,
        action=Action.GRANT_LICENCE,
        title=_("Record a licence"),
        act=act,
        done=_("The licence was recorded."),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def end_licence(request: HttpRequest, application_id: int, licence_id: int) -> HttpResponse:
    """End a licence early, with the date and reason (confirmed: it cannot be undone)."""
    application = held(request, application_id)
    found = rights.held_licence(actor_of(request), licence_id)
    if found.application_id != application.pk:
        return redirect("web:rights-end-licence", found.application_id, licence_id)
    initial = {"on": clock.local_date(clock.now()).isoformat()}
    form = EndLicenceForm(_data(request), initial=initial)
    title = _("End the licence to %(licensee)s (%(starts)s – %(ends)s)") % {
        "licensee": found.licensee_display,
        "starts": f"{found.starts:%Y-%m-%d}",
        "ends": f"{found.ends:%Y-%m-%d}",
    }
    return _door(
        request,
        application,
        form,
        action=Action.END_LICENCE,
        title=title,
        act=lambda data: licensing.end_licence(
            licence_id, actor=actor_of(request), reason=data["reason"], on=data["on"]
        ),
        done=_("The licence was ended."),
        confirm=_("Ending a licence cannot be undone."),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def trade(request: HttpRequest, application_id: int) -> HttpResponse:
    """Report a trade of the product on a data exchange."""
    application = held(request, application_id)
    return _door(
        request,
        application,
        TradeForm(_data(request)),
        action=Action.RECORD_TRADE,
        title=_("Report a trade"),
        act=lambda data: licensing.record_trade(
            application.pk,
            actor=actor_of(request),
            exchange=data["exchange"],
            contract_reference=data["contract_reference"],
            traded_on=data["traded_on"],
            amount=data["amount"],
            currency=data["currency"],
        ),
        done=_("The trade was recorded."),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def revenue(request: HttpRequest, application_id: int) -> HttpResponse:
    """Record the service revenue of a period."""
    application = held(request, application_id)
    return _door(
        request,
        application,
        RevenueForm(_data(request)),
        action=Action.RECORD_REVENUE,
        title=_("Record service revenue"),
        act=lambda data: licensing.record_revenue(
            application.pk,
            actor=actor_of(request),
            period_start=data["period_start"],
            period_end=data["period_end"],
            amount=data["amount"],
            currency=data["currency"],
            description=data["description"],
        ),
        done=_("The service revenue was recorded."),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, application_id: int) -> HttpResponse:
    """Ask to change registered particulars (examined first where the regime says so)."""
    application = held(request, application_id)
    product = application.product
    initial = {name: getattr(product, name) for name in fields.CHANGEABLE}
    form = ChangeForm(_data(request), initial=initial)

    def act(data: dict[str, Any]) -> object:
        return changes.request_change(
            application.pk, actor=actor_of(request), values=form.changed(application)
        )

    return _door(
        request,
        application,
        form,
        action=Action.REQUEST_CHANGE,
        title=_("Request a change of registered particulars"),
        act=act,
        done=_("The change was requested; the certificate is re-issued once it applies."),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def renew(request: HttpRequest, application_id: int) -> HttpResponse:
    """Renew the registration inside the regime's window (confirmed first)."""
    application = held(request, application_id)
    return _door(
        request,
        application,
        ConfirmedForm(_data(request)),
        action=Action.RENEW,
        title=_("Renew the registration (valid until %(until)s)")
        % {"until": f"{application.valid_until:%Y-%m-%d}"},
        act=lambda data: lifecycle.renew(application.pk, actor=actor_of(request)),
        done=_("The registration was renewed; the new certificate is being issued."),
        confirm=_("The registration's validity is extended by the regime's term."),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, application_id: int) -> HttpResponse:
    """Cancel the registration voluntarily (注销), with the reason (confirmed first)."""
    application = held(request, application_id)
    return _door(
        request,
        application,
        CancelForm(_data(request)),
        action=Action.CANCEL,
        title=_("Cancel the registration"),
        act=lambda data: lifecycle.cancel(
            application.pk, actor=actor_of(request), reason=data["reason"]
        ),
        done=lambda: decisions.outcome(application, Action.CANCEL),
        confirm=decisions.consequence(application, Action.CANCEL),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def valuation(request: HttpRequest, application_id: int) -> HttpResponse:
    """Attach a valuation, optionally to one of the registration's pledges or trades."""
    application = held(request, application_id)
    form = ValuationForm(application, _data(request))

    def act(data: dict[str, Any]) -> object:
        return pledges.record_valuation(
            application.pk,
            actor=actor_of(request),
            method=data["method"],
            evaluator=data["evaluator"],
            valued_on=data["valued_on"],
            value=data["value"],
            currency=data["currency"],
            inputs=form.parsed_inputs(),
            pledge_id=int(data["pledge"]) if data.get("pledge") else None,
            trade_id=int(data["trade"]) if data.get("trade") else None,
        )

    return _door(
        request,
        application,
        form,
        action=Action.RECORD_VALUATION,
        title=_("Attach a valuation"),
        act=act,
        done=_("The valuation was recorded."),
    )


class ConsentRequestForm(PortalForm):
    """The holder asks the pledgee of one standing pledge for its consent (征求质权人同意)."""

    pledge = forms.TypedChoiceField(label=gettext_lazy("Pledge"), coerce=int, choices=[])
    purpose = forms.ChoiceField(label=gettext_lazy("Consent to"), choices=ConsentPurpose.choices)
    note = forms.CharField(
        label=gettext_lazy("Note to the pledgee"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, application: Application, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        standing = application.pledges.filter(status=PledgeStatus.ACTIVE).select_related("pledgee")
        self.fields["pledge"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.pledgee.name} · {p.starts:%Y-%m-%d} – {p.ends:%Y-%m-%d}") for p in standing
        ]


@applicant_required
@require_http_methods(["GET", "POST"])
def request_consent(request: HttpRequest, application_id: int) -> HttpResponse:
    """Ask the pledgee's consent to a transfer, an exclusive licence or the cancellation; the
    request waits on the pledgee's consents page until it gives or refuses it."""
    application = held(request, application_id)
    form = ConsentRequestForm(application, _data(request), initial=request.GET.dict())
    return _door(
        request,
        application,
        form,
        action=Action.REQUEST_CONSENT,
        title=_("Ask the pledgee's consent"),
        act=lambda data: pledges.request_consent(
            data["pledge"], actor=actor_of(request), purpose=data["purpose"], note=data["note"]
        ),
        done=_("Your request waits for the pledgee's answer."),
    )


# ── the licensee's page ───────────────────────────────────────────────────────────────


@applicant_required
@require_GET
def granted(request: HttpRequest) -> HttpResponse:
    """The licences granted to the signed-in person's organisation (as licensee)."""
    today = clock.local_date(clock.now())
    found = rights.licences_granted_to(actor_of(request).holder_ids)
    rows = [
        {
            "licence": lic,
            "kind": labels.licence(lic.kind),
            "territory": labels.territory(lic.regions, lic.territory),
            "in_force": rights.in_force(lic, today),
        }
        for lic in found
    ]
    return render(request, "web/rights/granted.html", {"rows": rows})
