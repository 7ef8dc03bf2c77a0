"""Contextual help of the portal's form fields, declared once (表单填写说明).

A form field of the portal that declares no ``help_text`` of its own takes it from here: first
``"FormClass.field"``, then the field's name alone. The product's fields and the kind-specific
details carry their help in their own declarations (:data:`dataip.registry.fields.HELP`,
:data:`dataip.registry.details.HELP`). Django renders the help under the label and points the
input at it with ``aria-describedby``; ``tests/web/test_field_help.py`` walks every form of the
web layer and checks that each visible field has help in both languages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_DATE = _("A date, YYYY-MM-DD.")
_CURRENCY = _("Three letters (ISO 4217), e.g. CNY; the registry accepts those of its regime.")
_REASON = _("In plain words; it is kept in the history and shown to those concerned.")
_REGISTRATION_NUMBER = _("The registration number printed on the certificate.")
_CONFIRM = _("Tick to confirm you have read what this does; it cannot be undone.")
_PASSWORD = _("At least 8 characters and not a common password.")
_LANGUAGE = _("The language of the e-mails the person receives.")

FIELD_HELP: dict[str, Promise] = {
    # by field name, for every form that uses it in the same sense
    "confirm": _CONFIRM,
    "reason": _REASON,
    "currency": _CURRENCY,
    "registration_number": _REGISTRATION_NUMBER,
    "starts": _("The first day, YYYY-MM-DD."),
    "ends": _("The last day, YYYY-MM-DD."),
    "start": _("The first day of the period, YYYY-MM-DD."),
    "end": _("The last day of the period, YYYY-MM-DD."),
    "contract_reference": _("The reference number of the contract, as the parties wrote it."),
    "traded_on": _("The day the contract was signed, YYYY-MM-DD."),
    "email": _("An address you read: notices and links are sent to it."),
    "username": _("The name you sign in with."),
    "password": _("The password of your account."),
    "password1": _PASSWORD,
    "password2": _("The same password again, to catch a typing mistake."),
    "token": _("Open the authenticator app on your phone and type the six digits it shows now."),
    "display_name": _("How the person is named on pages and in mails."),
    "language": _LANGUAGE,
    "role": _("What the member may do for the organisation."),
    "roles": _("Tick every role the person holds; an examiner and a registrar sign in with 2FA."),
    "decision": _("Approve or refuse; a refusal needs a reason."),
    "description": _("A short description, in plain words."),
    "price_model": _("How the buyer pays, as the listing says."),
    "province": _("The province (GB/T 2260)."),
    "purpose": _("What the pledgee is asked to consent to."),
    "kind": _("Choose one."),
    # by form, where a name means something particular
    "QueueFilterForm.kind": _("Only applications of this kind."),
    "QueueFilterForm.province": _("Only applications whose data product comes from this region."),
    "QueueFilterForm.examiner": _("Only applications assigned to this examiner."),
    "QueueFilterForm.deadline_before": _("Only cases whose deadline falls on or before this day."),
    "QueueFilterForm.overdue": _("Only cases whose deadline has passed."),
    "QueueFilterForm.sort": _("The order of the list."),
    "SaveViewForm.name": _("A name to find these filters again in your saved views."),
    "NewApplicationForm.kind": _(
        "A data collection, a data product or a data algorithm / AI model; the help centre "
        "explains each. Only the kinds this registry registers are offered."
    ),
    "NewApplicationForm.name": _(
        "The name the product will be announced and registered under; you may change it "
        "before submitting."
    ),
    "ReferralForm.kind": _("What the holder registers: the help centre explains each kind."),
    "MaterialForm.kind": _(
        "Which required material this file is; the help centre has a template for each."
    ),
    "LicenceForm.kind": _(
        "Exclusive: only the licensee, not even the holder; sole: the licensee and the holder; "
        "ordinary: others may be licensed too."
    ),
    "TradeReportForm.kind": _("Whether the buyer acquired a licence or the right itself."),
    "LicenceForm.scope": _("What the licensee may do with the data, in plain words."),
    "OpinionForm.approves": _("Your recommendation to the registry; give your grounds below."),
    "OpinionForm.opinion": _(
        "Your grounds: the substantive processing, the innovation and the lawfulness of the "
        "source, as you examined them."
    ),
    "ObjectionForm.ground": _("The reason the application should not be registered."),
    "ReissueForm.ground": _(
        "Why the certificate is issued again: lost, damaged or another reason."
    ),
    "SignUpForm.holder_kind": _("An organisation (a company or institution) or a natural person."),
    "SignUpForm.holder_name": _("The full legal name, as on the business licence or ID card."),
    "SignUpForm.holder_name_en": _("Optional; shown on English pages and certificates."),
    "SignUpForm.province": _("Where the organisation is registered or the person lives."),
    "SignUpForm.org_type": _("The legal form of the organisation."),
    "IdentityDocumentsForm.business_licence": _(
        "A scan or photo of the business licence: PDF, JPEG or PNG."
    ),
    "IdentityDocumentsForm.authorisation": _(
        "The legal representative's signed authorisation of this account: PDF, JPEG or PNG."
    ),
    "CorrectionForm.holder_name": _("The holder's name as it should read on the register."),
    "CorrectionForm.holder_name_en": _("The holder's English name as it should read."),
    "CorrectionForm.holder_address": _("The holder's address as it should read."),
    "ReferralForm.holder_identifier": _(
        "The holder's unified social credit code, 18 characters; it must have an account."
    ),
    "ReferralForm.listing_reference": _("Your exchange's number of the listing."),
    "ReferralForm.listing_url": _("The address of the listing on your exchange's site."),
    "ListingForm.listed_on": _("The day the product was listed, YYYY-MM-DD."),
    "EncumbranceSearchForm.certificate_number": _(
        "The certificate number printed on the certificate; give one of the three."
    ),
    "EncumbranceSearchForm.registration_number": _(
        "The registration number printed on the certificate; give one of the three."
    ),
    "PledgeForm.valuation_reference": _("The reference of the valuation report, if any."),
    "PledgeForm.contract_reference": _("The reference of the loan contract the pledge secures."),
    "TradeForm.exchange": _("The name of the data exchange the trade was made on, if any."),
    "TradeReportForm.buyer_name": _("The buyer's full legal name."),
    "TransferForm.contract_date": _("The day the transfer contract was signed, YYYY-MM-DD."),
    "TransferForm.effective_date": _("The day the right passes to the assignee, YYYY-MM-DD."),
    "EndLicenceForm.on": _("The last day of the licence, YYYY-MM-DD."),
    "RevenueForm.period_start": _("The first day of the period, YYYY-MM-DD."),
    "RevenueForm.period_end": _("The last day of the period, YYYY-MM-DD."),
    "RevenueForm.description": _("The service the revenue came from."),
    "ValuationForm.method": _("The valuation approach: cost, market or income."),
    "ValuationForm.evaluator": _("The name of the valuer or valuation firm."),
    "ValuationForm.valued_on": _("The valuation date, YYYY-MM-DD."),
    "ValuationForm.pledge": _("Optional: the pledge this valuation supports."),
    "ValuationForm.trade": _("Optional: the trade this valuation supports."),
    "ConsentRequestForm.pledge": _("The pledge whose pledgee must consent."),
    "ConsentRequestForm.note": _("Optional: what the pledgee should know."),
    "CheckForm.number": _REGISTRATION_NUMBER,
    "InviteForm.email": _("The address of the person you invite; the invitation is sent to it."),
    "NewStaffForm.username": _("The name the person will sign in with."),
    "SubscriptionForm.url": _(
        "Where the registry sends each event by POST; it must answer within a few seconds."
    ),
    "SubscriptionForm.topic": _("Which events are sent to this address."),
    "BulletinFilter.start": _("The first day of the period, YYYY-MM-DD; empty for all."),
    "BulletinFilter.end": _("The last day of the period, YYYY-MM-DD; empty for all."),
    "BulletinFilter.province": _("Only this province; empty for the whole country."),
    "PasswordResetByMailForm.email": _(
        "The address of your account; a link to choose a new password is sent to it."
    ),
    "HoldersForm.identifier": _(
        "The holder's unified social credit code or resident ID number, 18 characters."
    ),
    "HoldersForm.share": _(
        "The holder's share of the right in per cent; the shares add up to 100."
    ),
}


def help_for(form: forms.BaseForm, name: str) -> Promise | None:
    """The declared help of ``form``'s field ``name`` (numbered rows share their row's help)."""
    cls = type(form).__name__
    base = name.rstrip("0123456789").rstrip("_")
    for key in (f"{cls}.{name}", f"{cls}.{base}", name):
        if key in FIELD_HELP:
            return FIELD_HELP[key]
    for parent in type(form).__mro__[1:]:  # a subclass uses its parent's help
        key = f"{parent.__name__}.{name}"
        if key in FIELD_HELP:
            return FIELD_HELP[key]
    return None


class FieldHelpMixin:
    """Give each field without its own ``help_text`` the declared one, before it is rendered."""

    fields: dict[str, forms.Field]

    def __getitem__(self, name: str) -> Any:
        field = self.fields.get(name)
        if field is not None and not field.help_text and isinstance(self, forms.BaseForm):
            declared = help_for(self, name)
            if declared is not None:
                field.help_text = str(declared)  # in the language of the page
        return super().__getitem__(name)  # type: ignore[misc]
