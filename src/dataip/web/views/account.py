"""Accounts: sign-up (the organisation pending verification), its verification page, sign-in
(throttled by django-axes), two-factor (TOTP or a recovery code), staff enrolment by link,
profile, passwords."""

from __future__ import annotations

import base64
import io
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from dataip.accounts import people, signin, tokens
from dataip.accounts import scopes as declared_scopes
from dataip.accounts.models import User
from dataip.errors import NotFound, ValidationFailed, gettext_noop
from dataip.registry.models import DocumentKind
from dataip.registry.queries import identity as identity_queries
from dataip.registry.services import identity
from dataip.web.access import (
    is_staff_member,
    is_verified,
    login_required,
    signed_in_user,
    user_of,
)
from dataip.web.errors import put_on_form
from dataip.web.field_help import FieldHelpMixin
from dataip.web.forms import (
    IdentityDocumentsForm,
    LoginForm,
    PortalForm,
    SecondFactorForm,
    SignUpForm,
)

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
            user = User(username=data["username"], email=data["email"], language=_page_language())
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
                people.send_email_verification(user)
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


def _page_language() -> str:
    """The language the person reads the page in: their mails are written in it too."""
    language = translation.get_language()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


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


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The answer to a locked-out sign-in (django-axes' lockout callable): 429, with
    ``Retry-After`` and a message in the user's language."""
    seconds = signin.retry_after(request)
    minutes = max(1, -(-seconds // 60))
    message = ngettext(
        "Too many failed sign-in attempts for this user name or from this address. "
        "Sign-in is paused: try again in %(minutes)d minute.",
        "Too many failed sign-in attempts for this user name or from this address. "
        "Sign-in is paused: try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    answer = render(request, "web/locked.html", {"message": message}, status=429)
    answer["Retry-After"] = str(seconds)
    answer["Cache-Control"] = "no-store"
    return answer


def _sign_in(request: HttpRequest, *, admin: bool) -> HttpResponse:
    """User name and password, throttled by django-axes. At ``/admin/login/`` only accounts
    marked as staff of the admin get in; a right password for any other account is answered,
    and counted, exactly as a wrong one."""
    form = LoginForm(request.POST or None)
    status = 200
    default = reverse("admin:index") if admin else ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if isinstance(user, User) and admin and not user.is_staff:
            user = None
            if signin.count_failure(request, username):
                return locked_out(request)
        if not isinstance(user, User):
            form.add_error(None, _("The user name or the password is wrong."))
            status = 401
        else:
            login(request, user)
            if admin or is_staff_member(user):
                query = urlencode({"next": _next(request, default or reverse("web:staff-home"))})
                return redirect(f"{reverse('web:otp')}?{query}")
            landing = "web:my-applications" if user.holder_id else "web:home"
            if user.holder is not None and user.holder.is_lender:
                landing = "web:encumbrances"
            return redirect(_next(request, reverse(landing)))
    elif form.errors:
        status = 422
    context = {"form": form, "next": _next(request, default), "admin": admin}
    return render(request, "web/login.html", context, status=status)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with user name and password; staff continue to the second factor."""
    return _sign_in(request, admin=False)


@require_http_methods(["GET", "POST"])
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """``/admin/login/``: the same throttled sign-in, then the second factor, then the admin."""
    user = signed_in_user(request)
    if user is not None and user.is_staff:
        target = _next(request, reverse("admin:index"))
        if is_verified(request):
            return redirect(target)
        return redirect(f"{reverse('web:otp')}?{urlencode({'next': target})}")
    return _sign_in(request, admin=True)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out."""
    logout(request)
    return redirect("web:home")


@login_required
@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    """The second factor: a code from the authenticator app, or one of the recovery codes.
    Wrong codes count as failed sign-ins (django-axes); a staff account without a confirmed
    authenticator cannot enrol here: it needs an enrolment link from the registrar."""
    user = user_of(request)
    target = _next(request, reverse("web:staff-home"))
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id"))
    if not devices:
        return render(request, "web/otp_missing.html", status=403)
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if signin.is_locked_out(request, user.username):
            return locked_out(request)
        code = form.cleaned_data["token"]
        device: Device | None
        if code.isdigit():
            device = next(
                (d for d in devices if django_otp.verify_token(user, d.persistent_id, code)),
                None,
            )
        else:
            device = people.use_recovery_code(user, code)
        if device is None:
            if signin.count_failure(request, user.username):
                return locked_out(request)
            form.add_error("token", _("This code is not valid. Try the current one."))
            status = 401
        else:
            django_otp.login(request, device)
            if not code.isdigit():
                left = people.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(left)d code is left.",
                        "You signed in with a recovery code; %(left)d codes are left.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(target)
    elif form.errors:
        status = 422
    return render(request, "web/otp.html", {"form": form, "next": target}, status=status)


# ── Staff enrolment by link (员工开通): password and authenticator in one step ───────────


class EnrolForm(PortalForm):
    """The new password (twice) and the first code of the authenticator app."""

    password1 = forms.CharField(
        label=gettext_lazy("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=gettext_lazy("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    token = forms.RegexField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Open an enrolment link: set the password, scan the QR code, confirm a code; then the
    ten recovery codes are shown, once."""
    user = people.enrolling_user(uidb64, token)
    device = people.pending_device(user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            enrolled = people.complete_enrolment(
                user, password=form.cleaned_data["password1"], code=form.cleaned_data["token"]
            )
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            django_otp.login(request, enrolled.device)
            answer = render(
                request,
                "web/recovery_codes.html",
                {"codes": enrolled.recovery_codes, "enrolled": True},
            )
            answer["Cache-Control"] = "no-store"
            return answer
    if form.errors:
        status = 422
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "secret": secret,
        "member": user,
        "qr": reverse("web:enrol-qr", args=[uidb64, token]),
    }
    answer = render(request, "web/enrol.html", context, status=status)
    answer["Cache-Control"] = "no-store"
    return answer


@require_safe
def enrol_qr(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The QR code of the authenticator being set up, as a standalone SVG image (with its
    ``xmlns``, so that browsers draw it in an ``<img>``)."""
    user = people.enrolling_user(uidb64, token)
    image = io.BytesIO()
    segno.make(people.pending_device(user).config_url, error="m").save(
        image, kind="svg", scale=5, border=2, xmldecl=False, svgclass="qr", title="QR"
    )
    response = HttpResponse(image.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


# ── Profile (个人资料), e-mail verification, recovery codes ──────────────────────────────


class ProfileForm(PortalForm):
    """What a person may change about their own account."""

    display_name = forms.CharField(
        label=gettext_lazy("Display name"), max_length=200, required=False
    )
    email = forms.EmailField(label=gettext_lazy("E-mail address"), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of e-mails"),
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )


class RegenerateCodesForm(PortalForm):
    """New recovery codes replace the old ones, which stop working."""

    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm; the codes I have now will stop working.")
    )


def _profile_page(
    request: HttpRequest, user: User, form: ProfileForm, *, status: int = 200, codes: Any = None
) -> HttpResponse:
    staff = people.is_staff_account(user)
    context = {
        "form": form,
        "member": user,
        "staff": staff,
        "codes_left": people.recovery_codes_left(user) if staff else 0,
        "codes_form": RegenerateCodesForm(),
        "codes": codes or [],
    }
    answer = render(request, "web/profile.html", context, status=status)
    answer["Cache-Control"] = "no-store"
    return answer


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The person's own account: name, e-mail address (verified by link), language of mails."""
    user = user_of(request)
    initial = {"display_name": user.display_name, "email": user.email, "language": user.language}
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = people.update_profile(user, **form.cleaned_data)
        except ValidationFailed as error:
            put_on_form(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            if changed and user.email:
                messages.info(
                    request,
                    _("We sent a link to %(email)s: open it to confirm the address.")
                    % {"email": user.email},
                )
            return redirect("web:profile")
    return _profile_page(request, user, form, status=422 if form.errors else 200)


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    """Mail the verification link again."""
    user = user_of(request)
    if user.email and user.email_verified_at is None:
        people.send_email_verification(user)
        messages.info(
            request,
            _("We sent a link to %(email)s: open it to confirm the address.")
            % {"email": user.email},
        )
    return redirect("web:profile")


@require_safe
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """Follow a verification link: the address is confirmed."""
    user = people.verify_email(token)
    messages.success(request, _("Thank you: %(email)s is confirmed.") % {"email": user.email})
    return redirect("web:profile" if signed_in_user(request) else "web:login")


@login_required
@require_POST
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes for a staff member, in a session verified with the second factor;
    shown once."""
    user = user_of(request)
    if not people.is_staff_account(user):
        raise NotFound(gettext_noop("No such page."))
    if not is_verified(request):
        return redirect(f"{reverse('web:otp')}?{urlencode({'next': reverse('web:profile')})}")
    if not RegenerateCodesForm(request.POST).is_valid():
        messages.error(request, _("Tick the confirmation to replace your recovery codes."))
        return redirect("web:profile")
    codes = people.new_recovery_codes(user)
    answer = render(request, "web/recovery_codes.html", {"codes": codes, "enrolled": False})
    answer["Cache-Control"] = "no-store"
    return answer


# ── Passwords: Django's own views and token generator, in our templates ──────────────────


class PasswordResetByMailForm(FieldHelpMixin, PasswordResetForm):
    """Django's reset form, mailing in the recipient's own language."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = getattr(context.get("user"), "language", None) or translation.get_language()
        context = {**context, "hours": settings.DATAIP_PASSWORD_RESET_HOURS}
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class PasswordChange(auth_views.PasswordChangeView):
    """Change the password (the old one first); the session stays signed in."""

    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password is changed."))
        return super().form_valid(form)


class PasswordReset(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail; the answer never says whether the address is known."""

    form_class = PasswordResetByMailForm
    template_name = "web/password_reset.html"
    email_template_name = "accounts/mail/password_reset_body.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("web:password-reset-sent")

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"base": settings.DATAIP_PUBLIC_URL}
        return super().form_valid(form)


password_change = login_required(PasswordChange.as_view())
password_reset = PasswordReset.as_view()
password_reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name="web/password_reset_sent.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="web/password_reset_confirm.html",
    success_url=reverse_lazy("web:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="web/password_reset_complete.html"
)


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
