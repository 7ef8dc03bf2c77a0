"""The life of a registered right in a real browser (Chromium driven by Playwright), in Chinese
and English, on a registration held jointly by Alpha (60 %) and Beta (40 %):

the holder records an exclusive licence → the bank signs in and searches encumbrances → the bank
registers a pledge and the holder confirms it → a transfer is refused without the pledgee's
consent (the reason is shown) → the bank consents → the transfer is proposed, then confirmed by
the assignee and by the other joint holder → the registrar re-issues the certificate → the bank
releases the pledge. The public registration page and the verification page show each state.
Screenshots are kept under ``test-artifacts/rights-journey/<language>/``.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dataip.registry import clock
from dataip.registry.models import Application, Pledge, Transfer
from dataip.registry.services import applications as filing
from dataip.registry.workflow import Status
from tests.support.builders import draft
from tests.support.personas import Person, Personas, make_holder, make_person
from tests.web._builders import advance
from tests.web.test_browser import (  # noqa: F401 - the browser fixtures are shared
    PASSWORD,
    Journey,
    browser,
    certificates_on,
    in_plain_thread,
    staff,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "rights-journey"

#: What the pages say, in each language (the page text, not the code behind it).
SAYS: dict[str, dict[str, str]] = {
    "en": {
        "clear": "No pledge, no exclusive or sole licence and no pending transfer is recorded.",
        "licence": "Licensed exclusively to 丁数据有限公司 Delta Data",
        "pledge": "Under pledge to 丙银行 Bank C",
        "transfer": "Being transferred: a transfer proposed on",
        "refused": "The registration is pledged: the pledgee must consent first.",
        "licence granted": "licence granted",
        "pledge confirmed": "pledge confirmed by the holder",
        "transfer confirmed": "transfer confirmed",
        "re-issued": "certificate re-issued",
        "released": "pledge released",
        "superseded": "Superseded",
    },
    "zh-hans": {
        "clear": "未登记质押、独占或排他许可，也没有待确认的转让。",
        "licence": "已独占许可给 丁数据有限公司 Delta Data",
        "pledge": "已质押给 丙银行 Bank C",
        "transfer": "转让中：",
        "refused": "此登记已出质，须先取得质权人同意。",
        "licence granted": "授予许可",
        "pledge confirmed": "出质人确认质押",
        "transfer confirmed": "转让已确认",
        "re-issued": "证书已补发",
        "released": "质押解除",
        "superseded": "已被替换：该证书已签发新版本",
    },
}


class Tab(Journey):
    """A person's browser tab; screenshots go to this journey's own folder."""

    def __init__(self, chromium: Any, base: str, language: str, who: str) -> None:
        super().__init__(chromium, base, language, who)
        self.folder = ARTIFACTS / language
        self.folder.mkdir(parents=True, exist_ok=True)

    def post(self, name: str) -> None:
        """Screenshot the form, send it, and check the answer is not an error page."""
        self.shot(name)
        with self.page.expect_navigation() as navigation:
            self.page.locator("main form[method=post] button[type=submit]").first.click()
        response = navigation.value
        assert response is not None
        assert response.status < 400, (self.page.url, response.status)

    def text(self, selector: str = "main") -> str:
        return str(self.page.inner_text(selector))


def registered_jointly(personas: Personas) -> Application:
    """A registration held by Alpha (60 %) and Beta (40 %)."""
    app = draft(personas)
    alpha, beta = personas.applicant.holder, personas.other_applicant.holder
    filing.set_holders(
        app.pk, actor=personas.applicant.actor, shares={alpha.pk: "60", beta.pk: "40"}
    )
    return advance(personas, app, Status.REGISTERED)


def person(username: str, holder_index: int, name: str) -> Person:
    someone = make_person(username, make_holder(holder_index, name))
    someone.user.set_password(PASSWORD)
    someone.user.save()
    return someone


def public_state(public: Tab, number: str, shot: str) -> str:
    """The state at the top of the public page; the same on the verification page."""
    public.go(f"/registry/{number}")
    state = public.text("#state")
    public.shot(f"public-{shot}")
    public.go(f"/verify/{number}")
    assert public.text("#state") == state
    public.shot(f"verify-{shot}")
    return state


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_life_of_a_right_in_a_real_browser(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    certificates_on: None,  # noqa: F811
    personas: Personas,
    language: str,
) -> None:
    started = time.monotonic()
    Journey.counter = 0
    says = SAYS[language]
    for joint in (personas.applicant, personas.other_applicant):
        joint.user.set_password(PASSWORD)
        joint.user.save()
    bank = person("banker", 41, "丙银行 Bank C")
    gamma = person("gamma", 42, "戊数据有限公司 Gamma Data")
    delta = make_holder(43, "丁数据有限公司 Delta Data")  # the licensee, without an account
    registrar, registrar_key = staff("registrar_office", is_registrar=True)
    application = in_plain_thread(registered_jointly, personas)
    number = str(application.registration_number)
    today = clock.local_date(clock.now())
    base = live_server.url

    public = Tab(browser, base, language, "public")
    assert says["clear"] in public_state(public, number, "registered")

    # The holder records an exclusive licence for Shanghai.
    holder = Tab(browser, base, language, "holder")
    holder.sign_in(personas.applicant.user.username, PASSWORD)
    holder.go(f"/applications/{application.pk}/rights/")
    holder.shot("rights")
    holder.go(f"/applications/{application.pk}/rights/licence")
    page = holder.page
    page.fill("#id_licensee", delta.identifier)
    page.select_option("#id_kind", "exclusive")
    page.fill("#id_scope", "仅限港口调度模型训练")
    page.select_option("#id_territory", ["310000"])
    page.fill("#id_starts", today.isoformat())
    page.fill("#id_ends", (today + timedelta(days=180)).isoformat())
    page.fill("#id_fee", "88000")
    holder.post("licence")
    assert says["licence"] in public_state(public, number, "licensed")

    # The bank signs in and searches encumbrances before lending.
    lender = Tab(browser, base, language, "bank")
    lender.sign_in(bank.user.username, PASSWORD)
    lender.go("/bank/encumbrances")
    lender.page.fill("#id_registration_number", number)
    with lender.page.expect_navigation():
        lender.page.locator("form.encumbrance-search button[type=submit]").click()
    found = lender.text("section.encumbrance")
    assert "甲数据科技有限公司" in found
    assert "乙数据科技有限公司" in found
    assert lender.page.locator("section.encumbrance .verdict.encumbered").count() == 1
    lender.shot("encumbrances")

    # The bank registers a pledge; it stands once a holder confirms it.
    lender.go("/bank/pledges/new")
    page = lender.page
    page.fill("#id_registration_number", number)
    page.fill("#id_amount", "3000000")
    page.fill("#id_starts", today.isoformat())
    page.fill("#id_ends", (today + timedelta(days=365)).isoformat())
    page.fill("#id_contract_reference", "ZY-2026-0042")
    lender.post("pledge-new")
    pledge = Pledge.objects.get(application=application)
    assert pledge.status == "proposed"
    assert says["pledge"] not in public_state(public, number, "pledge-proposed")
    holder.go("/pledges/waiting")
    holder.shot("pledges-waiting")
    holder.go(f"/pledges/{pledge.pk}/confirm")
    holder.page.check("#id_confirm")
    holder.post("pledge-confirm")
    state = public_state(public, number, "pledged")
    assert says["pledge"] in state
    assert says["licence"] in state
    assert "3000000" not in state  # Shanghai does not publish the amount

    # Without the pledgee's consent, the transfer page says why it is not possible.
    transfer_page = f"/applications/{application.pk}/rights/transfer"
    holder.go(transfer_page)
    assert says["refused"] in holder.text()
    assert holder.page.locator("#id_assignee").count() == 0
    holder.shot("transfer-refused")

    lender.go(f"/bank/pledges/{pledge.pk}/consent")
    lender.page.select_option("#id_purpose", "transfer")
    lender.page.check("#id_confirm")
    lender.post("consent")

    holder.go(transfer_page)
    page = holder.page
    page.fill("#id_assignee", gamma.holder.identifier)
    page.fill("#id_contract_date", today.isoformat())
    page.fill("#id_effective_date", today.isoformat())
    page.fill("#id_price", "1200000")
    holder.post("transfer")
    holder.post("transfer-confirm")  # the page asks once more: it cannot be undone
    transfer = Transfer.objects.get(application=application)
    assert transfer.status == "pending"
    state = public_state(public, number, "being-transferred")
    assert says["transfer"] in state
    assert "戊数据" not in state  # the assignee stays between the parties until it is done
    assert "1200000" not in state

    # The assignee and the other joint holder confirm; the last confirmation transfers.
    for who, someone in (("assignee", gamma), ("joint-holder", personas.other_applicant)):
        tab = Tab(browser, base, language, who)
        tab.sign_in(someone.user.username, PASSWORD)
        tab.go("/transfers/waiting")
        tab.shot("transfers-waiting")
        tab.go(f"/transfers/{transfer.pk}/confirm")
        tab.page.check("#id_confirm")
        tab.post("transfer-confirm")
        tab.close()
    transfer.refresh_from_db()
    assert transfer.status == "confirmed"
    public.go(f"/registry/{number}")
    assert "戊数据有限公司 Gamma Data" in public.text("ul.holders")
    assert says["transfer confirmed"] in public.text("#history")
    assert says["transfer"] not in public.text("#state")
    public.shot("public-transferred")

    # The registrar re-issues the certificate (a lost copy); the older version is superseded.
    office = Tab(browser, base, language, "registrar")
    office.sign_in(registrar.username, PASSWORD, registrar_key)
    office.go("/examine/pending")
    office.shot("pending")
    office.go(f"/examine/{application.pk}")
    office.shot("case")
    office.go(f"/examine/{application.pk}/reissue")
    office.page.check("input[name=ground][value=lost]")
    office.page.fill("#id_reason", "权利人遗失纸质证书")
    office.page.check("#id_confirm")
    office.post("reissue")
    office.close()
    application.refresh_from_db()
    versions = list(application.certificates.order_by("version").values_list("version", flat=True))
    assert versions == [1, 2, 3], versions  # registered, transferred, re-issued
    public.go(f"/verify/{number}?v=2")
    assert says["superseded"] in public.text(".verdict")
    public.shot("verify-superseded")
    public.go(f"/registry/{number}")
    assert says["re-issued"] in public.text("#history")

    # The bank releases the pledge: the public sees the licence only.
    lender.go(f"/bank/pledges/{pledge.pk}/release")
    lender.page.fill("#id_reason", "贷款已结清")
    lender.page.check("#id_confirm")
    lender.post("release")
    state = public_state(public, number, "released")
    assert says["pledge"] not in state
    assert says["licence"] in state
    public.go(f"/registry/{number}")
    history = public.text("#history")
    for event in ("licence granted", "pledge confirmed", "transfer confirmed", "released"):
        assert says[event] in history, event
    for secret in ("仅限港口调度模型训练", "88000", "ZY-2026-0042", "1200000", "贷款已结清"):
        assert secret not in public.page.content()
    for done in (holder, lender, public):
        done.close()
    assert time.monotonic() - started < 180
