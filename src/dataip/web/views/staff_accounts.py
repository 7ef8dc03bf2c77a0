"""Staff accounts (员工账户), for the registrar: list, create, deactivate, re-send enrolment.

The registrar never sets a password: a new staff member receives a single-use enrolment link by
e-mail (``accounts.people``), where they set their password and authenticator app.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dataip.accounts import people
from dataip.errors import ValidationFailed
from dataip.registry.i18n import render as render_message
from dataip.registry.services import examination
from dataip.registry.workflow import Role
from dataip.web.access import actor_of, staff_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import PortalForm

ROLE_CHOICES = [
    ("examiner", gettext_lazy("Examiner")),
    ("expert", gettext_lazy("Expert")),
    ("registrar", gettext_lazy("Registrar")),
]


class NewStaffForm(PortalForm):
    """Who the new staff member is; the enrolment link goes to the e-mail address."""

    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        help_text=gettext_lazy("The enrolment link is sent here."),
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of e-mails"),
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )


class ConfirmForm(PortalForm):
    """Deactivating an account, or restarting its enrolment, asks for a confirmation."""

    confirm = forms.BooleanField(label=gettext_lazy("I confirm."))


@staff_required(Role.REGISTRAR)
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    """Every staff account, and the form that creates one."""
    language = "en" if translation.get_language() == "en" else "zh-hans"
    form = NewStaffForm(
        request.POST if request.method == "POST" else None, initial={"language": language}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member, _link = people.create_staff(
                registrar=user_of(request),
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                roles=data["roles"],
                language=data["language"],
            )
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            messages.success(
                request,
                _("%(user)s is created; the enrolment link was sent to %(email)s.")
                % {"user": member.username, "email": member.email},
            )
            return redirect("web:staff-accounts")
    members = [(member, people.has_second_factor(member)) for member in people.staff_members()]
    context = {"form": form, "members": members, "confirm_form": ConfirmForm()}
    response = render(
        request, "web/staff/accounts.html", context, status=422 if form.errors else 200
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required(Role.REGISTRAR)
@require_POST
def deactivate(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Deactivate a staff account, after confirming."""
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the confirmation first."))
        return redirect("web:staff-accounts")
    member = people.deactivate_staff(user_of(request), staff_id)
    messages.success(request, _("%(user)s can no longer sign in.") % {"user": member.username})
    return redirect("web:staff-accounts")


@staff_required(Role.REGISTRAR)
@require_POST
def resend_enrolment(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Send a fresh enrolment link (the password and authenticator are reset), after
    confirming."""
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the confirmation first."))
        return redirect("web:staff-accounts")
    member, _link = people.resend_enrolment(user_of(request), staff_id)
    messages.success(
        request,
        _("A new enrolment link was sent to %(email)s; earlier links no longer work.")
        % {"email": member.email},
    )
    return redirect("web:staff-accounts")


@staff_required(Role.REGISTRAR)
@require_POST
def expertise(request: HttpRequest, staff_id: int) -> HttpResponse:
    """Record an expert's expertise: GB/T 4754 division codes, separated by commas or spaces
    (shown when a panel is chosen)."""
    codes = request.POST.get("expertise", "").replace(",", " ").replace("，", " ").split()
    try:
        expert = examination.set_expertise(staff_id, actor=actor_of(request), codes=codes)
    except ValidationFailed as error:
        reasons = [render_message(m) for ms in error.errors.values() for m in ms]
        messages.error(request, " ".join(reasons))
    else:
        messages.success(
            request, _("The expertise of %(user)s is recorded.") % {"user": expert.username}
        )
    return redirect("web:staff-accounts")
