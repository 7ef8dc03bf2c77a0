"""The registrar's pages on a registered right (correct the particulars, re-issue the
certificate), the queue of requests after registration, and the API tokens page (an
organisation's tokens, and an examiner's or registrar's own staff tokens)."""

from __future__ import annotations

import pytest

from dataip.accounts.models import ApiToken
from dataip.registry import fields
from dataip.registry.models import Application, Event
from dataip.registry.services import changes
from dataip.registry.workflow import Status
from tests.support.builders import at_stage
from tests.support.personas import Personas
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def as_registered(application: Application, **changes: str) -> dict[str, str]:
    """The correction form as the page fills it in (the registered values), with changes."""
    product, holder = application.product, application.filed_by
    values = {}
    for name in fields.CHANGEABLE:
        value = getattr(product, name)
        values[name] = "" if value is None else str(value)
    values |= {"holder_name": holder.name, "holder_name_en": holder.name_en}
    values["holder_address"] = holder.address
    return values | changes


def test_the_case_links_the_registrars_acts_for_the_registrar_only(
    personas: Personas, registered: Application
) -> None:
    links = (f"/examine/{registered.pk}/correct", f"/examine/{registered.pk}/reissue")
    page = client_for(personas.registrar.user).get(f"/examine/{registered.pk}").content.decode()
    assert all(link in page for link in links)
    page = client_for(personas.examiner.user).get(f"/examine/{registered.pk}").content.decode()
    assert not any(link in page for link in links)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Correct the particulars", "Holder&#x27;s name"]),
        ("zh-hans", ["更正登记事项", "权利人名称"]),
    ],
)
def test_a_correction_asks_for_confirmation_then_applies(
    personas: Personas, registered: Application, language: str, words: list[str]
) -> None:
    client = client_for(personas.registrar.user, language=language)
    url = f"/examine/{registered.pk}/correct"
    page = client.get(url).content.decode()
    assert all(word in page for word in words)
    assert 'value="城市交通出行数据集"' in page, "the registered particulars are prefilled"
    form = as_registered(registered, name="城市交通出行数据集（更正）", reason="笔误")
    unconfirmed = client.post(url, form)
    assert unconfirmed.status_code == 422
    assert "城市交通出行数据集（更正）" in unconfirmed.content.decode(), "what was typed is kept"
    registered.refresh_from_db()
    assert registered.product.name == "城市交通出行数据集"
    done = client.post(url, {**form, "confirm": "on"})
    assert done.status_code == 302
    registered.refresh_from_db()
    assert registered.product.name == "城市交通出行数据集（更正）"
    event = Event.objects.get(application=registered, action="correct_particulars")
    assert event.payload["fields"] == ["name"]


def test_a_correction_with_nothing_changed_is_refused_with_its_reason(
    personas: Personas, registered: Application
) -> None:
    client = client_for(personas.registrar.user, language="zh-hans")
    url = f"/examine/{registered.pk}/correct"
    response = client.post(url, as_registered(registered, reason="笔误", confirm="on"))
    assert response.status_code == 422
    assert "没有需要变更的内容。" in response.content.decode()


def test_a_reissue_asks_for_the_ground_and_confirmation(
    personas: Personas, registered: Application
) -> None:
    client = client_for(personas.registrar.user, language="zh-hans")
    url = f"/examine/{registered.pk}/reissue"
    assert "纸质证书遗失（补发）" in client.get(url).content.decode()
    assert client.post(url, {"ground": "lost", "reason": "遗失"}).status_code == 422
    version = registered.certificate_version
    assert (
        client.post(url, {"ground": "lost", "reason": "遗失", "confirm": "on"}).status_code == 302
    )
    registered.refresh_from_db()
    assert registered.certificate_version == version + 1
    for who in (personas.examiner, personas.applicant):
        assert client_for(who.user).post(url, {"ground": "lost"}).status_code == 404
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    assert client.get(f"/examine/{announced.pk}/reissue").status_code == 404


def test_the_queue_lists_pending_requests_with_deadlines(
    personas: Personas, registered: Application
) -> None:
    change = changes.request_change(
        registered.pk, actor=personas.applicant.actor, values={"name": "新名称"}
    )
    for language, words in (
        ("en", ["Pending after registration", "Change request to examine", "an examiner"]),
        ("zh-hans", ["登记后待办", "待审查的变更申请", "审查员"]),
    ):
        page = client_for(personas.examiner.user, language=language).get("/examine/pending")
        text = page.content.decode()
        assert page.status_code == 200
        assert all(word in text for word in words), language
        assert f"/examine/changes/{change.pk}" in text
    only_pledges = client_for(personas.registrar.user).get("/examine/pending?kind=pledge")
    assert f"/examine/changes/{change.pk}" not in only_pledges.content.decode()
    for who in (personas.applicant, personas.experts[0]):
        assert client_for(who.user).get("/examine/pending").status_code == 404


def test_a_registrar_creates_and_revokes_a_staff_token(personas: Personas) -> None:
    client = client_for(personas.registrar.user)
    created = client.post("/account/tokens", {"name": "脚本"})
    assert created.status_code == 200
    token = ApiToken.objects.get(created_by=personas.registrar.user)
    assert token.holder_id is None, "a staff token acts for no organisation"
    assert token.prefix in created.content.decode()
    unverified = client_for(personas.registrar.user, verified=False).get("/account/tokens")
    assert unverified["Location"].startswith("/account/two-factor")
    assert client.post(f"/account/tokens/{token.pk}/revoke", {}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None, "not without the confirmation"
    other = client_for(personas.examiner.user)
    assert other.post(f"/account/tokens/{token.pk}/revoke", {"confirm": "on"}).status_code == 404
    client.post(f"/account/tokens/{token.pk}/revoke", {"confirm": "on"})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_holder_manages_its_organisations_tokens_in_chinese(personas: Personas) -> None:
    client = client_for(personas.applicant.user, language="zh-hans")
    missing = client.post("/account/tokens", {"name": " "})
    assert missing.status_code == 422
    assert "此字段为必填项。" in missing.content.decode()
    client.post("/account/tokens", {"name": "财务系统", "scopes": ["read", "rights"]})
    token = ApiToken.objects.get()
    assert token.scopes == ["read", "rights"]
    assert token.holder_id == personas.applicant.holder.pk
    assert "财务系统" in client_for(personas.applicant.user).get("/account/tokens").content.decode()
    assert (
        "财务系统"
        not in client_for(personas.other_applicant.user).get("/account/tokens").content.decode()
    )
