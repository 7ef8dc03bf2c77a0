"""The state of a right, as the public sees it first: at the top of the registration page, in
the public API (``state``) and on verification (page and API), in Chinese and English; the
public history in plain words with its dates; nothing confidential."""

from __future__ import annotations

import dataclasses
import html
import io
from typing import Any

import pytest
from django.test import Client

from dataip.registry import regimes
from dataip.registry.models import Application
from dataip.registry.queries import public as public_queries
from dataip.registry.services import changes, licensing, lifecycle, pledges
from dataip.registry.workflow import Status
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Person, Personas, make_holder, make_person
from tests.web._builders import freeze
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]
#: What stays between the parties: the licence's scope and fee, the pledge's contract and
#: amount (Shanghai does not publish it), the transfer's assignee-side price and contract.
CONFIDENTIAL = ("仅限模型训练", "88000", "ZY-2026-07", "3000000", "1234567", "HT-2026-9")


@pytest.fixture
def bank(personas: Personas) -> Person:
    return make_person("banker", make_holder(50, "丙银行 Bank C"))


@pytest.fixture
def registered(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> Application:
    freeze(monkeypatch, day(90))  # 2026-05-31; registered on 2026-04-01
    return at_stage(personas, Status.REGISTERED)


@pytest.fixture
def encumbered(personas: Personas, registered: Application, bank: Person) -> Application:
    """An exclusive licence (Shanghai and Suzhou), a pledge to the bank, and a transfer to a
    third company waiting for its confirmation (the bank consented)."""
    actor = personas.applicant.actor
    licensing.grant_licence(
        registered.pk,
        actor=actor,
        kind="exclusive",
        scope="仅限模型训练",
        territory=["310000", "320500"],
        starts="2026-05-01",
        ends="2027-04-30",
        licensee_id=personas.other_applicant.holder.pk,
        fee="88000",
        at=day(60),
    )
    pledge = pledges.pledge(
        registered.pk,
        actor=actor,
        pledgee_id=bank.holder.pk,
        amount="3000000",
        starts="2026-05-10",
        ends="2027-05-09",
        contract_reference="ZY-2026-07",
        at=day(70),
    )
    pledges.consent(pledge.pk, actor=bank.actor, purpose="transfer", at=day(80))
    changes.propose_transfer(
        registered.pk,
        actor=actor,
        assignee_id=make_holder(60, "丁数据公司 Delta Data").pk,
        contract_date="2026-05-20",
        effective_date="2026-06-01",
        price="1234567",
        at=day(81),
    )
    registered.refresh_from_db()
    return registered


def _page(number: str, language: str) -> str:
    response = client_for(None, language=language).get(f"/registry/{number}")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _api(path: str, language: str) -> dict[str, Any]:
    response = Client().get(f"/api/v1/{path}", headers={"Accept-Language": language})
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_state_comes_first_on_the_registration_page(
    encumbered: Application, language: str
) -> None:
    page = _page(encumbered.registration_number or "", language)
    state = page.index('id="state"')
    assert state < page.index("Holders" if language == "en" else "权利人")
    section = page[state : page.index("</section>", state)]
    if language == "en":
        assert "Under pledge to 丙银行 Bank C, from 2026-05-10 to 2027-05-09." in section
        assert "Licensed exclusively to 乙数据科技有限公司 Beta Data, from 2026-05-01" in section
        assert "territory: Shanghai、Suzhou, Jiangsu." in section
        assert "Being transferred: a transfer proposed on 2026-05-22" in section
    else:
        assert "已质押给 丙银行 Bank C，期限自 2026-05-10 至 2027-05-09。" in section
        assert "已独占许可给 乙数据科技有限公司 Beta Data" in section
        assert "上海市" in section
        assert "苏州市" in section
        assert "转让中：2026-05-22 提出的转让正在等待各方确认。" in section
    for secret in (*CONFIDENTIAL, "丁数据公司"):  # nor the assignee of a pending transfer
        assert secret not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_right_with_nothing_on_it_says_so(registered: Application, language: str) -> None:
    page = _page(registered.registration_number or "", language)
    expected = (
        "In force. No pledge, no exclusive or sole licence and no pending transfer is recorded."
        if language == "en"
        else "有效。未登记质押、独占或排他许可，也没有待确认的转让。"
    )
    assert expected in page
    assert page.index(expected) < page.index('id="history"')


def test_the_amount_shows_only_where_the_regime_publishes_it(
    encumbered: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = encumbered.registration_number or ""
    assert "3000000" not in _page(number, "en")
    shanghai = regimes.load_regime("shanghai")
    publishing = dataclasses.replace(shanghai, publish_pledge_amount=True)
    monkeypatch.setattr(public_queries, "load_regime", lambda code: publishing)
    assert "Secured amount: 3000000.00 CNY." in _page(number, "en")
    assert "担保金额：3000000.00 CNY。" in _page(number, "zh-hans")
    pledge = _api(f"registrations/{number}", "en")["state"]["pledges"][0]
    assert pledge["amount"] == "3000000.00"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_history_names_each_public_event_in_plain_words_with_its_date(
    encumbered: Application, language: str
) -> None:
    page = _page(encumbered.registration_number or "", language)
    history = page[page.index('id="history"') :]
    words = {
        "en": [
            "2026-03-08</time> announced to the public",
            "2026-04-01</time> registered",
            "2026-05-01</time> licence granted",
            "2026-05-11</time> pledge registered",
        ],
        "zh-hans": [
            "2026-03-08</time> 公示",
            "2026-04-01</time> 予以登记",
            "2026-05-01</time> 授予许可",
            "2026-05-11</time> 质押登记",
        ],
    }[language]
    for line in words:
        assert line in history
    # No code names, and nothing that is not public: the consent, the pending transfer, the
    # examination before the announcement.
    for raw in ("grant_licence", "propose_transfer", "register<", "announce<", "consent"):
        assert raw not in history
    for hidden in ("pledgee's consent", "transfer proposed", "质权人同意", "提出转让", "提交"):
        assert hidden not in history


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_api_returns_the_same_state_and_plain_words(
    encumbered: Application, language: str
) -> None:
    number = encumbered.registration_number or ""
    body = _api(f"registrations/{number}", language)
    state = body["state"]
    assert state["underPledge"]
    assert state["licensedExclusively"]
    assert state["beingTransferred"]
    assert state["pledges"] == [
        {
            "pledgee": "丙银行 Bank C",
            "starts": "2026-05-10",
            "ends": "2027-05-09",
            "inForce": True,
            "amount": None,
            "currency": "CNY",
        }
    ]
    [licence] = state["exclusiveLicences"]
    assert licence["licensee"] == "乙数据科技有限公司 Beta Data"
    assert (licence["kind"], licence["regions"]) == ("exclusive", ["310000", "320500"])
    assert state["transferProposedOn"] == "2026-05-22"
    assert state["endedOn"] is None
    page = _page(number, language)
    for line in state["summary"]:  # the same sentences as the page
        assert line["text"] in page
    assert [line["code"] for line in state["summary"]] == ["pledge", "licence", "transfer"]
    labels = {e["action"]: (e["label"], e["day"]) for e in body["history"]}
    assert labels["pledge"] == (
        ("pledge registered" if language == "en" else "质押登记"),
        "2026-05-11",
    )
    assert "propose_transfer" not in labels
    assert "consent" not in labels
    text = str(body)
    for secret in (*CONFIDENTIAL, "丁数据公司", "scope"):
        assert secret not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_verification_shows_the_same_state(encumbered: Application, language: str) -> None:
    number = encumbered.registration_number or ""
    summary = _api(f"registrations/{number}", language)["state"]["summary"]
    page = html.unescape(
        client_for(None, language=language).get(f"/verify/{number}").content.decode()
    )
    section = page[page.index('id="state"') :]
    for line in summary:
        assert line["text"] in section
    answer = _api(f"verify/{number}", language)
    assert answer["state"]["summary"] == summary
    assert answer["state"]["exclusiveLicences"][0]["licensee"] == "乙数据科技有限公司 Beta Data"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_revocation_shows_its_date_and_decision_reference(
    personas: Personas, registered: Application, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lifecycle.revoke(
        registered.pk,
        actor=personas.registrar.actor,
        reason="法院判决确认权属争议",
        reference="(2026)沪0115民初123号",
        decision=[("判决书.pdf", io.BytesIO(PDF))],
        at=day(85),
    )
    number = registered.registration_number or ""
    page = _page(number, language)
    expected = {
        "en": "Revoked by the registry on 2026-05-26. Decision: (2026)沪0115民初123号.",
        "zh-hans": "登记机构已于 2026-05-26 撤销该登记。决定文号：(2026)沪0115民初123号。",
    }[language]
    assert expected in page
    assert page.index(expected) < page.index('id="history"')
    assert _api(f"registrations/{number}", language)["state"]["decisionReference"] == (
        "(2026)沪0115民初123号"
    )
    verify = html.unescape(
        client_for(None, language=language).get(f"/verify/{number}").content.decode()
    )
    assert expected in verify
    # A regime that keeps the reference confidential shows the date only.
    shanghai = regimes.load_regime("shanghai")
    closed = dataclasses.replace(shanghai, publish_decision_reference=False)
    monkeypatch.setattr(public_queries, "load_regime", lambda code: closed)
    page = _page(number, language)
    assert "2026-05-26" in page
    assert "123号" not in page
    assert _api(f"registrations/{number}", language)["state"]["decisionReference"] is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_cancellation_shows_its_date(
    personas: Personas, registered: Application, language: str
) -> None:
    lifecycle.cancel(registered.pk, actor=personas.applicant.actor, reason="不再经营", at=day(86))
    number = registered.registration_number or ""
    expected = {
        "en": "Cancelled at the holder's request on 2026-05-27.",
        "zh-hans": "已于 2026-05-27 应权利人申请注销。",
    }[language]
    assert expected in _page(number, language)
    state = _api(f"registrations/{number}", language)["state"]
    assert (state["status"], state["endedOn"]) == ("cancelled", "2026-05-27")
    assert "不再经营" not in _page(number, language)  # the holder's reason is not published


def test_unpublished_applications_show_nothing(personas: Personas) -> None:
    examined = at_stage(personas, Status.EXPERT_REVIEW)
    number = examined.number or ""
    assert client_for(None).get(f"/registry/{number}").status_code == 404
    assert Client().get(f"/api/v1/registrations/{number}").status_code == 404
