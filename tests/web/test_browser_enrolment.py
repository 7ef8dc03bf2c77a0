"""A staff member's enrolment in a real browser (Chromium driven by Playwright).

The registrar creates a staff account → the enrolment e-mail arrives at a real SMTP server
(aiosmtpd) → the new examiner opens the link, sets a password, the test photographs the QR code
and decodes it with zxing-cpp to get the otpauth secret, confirms a TOTP code, records a
recovery code → signs out → signs in with the password and the recovery code → the same code
is refused the second time. Screenshots under ``test-artifacts/browser/<language>/``.
"""

from __future__ import annotations

import base64
import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django_otp.oath import totp

from dataip.accounts.models import User
from tests.support.mailbox import Inbox, smtp
from tests.web.test_browser import PASSWORD, Journey, browser, staff

__all__ = ["browser", "smtp"]

zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_PASSWORD = "a fresh staff passphrase 2026"


def decode_qr(png: bytes) -> str:
    """The text of the QR code in a screenshot (zxing-cpp)."""
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found, "no QR code in the screenshot"
    return str(found[0].text)


def sign_out(tab: Journey) -> None:
    with tab.page.expect_navigation():
        tab.page.locator("header form[action$='/account/logout'] button").click()


def sign_in_with(tab: Journey, username: str, code: str) -> None:
    tab.go("/account/login")
    tab.page.fill("#id_username", username)
    tab.page.fill("#id_password", NEW_PASSWORD)
    tab.submit()
    assert "/account/two-factor" in tab.page.url
    tab.page.fill("#id_token", code)
    tab.submit()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_staff_member_enrols_by_link_and_signs_in_with_a_recovery_code(
    browser: Any, live_server: Any, smtp: Inbox, settings: Any, language: str
) -> None:
    settings.DATAIP_PUBLIC_URL = live_server.url
    suffix = "EN" if language == "en" else "ZH"
    registrar, registrar_key = staff(f"office_{suffix}", is_registrar=True)
    Journey.counter = 40
    office = Journey(browser, live_server.url, language, "registrar")
    office.sign_in(registrar.username, PASSWORD, registrar_key)
    office.go("/examine/staff")
    page = office.page
    username, address = f"newexaminer_{suffix}", f"examiner_{suffix.lower()}@registry.example"
    page.fill("#id_username", username)
    page.fill("#id_display_name", f"New Examiner {suffix}")
    page.fill("#id_email", address)
    page.check("input[name=roles][value=examiner]")
    page.select_option("#id_language", language)
    office.shot("staff-create")
    office.submit()
    assert username in page.content()
    office.shot("staff-created")
    office.close()

    link = smtp.link(address, "/account/enrol/")
    newcomer = Journey(browser, live_server.url, language, "newcomer")
    newcomer.go(link)
    page = newcomer.page
    qr = page.locator("#totp-qr")
    assert page.evaluate("document.getElementById('totp-qr').naturalWidth") > 0  # it renders
    newcomer.shot("enrol")
    otpauth = decode_qr(qr.screenshot())
    assert otpauth.startswith("otpauth://totp/")
    secret = parse_qs(urlparse(otpauth).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.fill("#id_token", f"{totp(key):06d}")
    newcomer.submit()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    newcomer.shot("recovery-codes")
    newcomer.go("/examine/")  # signed in with both factors
    sign_out(newcomer)

    sign_in_with(newcomer, username, codes[0])
    assert "/account/" not in page.url, page.url
    newcomer.go("/examine/")
    newcomer.shot("signed-in-with-recovery-code")
    sign_out(newcomer)

    sign_in_with(newcomer, username, codes[0])
    assert "/account/two-factor" in page.url
    assert page.locator("#id_token_error").count() == 1
    newcomer.shot("recovery-code-refused")
    # The refusal is a 401 page, which Chromium logs; nothing else may have been logged.
    assert len(newcomer.errors) == 1, newcomer.errors
    assert "401" in newcomer.errors[0]
    newcomer.errors.clear()
    newcomer.close()
    assert User.objects.get(username=username).has_usable_password()
