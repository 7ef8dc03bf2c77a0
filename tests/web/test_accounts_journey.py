"""The accounts journey of issue 14 in a real browser (Chromium driven by Playwright), in Chinese
and English, with mail through a real SMTP server (aiosmtpd on loopback) and the notices' mail
sent by the real django-tasks database worker:

an organisation signs up with its business licence and authorisation → its page says it is
pending verification → it may make a draft, but the submission is refused with the reason → the
registrar (signed in with TOTP) verifies it on ``/examine/organisations`` (ticking the
confirmation) → the administrator invites a member by e-mail → the invitation arrives, the
member opens its link, creates an account and joins → the member submits an application → the
examiner requests a correction → the worker mails the correction request in the member's
language with its 30-day deadline, and the member sees the notice and the unread count on
``/notifications/`` → guessing the member's password is stopped with a 429 page that says so.
Screenshots are kept under ``test-artifacts/accounts-journey/<language>/``.
"""

from __future__ import annotations

import io
import time
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from dataip.accounts.models import MailOutbox, OrgRole, User
from dataip.registry import clock
from dataip.registry.actors import actor_for
from dataip.registry.models import Application, Holder
from dataip.registry.regimes import load_regime
from dataip.registry.services import applications as filing
from dataip.registry.workflow import Status
from tests.support.builders import PDF, complete_values
from tests.support.mailbox import Inbox, smtp
from tests.support.personas import valid_uscc
from tests.web.test_browser import (  # noqa: F401 - the browser fixture is shared
    PASSWORD,
    Journey,
    browser,
    in_plain_thread,
    staff,
)

__all__ = ["browser", "smtp"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "accounts-journey"
MEMBER_PASSWORD = "a member's own passphrase 2026"

#: What the pages and mails say, in each language (the words a person reads).
SAYS: dict[str, dict[str, str]] = {
    "en": {
        "pending": "Pending verification",
        "verified": "Verified",
        "not verified": "is not verified yet: the application can be submitted once the "
        "registrar has verified it",
        "invitation subject": "Invitation to join",
        "correction subject": "Correction requested: ",
        "withdrawn": "deemed withdrawn",
        "unread": "unread notice",
        "too many": "Too many failed sign-in attempts",
        "paused": "Sign-in paused",
    },
    "zh-hans": {
        "pending": "待认证",
        "verified": "已认证",
        "not verified": "的主体身份尚未认证：须经登记机构认证后方可提交申请",
        "invitation subject": "邀请您在数据知识产权登记平台加入",
        "correction subject": "补正通知：",
        "withdrawn": "视为撤回",
        "unread": "条未读通知",
        "too many": "登录失败次数过多",
        "paused": "登录已暂停",
    },
}


class Tab(Journey):
    """A person's browser tab; screenshots go to this journey's own folder."""

    def __init__(self, chromium: Any, base: str, language: str, who: str) -> None:
        super().__init__(chromium, base, language, who)
        self.language = "en-US" if language == "en" else "zh-CN"
        self.folder = ARTIFACTS / language
        self.folder.mkdir(parents=True, exist_ok=True)

    def text(self, selector: str = "main") -> str:
        return str(self.page.inner_text(selector))


def complete_draft(user: User, name: str) -> Application:
    """The rest of a draft filed through the services (the browser journey of every step is
    tests/web/test_browser.py's): every field and the required materials."""
    actor = actor_for(user)
    app = filing.create_draft(
        actor=actor,
        user=user,
        kind="data_collection",
        values=complete_values(name=name, name_en=f"{name} (en)"),
        at=clock.now(),
    )
    regime = load_regime(app.regime_code)
    for material in sorted(regime.required_materials(filed_by_agent=False)):
        filing.add_material(
            app.pk,
            actor=actor,
            user=user,
            kind=material,
            name=f"{material}.pdf",
            content=io.BytesIO(PDF + material.encode()),
            at=clock.now(),
        )
    return app


def sign_up(tab: Tab, language: str, suffix: str) -> None:
    """The organisation signs up with its business licence and authorisation."""
    page = tab.page
    tab.go("/account/signup")
    page.fill("#id_username", f"admin_{suffix}")
    page.fill("#id_email", f"admin_{suffix.lower()}@gamma.example")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.select_option("#id_holder_kind", "legal_person")
    page.fill("#id_holder_name", f"伽马数据科技有限公司{suffix}")
    page.fill("#id_holder_name_en", f"Gamma Data {suffix}")
    page.fill("#id_identifier", valid_uscc(611 if language == "en" else 612))
    page.select_option("#id_province", "31")
    page.select_option("#id_org_type", "holder")
    for field in ("business_licence", "authorisation"):
        page.set_input_files(
            f"#id_{field}",
            files=[{"name": f"{field}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
    tab.shot("sign-up")
    tab.submit()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_organisation_signs_up_invites_a_member_who_is_told_of_a_correction(
    browser: Any, live_server: Any, smtp: Inbox, settings: Any, language: str
) -> None:
    started = time.monotonic()
    settings.DATAIP_PUBLIC_URL = live_server.url
    says = SAYS[language]
    suffix = "EN" if language == "en" else "ZH"
    base = live_server.url
    Journey.counter = 0
    registrar_user, registrar_key = staff(f"registrar_{suffix}", is_registrar=True)
    examiner_user, examiner_key = staff(f"examiner_{suffix}", is_examiner=True)

    # 1. Sign-up: pending; a draft can be made, its submission is refused with the reason.
    admin = Tab(browser, base, language, "administrator")
    sign_up(admin, language, suffix)
    page = admin.page
    assert page.url.endswith("/account/verification")
    assert page.locator("#verification-state").inner_text().strip() == says["pending"]
    admin.shot("verification-pending")
    holder = Holder.objects.get(name=f"伽马数据科技有限公司{suffix}")
    assert holder.verification == "pending"
    admin_user = User.objects.get(username=f"admin_{suffix}")
    assert admin_user.language == language, "mail in the language the person signed up in"

    admin.go("/applications/new")
    page.select_option("#id_kind", "data_collection")
    page.fill("#id_name", f"管理员的草稿{suffix}")
    admin.shot("new-draft")
    admin.submit()
    admin_draft = Application.objects.get(product__name=f"管理员的草稿{suffix}")
    assert admin_draft.status == Status.DRAFT
    own = complete_draft(admin_user, f"港口吞吐量数据集{suffix}")
    admin.go(f"/applications/{own.pk}/steps/review")
    assert page.locator("ul.missing").count() == 0
    assert page.locator("form[action$='/submit']").count() == 0
    refusal = page.locator("#unverified").inner_text()
    assert says["not verified"] in refusal
    assert holder.name in refusal
    admin.shot("submission-refused-while-pending")
    own.refresh_from_db()
    refused = page.request.post(
        f"/applications/{own.pk}/submit",
        form={"revision": str(own.revision), "csrfmiddlewaretoken": csrf(admin)},
        headers={"Accept-Language": admin.language},
    )
    assert refused.status == 409, "the service refuses it whatever the page shows"
    assert says["not verified"] in refused.text()

    # 2. The registrar verifies the organisation, after ticking the confirmation.
    office = Tab(browser, base, language, "registrar")
    office.sign_in(registrar_user.username, PASSWORD, registrar_key)
    office.go("/examine/organisations")
    assert holder.name in office.text()
    office.shot("organisations")
    office.page.locator("table.list tr", has_text=holder.name).locator("a").first.click()
    office.page.wait_for_load_state()
    office.page.check("input[name=decision][value=approve]")
    office.shot("organisation-case")
    unconfirmed = office.page.request.post(
        office.page.url,
        form={"decision": "approve", "csrfmiddlewaretoken": csrf(office)},
        headers={"Accept-Language": office.language},
    )
    assert unconfirmed.status == 422, "not without the confirmation"
    holder.refresh_from_db()
    assert holder.verification == "pending"
    office.page.check("#id_confirm")
    office.submit("main form")
    holder.refresh_from_db()
    assert holder.verification == "verified"
    office.shot("organisation-verified")
    office.close()
    admin.go("/account/verification")
    assert page.locator("#verification-state").inner_text().strip() == says["verified"]
    admin.shot("verification-verified")

    # 3. The administrator invites a member; the member joins from the mail's link.
    address = f"member_{suffix.lower()}@gamma.example"
    admin.go("/account/organisation/")
    invite = "form[action$='/account/organisation/invite']"
    page.fill(f"{invite} input[name=email]", address)
    page.select_option(f"{invite} select[name=role]", OrgRole.MEMBER)
    page.select_option(f"{invite} select[name=language]", language)
    admin.shot("invite")
    admin.submit(invite)
    assert address in admin.text()
    admin.shot("invited")
    (mail,) = smtp.to(address)
    assert says["invitation subject"] in subject(mail)
    link = smtp.link(address, "/account/invitation/")

    member = Tab(browser, base, language, "member")
    member.go(link)
    assert holder.name in member.text()
    member.page.fill("#id_username", f"member_{suffix}")
    member.page.fill("#id_password", MEMBER_PASSWORD)
    member.shot("invitation")
    member.submit("main form[method=post]")
    assert member.page.url.endswith("/account/organisation/")
    member_user = User.objects.get(username=f"member_{suffix}")
    assert (member_user.holder_id, member_user.org_role) == (holder.pk, OrgRole.MEMBER)
    assert member_user.language == language, "mail in the invitation's language"
    member.shot("joined")
    admin.close()

    # 4. The member files (through the services) and submits (in the browser).
    filed = complete_draft(member_user, f"长江航运物流数据集{suffix}")
    member.go(f"/applications/{filed.pk}/steps/review")
    assert member.page.locator("#unverified").count() == 0
    member.shot("review")
    member.page.check("#id_declaration")  # the declaration of truthfulness
    member.submit("main form[action$='/submit']")
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED
    member.shot("submitted")

    # 5. The examiner requests a correction; the worker mails it; the notice waits in the centre.
    examiner = Tab(browser, base, language, "examiner")
    examiner.sign_in(examiner_user.username, PASSWORD, examiner_key)
    act(examiner, filed.pk, "start_formal_examination")
    reason = "请补充数据来源协议。Please add the data source agreement."
    act(examiner, filed.pk, "request_correction", reason, confirm=True)
    filed.refresh_from_db()
    assert filed.status == Status.CORRECTION_REQUESTED
    assert filed.correction_due is not None
    assert (filed.correction_due - clock.local_date(clock.now())).days == 30
    examiner.shot("correction-requested")
    examiner.close()

    assert smtp.to(member_user.email) == [mail], "nothing before the worker runs"
    run_worker()  # in this (main) thread: the worker installs signal handlers
    outbox = MailOutbox.objects.filter(notification__recipient=member_user)
    assert [row.status for row in outbox] == ["sent"]
    correction = smtp.to(member_user.email)[-1]
    assert subject(correction).startswith(says["correction subject"])
    body = Inbox.text(correction)
    assert filed.correction_due.isoformat() in body
    assert says["withdrawn"] in body
    assert reason in body
    assert str(filed.number) in body

    member.go("/")
    badge = member.page.locator("header .unread-count")
    assert badge.inner_text().strip() == "1"
    member.shot("unread-count")
    member.go("/notifications/")
    notices = member.text()
    assert says["unread"] in notices
    assert filed.correction_due.isoformat() in notices
    assert member.page.locator("ul.notices li.unread").count() == 1
    member.shot("notifications")
    member.close()

    # 6. Guessing the member's password is stopped, and the page says so.
    attacker = Tab(browser, base, language, "attacker")
    statuses = []
    for attempt in range(settings.DATAIP_LOGIN_ATTEMPTS + 1):
        attacker.page.goto("/account/login")
        attacker.page.fill("#id_username", member_user.username)
        attacker.page.fill("#id_password", f"guess {attempt}")
        with attacker.page.expect_navigation() as navigation:
            attacker.page.locator("main form button[type=submit]").first.click()
        statuses.append(navigation.value.status)
        if statuses[-1] == 429:
            break
    assert statuses[0] == 401
    assert statuses[-1] == 429, statuses
    assert navigation.value.headers.get("retry-after", "").isdigit()
    assert says["too many"] in attacker.text()
    assert says["paused"] in attacker.page.title()
    attacker.shot("locked-out")
    # the right password is paused too
    attacker.page.goto("/account/login")
    attacker.page.fill("#id_username", member_user.username)
    attacker.page.fill("#id_password", MEMBER_PASSWORD)
    with attacker.page.expect_navigation() as navigation:
        attacker.page.locator("main form button[type=submit]").first.click()
    assert navigation.value.status == 429
    # Chromium logs each refused sign-in (401, 429) as a failed load; nothing else may be logged.
    assert all(" 401 " in e or " 429 " in e for e in attacker.errors), attacker.errors
    attacker.errors.clear()
    attacker.close()
    assert time.monotonic() - started < 60


def subject(mail: Message) -> str:
    """A mail's subject, decoded."""
    return str(make_header(decode_header(str(mail["Subject"]))))


def csrf(tab: Tab) -> str:
    """The CSRF token of the tab's current page."""
    return str(tab.page.locator("input[name=csrfmiddlewaretoken]").first.input_value())


def act(
    tab: Tab, application_id: int, action: str, reason: str = "", confirm: bool = False
) -> None:
    tab.go(f"/examine/{application_id}")
    form = f"form:has(input[name=action][value={action}])"
    if reason:
        tab.page.fill(f"{form} textarea", reason)
    if confirm:  # the step cannot be undone: the form asks for the confirmation first
        tab.page.check(f"{form} input[name=confirm]")
    tab.shot(f"case-{action}")
    tab.submit(form)


def run_worker() -> None:
    """The django-tasks database worker, once through what is queued (``dataip worker``)."""
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
