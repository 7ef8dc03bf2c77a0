"""A limit reached on the pages: a 429 page that says what was limited and when to try again,
in the visitor's language, with ``Retry-After``; nothing of the refused request is kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from dataip.registry.models import Application, DataProduct, Objection
from dataip.registry.workflow import Status
from dataip.web.errors import waiting_time
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn

pytestmark = pytest.mark.django_db
CHINESE = {"second": "秒", "seconds": "秒", "minutes": "分钟", "hours": "小时"}
TEXTS = {
    "en": {
        "title": "Limit reached",
        "objections": "as many objections to this announcement as one person may (1)",
        "drafts": "Your organisation has started as many applications today as it may in a day (2)",
        "again": "You may try again in",
    },
    "zh-hans": {
        "title": "已达上限",
        "objections": "您对本次公示提出的异议已达每人上限（1 项）",
        "drafts": "贵单位今日新建的申请已达每日上限（2 件）",
        "again": "后再试",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_objection_quota_on_the_objection_form(
    personas: Personas,
    sign_in: SignIn,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    settings.DATAIP_LIMIT_OBJECTIONS_PER_ANNOUNCEMENT = 1
    freeze(monkeypatch)
    number = build(personas, Status.UNDER_PUBLICITY).number
    client = sign_in(personas.objector, language=language)
    data = {"ground": "other", "statement": "异议"}
    assert client.post(f"/announcements/{number}/objection", data).status_code == 302
    response = client.post(f"/announcements/{number}/objection", data)
    assert response.status_code == 429
    page = response.content.decode()
    assert TEXTS[language]["title"] in page
    assert TEXTS[language]["objections"] in page
    assert "Retry-After" not in response  # the quota lasts as long as the announcement
    assert TEXTS[language]["again"] not in page
    assert Objection.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_daily_quota_of_drafts_on_the_new_application_form(
    personas: Personas, sign_in: SignIn, settings: Any, language: str
) -> None:
    settings.DATAIP_LIMIT_DRAFTS_PER_DAY = 2
    client = sign_in(personas.applicant, language=language)
    data = {"kind": "data_collection", "name": "数据集"}
    for _ in range(2):
        assert client.post("/applications/new", data).status_code == 302
    products = DataProduct.objects.count()
    response = client.post("/applications/new", data)
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 24 * 3600
    page = response.content.decode()
    assert TEXTS[language]["title"] in page
    assert TEXTS[language]["drafts"] in page
    assert TEXTS[language]["again"] in page
    assert Application.objects.count() == 2
    assert DataProduct.objects.count() == products


@pytest.mark.parametrize(
    ("seconds", "english"),
    [(1, "1 second"), (59, "59 seconds"), (150, "3 minutes"), (7200, "2 hours"), (7201, "3 hours")],
)
def test_waiting_times_read_naturally(seconds: int, english: str) -> None:
    with translation.override("en"):
        assert waiting_time(seconds) == english
    with translation.override("zh-hans"):
        assert waiting_time(seconds) == english.split()[0] + " " + CHINESE[english.split()[1]]
