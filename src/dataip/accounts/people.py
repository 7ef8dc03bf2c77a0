"""People's accounts (用户账户): profile, e-mail verification, staff accounts and their enrolment.

Services take the acting user and plain values, never the HTTP request; pages, the CLI and the
tests call them alike. Mail goes out synchronously through Django's mail, in the recipient's
preferred language (``User.language``), inside the caller's transaction: when it cannot be sent,
nothing is kept (a staff account is not created without its enrolment link).

* **E-mail verification** (邮箱验证): a signed link (``django.core.signing``, salted, expiring after
  ``DATAIP_EMAIL_VERIFICATION_HOURS``) naming the user and the address; following it sets
  ``User.email_verified_at``, unless the address has changed since.
* **Staff enrolment** (员工开通): the registrar creates the account without a password; the new
  staff member receives a single-use link (Django's token generator with its own salt, valid
  ``DATAIP_ENROLMENT_HOURS``; it stops working once a password is set) where they set the
  password and confirm an authenticator app (TOTP) in one step, and receive ten single-use
  recovery codes (django-otp's static tokens). Re-sending the link resets the account's
  password and devices.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dataip.accounts.models import ApiToken, User
from dataip.errors import DomainError, FieldErrors, NotFound, PermissionDenied, gettext_noop

LANGUAGES = ("zh-hans", "en")
STAFF_ROLES = ("examiner", "expert", "registrar")
RECOVERY_CODES = 10
EMAIL_SALT = "dataip.accounts.email-verification"


class MailNotSent(DomainError):
    """The mail server refused or did not answer; nothing was changed."""

    code = "mail_not_sent"
    http_status = 503


class LinkNotValid(DomainError):
    """A verification or enrolment link that is wrong, used already, or expired."""

    code = "link_not_valid"
    http_status = 410


# ── mail ─────────────────────────────────────────────────────────────────────────────────


def absolute(path: str) -> str:
    """The registry's public address of a path (links in e-mails)."""
    return f"{settings.DATAIP_PUBLIC_URL}{path}"


def send_to(user: User, template: str, context: dict[str, object]) -> None:
    """Send ``accounts/mail/<template>_subject.txt`` / ``_body.txt`` to the user, in the user's
    language; a server that refuses or does not answer raises :class:`MailNotSent`."""
    language = user.language if user.language in LANGUAGES else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"user": user, **context}
        subject = render_to_string(f"accounts/mail/{template}_subject.txt", context)
        body = render_to_string(f"accounts/mail/{template}_body.txt", context)
    try:
        EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(
            gettext_noop("The e-mail could not be sent now; nothing was changed. Try again later.")
        ) from error


# ── profile and e-mail verification ──────────────────────────────────────────────────────


def _clean_email(errors: FieldErrors, email: str, *, required: bool) -> str:
    email = email.strip()
    if not email:
        if required:
            errors.add("email", gettext_noop("Give an e-mail address."))
        return ""
    try:
        validate_email(email)
    except ValidationError:
        errors.add("email", gettext_noop("Enter a valid e-mail address, like name@example.cn."))
    return email


def email_verification_link(user: User) -> str:
    """A signed link that verifies the user's current address."""
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_SALT)
    return absolute(reverse("web:verify-email", args=[token]))


def send_email_verification(user: User) -> None:
    """Mail the verification link to the user's address (nothing without an address)."""
    if user.email:
        send_to(
            user,
            "verify_email",
            {
                "link": email_verification_link(user),
                "hours": settings.DATAIP_EMAIL_VERIFICATION_HOURS,
            },
        )


def verify_email(token: str) -> User:
    """Mark the address named by a verification link as verified; return its user."""
    try:
        found = signing.loads(
            token, salt=EMAIL_SALT, max_age=settings.DATAIP_EMAIL_VERIFICATION_HOURS * 3600
        )
    except signing.SignatureExpired:
        raise LinkNotValid(
            gettext_noop("This verification link has expired. Ask for a new one on your profile.")
        ) from None
    except signing.BadSignature:
        raise LinkNotValid(gettext_noop("This verification link is not valid.")) from None
    user = User.objects.filter(pk=found.get("u")).first()
    if user is None or user.email != found.get("e"):
        raise LinkNotValid(
            gettext_noop("This link was for an address that is no longer on the account.")
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def update_profile(user: User, *, display_name: str, email: str, language: str) -> bool:
    """Change the user's name, address and language; a new address must be verified again
    (the link is mailed to it). Returns whether the address changed."""
    errors = FieldErrors()
    display_name = display_name.strip()
    if len(display_name) > 200:
        errors.add("display_name", gettext_noop("Use at most 200 characters."))
    email = _clean_email(errors, email, required=False)
    if language not in LANGUAGES:
        errors.add("language", gettext_noop("Choose Simplified Chinese or English."))
    errors.raise_if_any()
    changed = email != user.email
    with transaction.atomic():
        user.display_name, user.email, user.language = display_name, email, language
        fields = ["display_name", "email", "language"]
        if changed:
            user.email_verified_at = None
            fields.append("email_verified_at")
        user.save(update_fields=fields)
        if changed:
            send_email_verification(user)
    return changed


# ── staff accounts and enrolment ─────────────────────────────────────────────────────────


class EnrolmentTokens(PasswordResetTokenGenerator):
    """Single-use enrolment links: the hash covers the password, which enrolment sets."""

    key_salt = "dataip.accounts.people.EnrolmentTokens"

    def check_token(self, user: User | None, token: str | None) -> bool:
        """As Django's, but valid for ``DATAIP_ENROLMENT_HOURS`` instead of the reset timeout."""
        if user is None or not token or "-" not in token:
            return False
        try:
            stamp = int(token.split("-")[0], 36)
        except ValueError:
            return False
        if self._num_seconds(self._now()) - stamp > settings.DATAIP_ENROLMENT_HOURS * 3600:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, stamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


enrolment_tokens = EnrolmentTokens()


def is_staff_account(user: User) -> bool:
    return bool(user.is_examiner or user.is_registrar or user.is_expert)


def has_second_factor(user: User) -> bool:
    """Whether the user has a confirmed authenticator (TOTP) device."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def enrolment_link(user: User) -> str:
    """A fresh single-use enrolment link for the user."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute(reverse("web:enrol", args=[uid, enrolment_tokens.make_token(user)]))


def _require_registrar(registrar: User) -> None:
    if not registrar.is_registrar:
        raise PermissionDenied(gettext_noop("Only the registrar manages staff accounts."))


def staff_members() -> list[User]:
    """Every staff account (examiners, experts, registrars), active ones first."""
    from django.db.models import Q

    found = User.objects.filter(Q(is_examiner=True) | Q(is_registrar=True) | Q(is_expert=True))
    return list(found.order_by("-is_active", "username"))


def create_staff(
    *,
    username: str,
    display_name: str,
    email: str,
    roles: Iterable[str],
    language: str = "zh-hans",
    registrar: User | None = None,
) -> tuple[User, str]:
    """Create a staff account without a password and mail it its enrolment link; return the
    account and the link. ``registrar`` is who creates it (None: the ``dataip`` command)."""
    if registrar is not None:
        _require_registrar(registrar)
    errors = FieldErrors()
    username = username.strip()
    if not username or len(username) > 150:
        errors.add("username", gettext_noop("Give a user name of at most 150 characters."))
    elif User.objects.filter(username__iexact=username).exists():
        errors.add("username", gettext_noop("This user name is taken."))
    email = _clean_email(errors, email, required=True)
    roles = set(roles)
    if not roles or not roles <= set(STAFF_ROLES):
        errors.add(
            "roles", gettext_noop("Choose at least one role: examiner, expert or registrar.")
        )
    if language not in LANGUAGES:
        errors.add("language", gettext_noop("Choose Simplified Chinese or English."))
    errors.raise_if_any()
    with transaction.atomic():
        user = User(
            username=username,
            display_name=display_name.strip()[:200],
            email=email,
            language=language,
            is_examiner="examiner" in roles,
            is_expert="expert" in roles,
            is_registrar="registrar" in roles,
        )
        user.set_unusable_password()
        user.save()
        link = enrolment_link(user)
        send_to(user, "enrolment", {"link": link, "hours": settings.DATAIP_ENROLMENT_HOURS})
    return user, link


def _staff_member(staff_id: int) -> User:
    user = User.objects.filter(pk=staff_id).first()
    if user is None or not is_staff_account(user):
        raise NotFound(gettext_noop("No such staff member."))
    return user


def resend_enrolment(registrar: User | None, staff_id: int) -> tuple[User, str]:
    """Start the member's enrolment again: the password and every device are removed, earlier
    links stop working, and a fresh link is mailed. Returns the member and the link."""
    if registrar is not None:
        _require_registrar(registrar)
    user = _staff_member(staff_id)
    if not user.is_active:
        raise PermissionDenied(gettext_noop("This account is deactivated."))
    if not user.email:
        FieldErrors.raise_one("email", gettext_noop("Give an e-mail address."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user.set_unusable_password()
        user.save(update_fields=["password"])
        link = enrolment_link(user)
        send_to(user, "enrolment", {"link": link, "hours": settings.DATAIP_ENROLMENT_HOURS})
    return user, link


def deactivate_staff(registrar: User, staff_id: int) -> User:
    """Close a staff account: it can no longer sign in, and its staff API tokens are revoked."""
    _require_registrar(registrar)
    user = _staff_member(staff_id)
    if user.pk == registrar.pk:
        raise PermissionDenied(gettext_noop("You cannot deactivate your own account."))
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(holder=None, created_by=user, revoked_at=None).update(
            revoked_at=timezone.now()
        )
    return user


def enrolling_user(uidb64: str, token: str) -> User:
    """The staff member an enrolment link is for, while the link is valid."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        pk = 0
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not is_staff_account(user) or not enrolment_tokens.check_token(user, token):
        raise LinkNotValid(
            gettext_noop(
                "This enrolment link is not valid: it was used already, replaced by a newer one "
                "or has expired. Ask the registrar to send a new one."
            )
        )
    return user


def pending_device(user: User) -> TOTPDevice:
    """The authenticator device being set up (made once, confirmed by enrolment)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@dataclass(frozen=True)
class Enrolled:
    """The result of an enrolment: the confirmed device and the recovery codes, shown once."""

    device: TOTPDevice
    recovery_codes: list[str]


def complete_enrolment(user: User, *, password: str, code: str) -> Enrolled:
    """Set the password and confirm the authenticator with a current code, in one step; the
    link stops working. Raises ValidationFailed naming ``password1`` or ``token``."""
    from django.contrib.auth.password_validation import validate_password

    errors = FieldErrors()
    try:
        validate_password(password, user)
    except ValidationError as error:
        for message in error.messages:
            errors.add("password1", "%(reason)s", reason=message)
    device = pending_device(user)
    if not errors and not device.verify_token(code):
        errors.add("token", gettext_noop("This code is not valid. Try the current one."))
    errors.raise_if_any()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
    return Enrolled(device, codes)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new single-use ones; return them (shown once)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="recovery", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    """How many recovery codes the user has not used yet."""
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def use_recovery_code(user: User, code: str) -> StaticDevice | None:
    """Spend one of the user's recovery codes; its device, or None if the code is unknown or
    spent (two requests racing for one code: one wins, the row is deleted once)."""
    code = "".join(code.split()).lower()
    match = (
        StaticToken.objects.filter(device__user=user, device__confirmed=True, token=code)
        .select_related("device")
        .first()
    )
    if match is None or StaticToken.objects.filter(pk=match.pk).delete()[0] != 1:
        return None
    return match.device
