"""The whole journey in a real browser (Chromium driven by Playwright), in English and Chinese.

sign up → apply with uploads → formal examination → expert panel (each expert signs in with
TOTP) → announcement → objection filed and dismissed → registration (``tick`` after the
announcement) → certificate download → public verification of the downloaded PDF.
Screenshots of every page are kept under ``test-artifacts/browser/<language>/``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_otp.oath import totp

from dataip.accounts.models import User
from dataip.registry import clock
from dataip.registry.models import Application
from dataip.registry.services import schedule
from dataip.registry.workflow import Status
from tests.support.builders import PDF
from tests.support.personas import make_holder, valid_uscc
from tests.web.conftest import totp_device

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("DATAIP_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
MATERIALS = (
    "application_form",
    "product_summary",
    "innovation_explanation",
    "scenario_description",
    "deposit_certificate",
)
PASSWORD = "correct horse battery staple 2026"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's package) for the module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bin/system-deps (it installs chromium)")
    # Playwright's sync API keeps an event loop running in this thread; Django then refuses
    # database calls from it unless told that this (test-only) use is deliberate.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def certificates_on(settings: Any, tmp_path: Path, live_server: Any) -> None:
    """Issue signed certificates after registration, as in production."""
    settings.DATAIP_CERTIFICATES_AUTO = True
    settings.DATAIP_CERT_DIR = tmp_path / "pki"
    settings.DATAIP_CERT_PKCS12_FILE = ""
    settings.DATAIP_CERT_CA_FILE = ""
    settings.DATAIP_PUBLIC_URL = live_server.url


class Journey:
    """One person's browser tab, with screenshots numbered in the order they are taken."""

    counter = 0

    def __init__(self, browser: Any, base: str, language: str, who: str, phone: bool = False):
        locale = "en-US" if language == "en" else "zh-CN"
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        self.context = browser.new_context(
            locale=locale, viewport=viewport, accept_downloads=True, base_url=base
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.folder = ARTIFACTS / language
        self.folder.mkdir(parents=True, exist_ok=True)
        self.who = who

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def go(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None, path
        assert response.status < 400, (path, response.status)

    def shot(self, name: str) -> None:
        Journey.counter += 1
        path = self.folder / f"{Journey.counter:02d}-{self.who}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)

    def submit(self, form: str = "main form.stack") -> None:
        with self.page.expect_navigation():
            self.page.locator(f"{form} button[type=submit]").first.click()

    def sign_in(self, username: str, password: str, device_key: bytes | None = None) -> None:
        self.go("/account/login")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.shot("sign-in")
        self.submit()
        if device_key is not None:
            self.page.fill("#id_token", f"{totp(device_key):06d}")
            self.shot("two-factor")
            self.submit()
        assert "/account/" not in self.page.url, self.page.url

    def close(self) -> None:
        assert self.errors == [], self.errors  # no CSP violation, no script error
        self.context.close()


def staff(name: str, index: int = 0, **roles: bool) -> tuple[User, bytes]:
    user = User(username=name, display_name=name, **roles)
    if roles.get("is_expert"):
        user.holder = make_holder(index, f"{name} institute")
    user.set_password(PASSWORD)
    user.save()
    return user, bytes(totp_device(user).bin_key)


def apply(tab: Journey, language: str, suffix: str, verify: Callable[[], None]) -> int:
    """Sign up (pending, with the identity documents), file every step, upload the
    materials, be refused submission until ``verify`` has the registrar verify the
    organisation, submit; return the application id."""
    tab.go("/")
    tab.shot("home")
    tab.go("/account/signup")
    page = tab.page
    page.fill("#id_username", f"alpha_{suffix}")
    page.fill("#id_email", f"alpha_{suffix}@example.cn")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.select_option("#id_holder_kind", "legal_person")
    page.fill("#id_holder_name", f"阿尔法数据科技有限公司{suffix}")
    page.fill("#id_holder_name_en", f"Alpha Data {suffix}")
    page.fill("#id_identifier", valid_uscc(601 if language == "en" else 602))
    page.select_option("#id_province", "31")
    page.select_option("#id_org_type", "holder")
    for field in ("business_licence", "authorisation"):
        page.set_input_files(
            f"#id_{field}",
            files=[{"name": f"{field}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
    tab.shot("sign-up")
    tab.submit()
    assert page.url.endswith("/account/verification")
    assert page.locator("#verification-state").inner_text().strip() in {
        "Pending verification",
        "待认证",
    }
    tab.shot("verification-pending")

    tab.go("/applications/new")
    page.select_option("#id_kind", "data_collection")
    page.fill("#id_name", f"长江航运物流数据集{suffix}")
    tab.shot("new-application")
    tab.submit()
    steps = {
        "#id_name_en": f"Yangtze shipping logistics {suffix}",
        "#id_summary": "长江干线船舶航运与港口物流的融合数据。",
        "#id_summary_en": "Fused vessel and port logistics data of the Yangtze.",
    }
    for selector, value in steps.items():
        page.fill(selector, value)
    page.select_option("#id_industry_code", "55")
    page.select_option("#id_province_code", "31")
    tab.shot("step-basics")
    tab.submit()
    page.select_option("#id_data_source_type", "01")
    page.fill("#id_data_source_description", "自有航运调度平台采集")
    page.fill("#id_lawful_basis", "与船公司签订的数据协议（保密）")
    page.fill("#id_formation_date", "2025-10-01")
    page.fill("#id_record_count", "2500000")
    page.select_option("#id_update_frequency", "monthly")
    page.fill("#id_structure_description", "结构化表格，按航次组织")
    tab.shot("step-source")
    tab.submit()
    page.fill("#id_processing_summary", "清洗、去重、脱敏、时空对齐")
    page.fill("#id_processing_details", "保密的融合算法细节")
    page.fill("#id_application_scenarios", "港口调度、物流金融")
    page.fill("#id_innovation_explanation", "多源数据时空融合")
    tab.shot("step-processing")
    tab.submit()
    page.fill("#id_detail_format", "Parquet")
    page.select_option("#id_detail_personal_information", "de_identified")
    tab.shot("step-details")
    tab.submit()
    tab.shot("step-holders")
    tab.submit()  # the applicant's holder, 100 %
    for index, kind in enumerate(MATERIALS):
        page.select_option("#id_kind", kind)
        page.set_input_files(
            "#id_file",
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF * 2000}],
        )
        if index == 0:
            tab.shot("step-materials")
        with page.expect_navigation():
            page.click("form.upload button[type=submit]")  # sent by XHR with a progress bar
        assert page.locator("table.list tbody tr").count() == index + 1
    tab.shot("materials-uploaded")
    review = page.url.replace("/steps/materials", "/steps/review")
    tab.go(review)
    assert page.locator("ul.missing").count() == 0
    tab.shot("step-review")
    assert page.locator("form[action$='/submit']").count() == 0  # pending: no submission
    assert "registrar has verified" in page.content() or "登记机构认证" in page.content()
    tab.shot("submit-closed-while-pending")
    verify()  # the registrar verifies the organisation; now it may submit
    tab.go(review)
    assert page.locator("#unverified").count() == 0
    page.check("#id_declaration")  # the declaration of truthfulness
    tab.submit("main form[action$='/submit']")
    tab.shot("submitted")
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def in_plain_thread(function: Callable[..., Any], *args: Any) -> Any:
    """Run registry work in a thread without Playwright's event loop (the certificate's PDF
    signing, after the commit, runs its own loop), on that thread's own connection."""

    def run() -> Any:
        try:
            return function(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def act(tab: Journey, application_id: int, action: str, reason: str = "") -> None:
    tab.go(f"/examine/{application_id}")
    form = f"form:has(input[name=action][value={action}])"
    if reason:
        tab.page.fill(f"{form} textarea", reason)
    confirm = tab.page.locator(f"{form} input[name=confirm]")
    if confirm.count():
        confirm.check()  # an irreversible decision: the box names its consequence
    tab.shot(f"case-{action}")
    tab.submit(form)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_whole_journey_in_a_real_browser(
    browser: Any, live_server: Any, certificates_on: None, language: str
) -> None:
    started = time.monotonic()
    Journey.counter = 0
    suffix = "EN" if language == "en" else "ZH"
    base = live_server.url
    examiner_user, examiner_key = staff(f"examiner_{suffix}", is_examiner=True)
    registrar, registrar_key = staff(f"registrar_{suffix}", is_registrar=True)
    experts = [staff(f"expert{i}_{suffix}", 700 + i, is_expert=True) for i in range(3)]
    User.objects.create_user(f"citizen_{suffix}", password=PASSWORD)

    office = Journey(browser, base, language, "registrar")
    office.sign_in(registrar.username, PASSWORD, registrar_key)

    def verify() -> None:
        office.go("/examine/organisations")
        office.shot("organisations")
        office.page.locator("table.list a").first.click()
        office.page.wait_for_load_state()
        office.page.check("input[name=decision][value=approve]")
        office.page.check("#id_confirm")
        office.shot("organisation-case")
        office.submit("main form")

    applicant = Journey(browser, base, language, "applicant")
    app_id = apply(applicant, language, suffix, verify)

    examiner = Journey(browser, base, language, "examiner")
    examiner.sign_in(examiner_user.username, PASSWORD, examiner_key)
    examiner.go("/examine/")
    examiner.shot("queue")
    act(examiner, app_id, "start_formal_examination")
    examiner.shot("checklist")
    act(examiner, app_id, "pass_formal_examination")

    office.go(f"/examine/{app_id}")
    for expert, _ in experts:  # the whole panel in one submit
        office.page.check(f"#panel input[name='experts'][value='{expert.pk}']")
    office.submit("#panel form")
    office.shot("panel-assigned")
    office.close()

    for number, (expert, key) in enumerate(experts):
        reviewer = Journey(browser, base, language, f"expert{number}")
        reviewer.sign_in(expert.username, PASSWORD, key)
        reviewer.go("/review/")
        reviewer.shot("reviews")
        reviewer.go(f"/review/{app_id}")
        assert "保密的融合算法细节" in reviewer.page.content()  # the panel sees confidential data
        reviewer.page.check("input[name=approves][value=yes]")
        reviewer.page.fill("#id_opinion", "加工处理具有实质性和创新性。")
        reviewer.shot("opinion")
        reviewer.submit()
        reviewer.close()

    act(examiner, app_id, "approve")
    act(examiner, app_id, "announce")
    application = Application.objects.get(pk=app_id)
    assert application.status == Status.UNDER_PUBLICITY

    public = Journey(browser, base, language, "public")
    public.sign_in(f"citizen_{suffix}", PASSWORD)
    public.go("/announcements")
    public.shot("announcements")
    public.go(f"/registry/{application.number}")
    assert "保密的融合算法细节" not in public.page.content()
    assert "与船公司签订的数据协议" not in public.page.content()
    public.shot("announced")
    public.go(f"/announcements/{application.number}/objection")
    public.page.select_option("#id_ground", "ownership_dispute")
    public.page.fill("#id_statement", "该数据部分来源于我方平台。")
    public.page.set_input_files(
        "#id_evidence", files=[{"name": "proof.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    public.shot("objection")
    public.submit()

    examiner.go(f"/examine/{app_id}")
    dismiss = "form:has(input[name=decision][value=dismiss])"
    examiner.page.fill(f"{dismiss} textarea", "证据不能证明权属争议。")
    examiner.page.check(f"{dismiss} input[name=confirm]")
    examiner.shot("objection-review")
    with examiner.page.expect_navigation():
        examiner.page.click(f"{dismiss} button[type=submit]")
    examiner.shot("objection-dismissed")
    examiner.close()

    # Time passes: the registry's clock runs tick the day after the announcement ends.
    application.refresh_from_db()
    assert application.announcement_ends is not None
    after = clock.now() + timedelta(
        days=(application.announcement_ends - clock.local_date(clock.now())).days + 1
    )
    assert in_plain_thread(schedule.tick, after)["register"] == 1
    application.refresh_from_db()
    assert application.status == Status.REGISTERED
    assert application.registration_number

    applicant.go(f"/applications/{app_id}")
    applicant.shot("registered")
    link = applicant.page.locator("ul.certificates a[download]").first
    with applicant.page.expect_download() as download_info:
        link.click()
    pdf_path = Path(download_info.value.path())
    assert pdf_path.read_bytes().startswith(b"%PDF")

    public.go("/verify")
    public.page.set_input_files(
        "input[type=file]",
        files=[
            {"name": "cert.pdf", "mimeType": "application/pdf", "buffer": pdf_path.read_bytes()}
        ],
    )
    with public.page.expect_navigation():
        public.page.locator("form[enctype]:has(#pdf) button[type=submit]").click()
    assert public.page.locator(".verdict.good").count() == 1
    public.shot("verified-upload")
    public.go(f"/registry/{application.number}")
    assert str(application.registration_number) in public.page.content()
    public.shot("registration")
    public.go(f"/search?q={'长江航运物流'}")
    assert public.page.locator("ol.results li").count() >= 1
    public.shot("search")
    applicant.close()
    public.close()

    phone = Journey(browser, base, language, "phone", phone=True)
    for path in ("/", "/search?q=物流", f"/registry/{application.number}", "/announcements"):
        phone.go(path)
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, (path, width)  # nothing wider than a phone's screen
        phone.shot(path.strip("/").split("?")[0].replace("/", "-") or "home")
    phone.close()
    assert time.monotonic() - started < 240
