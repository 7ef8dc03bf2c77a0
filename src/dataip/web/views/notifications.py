"""The notification centre (通知中心): a person's notices, newest first, marked read one by one
or all at once; and the choice of which groups of notices also come by e-mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dataip.accounts.models import User
from dataip.registry import notices
from dataip.registry.queries import notifications as found
from dataip.registry.workflow import Notice
from dataip.web.access import login_required, user_of
from dataip.web.forms import PortalForm

#: Where the notices about a person's account and organisation lead.
ACCOUNT_LINKS = {
    Notice.ORGANISATION_VERIFIED: "web:verification",
    Notice.ORGANISATION_REFUSED: "web:verification",
    Notice.DISPUTE_GRANTED: "web:organisation",
    Notice.DISPUTE_REFUSED: "web:verification",
    Notice.ORGANISATION_WAITING: "web:organisation-queue",
    Notice.DISPUTE_WAITING: "web:organisation-queue",
    Notice.ROLE_CHANGED: "web:organisation",
}


def _link(user: User, notice: found.NoticeView) -> str:
    """Where a notice leads: the public record once registered, the objector's objections,
    the examiner's case, or the holder's application; for an account notice, the verification
    page, the organisation or the registrar's queue of organisations."""
    if notice.kind in ACCOUNT_LINKS:
        return reverse(ACCOUNT_LINKS[Notice(notice.kind)])
    if notice.kind == Notice.OBJECTION_DECIDED and not user.holder_id:
        return reverse("web:my-objections")
    if notice.application_id is None:
        return ""
    if notice.registered and notice.number:
        return reverse("web:registration", args=[notice.number])
    if user.is_examiner or user.is_registrar:
        return reverse("web:case", args=[notice.application_id])
    if user.holder_id:
        return reverse("web:application", args=[notice.application_id])
    return ""


@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    """My notices, newest first, twenty a page; unread ones first in weight, not in order."""
    user = user_of(request)
    unread_only = request.GET.get("unread") == "1"
    items, page, pages = found.notifications_for(user.pk, request.GET.get("page", "1"), unread_only)
    rows = [(notice, _link(user, notice)) for notice in items]
    return render(
        request,
        "web/notifications.html",
        {
            "rows": rows,
            "page": page,
            "pages": pages,
            "base": "unread=1" if unread_only else "",
            "unread_only": unread_only,
            "unread": found.unread_count(user.pk),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Mark one of my notices read (someone else's is not found)."""
    user = user_of(request)
    found.get_notice_for(user.pk, notice_id)
    notices.mark_read(user.pk, [notice_id])
    return redirect("web:notifications")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark every one of my notices read."""
    count = notices.mark_read(user_of(request).pk)
    messages.success(request, _("%(count)s notices marked read.") % {"count": count})
    return redirect("web:notifications")


class PreferencesForm(PortalForm):
    """Which groups of notices also come by e-mail."""

    email = forms.MultipleChoiceField(
        label=gettext_lazy("Also send by e-mail"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Every notice is shown in the notification centre; ticked groups are e-mailed too, "
            "in the language of your account."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        groups = notices.GROUP_LABELS.items()
        choices = [(g.value, gettext_lazy(label)) for g, label in groups]
        self.fields["email"].choices = choices  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Choose which groups of notices come by e-mail (the others: in the centre only)."""
    user = user_of(request)
    choices = found.preferences_of(user.pk)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notices.set_email_preferences(user.pk, form.cleaned_data["email"])
            messages.success(request, _("Your notification settings are saved."))
            return redirect("web:notification-settings")
    else:
        form = PreferencesForm(initial={"email": [c.group.value for c in choices if c.email]})
    return render(
        request,
        "web/notification_settings.html",
        {"form": form, "choices": choices, "has_email": bool(user.email)},
    )
