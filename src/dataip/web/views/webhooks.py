"""The organisation's webhooks (推送订阅), for its administrators: subscriptions and their
deliveries, a test ping, the secret's rotation, pause and delete. Thin: every change is a
service of ``registry/services/webhooks.py``; reads are ``registry/queries/webhooks.py``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dataip.accounts.models import OrgRole, User
from dataip.errors import NotFound, ValidationFailed, gettext_noop
from dataip.registry.models import WebhookTopic
from dataip.registry.queries.webhooks import deliveries_of, subscription_of, subscriptions_of
from dataip.registry.services import webhooks as service
from dataip.web.access import login_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import PortalForm


class SubscriptionForm(PortalForm):
    """A new subscription: where to send, and what."""

    url = forms.CharField(
        label=gettext_lazy("URL of your endpoint (http:// or https://)"), max_length=500
    )
    topic = forms.ChoiceField(
        label=gettext_lazy("Receive"),
        choices=WebhookTopic.choices,
        initial=WebhookTopic.REGISTRATIONS,
    )


class ConfirmForm(PortalForm):
    """An irreversible step, confirmed."""

    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


def _administrator(request: HttpRequest) -> User:
    """The signed-in administrator of an organisation; others get 404."""
    user = user_of(request)
    if user.holder_id is None or user.org_role != OrgRole.ADMINISTRATOR:
        raise NotFound(gettext_noop("No such page."))
    return user


def _list_page(
    request: HttpRequest, user: User, form: SubscriptionForm, secret: str = "", status: int = 200
) -> HttpResponse:
    holder_id = service.administrator_of(user)
    context = {"subscriptions": subscriptions_of(holder_id), "form": form, "secret": secret}
    return render(request, "web/webhooks.html", context, status=status)


def _detail_page(
    request: HttpRequest, user: User, subscription_id: int, secret: str = ""
) -> HttpResponse:
    holder_id = service.administrator_of(user)
    view = subscription_of(holder_id, subscription_id)
    if view is None:
        raise NotFound(gettext_noop("No such webhook subscription."))
    context = {
        "subscription": view,
        "topic": WebhookTopic(view.topic).label,
        "deliveries": deliveries_of(holder_id, subscription_id),
        "secret": secret,
    }
    return render(request, "web/webhook.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    """The organisation's subscriptions and the form to add one (administrators); a new
    subscription's secret is shown once, on the answer to its creation."""
    user = _administrator(request)
    if request.method != "POST":
        return _list_page(request, user, SubscriptionForm())
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        try:
            _made, secret = service.create_subscription(user, **form.cleaned_data)
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            messages.success(request, _("The subscription was created."))
            return _list_page(request, user, SubscriptionForm(), secret)
    return _list_page(request, user, form, status=422)


@login_required
@require_http_methods(["GET"])
def webhook(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """One subscription: its newest deliveries with their last status, and its actions."""
    return _detail_page(request, _administrator(request), subscription_id)


@login_required
@require_POST
def set_active(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Pause or resume a subscription."""
    active = request.POST.get("active") == "1"
    service.update_subscription(_administrator(request), subscription_id, active=active)
    messages.success(
        request, _("The subscription is active.") if active else _("The subscription is paused.")
    )
    return redirect("web:webhook", subscription_id=subscription_id)


@login_required
@require_POST
def ping(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Queue a signed test delivery."""
    service.send_ping(_administrator(request), subscription_id)
    messages.success(request, _("A test ping is on its way; its delivery is listed below."))
    return redirect("web:webhook", subscription_id=subscription_id)


@login_required
@require_POST
def rotate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """A new secret, after confirming; shown once, on this answer."""
    user = _administrator(request)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the confirmation to rotate the secret."))
        return redirect("web:webhook", subscription_id=subscription_id)
    _made, secret = service.rotate_secret(user, subscription_id)
    return _detail_page(request, user, subscription_id, secret)


@login_required
@require_POST
def delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Delete a subscription and its deliveries, after confirming."""
    user = _administrator(request)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the confirmation to delete the subscription."))
        return redirect("web:webhook", subscription_id=subscription_id)
    service.delete_subscription(user, subscription_id)
    messages.success(request, _("The subscription was deleted."))
    return redirect("web:webhooks")
