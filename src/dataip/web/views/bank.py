"""Banks and other lenders (质权人): the encumbrance search before lending (权利负担查询),
the pledges a bank registers (质押登记), releases and consents to; and the holder's side: the
pledges waiting for its confirmation (出质人确认).

The search reads :func:`dataip.registry.queries.rights.encumbrances`, the same query as the API
route ``GET /api/v1/encumbrances``; any signed-in member of an organisation may search (as any
organisation's API token may), and members of a lender land here when they sign in. Every act
goes through ``registry.services.pledges``, as the API's routes do; irreversible ones ask for
a confirmation first.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dataip.certificates import issue_records
from dataip.certificates.models import IssuedRecord
from dataip.errors import DomainError, NotFound, ValidationFailed, gettext_noop
from dataip.registry import clock, labels
from dataip.registry.i18n import describe
from dataip.registry.models import ConsentPurpose, ConsentRequestStatus, Pledge, PledgeStatus
from dataip.registry.queries import rights
from dataip.registry.services import pledges as pledging
from dataip.registry.workflow import Action
from dataip.web.access import actor_of, applicant_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import DATE_INPUT, PortalForm


class EncumbranceSearchForm(PortalForm):
    """One of: registration number, certificate number, holder's identity code."""

    registration_number = forms.CharField(
        label=gettext_lazy("Registration number"),
        required=False,
        max_length=20,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z]{1,20}$", gettext_lazy("Use letters and digits only, as printed.")
            )
        ],
    )
    certificate_number = forms.CharField(
        label=gettext_lazy("Certificate number"),
        required=False,
        max_length=17,
        validators=[
            RegexValidator(r"^[0-9]{1,17}$", gettext_lazy("Use the digits of the certificate."))
        ],
    )
    holder_identifier = forms.CharField(
        label=gettext_lazy("Holder's identity code"),
        required=False,
        max_length=18,
        help_text=gettext_lazy("Unified social credit code or resident identity number."),
        validators=[
            RegexValidator(r"^[0-9A-Za-z]{1,18}$", gettext_lazy("Use letters and digits only."))
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(name) for name in rights.SEARCH_KEYS):
            self.add_error(
                "registration_number",
                _("Give a registration number, a certificate number or a holder's credit code."),
            )
        return data


@applicant_required
@require_GET
def encumbrances(request: HttpRequest) -> HttpResponse:
    """Search what stands on registrations before lending; printable."""
    searched = any(request.GET.get(name) for name in (*rights.SEARCH_KEYS, "search"))
    form = EncumbranceSearchForm(request.GET if searched else None)
    found: list[rights.Encumbrance] | None = None
    published: set[str] = set()
    if searched and form.is_valid():
        found = rights.encumbrances(
            **{name: form.cleaned_data[name] or "" for name in rights.SEARCH_KEYS}
        )
        published = rights.pledge_amounts_published([e.registration_number for e in found])
    context = {
        "form": form,
        "found": found,
        "amounts_published": published,
        "searched_at": clock.now(),
    }
    return render(
        request, "web/bank/encumbrances.html", context, status=422 if form.errors else 200
    )


def _pdf(row: IssuedRecord) -> HttpResponse:
    name, data = issue_records.record_pdf(row)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@applicant_required
@require_GET
def statement_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The encumbrance search of one registration as a signed statement (查询证明): a sealed
    PDF answering as of now, its issuing recorded in the ledger; ``dataip verify`` checks it.
    HEAD issues nothing: it only says whether a statement would be issued."""
    if getattr(request, "head_only", False) or request.method == "HEAD":
        issue_records.statement_subject(number)
        return _pdf_head()
    return _pdf(issue_records.issue_encumbrance_statement(number, actor=actor_of(request)))


def _pdf_head() -> HttpResponse:
    response = HttpResponse(content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="statement.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@applicant_required
@require_GET
def pledge_certificate_pdf(request: HttpRequest, pledge_id: int) -> HttpResponse:
    """A registered pledge's registration certificate (质押登记证明), for its pledgee and the
    holders of the pledged right; the same sealed file at each download."""
    return _pdf(issue_records.pledge_certificate(pledge_id, actor=actor_of(request)))


# ── the bank's pledges (质押登记) ─────────────────────────────────────────────────────────


class PledgeForm(PortalForm):
    """A pledge the bank registers; the holder confirms it before it stands."""

    registration_number = forms.CharField(
        label=gettext_lazy("Registration number"),
        max_length=20,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z]{1,20}$", gettext_lazy("Use letters and digits only, as printed.")
            )
        ],
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount secured"),
        max_length=24,
        help_text=gettext_lazy("Positive, at most two decimals, e.g. 3000000.00."),
    )
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, initial="CNY")
    starts = forms.CharField(label=gettext_lazy("From"), widget=DATE_INPUT)
    ends = forms.CharField(label=gettext_lazy("Until"), widget=DATE_INPUT)
    contract_reference = forms.CharField(
        label=gettext_lazy("Secured contract's reference"), max_length=100
    )
    valuation_reference = forms.CharField(
        label=gettext_lazy("Valuation report's reference"), max_length=100, required=False
    )


class ConfirmForm(PortalForm):
    """An irreversible act: the person ticks that it means it."""

    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


class ReasonForm(ConfirmForm):
    """An irreversible act with its reason."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    field_order = ["reason", "confirm"]


class ConsentForm(ConfirmForm):
    """What the pledgee consents to."""

    purpose = forms.ChoiceField(label=gettext_lazy("Consent to"), choices=ConsentPurpose.choices)
    field_order = ["purpose", "confirm"]


def said(form: forms.Form, action: str, params: dict[str, Any], *, reason_for: str = "") -> None:
    """Name on ``form`` what its act does: the confirmation box reads "I confirm: <the
    consequence> This cannot be undone." (``labels.RIGHTS_CONSEQUENCES``) and the reason, where
    there is one, is labelled with the act."""
    form.fields["confirm"].label = _("I confirm: %(consequence)s") % {
        "consequence": " ".join(
            [str(labels.RIGHTS_CONSEQUENCES[action]) % params, _("This cannot be undone.")]
        )
    }
    if reason_for and "reason" in form.fields:
        form.fields["reason"].label = _("Reason for: %(action)s") % {"action": reason_for}


def done(action: str, params: dict[str, Any]) -> str:
    """What the act did and what comes next (``labels.RIGHTS_DONE``)."""
    return str(labels.RIGHTS_DONE[action]) % params


def _pledge_params(pledge: Pledge, purpose: str = "") -> dict[str, Any]:
    return {
        "registration_number": pledge.application.registration_number,
        "pledgee": pledge.pledgee.name,
        "purpose": purpose,
    }


def _posted(request: HttpRequest) -> Any:
    """The posted data (even empty: a bare POST is refused, not shown as a fresh form)."""
    return request.POST if request.method == "POST" else None


def _refused(form: forms.Form, error: DomainError, names: dict[str, str] | None = None) -> None:
    """Put a refusal on the form: field reasons beside their fields, others above it."""
    if isinstance(error, ValidationFailed):
        put_on_form(form, error, names)
    else:
        form.add_error(None, describe(error))


@applicant_required
@require_GET
def pledges(request: HttpRequest) -> HttpResponse:
    """The pledges the bank holds: waiting for the holder, in force, released or declined."""
    held = rights.pledges_held_by(user_of(request).holder_id or 0)
    return render(request, "web/bank/pledges.html", {"pledges": held})


@applicant_required
@require_http_methods(["GET", "POST"])
def new_pledge(request: HttpRequest) -> HttpResponse:
    """Register a pledge (质押登记); it waits for a holder's confirmation."""
    form = PledgeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        application_id = rights.registered_application_id(data["registration_number"])
        if application_id is None:
            form.add_error("registration_number", _("No registration has this number."))
        else:
            try:
                pledging.propose_pledge(
                    application_id,
                    actor=actor_of(request),
                    amount=data["amount"],
                    currency=data["currency"].strip().upper() or "CNY",
                    starts=data["starts"],
                    ends=data["ends"],
                    contract_reference=data["contract_reference"],
                    valuation_reference=data["valuation_reference"],
                )
            except DomainError as error:
                _refused(form, error)
            else:
                messages.success(
                    request, _("Pledge registered. It stands once a holder confirms it.")
                )
                return redirect("web:bank-pledges")
    status = 422 if form.errors else 200
    return render(request, "web/bank/pledge_new.html", {"form": form}, status=status)


def _own_pledge(request: HttpRequest, pledge_id: int) -> Pledge:
    found = rights.pledge_of_pledgee(pledge_id, user_of(request).holder_id)
    if found is None:
        raise NotFound(gettext_noop("No such pledge."))
    return found


def _pledge_action(
    request: HttpRequest,
    pledge: Pledge,
    form: forms.Form,
    act: Any,
    *,
    title: str,
    button: str,
    done: str,
    back: str,
    button_class: str = "btn btn-primary",
) -> HttpResponse:
    """A page for one irreversible act on one pledge: the pledge, the form, the confirmation."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, done)
            return redirect(back)
    context = {
        "pledge": pledge,
        "form": form,
        "title": title,
        "button": button,
        "back": back,
        "button_class": button_class,
    }
    status = 422 if form.errors else 200
    return render(request, "web/bank/pledge_action.html", context, status=status)


@applicant_required
@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, pledge_id: int) -> HttpResponse:
    """The pledgee releases its pledge (解除质押), with the reason."""
    pledge = _own_pledge(request, pledge_id)
    if pledge.status != PledgeStatus.ACTIVE:
        raise NotFound(gettext_noop("No such pledge in force."))
    form, params = ReasonForm(_posted(request)), _pledge_params(pledge)
    said(form, Action.RELEASE_PLEDGE, params, reason_for=_("release the pledge"))
    return _pledge_action(
        request,
        pledge,
        form,
        lambda data: pledging.release_pledge(
            pledge_id, actor=actor_of(request), reason=data["reason"]
        ),
        title=_("Release the pledge"),
        button=_("Release the pledge"),
        done=done(Action.RELEASE_PLEDGE, params),
        back="web:bank-pledges",
        button_class="btn btn-danger",
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, pledge_id: int) -> HttpResponse:
    """The pledgee consents to one transfer, exclusive licence or cancellation."""
    pledge = _own_pledge(request, pledge_id)
    if pledge.status != PledgeStatus.ACTIVE:
        raise NotFound(gettext_noop("No such pledge in force."))
    return _pledge_action(
        request,
        pledge,
        ConsentForm(_posted(request)),
        lambda data: pledging.consent(pledge_id, actor=actor_of(request), purpose=data["purpose"]),
        title=_("Consent as pledgee"),
        button=_("Give consent"),
        done=_("Consent given. The holder's next such action uses it."),
        back="web:bank-pledges",
    )


# ── requests for the pledgee's consent (征求质权人同意) ─────────────────────────────────


@applicant_required
@require_GET
def consents(request: HttpRequest) -> HttpResponse:
    """Requests of holders waiting for the bank's consent, then those it answered."""
    found = rights.consent_requests_for_pledgee(user_of(request).holder_id)
    return render(request, "web/bank/consents.html", {"requests": found})


def _consent_action(
    request: HttpRequest,
    request_id: int,
    form: forms.Form,
    act: Any,
    *,
    action: str,
    title: str,
    reason_for: str = "",
    button_class: str = "btn btn-primary",
) -> HttpResponse:
    asked = rights.consent_request_for_pledgee(user_of(request).holder_id, request_id)
    if asked.status != ConsentRequestStatus.PENDING:
        raise NotFound(gettext_noop("No such request waiting for your consent."))
    params = _pledge_params(asked.pledge, str(asked.get_purpose_display()).lower())
    said(form, action, params, reason_for=reason_for)
    outcome = done(action, params)
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, outcome)
            return redirect("web:bank-consents")
    context = {
        "asked": asked,
        "pledge": asked.pledge,
        "form": form,
        "title": title,
        "button_class": button_class,
    }
    return render(
        request, "web/bank/consent_action.html", context, status=422 if form.errors else 200
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def give_consent(request: HttpRequest, request_id: int) -> HttpResponse:
    """Give the consent a holder asked for (one consent, used by its next such action)."""
    return _consent_action(
        request,
        request_id,
        ConfirmForm(_posted(request)),
        lambda data: pledging.give_requested_consent(request_id, actor=actor_of(request)),
        action=Action.CONSENT,
        title=_("Give consent"),
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def refuse_consent(request: HttpRequest, request_id: int) -> HttpResponse:
    """Refuse the consent a holder asked for, with the reason the holder will read."""
    return _consent_action(
        request,
        request_id,
        ReasonForm(_posted(request)),
        lambda data: pledging.refuse_consent(
            request_id, actor=actor_of(request), reason=data["reason"]
        ),
        action=Action.REFUSE_CONSENT,
        title=_("Refuse consent"),
        reason_for=_("refuse consent"),
        button_class="btn btn-danger",
    )


# ── the holder's side: pledges waiting for its confirmation (出质人确认) ─────────────────


def _waiting(request: HttpRequest, pledge_id: int) -> Pledge:
    for pledge in rights.pledges_waiting_for(actor_of(request).holder_ids):
        if pledge.pk == pledge_id:
            return pledge
    raise NotFound(gettext_noop("No such pledge waiting for confirmation."))


@applicant_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """Pledges registered by pledgees on rights the holder holds, waiting for it."""
    found = rights.pledges_waiting_for(actor_of(request).holder_ids)
    return render(request, "web/bank/waiting.html", {"pledges": found})


@applicant_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pledge_id: int) -> HttpResponse:
    """A holder confirms the pledge: now it stands (and shows on the public record)."""
    pledge = _waiting(request, pledge_id)
    form, params = ConfirmForm(_posted(request)), _pledge_params(pledge)
    said(form, Action.CONFIRM_PLEDGE, params)
    return _pledge_action(
        request,
        pledge,
        form,
        lambda data: pledging.confirm_pledge(pledge_id, actor=actor_of(request)),
        title=_("Confirm the pledge"),
        button=_("Confirm the pledge"),
        done=done(Action.CONFIRM_PLEDGE, params),
        back="web:pledges-waiting",
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, pledge_id: int) -> HttpResponse:
    """A holder declines the pledge registered in its name, with the reason."""
    pledge = _waiting(request, pledge_id)
    form, params = ReasonForm(_posted(request)), _pledge_params(pledge)
    said(form, Action.DECLINE_PLEDGE, params, reason_for=_("decline the pledge"))
    return _pledge_action(
        request,
        pledge,
        form,
        lambda data: pledging.decline_pledge(
            pledge_id, actor=actor_of(request), reason=data["reason"]
        ),
        title=_("Decline the pledge"),
        button=_("Decline the pledge"),
        done=done(Action.DECLINE_PLEDGE, params),
        back="web:pledges-waiting",
        button_class="btn btn-danger",
    )
