"""A data exchange's pages (数据交易所): its home ``/exchange/`` (its listings and referrals),
listing a registered product after checking the registration by number (挂牌), updating and
delisting it (摘牌), and pre-filling an application for a holder (快速通道); and the holder's
side of a referral: seeing it, starting a draft from it, declining it.

Every act goes through ``registry.services.listings``, as the API's routes do. The exchange's
pages are for members of a verified data exchange only (others get 404); irreversible acts ask
for a confirmation first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dataip.errors import DomainError, NotFound, ValidationFailed, gettext_noop
from dataip.registry import labels
from dataip.registry.fields import FIELDS_BY_NAME
from dataip.registry.i18n import describe
from dataip.registry.kinds import ProductKind
from dataip.registry.models import Listing, PriceModel, Referral, ReferralStatus
from dataip.registry.queries import listings as found
from dataip.registry.queries.public import public_record
from dataip.registry.regimes import load_regime
from dataip.registry.services import listings as listing
from dataip.registry.workflow import Role
from dataip.web.access import actor_of, applicant_required, signed_in_user, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import DATE_INPUT, STEPS, PortalForm, product_field
from dataip.web.views.declared import public_fields

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
REFERRAL_FIELDS = (*STEPS["basics"][1:], *STEPS["source"])
"""The product fields an exchange may pre-fill (the kind is chosen apart)."""


def exchange_required(view: View) -> View:
    """Members of a verified data exchange only; others get 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = signed_in_user(request)
        if user is None:
            return redirect_to_login(request.get_full_path())
        if Role.EXCHANGE not in actor_of(request).roles:
            raise NotFound(gettext_noop("This page is for data exchanges."))
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def _exchange_id(request: HttpRequest) -> int:
    return listing.exchange_of(actor_of(request))


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _refused(form: forms.Form, error: DomainError) -> None:
    if isinstance(error, ValidationFailed):
        put_on_form(form, error)
    else:
        form.add_error(None, describe(error))


# ── forms ──────────────────────────────────────────────────────────────────────────────


class CheckForm(PortalForm):
    """The registration an exchange is about to list, by its number."""

    number = forms.CharField(
        label=gettext_lazy("Registration number"),
        max_length=20,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z]{1,20}$", gettext_lazy("Use letters and digits only, as printed.")
            )
        ],
    )


class ListingDetailsForm(PortalForm):
    """What may change in a listing."""

    url = forms.CharField(
        label=gettext_lazy("Listing URL"),
        max_length=500,
        help_text=gettext_lazy("An http or https address on your exchange's site."),
    )
    price_model = forms.ChoiceField(label=gettext_lazy("Price model"), choices=PriceModel.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ListingForm(ListingDetailsForm):
    """A new listing of the checked registration."""

    registration_number = forms.CharField(widget=forms.HiddenInput, max_length=20)
    listing_id = forms.CharField(
        label=gettext_lazy("Listing id"),
        max_length=100,
        help_text=gettext_lazy("Your exchange's own reference of the listing."),
    )
    listed_on = forms.CharField(label=gettext_lazy("Listing date"), widget=DATE_INPUT)
    field_order = ["registration_number", "listing_id", "url", "listed_on", "price_model"]


class ConfirmForm(PortalForm):
    """An irreversible act: the person ticks that it means it."""

    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


class DelistForm(ConfirmForm):
    """Delisting (摘牌): the reason (optional) and the confirmation."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    field_order = ["reason", "confirm"]


class ReferralForm(PortalForm):
    """An application pre-filled for a holder (快速通道): who, which listing, the product."""

    holder_identifier = forms.CharField(
        label=gettext_lazy("Holder's unified social credit code"), max_length=18
    )
    listing_reference = forms.CharField(label=gettext_lazy("Listing id"), max_length=100)
    listing_url = forms.CharField(label=gettext_lazy("Listing URL"), max_length=500, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("What is registered?"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regime = load_regime(settings.DATAIP_REGIME)
        self.fields["kind"] = forms.ChoiceField(
            label=self.fields["kind"].label,
            choices=[(k.value, labels.kind(k.value)) for k in ProductKind if regime.allows(k)],
        )
        for name in REFERRAL_FIELDS:
            self.fields[name] = product_field(FIELDS_BY_NAME[name])

    def values(self) -> dict[str, Any]:
        """The product fields filled in (empty ones left out)."""
        return {
            name: self.cleaned_data.get(name)
            for name in REFERRAL_FIELDS
            if self.cleaned_data.get(name) not in (None, "")
        }


# ── the exchange's home and listings ──────────────────────────────────────────────────


@exchange_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The exchange's listings and referrals."""
    exchange_id = _exchange_id(request)
    context = {
        "listings": [
            (x, labels.price_model(x.price_model)) for x in found.listings_of_exchange(exchange_id)
        ],
        "referrals": [
            (r, labels.referral_status(r.referral.status))
            for r in found.referrals_of_exchange(exchange_id)
        ],
    }
    return render(request, "web/exchange/home.html", context)


@exchange_required
@require_http_methods(["GET", "POST"])
def new_listing(request: HttpRequest) -> HttpResponse:
    """Check a registration by number, see its public particulars and status, then list it."""
    if request.method == "POST":
        form = ListingForm(request.POST)
        number = request.POST.get("registration_number", "")
        if form.is_valid():
            data = form.cleaned_data
            try:
                listing.list_product(
                    actor=actor_of(request),
                    registration_number=data["registration_number"],
                    listing_id=data["listing_id"],
                    url=data["url"],
                    listed_on=data["listed_on"],
                    price_model=data["price_model"],
                    description=data["description"],
                )
            except DomainError as error:
                _refused(form, error)
            else:
                messages.success(request, _("The product is listed; the public page shows it."))
                return redirect("web:exchange")
        check = CheckForm({"number": number})
    else:
        check = CheckForm(request.GET if "number" in request.GET else None)
        form = None
    context: dict[str, Any] = {"check": check, "form": form}
    if check.is_bound and check.is_valid():
        application = found.registration_to_check(check.cleaned_data["number"])
        if application is None:
            check.add_error("number", _("No registration has this number."))
        else:
            record = public_record(application)
            context.update(
                application=application,
                record=record,
                fields=public_fields(record.product, ProductKind(record.product["kind"])),
                listable=application.status == "registered",
            )
            if form is None and application.status == "registered":
                context["form"] = ListingForm(
                    initial={"registration_number": application.registration_number}
                )
    status = 422 if (check.errors or (form is not None and form.errors)) else 200
    return render(request, "web/exchange/listing_new.html", context, status=status)


def _own_listing(request: HttpRequest, listing_id: int) -> Listing:
    made = found.listing_of_exchange(listing_id, _exchange_id(request))
    if made is None or made.ended_on is not None:
        raise NotFound(gettext_noop("No such listing."))
    return made


@exchange_required
@require_http_methods(["GET", "POST"])
def edit_listing(request: HttpRequest, listing_id: int) -> HttpResponse:
    """Change the URL, price model or description of a live listing."""
    made = _own_listing(request, listing_id)
    initial = {"url": made.url, "price_model": made.price_model, "description": made.description}
    form = ListingDetailsForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            listing.update_listing(listing_id, actor=actor_of(request), **form.cleaned_data)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The listing is updated."))
            return redirect("web:exchange")
    context = {"listing": made, "form": form}
    return render(
        request, "web/exchange/listing_edit.html", context, status=422 if form.errors else 200
    )


@exchange_required
@require_http_methods(["GET", "POST"])
def delist(request: HttpRequest, listing_id: int) -> HttpResponse:
    """End a live listing (摘牌), with a confirmation."""
    made = _own_listing(request, listing_id)
    form = DelistForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            listing.end_listing(
                listing_id, actor=actor_of(request), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The product is delisted."))
            return redirect("web:exchange")
    context = {"listing": made, "form": form}
    return render(request, "web/exchange/delist.html", context, status=422 if form.errors else 200)


# ── the exchange's referrals (快速通道) ────────────────────────────────────────────────────


@exchange_required
@require_http_methods(["GET", "POST"])
def new_referral(request: HttpRequest) -> HttpResponse:
    """Pre-fill an application for a holder named by its credit code."""
    form = ReferralForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            listing.create_referral(
                actor=actor_of(request),
                holder_identifier=data["holder_identifier"],
                kind=data["kind"],
                values=form.values(),
                listing_reference=data["listing_reference"],
                listing_url=data["listing_url"],
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(
                request, _("The application is pre-filled; the holder's members are told.")
            )
            return redirect("web:exchange")
    return render(
        request,
        "web/exchange/referral_new.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@exchange_required
@require_http_methods(["GET", "POST"])
def withdraw_referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Withdraw a referral the holder has not answered, with a confirmation."""
    seen = found.referral_of_exchange(referral_id, _exchange_id(request))
    if seen is None or seen.referral.status != ReferralStatus.PENDING:
        raise NotFound(gettext_noop("No such referral."))
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            listing.withdraw_referral(referral_id, actor=actor_of(request))
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The referral is withdrawn."))
            return redirect("web:exchange")
    context = {"referral": seen.referral, "form": form}
    return render(
        request,
        "web/exchange/referral_withdraw.html",
        context,
        status=422 if form.errors else 200,
    )


# ── the holder's side ─────────────────────────────────────────────────────────────────


def _received(request: HttpRequest, referral_id: int) -> Referral:
    r = found.referral_for_holder(referral_id, actor_of(request).sees_holder_ids)
    if r is None:
        raise NotFound(gettext_noop("No such referral."))
    return r


def _prefilled(r: Referral) -> list[tuple[str, Any]]:
    return [
        (labels.field(name), r.values[name])
        for name in REFERRAL_FIELDS
        if name in r.values and r.values[name] not in (None, "")
    ]


@applicant_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    """A referral made to the holder: what the exchange filled in; start a draft from it."""
    r = _received(request, referral_id)
    if request.method == "POST":
        try:
            application = listing.start_draft(
                referral_id, actor=actor_of(request), user=user_of(request)
            )
        except DomainError as error:
            messages.error(request, describe(error))
        else:
            messages.success(request, _("Draft saved. Continue with the details."))
            return redirect("web:application-step", application.pk, "basics")
    context = {
        "referral": r,
        "kind": labels.kind(r.kind),
        "values": _prefilled(r),
        "status": labels.referral_status(r.status),
        "pending": r.status == ReferralStatus.PENDING,
    }
    return render(request, "web/exchange/referral.html", context)


@applicant_required
@require_http_methods(["GET", "POST"])
def decline_referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Decline a referral, with a confirmation."""
    r = _received(request, referral_id)
    if r.status != ReferralStatus.PENDING:
        raise NotFound(gettext_noop("No such referral."))
    form = DelistForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            listing.decline_referral(
                referral_id, actor=actor_of(request), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The referral is declined."))
            return redirect("web:my-applications")
    context = {"referral": r, "form": form}
    return render(
        request, "web/exchange/referral_decline.html", context, status=422 if form.errors else 200
    )
