"""Accounts: sign-up (the organisation pending verification), its verification page, sign-in
(throttled), two-factor (TOTP)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from dataip.accounts import scopes as declared_scopes
from dataip.accounts import tokens
from dataip.accounts.models import User
from dataip.errors import NotFound, ValidationFailed, gettext_noop
from dataip.registry.models import DocumentKind
from dataip.registry.queries import identity as identity_queries
from dataip.registry.services import identity
from dataip.web.access import is_staff_member, is_verified, login_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import IdentityDocumentsForm, LoginForm, PortalForm, SignUpForm, TokenForm
from dataip.web.security import client_address, login_blocked, login_failed, login_succeeded

HOLDER_FIELDS = {
    "kind": "holder_kind",
    "name": "holder_name",
    "name_en": "holder_name_en",
    "identifier": "identifier",
    "province_code": "province",
}


def _next(request: HttpRequest, default: str) -> str:
    """Where to go after signing in: a local address only."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and the organisation it acts for, pending verification. A code that is
    registered already becomes a dispute for the registrar, and the answer is the same."""
    posted = request.method == "POST"
    form = SignUpForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        if User.objects.filter(username__iexact=data["username"]).exists():
            form.add_error("username", _("This user name is taken."))
        else:
            user = User(username=data["username"], email=data["email"])
            try:
                _check_password(form, data["password1"], user)
                user.set_password(data["password1"])
                identity.sign_up(
                    user,
                    kind=data["holder_kind"],
                    org_type=data["org_type"],
                    name=data["holder_name"],
                    name_en=data["holder_name_en"],
                    identifier=data["identifier"],
                    province_code=data["province"],
                    documents=_uploads(request),
                )
            except ValidationFailed as error:
                put_on_form(form, error, HOLDER_FIELDS)
            except _WeakPassword:
                pass
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome. Your organisation is pending verification."))
                return redirect("web:verification")
    status = 422 if form.errors else 200
    return render(request, "web/signup.html", {"form": form}, status=status)


def _uploads(request: HttpRequest) -> dict[str, identity.Upload | None]:
    """The identity documents sent with the form, by kind."""
    found: dict[str, identity.Upload | None] = {}
    for kind in DocumentKind.values:
        upload = request.FILES.get(kind)
        found[kind] = (upload.name or kind, upload) if upload is not None else None
    return found


@login_required
@require_http_methods(["GET", "POST"])
def verification(request: HttpRequest) -> HttpResponse:
    """Where the identity verification of the user's organisation stands (主体认证): the
    state, the refusal reason, the documents; upload them (again) until verified."""
    user = user_of(request)
    posted = request.method == "POST"
    form = IdentityDocumentsForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if posted and form.is_valid():
        try:
            identity.upload_documents(user, _uploads(request))
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            messages.success(request, _("The documents are uploaded."))
            return redirect("web:verification")
    state = identity_queries.verification_of(user)
    context = {"state": state, "form": form}
    return render(request, "web/verification.html", context, status=422 if form.errors else 200)


class _WeakPassword(Exception):
    """The password validators refused the password (rolls the holder back too)."""


def _check_password(form: SignUpForm, password: str, user: User) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as error:
        for message in error.messages:
            form.add_error("password1", message)
        raise _WeakPassword from None


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with user name and password; staff continue to the second factor."""
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = client_address(request)
        if login_blocked(username, address):
            form.add_error(None, _("Too many failed attempts. Please wait and try again later."))
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if not isinstance(user, User):
                login_failed(username, address)
                form.add_error(None, _("The user name or the password is wrong."))
                status = 401
            else:
                login_succeeded(username, address)
                login(request, user)
                if is_staff_member(user):
                    query = urlencode({"next": _next(request, reverse("web:staff-home"))})
                    return redirect(f"{reverse('web:otp')}?{query}")
                landing = "web:my-applications" if user.holder_id else "web:home"
                if user.holder is not None and user.holder.is_lender:
                    landing = "web:encumbrances"
                return redirect(_next(request, reverse(landing)))
    elif form.errors:
        status = 422
    return render(
        request, "web/login.html", {"form": form, "next": _next(request, "")}, status=status
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out."""
    logout(request)
    return redirect("web:home")


def _devices(user: User, *, confirmed: bool) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id"))


@login_required
@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    """The second factor: a code from the user's TOTP device."""
    user = user_of(request)
    devices = _devices(user, confirmed=True)
    target = _next(request, reverse("web:staff-home"))
    if not devices:
        return redirect(f"{reverse('web:otp-setup')}?{urlencode({'next': target})}")
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        key = f"otp:{user.username}"
        if login_blocked(key, address):
            form.add_error(None, _("Too many failed attempts. Please wait and try again later."))
            status = 429
        else:
            token = form.cleaned_data["token"]
            device = next(
                (d for d in devices if django_otp.verify_token(user, d.persistent_id, token)),
                None,
            )
            if device is None:
                login_failed(key, address)
                form.add_error("token", _("This code is not valid. Try the current one."))
                status = 401
            else:
                login_succeeded(key, address)
                django_otp.login(request, device)
                return redirect(target)
    elif form.errors:
        status = 422
    return render(request, "web/otp.html", {"form": form, "next": target}, status=status)


def _pending_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up a TOTP device (authenticator app), once: later devices need the admin."""
    user = user_of(request)
    target = _next(request, reverse("web:staff-home"))
    if _devices(user, confirmed=True):
        return redirect(f"{reverse('web:otp')}?{urlencode({'next': target})}")
    if not is_staff_member(user):
        raise NotFound(gettext_noop("No such page."))
    device = _pending_device(user)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect(target)
        form.add_error("token", _("This code is not valid. Try the current one."))
        status = 422
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "web/otp_setup.html",
        {"form": form, "secret": secret, "next": target, "verified": is_verified(request)},
        status=status,
    )


@login_required
@require_GET
def otp_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the device being set up (an SVG image; no inline data on the page)."""
    user = user_of(request)
    if _devices(user, confirmed=True) or not is_staff_member(user):
        raise NotFound(gettext_noop("No such page."))
    device = _pending_device(user)
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


# ── API tokens (接口令牌): an organisation's, or an examiner's or registrar's own ──────────


class NewTokenForm(PortalForm):
    """A name for a new API token (what system will use it), its scopes and its last day."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What will use it, e.g. the ERP system or a script."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=[(scope.code, scope.label) for scope in declared_scopes.SCOPES],
        initial=[declared_scopes.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("What the token may do; give it no more than its system needs."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Last day (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("At most one year ahead; empty: until revoked."),
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff:  # a staff token acts in its creator's staff roles; scopes do not apply
            del self.fields["scopes"]


class RevokeTokenForm(PortalForm):
    """Revoking a token cannot be undone."""

    confirm = forms.BooleanField(label=gettext_lazy("I confirm; this cannot be undone."))


def _token_owner(request: HttpRequest) -> User | HttpResponse:
    """The user whose tokens the page shows; staff only in a session verified with TOTP."""
    user = user_of(request)
    if tokens.is_staff(user):
        if not is_verified(request):
            return redirect(f"{reverse('web:otp')}?{urlencode({'next': request.get_full_path()})}")
        return user
    if not tokens.is_administrator(user):
        raise NotFound(gettext_noop("No such page."))
    return user


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The API tokens of the user's organisation (an examiner's or registrar's own staff
    tokens): create one, shown once; revoke one."""
    owner = _token_owner(request)
    if isinstance(owner, HttpResponse):
        return owner
    staff = tokens.is_staff(owner)
    form = NewTokenForm(request.POST if request.method == "POST" else None, staff=staff)
    secret = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, secret = tokens.create_token(
                owner, data["name"], data.get("scopes"), data["expires_on"]
            )
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            form = NewTokenForm(staff=staff)
    return _tokens_page(request, owner, form, secret)


def _tokens_page(
    request: HttpRequest, owner: User, form: NewTokenForm, secret: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "secret": secret,
        "tokens": [
            (token, [declared_scopes.label(code) for code in token.scopes])
            for token in tokens.tokens_of(owner)
        ],
        "staff": tokens.is_staff(owner),
        "revoke_form": RevokeTokenForm(),
    }
    return render(request, "web/tokens.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the tokens the user may see, after confirming."""
    owner = _token_owner(request)
    if isinstance(owner, HttpResponse):
        return owner
    if token_id not in {t.pk for t in tokens.tokens_of(owner) if t.revoked_at is None}:
        raise NotFound(gettext_noop("No such token of your organisation."))
    form = RevokeTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the confirmation to revoke the token."))
        return redirect("web:api-tokens")
    tokens.revoke_token(owner, token_id)
    messages.success(request, _("The token is revoked."))
    return redirect("web:api-tokens")


@login_required
@require_POST
def rotate_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Rotate a token after confirming: a new secret, shown once; the old one is revoked."""
    owner = _token_owner(request)
    if isinstance(owner, HttpResponse):
        return owner
    if token_id not in {t.pk for t in tokens.tokens_of(owner) if t.revoked_at is None}:
        raise NotFound(gettext_noop("No such token of your organisation."))
    if not RevokeTokenForm(request.POST).is_valid():
        messages.error(request, _("Tick the confirmation to rotate the token."))
        return redirect("web:api-tokens")
    secret = tokens.rotate_token(owner, token_id)[1]
    staff = tokens.is_staff(owner)
    return _tokens_page(request, owner, NewTokenForm(staff=staff), secret)
