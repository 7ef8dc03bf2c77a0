"""Sign-up with the holder's identity check, throttled sign-in, and TOTP for staff."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dataip.accounts.models import User
from dataip.registry.models import Holder
from tests.support.personas import Personas, valid_uscc
from tests.web.conftest import SignIn

SIGN_UP = {
    "username": "newco",
    "email": "office@newco.example",
    "password1": "a long enough passphrase 2026",
    "password2": "a long enough passphrase 2026",
    "holder_kind": "legal_person",
    "holder_name": "新公司数据有限公司",
    "holder_name_en": "NewCo Data",
    "identifier": valid_uscc(77),
    "province": "31",
    "org_type": "holder",
}


def token_for(device: TOTPDevice, step_offset: int = 0) -> str:
    """The device's current code, as an authenticator app computes it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + step_offset * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_signs_up_a_user_and_its_holder(language: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.get("/account/signup").status_code == 200
    response = client.post("/account/signup", SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == "/account/verification"
    user = User.objects.get(username="newco")
    assert user.holder is not None
    assert user.holder.identifier == SIGN_UP["identifier"]
    assert user.holder.verification == "pending"  # drafts yes, submission once verified
    assert user.check_password(SIGN_UP["password1"])
    assert client.get("/applications/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "校验"), ("en", "check digit does not match")],
)
def test_it_shows_the_identity_check_next_to_the_field(language: str, message: str) -> None:
    bad = valid_uscc(77)[:-1] + ("0" if valid_uscc(77)[-1] != "0" else "1")
    response = Client(HTTP_ACCEPT_LANGUAGE=language).post(
        "/account/signup", {**SIGN_UP, "identifier": bad}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="id_identifier_error"' in text
    assert 'aria-describedby="id_identifier_helptext id_identifier_error"' in text
    assert message in text
    assert not User.objects.filter(username="newco").exists()
    assert not Holder.objects.filter(name=SIGN_UP["holder_name"]).exists()


@pytest.mark.django_db
def test_it_refuses_a_weak_password_without_leaving_a_holder_behind() -> None:
    response = Client().post("/account/signup", {**SIGN_UP, "password1": "123", "password2": "123"})
    assert response.status_code == 422
    assert not Holder.objects.filter(identifier=SIGN_UP["identifier"]).exists()


def test_it_signs_an_applicant_in_and_out(personas: Personas) -> None:
    client = Client()
    response = client.post("/account/login", {"username": "applicant", "password": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/applications/"
    assert client.post("/account/logout").status_code == 302
    assert client.get("/applications/").status_code == 302


def test_it_throttles_repeated_failed_sign_ins(personas: Personas, settings: object) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(4):
        bad = client.post("/account/login", {"username": "applicant", "password": "wrong"})
        assert bad.status_code == 401
    fifth = client.post("/account/login", {"username": "applicant", "password": "wrong"})
    assert fifth.status_code == 429
    blocked = client.post("/account/login", {"username": "applicant", "password": "x"})
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) == 900
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    other_user = client.post("/account/login", {"username": "objector", "password": "x"})
    assert other_user.status_code == 302


def test_staff_confirm_the_second_factor_and_cannot_enrol_by_password(
    personas: Personas,
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/account/login", {"username": "examiner", "password": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor")
    # No confirmed device: the password alone cannot set one up any more.
    missing = client.get("/account/two-factor")
    assert missing.status_code == 403
    assert "enrolment link" in missing.content.decode()
    assert client.get("/examine/").status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.examiner.user).exists()

    device = TOTPDevice.objects.create(user=personas.examiner.user, name="phone", confirmed=True)
    assert client.post("/account/two-factor", {"token": "123456"}).status_code == 401
    ok = client.post("/account/two-factor", {"token": token_for(device, step_offset=1)})
    assert ok.status_code == 302
    assert client.get("/examine/").status_code == 200


def test_it_gives_unverified_staff_no_staff_powers(personas: Personas, sign_in: SignIn) -> None:
    from dataip.web.access import STAFF_ROLES, actor_of

    client = sign_in(personas.examiner, verified=False)
    assert client.get("/examine/").status_code == 302
    request = client.get("/").wsgi_request
    assert not actor_of(request).roles & STAFF_ROLES


def test_it_redirects_only_to_local_addresses_after_sign_in(personas: Personas) -> None:
    response = Client().post(
        "/account/login",
        {"username": "applicant", "password": "x", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/applications/"
