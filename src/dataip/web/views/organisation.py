"""The organisation's pages (组织): members and roles, invitations, the audit trail, and the
page where an invited person joins. Thin: every change is a service of
``accounts/organisation.py``; the audit trail is read by ``registry/queries/organisation.py``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dataip.accounts import organisation as org
from dataip.accounts.models import OrgRole, User
from dataip.errors import NotFound, ValidationFailed, gettext_noop
from dataip.registry.queries.organisation import activity_of
from dataip.web.access import login_required, signed_in_user, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import PortalForm

ROLE_CHOICES = [(role.value, role.label) for role in OrgRole]
LANGUAGE_CHOICES = [("zh-hans", "简体中文"), ("en", "English")]


class InviteForm(PortalForm):
    """Whom to invite, in what role, and in which language the mail is written."""

    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES, initial="member")
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the invitation"),
        choices=LANGUAGE_CHOICES,
        initial="zh-hans",
    )


class RoleForm(PortalForm):
    """A member's new role."""

    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


class ConfirmForm(PortalForm):
    """An irreversible step, confirmed."""

    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


class JoinSignUpForm(PortalForm):
    """A new account for an invited person."""

    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _member(request: HttpRequest) -> User:
    """The signed-in member of an organisation; others get 404."""
    user = user_of(request)
    if user.holder_id is None:
        raise NotFound(gettext_noop("No such page."))
    return user


def _administrator(request: HttpRequest) -> User:
    """The signed-in administrator of an organisation; others get 404."""
    user = _member(request)
    if user.org_role != OrgRole.ADMINISTRATOR:
        raise NotFound(gettext_noop("No such page."))
    return user


def _page(request: HttpRequest, user: User, invite_form: InviteForm, status: int) -> HttpResponse:
    admin = user.org_role == OrgRole.ADMINISTRATOR
    assert user.holder_id is not None  # noqa: S101 - _member
    context = {
        "holder": user.holder,
        "members": org.members_of(user.holder_id),
        "administrator": admin,
        "invitations": org.open_invitations_of(user.holder_id) if admin else [],
        "invite_form": invite_form,
        "role_choices": ROLE_CHOICES,
        "now": timezone.now(),
    }
    return render(request, "web/organisation.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def organisation(request: HttpRequest) -> HttpResponse:
    """The organisation: its members and their roles; for administrators also the open
    invitations and the forms to invite, change roles and remove."""
    return _page(request, _member(request), InviteForm(), 200)


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    """Invite a person by e-mail (administrators)."""
    user = _administrator(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            org.invite(user, **form.cleaned_data)
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            messages.success(
                request, _("The invitation was sent to %(email)s.") % form.cleaned_data
            )
            return redirect("web:organisation")
    return _page(request, user, form, 422)


@login_required
@require_POST
def change_role(request: HttpRequest, member_id: int) -> HttpResponse:
    """Give a member another role (administrators)."""
    user = _administrator(request)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("web:organisation")
    org.change_role(user, member_id, form.cleaned_data["role"])
    messages.success(request, _("The role was changed."))
    return redirect("web:organisation")


@login_required
@require_POST
def remove_member(request: HttpRequest, member_id: int) -> HttpResponse:
    """Remove a member from the organisation (administrators), after confirming."""
    user = _administrator(request)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the confirmation to remove the member."))
        return redirect("web:organisation")
    org.remove_member(user, member_id)
    messages.success(request, _("The member was removed."))
    return redirect("web:organisation")


@login_required
@require_POST
def withdraw_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Withdraw an open invitation (administrators), after confirming."""
    user = _administrator(request)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the confirmation to withdraw the invitation."))
        return redirect("web:organisation")
    org.withdraw_invitation(user, invitation_id)
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("web:organisation")


@login_required
@require_http_methods(["GET"])
def activity(request: HttpRequest) -> HttpResponse:
    """The organisation's audit trail, newest first, paged (administrators)."""
    user = _administrator(request)
    cursor = request.GET.get("cursor") or None
    page = activity_of(user, cursor)
    return render(request, "web/organisation_activity.html", {"page": page, "holder": user.holder})


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """The invitation's link: a signed-in person without an organisation joins; anyone else
    creates an account here (or signs in first, then comes back)."""
    invitation = org.invitation_for(secret)
    user = signed_in_user(request)
    form = JoinSignUpForm(request.POST if request.method == "POST" and user is None else None)
    if request.method == "POST":
        if user is not None:
            org.accept_invitation(secret, user)
            messages.success(request, _("You joined %(name)s.") % {"name": invitation.holder.name})
            return redirect("web:organisation")
        if form.is_valid():
            try:
                joined = org.sign_up_by_invitation(secret, **form.cleaned_data)
            except ValidationFailed as error:
                put_on_form(form, error)
            else:
                login(request, joined, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, _("You joined %(name)s.") % {"name": invitation.holder.name}
                )
                return redirect("web:organisation")
    context = {
        "invitation": invitation,
        "role": OrgRole(invitation.role).label,
        "form": form,
        "signed_in": user,
    }
    return render(request, "web/invitation.html", context, status=422 if form.errors else 200)
