"""The rough edges of issue 17, each as a person meets it: bad search parameters, the number
printed on the certificate, the announcements' paging and filters, periods in words, the
admin's names, the history in plain words, verification messages, one word for "expired"."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.utils import translation

from dataip.certificates.models import Certificate
from dataip.registry import labels
from dataip.registry.models import Application
from dataip.registry.queries import public as public_queries
from dataip.registry.workflow import Status
from tests.certificates._support import Capture, issued, pdf_of
from tests.certificates.conftest import certificate_settings, pki_folder  # noqa: F401 - fixtures
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn
from tests.web.test_admin import superuser_registrar

CATALOGUE = Path(__file__).parents[2] / "src/dataip/locale/zh_Hans/LC_MESSAGES/django.po"


def _text(response: object) -> str:
    return " ".join(response.content.decode().split())  # type: ignore[attr-defined]


@pytest.fixture
def announced(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> list[Application]:
    """Two applications under announcement (Shanghai, province 31) and one registration."""
    freeze(monkeypatch)
    return [
        build(
            personas, Status.UNDER_PUBLICITY, name="长三角物流轨迹数据集", name_en="Delta freight"
        ),
        build(personas, Status.UNDER_PUBLICITY, name="城市交通出行数据集", name_en="Urban trips"),
        build(personas, Status.REGISTERED, name="港口吞吐量数据", name_en="Port throughput"),
    ]


# ── 1. search parameters ───────────────────────────────────────────────────────────────

BAD_SEARCH = {
    "year": ("abcd", "Year: “abcd” is not a year", "年份：“abcd”不是年份"),
    "kind": ("painting", "Kind: “painting” is not a kind", "登记对象类型：“painting”"),
    "industry_code": ("x1", "Industry: “x1” is not an industry division", "行业：“x1”"),
    "province_code": ("999", "Province: “999” is not a province", "省份：“999”"),
    "status": ("draft", "Status: “draft” is not a public status", "状态：“draft”"),
    "sort": ("cheapest", "Sort: “cheapest” is not an order", "排序：“cheapest”"),
    "page": ("two", "Page: “two” is not a page number", "页码：“two”"),
}


@pytest.mark.parametrize("name", sorted(BAD_SEARCH))
def test_a_bad_search_parameter_is_named_and_the_rest_of_the_search_runs(
    announced: list[Application], sign_in: SignIn, name: str
) -> None:
    value, english, chinese = BAD_SEARCH[name]
    for language, said in (("en", english), ("zh-hans", chinese)):
        response = sign_in(None, language=language).get("/search", {name: value, "q": "数据"})
        assert response.status_code == 400
        assert said in _text(response)
        assert response.context["results"].total == 3  # the good part still searched


def test_search_year_abcd_is_not_a_server_error_and_a_good_year_filters(
    announced: list[Application], sign_in: SignIn
) -> None:
    client = sign_in(None)
    assert client.get("/search?year=abcd").status_code == 400
    assert client.get("/search?year=1800").status_code == 400
    good = client.get("/search?year=2026&kind=data_collection&province_code=31&sort=name")
    assert good.status_code == 200
    assert good.context["results"].total == 3
    assert client.get("/search?year=2025").context["results"].total == 0


@pytest.mark.parametrize(
    "query",
    [
        "registrations?year=abcd",
        "registrations?limit=many",
        "registrations?cursor=%00%01",
        "announcements?endsBefore=soon",
        "announcements?province=shanghai",
        "announcements?kind=painting",
    ],
)
def test_the_api_names_a_bad_search_or_announcement_parameter(
    announced: list[Application], sign_in: SignIn, query: str
) -> None:
    response = sign_in(None).get(f"/api/v1/{query}")
    assert response.status_code in {400, 422}
    body = response.json()
    name = query.split("?")[1].split("=")[0]
    assert name in str(body)


# ── 2. the number printed on the certificate ──────────────────────────────────────────


def test_the_certificate_number_and_a_spaced_registration_number_find_the_public_record(
    personas: Personas, django_capture_on_commit_callbacks: Capture, sign_in: SignIn
) -> None:
    application, certificate = issued(personas, django_capture_on_commit_callbacks)
    registration = str(application.registration_number)
    client = sign_in(None)
    for asked in (certificate.number, f"{registration[:4]}-{registration[4:]}"):
        response = client.get(f"/registry/{asked}")
        assert response.status_code == 302
        assert response["Location"] == f"/registry/{registration}"
    page = client.get(f"/registry/{certificate.number}", follow=True)
    assert page.status_code == 200
    assert page.context["application"].pk == application.pk
    assert client.get(f"/verify/{registration}").status_code == 200
    assert client.get(f"/verify/{certificate.number}").status_code == 200
    api = client.get(f"/api/v1/registrations/{certificate.number}")
    assert api.status_code == 200
    assert api.json()["registrationNumber"] == registration


# ── 3. announcements: pages, filters, a link to object ─────────────────────────────────


def test_announcements_are_paged_and_each_row_links_the_objection_form(
    announced: list[Application], sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_queries, "ANNOUNCEMENTS_PER_PAGE", 1)
    monkeypatch.setattr("dataip.web.views.public.ANNOUNCEMENTS_PER_PAGE", 1)
    client = sign_in(None)
    first = client.get("/announcements")
    second = client.get("/announcements?page=2")
    assert "Page 1 of 2" in _text(first)
    assert 'rel="next"' in first.content.decode()
    shown = {
        first.context["announcements"][0].application.number,
        second.context["announcements"][0].application.number,
    }
    assert shown == {announced[0].number, announced[1].number}
    for number in shown:
        linked = first.content.decode() + second.content.decode()
        assert f'href="/announcements/{number}/objection"' in linked
    assert "File an objection" in _text(first)
    assert "提出异议" in _text(sign_in(None, language="zh-hans").get("/announcements"))
    objection_form = client.get(f"/announcements/{announced[0].number}/objection")
    assert objection_form.status_code == 302  # signed-out: to the sign-in page first


def test_announcements_filter_by_words_kind_province_and_last_day(
    announced: list[Application], sign_in: SignIn
) -> None:
    client = sign_in(None)

    def numbers(**params: str) -> set[str]:
        response = client.get("/announcements", params)
        assert response.status_code == 200
        return {item.application.number for item in response.context["announcements"]}

    both = {announced[0].number, announced[1].number}
    assert numbers() == both
    assert numbers(q="物流") == {announced[0].number}
    assert numbers(q="urban trips") == {announced[1].number}
    assert numbers(kind="data_collection", province="31") == both
    assert numbers(province="11") == set()
    assert numbers(kind="data_algorithm") == set()
    last_day = announced[0].announcement_ends
    assert last_day is not None
    assert numbers(ends_before=last_day.isoformat()) == both
    assert numbers(ends_before="2026-01-01") == set()
    refused = client.get("/announcements", {"ends_before": "next week", "province": "上海"})
    assert refused.status_code == 400
    assert "Ending on or before: “next week” is not a date" in _text(refused)
    assert "Province: “上海” is not a province" in _text(refused)
    api = client.get("/api/v1/announcements", {"q": "物流", "province": "31"}).json()
    assert [item["applicationNumber"] for item in api["items"]] == [announced[0].number]
    ended = client.get("/api/v1/announcements", {"endsBefore": "2026-01-01"}).json()
    assert ended["items"] == []


# ── 4. periods in words on the rules page ──────────────────────────────────────────────


def test_the_rules_page_says_periods_in_words_in_both_languages(
    personas: Personas, sign_in: SignIn
) -> None:
    english = _text(sign_in(personas.registrar, language="en").get("/staff/rules"))
    chinese = _text(sign_in(personas.registrar, language="zh-hans").get("/staff/rules"))
    assert "15 calendar days" in english
    assert "15 个自然日" in chinese
    assert "working days" in english
    assert "个工作日" in chinese
    for text in (english, chinese):
        assert "calendar_days" not in text
        assert "working_days" not in text
    with translation.override("en"):
        assert labels.period(1, "working_days") == "1 working day"


# ── 5. the admin's names of things ─────────────────────────────────────────────────────


def test_every_model_has_a_chinese_name_and_plural_not_an_english_s() -> None:
    ours = [m for m in apps.get_models() if m.__module__.startswith("dataip.")]
    registered = [m for m in admin.site._registry if m.__module__.startswith("dataip.")]
    assert registered
    assert set(registered) <= set(ours)
    with translation.override("zh-hans"):
        for model in ours:
            singular = str(model._meta.verbose_name)
            plural = str(model._meta.verbose_name_plural)
            assert re.search(r"[\u4e00-\u9fff]", singular), (model, singular)
            assert re.search(r"[\u4e00-\u9fff]", plural), (model, plural)
            assert plural != singular + "s", model
            assert not plural.endswith("s"), (model, plural)


def test_the_admin_index_in_chinese_names_panel_assignments_properly(
    personas: Personas, sign_in: SignIn
) -> None:
    page = sign_in(superuser_registrar(), language="zh-hans").get("/admin/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "专家组指派" in text
    assert "专家组指派s" not in text


# ── 6 and 7. the history in plain words, roles in the page's language ──────────────────


def test_the_history_describes_events_in_words_and_names_roles_in_chinese(
    announced: list[Application], personas: Personas, sign_in: SignIn
) -> None:
    application = announced[0]
    english = _text(
        sign_in(personas.applicant, language="en").get(f"/applications/{application.pk}")
    )
    chinese = _text(
        sign_in(personas.applicant, language="zh-hans").get(f"/applications/{application.pk}")
    )
    assert "Submitted the application" in english
    assert "Passed the formal examination" in english
    assert "submit →" not in english
    assert "提交了申请" in chinese
    assert "通过了形式审查" in chinese
    case = sign_in(personas.examiner, language="zh-hans").get(f"/examine/{application.pk}")
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', case.content.decode(), re.S)
    assert timeline is not None
    history = timeline.group(1)
    assert "申请人" in history
    assert "审查员" in history
    for english_role in ("applicant", "examiner", "registrar", "expert", "system"):
        assert english_role not in history
    registrar = sign_in(superuser_registrar(), language="zh-hans")
    events = _text(registrar.get(f"/admin/registry/event/?application__id__exact={application.pk}"))
    assert "提交了申请" in events
    assert "申请人" in events
    assert "已提交" in events or "提交" in events
    assert "submit" not in events.split("<tbody>")[-1].split("</tbody>")[0]


# ── 8 and 9. verification: plain messages, the signer by name ──────────────────────────


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_damaged_pdf_gets_a_plain_message_never_an_exception_name(
    db: None, sign_in: SignIn, language: str
) -> None:
    upload = io.BytesIO(b"%PDF-1.7\n" + b"\x00garbage\xff" * 100)
    upload.name = "certificate.pdf"
    response = sign_in(None, language=language).post("/verify", {"pdf": upload})
    assert response.status_code == 400
    text = _text(response)
    said = "cannot be read as a PDF" if language == "en" else "无法将该文件作为 PDF 读取"
    assert said in text
    assert not re.search(r"\b[A-Z][a-z]+(Error|Exception)\b", text)
    assert "PdfReadError" not in text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_genuine_pdf_names_the_signing_organisation_and_folds_the_subject_away(
    personas: Personas,
    django_capture_on_commit_callbacks: Capture,
    sign_in: SignIn,
    language: str,
) -> None:
    _, certificate = issued(personas, django_capture_on_commit_callbacks)
    assert isinstance(certificate, Certificate)
    upload = io.BytesIO(pdf_of(certificate))
    upload.name = "certificate.pdf"
    response = sign_in(None, language=language).post("/verify", {"pdf": upload})
    assert response.status_code == 200
    verified = response.context["answer"].verified
    organisation = verified.signer_organisation
    assert organisation
    assert "Organization" not in organisation
    assert "Common Name" in verified.signer_subject
    html = response.content.decode()
    statement, folded = html.split("<details><summary>", 1)[0], html.split("<details><summary>")
    signed = "Signed by: " if language == "en" else "签名人："
    assert f"{signed}{organisation}" in _text(response)
    assert verified.signer_subject not in statement.split("What the file states")[-1]
    assert any(verified.signer_subject in part for part in folded[1:])


# ── 10. one Chinese word for "expired" ─────────────────────────────────────────────────


def test_the_catalogue_says_expired_with_one_word() -> None:
    catalogue = polib.pofile(str(CATALOGUE))
    for entry in catalogue:
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        for text in texts:
            assert "过期" not in text, entry.msgid
            assert not re.search(r"(?<!届)期满", text), entry.msgid
    expired = catalogue.find("expired")
    assert expired is not None
    assert expired.msgstr == "已届满"
    assert catalogue.find("Expired").msgstr == "有效期届满"


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "无法办理"), ("en", "Not possible")])
def test_a_host_the_site_does_not_serve_gets_the_400_page(
    client: Client, language: str, title: str
) -> None:
    answer = client.get("/", HTTP_HOST="elsewhere.example", HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 400
    assert title in answer.content.decode()
