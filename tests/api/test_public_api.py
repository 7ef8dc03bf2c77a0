"""The public API: search, registration details, the display card, announcements, statistics."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest

from dataip.api.errors import api_name
from dataip.api.routers.public import PublicStatus
from dataip.api.schemas.public import PublicProduct
from dataip.registry import clock
from dataip.registry.fields import PUBLIC_FIELDS
from dataip.registry.models import Application
from dataip.registry.services import pledges, publicity
from dataip.registry.workflow import PUBLIC_STATUSES, Status
from tests.api._support import Api, assert_problem, field_names, registered_with_rights
from tests.support.builders import at_stage, draft
from tests.support.personas import Person, Personas

pytestmark = pytest.mark.django_db

CONFIDENTIAL = (
    "lawful_basis",
    "lawfulBasis",
    "processing_details",
    "processingDetails",
    "innovation_explanation",
    "innovationExplanation",
    "source_agreement_end",
    "sourceAgreementEnd",
    "用户协议授权",  # lawful basis
    "保密的算法细节",  # processing details
    "多源融合",  # innovation explanation
    "materials",
    "sha256",
    "identifier",
    "contact",
    "de_identification_method",
    "consent_basis",
    "3000000",  # the pledge amount, which Shanghai does not publish
)


@pytest.fixture
def registered(personas: Personas, bank: Person) -> Application:
    return registered_with_rights(personas, bank)[0]


def _search(api: Api, query: str = "") -> dict[str, Any]:
    response = api.get(f"registrations{query}")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_the_public_statuses_are_the_workflows() -> None:
    assert set(get_args(PublicStatus)) == {s.value for s in PUBLIC_STATUSES}


def test_the_public_product_fields_are_the_published_fields() -> None:
    assert set(PublicProduct.model_fields) == {api_name(f) for f in PUBLIC_FIELDS} | {"details"}


def test_search_finds_chinese_by_substring_and_english_by_word(
    api: Api, registered: Application
) -> None:
    for query in (
        "交通",
        "出行数据",
        "mobility",
        "alpha",
        "甲数据",
        registered.registration_number,
    ):
        found = _search(api, f"?q={query}")
        assert [i["registrationNumber"] for i in found["items"]] == [
            registered.registration_number
        ], query
    assert _search(api, "?q=不存在的词")["total"] == 0


def test_search_never_shows_drafts_or_applications_under_examination(
    api: Api, personas: Personas, registered: Application
) -> None:
    draft(personas, name="草稿交通数据")
    at_stage(personas, Status.EXPERT_REVIEW)
    found = _search(api, "?q=交通")
    assert found["total"] == 1
    assert {f["value"] for f in found["facets"]["status"]} == {"registered"}


def test_search_counts_facets_and_filters_by_them(
    api: Api, personas: Personas, registered: Application
) -> None:
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    found = _search(api)
    assert found["total"] == 2
    statuses = {f["value"]: f["count"] for f in found["facets"]["status"]}
    assert statuses == {"registered": 1, "under_publicity": 1}
    assert found["facets"]["province"] == [{"value": "31", "label": "Shanghai", "count": 2}]
    only = _search(api, "?status=under_publicity")
    assert [i["applicationNumber"] for i in only["items"]] == [announced.number]
    assert only["items"][0]["registrationNumber"] is None
    assert _search(api, "?kind=data_algorithm")["total"] == 0
    assert _search(api, "?industry=65&province=31&year=2026&kind=data_collection")["total"] == 2
    assert _search(api, "?province=11")["total"] == 0


def test_search_labels_facets_in_the_requests_language(api: Api, registered: Application) -> None:
    api.language = "zh-hans"
    facets = _search(api)["facets"]
    assert facets["province"][0]["label"] == "上海市"
    assert facets["status"][0]["label"] == "已登记"


def test_search_pages_with_an_opaque_cursor(
    api: Api, personas: Personas, registered: Application
) -> None:
    others = [at_stage(personas, Status.UNDER_PUBLICITY) for _ in range(2)]
    first = _search(api, "?limit=2")
    assert [i["applicationNumber"] for i in first["items"]] == [a.number for a in reversed(others)]
    assert first["total"] == 3
    assert first["next"].startswith("http://testserver/api/v1/registrations?")
    assert "limit=2" in first["next"]
    second = api.get(first["next"]).json()
    assert [i["registrationNumber"] for i in second["items"]] == [registered.registration_number]
    assert second["next"] is None
    assert second["nextCursor"] is None
    assert second["facets"] == first["facets"]


@pytest.mark.parametrize("cursor", ["x", "eyJhIjoxfQ", "WyJjMSIsInMiXQ", "%00", "Wy" * 5])
def test_a_bad_cursor_is_a_problem(api: Api, registered: Application, cursor: str) -> None:
    problem = assert_problem(api.get(f"registrations?cursor={cursor}"), 422)
    assert field_names(problem) == ["cursor"]


def test_details_show_public_fields_holders_pledges_and_licences(
    api: Api, registered: Application
) -> None:
    response = api.get(f"registrations/{registered.registration_number}")
    assert response.status_code == 200
    record = response.json()
    assert record["status"] == "registered"
    assert record["product"]["name"] == "城市交通出行数据集"
    assert record["product"]["details"] == {
        "format": "Parquet",
        "personal_information": "de_identified",
    }
    assert record["holders"] == [{"name": "甲数据科技有限公司 Alpha Data", "share": "100.00"}]
    assert record["underPledge"] is True
    assert record["pledges"][0]["pledgee"] == "丙银行 Bank C"
    assert record["pledges"][0]["amount"] is None
    assert record["licences"][0]["kind"] == "exclusive"
    assert [e["action"] for e in record["history"]][:2] == ["announce", "register"]


def test_details_are_found_by_application_number_while_announced(
    api: Api, personas: Personas
) -> None:
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    record = api.get(f"registrations/{announced.number}").json()
    assert record["status"] == "under_publicity"
    assert record["registrationNumber"] is None


@pytest.mark.parametrize("stage", [Status.DRAFT, Status.SUBMITTED, Status.APPROVED])
def test_applications_not_yet_announced_are_not_found(
    api: Api, personas: Personas, stage: Status
) -> None:
    application = at_stage(personas, stage)
    for number in (application.number or "SQ0", str(application.pk)):
        assert_problem(api.get(f"registrations/{number}"), 404, "not_found")
        assert_problem(api.get(f"registrations/{number}/display"), 404, "not_found")


def test_public_endpoints_never_reveal_confidential_fields(
    api: Api, personas: Personas, registered: Application
) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    publicity.announce(at_stage(personas, Status.APPROVED).pk, actor=personas.examiner.actor)
    number = registered.registration_number
    urls = [
        "registrations",
        "registrations?q=交通",
        f"registrations/{number}",
        f"registrations/{number}/display",
        "announcements",
        "statistics",
    ]
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        text = json.dumps(response.json(), ensure_ascii=False)
        for secret in CONFIDENTIAL:
            assert secret not in text, (url, secret)
        assert personas.applicant.holder.identifier not in text


def test_the_display_card_is_compact_and_cacheable(api: Api, registered: Application) -> None:
    url = f"registrations/{registered.registration_number}/display"
    response = api.get(url)
    assert response.status_code == 200
    card = response.json()
    assert card["holders"] == ["甲数据科技有限公司 Alpha Data"]
    assert card["underPledge"] is True
    assert card["verifyUrl"].endswith(f"/verify/{registered.registration_number}")
    assert "public" in response["Cache-Control"]
    etag = response["ETag"]
    again = api.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert not again.content
    assert api.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert api.get(url, headers={"If-None-Match": f'W/{etag}, "x"'}).status_code == 304


def test_the_display_card_changes_its_etag_when_the_registration_changes(
    api: Api, personas: Personas, bank: Person
) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    url = f"registrations/{registered.registration_number}/display"
    before = api.get(url)["ETag"]
    pledges.pledge(
        registered.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.holder.pk,
        amount="1",
        starts="2026-05-01",
        ends="2027-05-01",
        contract_reference="ZY-2",
    )
    response = api.get(url, headers={"If-None-Match": before})
    assert response.status_code == 200
    assert response["ETag"] != before
    assert response.json()["underPledge"] is True


def test_announcements_list_what_is_announced_now(api: Api, personas: Personas) -> None:
    now = clock.now()
    running = []
    for _ in range(3):
        approved = at_stage(personas, Status.APPROVED)
        running.append(publicity.announce(approved.pk, actor=personas.examiner.actor, at=now))
    at_stage(personas, Status.UNDER_PUBLICITY)  # announced in March 2026: over by now
    first = api.get("announcements?limit=2").json()
    numbers = [a["applicationNumber"] for a in first["items"]]
    assert numbers == [a.number for a in running[:2]]
    assert first["items"][0]["holders"] == ["甲数据科技有限公司 Alpha Data"]
    rest = api.get(first["next"]).json()
    assert [a["applicationNumber"] for a in rest["items"]] == [running[2].number]
    assert rest["next"] is None


def test_statistics_count_registrations_by_kind_industry_and_province(
    api: Api, personas: Personas, registered: Application
) -> None:
    at_stage(personas, Status.SUBMITTED)
    draft(personas)
    stats = api.get("statistics").json()
    assert (stats["applications"], stats["registered"], stats["underPublicity"]) == (2, 1, 0)
    assert stats["byKind"] == [{"value": "data_collection", "label": "Data collection", "count": 1}]
    assert stats["byIndustry"][0]["value"] == "65"
    assert stats["byProvince"] == [{"value": "31", "label": "Shanghai", "count": 1}]


def test_public_endpoints_need_no_token_and_ignore_a_bad_one(
    api: Api, registered: Application
) -> None:
    anonymous = api.get("statistics")
    assert anonymous.status_code == 200
    assert api.as_("dip_not-a-token").get("statistics").status_code == 200
