"""People's accounts and staff sign-in: reset by e-mail, e-mail verification, profile, staff
accounts with enrolment links and recovery codes, throttled sign-in (web and admin)."""

from __future__ import annotations

import time
from datetime import timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dataip.accounts import people
from dataip.accounts.models import ApiToken, User
from tests.support.mailbox import Inbox, smtp
from tests.support.personas import Personas
from tests.web.conftest import SignIn

__all__ = ["smtp"]

NEW_PASSWORD = "a brand new passphrase 2026"


def code_of(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


# ── password reset ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("language", "subject"), [("en", "Reset your password"), ("zh-hans", "重置")]
)
def test_a_reset_link_works_once_in_the_users_language(
    personas: Personas, smtp: Inbox, language: str, subject: str
) -> None:
    user = personas.applicant.user
    user.email, user.language = "alice@alpha.example", language
    user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sent = client.post("/account/password/reset", {"email": "alice@alpha.example"})
    assert sent.status_code == 302
    assert client.get(sent["Location"]).status_code == 200
    message = smtp.to("alice@alpha.example")[-1]
    assert subject in str(make_header(decode_header(message["Subject"])))
    link = smtp.link("alice@alpha.example", "/account/password/reset/")
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The same link a second time: refused.
    again = Client().get(link, follow=True)
    assert 'id="link-not-valid"' in again.content.decode()


def test_a_reset_never_says_whether_an_address_is_known(personas: Personas, smtp: Inbox) -> None:
    personas.applicant.user.email = "alice@alpha.example"
    personas.applicant.user.save()
    known = Client().post("/account/password/reset", {"email": "alice@alpha.example"})
    unknown = Client().post("/account/password/reset", {"email": "nobody@nowhere.example"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(smtp.messages) == 1


def test_a_reset_link_expires(personas: Personas, smtp: Inbox, settings: Any) -> None:
    personas.applicant.user.email = "alice@alpha.example"
    personas.applicant.user.save()
    Client().post("/account/password/reset", {"email": "alice@alpha.example"})
    link = smtp.link("alice@alpha.example", "/account/password/reset/")
    settings.PASSWORD_RESET_TIMEOUT = -1  # the link's time is over
    page = Client().get(link, follow=True)
    assert 'id="link-not-valid"' in page.content.decode()


def test_a_signed_in_person_changes_the_password(personas: Personas, sign_in: SignIn) -> None:
    client = sign_in(personas.applicant)
    assert client.get("/account/password").status_code == 200
    wrong = client.post(
        "/account/password",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "id_old_password_error" in wrong.content.decode()
    ok = client.post(
        "/account/password",
        {"old_password": "x", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    personas.applicant.user.refresh_from_db()
    assert personas.applicant.user.check_password(NEW_PASSWORD)
    assert client.get("/applications/").status_code == 200  # still signed in


# ── e-mail verification and profile ──────────────────────────────────────────────────────


def test_a_new_address_is_verified_by_the_mailed_link(
    personas: Personas, sign_in: SignIn, smtp: Inbox
) -> None:
    client = sign_in(personas.applicant)
    saved = client.post(
        "/account/",
        {"display_name": "Alice", "email": "alice@alpha.example", "language": "en"},
    )
    assert saved.status_code == 302
    user = User.objects.get(pk=personas.applicant.user.pk)
    assert (user.display_name, user.language, user.email_verified_at) == ("Alice", "en", None)
    assert 'id="verify-email-banner"' in client.get("/account/").content.decode()
    link = smtp.link("alice@alpha.example", "/account/verify-email/")
    assert client.get(link).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert 'id="verify-email-banner"' not in client.get("/account/").content.decode()


def test_a_verification_link_for_an_old_address_or_expired_is_refused(
    personas: Personas, sign_in: SignIn, smtp: Inbox, settings: Any
) -> None:
    client = sign_in(personas.applicant)
    client.post("/account/", {"display_name": "", "email": "old@alpha.example", "language": "en"})
    old_link = smtp.link("old@alpha.example", "/account/verify-email/")
    client.post("/account/", {"display_name": "", "email": "new@alpha.example", "language": "en"})
    assert client.get(old_link).status_code == 410
    settings.DATAIP_EMAIL_VERIFICATION_HOURS = -1
    new_link = smtp.link("new@alpha.example", "/account/verify-email/")
    assert client.get(new_link).status_code == 410
    personas.applicant.user.refresh_from_db()
    assert personas.applicant.user.email_verified_at is None


@pytest.mark.parametrize(
    ("language", "reason"), [("en", "Enter a valid email address"), ("zh-hans", "有效")]
)
def test_the_profile_names_the_field_it_refuses(
    personas: Personas, sign_in: SignIn, language: str, reason: str
) -> None:
    client = sign_in(personas.applicant, language=language)
    refused = client.post("/account/", {"email": "not an address", "language": "en"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'id="id_email_error"' in text
    assert reason in text


@pytest.mark.django_db
def test_sign_up_mails_a_verification_link(smtp: Inbox) -> None:
    from tests.web.test_accounts import SIGN_UP

    client = Client()
    assert client.post("/account/signup", SIGN_UP).status_code == 302
    link = smtp.link(SIGN_UP["email"], "/account/verify-email/")
    client.get(link)
    assert User.objects.get(username="newco").email_verified_at is not None


# ── staff accounts, enrolment, recovery codes ───────────────────────────────────────────


def enrol(client: Client, link: str, password: str = NEW_PASSWORD) -> list[str]:
    """Open the enrolment link, set the password and the authenticator; the recovery codes."""
    page = client.get(link)
    assert page.status_code == 200
    qr = client.get(link + "/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in qr.content
    user = people.enrolling_user(*link.rstrip("/").split("/")[-2:])
    device = people.pending_device(user)
    done = client.post(
        link, {"password1": password, "password2": password, "token": code_of(device)}
    )
    assert done.status_code == 200, done.content.decode()
    codes = [c.strip() for c in done.content.decode().split("<code>")[1:]]
    return [c.split("</code>")[0] for c in codes]


def test_the_registrar_creates_a_staff_member_who_enrols_by_link(
    personas: Personas, sign_in: SignIn, smtp: Inbox
) -> None:
    office = sign_in(personas.registrar)
    assert office.get("/examine/staff").status_code == 200
    created = office.post(
        "/examine/staff",
        {
            "username": "new_examiner",
            "display_name": "New Examiner",
            "email": "examiner@registry.example",
            "roles": ["examiner"],
            "language": "en",
        },
    )
    assert created.status_code == 302
    member = User.objects.get(username="new_examiner")
    assert member.is_examiner
    assert not member.has_usable_password()
    link = smtp.link("examiner@registry.example", "/account/enrol/")

    newcomer = Client()
    codes = enrol(newcomer, link)
    assert len(set(codes)) == 10
    assert newcomer.get("/examine/").status_code == 200  # signed in, second factor passed
    assert newcomer.get(link).status_code == 410  # the link works once

    # Later: the password, then a recovery code, once.
    later = Client()
    later.post("/account/login", {"username": "new_examiner", "password": NEW_PASSWORD})
    assert later.post("/account/two-factor", {"token": codes[0]}).status_code == 302
    assert later.get("/examine/").status_code == 200
    again = Client()
    again.post("/account/login", {"username": "new_examiner", "password": NEW_PASSWORD})
    assert again.post("/account/two-factor", {"token": codes[0]}).status_code == 401
    assert again.get("/examine/").status_code == 302
    assert people.recovery_codes_left(member) == 9


def test_a_staff_form_names_each_refused_field(personas: Personas, sign_in: SignIn) -> None:
    office = sign_in(personas.registrar)
    refused = office.post(
        "/examine/staff",
        {
            "username": "examiner",
            "email": "x@registry.example",
            "roles": ["examiner"],
            "language": "en",
        },
    )
    assert refused.status_code == 422
    assert 'id="id_username_error"' in refused.content.decode()
    assert User.objects.filter(username="examiner").count() == 1


def test_a_failed_mail_creates_no_staff_account(
    personas: Personas, sign_in: SignIn, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    refused = sign_in(personas.registrar).post(
        "/examine/staff",
        {
            "username": "lost",
            "email": "lost@registry.example",
            "roles": ["expert"],
            "language": "en",
        },
    )
    assert refused.status_code == 503
    assert not User.objects.filter(username="lost").exists()


def test_an_expired_or_replaced_enrolment_link_is_refused(
    personas: Personas, sign_in: SignIn, smtp: Inbox, settings: Any
) -> None:
    office = sign_in(personas.registrar)
    member, first = people.create_staff(
        username="late", display_name="", email="late@registry.example", roles=["expert"]
    )
    first_path = first.split("8000", 1)[1]
    refused = office.post(
        f"/examine/staff/{member.pk}/enrolment",
        {},  # without confirming: nothing happens
    )
    assert refused.status_code == 302
    assert Client().get(first_path).status_code == 200
    office.post(f"/examine/staff/{member.pk}/enrolment", {"confirm": "on"})
    assert Client().get(first_path).status_code == 410
    second = smtp.link("late@registry.example", "/account/enrol/")
    assert Client().get(second).status_code == 200
    settings.DATAIP_ENROLMENT_HOURS = 0
    time.sleep(1.1)
    assert Client().get(second).status_code == 410


def test_the_registrar_deactivates_a_staff_member(personas: Personas, sign_in: SignIn) -> None:
    examiner = personas.examiner.user
    token = ApiToken.objects.create(
        name="script", prefix="dip_abcdefgh", digest="0" * 64, created_by=examiner
    )
    office = sign_in(personas.registrar)
    assert office.post(f"/examine/staff/{examiner.pk}/deactivate", {}).status_code == 302
    assert User.objects.get(pk=examiner.pk).is_active
    office.post(f"/examine/staff/{examiner.pk}/deactivate", {"confirm": "on"})
    examiner.refresh_from_db()
    token.refresh_from_db()
    assert not examiner.is_active
    assert token.revoked_at is not None
    login = Client().post("/account/login", {"username": "examiner", "password": "x"})
    assert login.status_code == 401
    own = office.post(f"/examine/staff/{personas.registrar.user.pk}/deactivate", {"confirm": "on"})
    assert own.status_code == 403


def test_staff_make_new_recovery_codes_from_the_profile(
    personas: Personas, sign_in: SignIn
) -> None:
    old = people.new_recovery_codes(personas.examiner.user)
    client = sign_in(personas.examiner)
    assert "10" in client.get("/account/").content.decode()
    page = client.post("/account/recovery-codes", {"confirm": "on"})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert old[0] not in page.content.decode()
    assert people.use_recovery_code(personas.examiner.user, old[0]) is None
    assert sign_in(personas.applicant).post("/account/recovery-codes", {}).status_code == 404


# ── sign-in that holds up: web and admin ─────────────────────────────────────────────────


def superuser(username: str = "root") -> User:
    return User.objects.create_superuser(username, f"{username}@x.example", "x", is_registrar=True)


def test_spraying_across_user_names_is_stopped_and_says_so(
    personas: Personas, settings: Any
) -> None:
    settings.DATAIP_LOGIN_ADDRESS_ATTEMPTS = 6
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    names = ["applicant", "other_applicant", "examiner", "registrar", "objector"]
    for name in names:
        assert (
            client.post("/account/login", {"username": name, "password": "Spring2026"}).status_code
            == 401
        )
    sixth = client.post("/account/login", {"username": "expert0", "password": "Spring2026"})
    assert sixth.status_code == 429
    assert "登录" in sixth.content.decode()
    assert int(sixth["Retry-After"]) > 0
    # Now even a right password of another name is refused from this address...
    assert (
        client.post("/account/login", {"username": "expert1", "password": "x"}).status_code == 429
    )
    # ... and not from another one.
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        elsewhere.post("/account/login", {"username": "objector", "password": "x"}).status_code
        == 302
    )


def test_a_wrong_second_factor_counts_as_a_failed_sign_in(personas: Personas) -> None:
    TOTPDevice.objects.create(user=personas.examiner.user, name="phone", confirmed=True)
    client = Client()
    client.post("/account/login", {"username": "examiner", "password": "x"})
    answers = [
        client.post("/account/two-factor", {"token": "000000"}).status_code for _ in range(5)
    ]
    assert answers == [401, 401, 401, 401, 429]


def test_the_admin_answers_a_non_staff_password_like_a_wrong_one(personas: Personas) -> None:
    superuser()
    right = Client().post("/admin/login/", {"username": "applicant", "password": "x"})
    wrong = Client().post("/admin/login/", {"username": "applicant", "password": "nope"})
    assert right.status_code == wrong.status_code == 401

    def error(response: Any) -> str:
        text = response.content.decode()
        start = text.index('id="form-errors"')
        return str(text[start : text.index("</div>", start)])

    assert error(right) == error(wrong)
    assert "_auth_user_id" not in right.client.session


def test_the_admin_sign_in_is_throttled_and_needs_the_second_factor(
    personas: Personas,
) -> None:
    root = superuser()
    client = Client()
    answers = [
        client.post("/admin/login/", {"username": "applicant", "password": "x"}).status_code
        for _ in range(5)
    ]
    assert answers == [401, 401, 401, 401, 429]
    locked = client.post("/admin/login/", {"username": "applicant", "password": "x"})
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"

    staff = Client(REMOTE_ADDR="10.0.0.8")
    signed = staff.post("/admin/login/", {"username": "root", "password": "x"})
    assert signed.status_code == 302
    assert signed["Location"].startswith("/account/two-factor")
    assert staff.get("/admin/").status_code == 302
    device = TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    verified = staff.post(signed["Location"], {"token": code_of(device)})
    assert verified.status_code == 302
    assert verified["Location"] == "/admin/"
    assert staff.get("/admin/").status_code == 200


def test_a_pause_lapses(personas: Personas, settings: Any) -> None:
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        client.post("/account/login", {"username": "applicant", "password": "wrong"})
    assert (
        client.post("/account/login", {"username": "applicant", "password": "x"}).status_code == 429
    )
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=901))
    assert (
        client.post("/account/login", {"username": "applicant", "password": "x"}).status_code == 302
    )
