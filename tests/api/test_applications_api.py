"""The applicant API: a draft filed, completed and submitted through the API alone."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils.reader import PdfFileReader

from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application, Event
from dataip.registry.regimes import load_regime
from dataip.registry.services import examination
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, field_names
from tests.support.builders import PDF, at_stage, complete_values
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db

CAMEL = {
    "name_en": "nameEn",
    "industry_code": "industryCode",
    "province_code": "provinceCode",
    "data_source_type": "dataSourceType",
    "data_source_description": "dataSourceDescription",
    "lawful_basis": "lawfulBasis",
    "formation_date": "formationDate",
    "record_count": "recordCount",
    "size_bytes": "sizeBytes",
    "structure_description": "structureDescription",
    "update_frequency": "updateFrequency",
    "processing_summary": "processingSummary",
    "processing_details": "processingDetails",
    "application_scenarios": "applicationScenarios",
    "innovation_explanation": "innovationExplanation",
}


def _fields(**overrides: Any) -> dict[str, Any]:
    """The builders' complete values, in the API's spelling."""
    return {CAMEL.get(k, k): v for k, v in complete_values(**overrides).items()}


@pytest.fixture
def own(api: Api, tokens: Tokens) -> Api:
    return api.as_(tokens.own)


def _upload(api: Api, application_id: int, kind: str, name: str, content: bytes) -> Any:
    return api.post(
        f"applications/{application_id}/materials",
        data={"kind": kind, "file": SimpleUploadedFile(name, content)},
        content_type=None,
    )


def _upload_required(api: Api, application_id: int) -> None:
    for kind in sorted(load_regime("shanghai").required_materials(filed_by_agent=False)):
        response = _upload(api, application_id, kind, f"{kind}.pdf", PDF + kind.encode())
        assert response.status_code == 201, response.content


def test_a_draft_is_filed_completed_and_submitted_through_the_api(
    own: Api, personas: Personas
) -> None:
    created = own.post("applications", {"kind": "data_collection", "name": "交通数据"})
    assert created.status_code == 201, created.content
    app = created.json()
    assert created["Location"].endswith(f"/api/v1/applications/{app['id']}")
    assert created["ETag"] == '"r1"'
    assert (app["status"], app["number"], app["product"]["name"]) == ("draft", None, "交通数据")
    assert app["filedBy"]["holderId"] == personas.applicant.holder.pk
    assert app["holders"] == [
        {
            "holderId": personas.applicant.holder.pk,
            "name": "甲数据科技有限公司 Alpha Data",
            "share": "100.00",
        }
    ]
    url = f"applications/{app['id']}"

    missing = own.get(f"{url}/missing").json()
    assert not missing["complete"]
    names = [m["name"] for m in missing["missing"]]
    assert "lawfulBasis" in names
    assert "details.format" in names
    assert "materials.application_form" in names
    refused = assert_problem(own.post(f"{url}/submit"), 409, "condition_not_met")
    assert "incomplete" in refused["detail"]

    updated = own.patch(url, _fields(), headers={"If-Match": created["ETag"]})
    assert updated.status_code == 200, updated.content
    assert updated.json()["product"]["lawfulBasis"] == "用户协议授权"
    _upload_required(own, app["id"])
    materials = own.get(f"{url}/materials").json()["items"]
    assert len(materials) == len(load_regime("shanghai").required_materials(filed_by_agent=False))
    assert materials[0]["contentType"] == "application/pdf"
    assert len(materials[0]["sha256"]) == 64
    complete = own.get(f"{url}/missing").json()
    assert (complete["complete"], complete["missing"]) == (True, [])
    assert complete["declaration"]["version"] == DECLARATION_VERSION
    assert "true, accurate and complete" in complete["declaration"]["text"]

    current = own.get(url)
    undeclared = own.post(f"{url}/submit", {"revision": current.json()["revision"]})
    assert field_names(assert_problem(undeclared, 422)) == ["declaration"]
    assert own.get(url).json()["status"] == "draft"
    submitted = own.post(
        f"{url}/submit",
        {"revision": current.json()["revision"], "declaration": DECLARATION_VERSION},
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["number"].startswith("SQ")
    timeline = own.get(f"{url}/events").json()["items"]
    assert [(e["action"], e["fromStatus"], e["toStatus"]) for e in timeline] == [
        ("submit", "draft", "submitted")
    ]
    assert timeline[0]["logIndex"] == Event.objects.get().leaf_index
    assert timeline[0]["label"] == "Submitted the application"
    assert (timeline[0]["actorRole"], timeline[0]["actorRoleLabel"]) == ("applicant", "applicant")
    own.language = "zh-hans"
    chinese = own.get(f"{url}/events").json()["items"][0]
    assert (chinese["label"], chinese["actorRoleLabel"]) == ("提交了申请", "申请人")


def test_updates_check_the_revision_from_the_body_or_if_match(own: Api) -> None:
    app = own.post("applications", {"kind": "data_collection"}).json()
    url = f"applications/{app['id']}"
    first = own.patch(url, {"name": "甲", "revision": 1})
    assert first.status_code == 200
    assert first["ETag"] == '"r2"'
    assert_problem(own.patch(url, {"name": "乙", "revision": 1}), 409, "conflict")
    assert_problem(own.patch(url, {"name": "乙"}, headers={"If-Match": '"r1"'}), 409, "conflict")
    assert own.patch(url, {"name": "乙"}, headers={"If-Match": 'W/"r2"'}).status_code == 200
    assert own.patch(url, {"summary": "摘要"}).status_code == 200, "the check is optional"
    problem = assert_problem(own.patch(url, {"name": "丙"}, headers={"If-Match": "soon"}), 422)
    assert field_names(problem) == ["If-Match"]
    assert own.get(url).json()["product"]["name"] == "乙"
    assert_problem(own.post(f"{url}/submit", headers={"If-Match": '"r1"'}), 409, "conflict")


def test_the_services_refusals_name_the_fields_as_the_api_spells_them(own: Api) -> None:
    app = own.post("applications", {"kind": "data_collection"}).json()
    refused = own.patch(
        f"applications/{app['id']}",
        {
            "nameEn": "x" * 201,
            "industryCode": "99",
            "formationDate": "2999-01-01",
            "details": {"format": 3, "task": "分类"},
        },
    )
    problem = assert_problem(refused, 422, "validation_failed")
    assert set(field_names(problem)) == {
        "nameEn",
        "industryCode",
        "formationDate",
        "details.format",
        "details.task",
    }
    reasons = {e["name"]: e["reason"] for e in problem["errors"]}
    assert reasons["nameEn"] == "At most 200 characters."


def test_errors_are_in_the_requests_language(own: Api) -> None:
    own.language = "zh-hans"
    app = own.post("applications", {"kind": "data_collection"}).json()
    problem = assert_problem(own.patch(f"applications/{app['id']}", {"industryCode": "99"}), 422)
    assert problem["title"] == "参数无效"
    assert problem["errors"][0]["reason"] != "Choose a GB/T 4754-2017 division."
    assert "GB/T 4754-2017" in problem["errors"][0]["reason"]
    typed = assert_problem(own.patch(f"applications/{app['id']}", {"name": 1, "x": 1}), 422)
    assert {e["reason"] for e in typed["errors"]} == {"必须为文本。", "未知字段。"}
    assert assert_problem(own.as_(None).get("applications"), 401)["title"] == "需要身份认证"


def test_holders_and_shares_are_set_by_id_or_credit_code(own: Api, personas: Personas) -> None:
    app = own.post("applications", {"kind": "data_collection"}).json()
    url = f"applications/{app['id']}/holders"
    alpha, beta = personas.applicant.holder, personas.other_applicant.holder
    shares = [
        {"holderId": alpha.pk, "share": "60"},
        {"identifier": beta.identifier.lower(), "share": 40},
    ]
    response = own.put(url, {"shares": shares})
    assert response.status_code == 200, response.content
    assert [(h["holderId"], h["share"]) for h in response.json()["holders"]] == [
        (alpha.pk, "60.00"),
        (beta.pk, "40.00"),
    ]
    wrong_sum = assert_problem(own.put(url, {"shares": [{"holderId": alpha.pk, "share": 50}]}), 422)
    assert field_names(wrong_sum) == ["shares"]
    unknown = own.put(
        url,
        {"shares": [{"holderId": alpha.pk, "share": 50}, {"identifier": "91310000X", "share": 50}]},
    )
    assert field_names(assert_problem(unknown, 422)) == ["shares.1"]
    twice = own.put(
        url, {"shares": [{"holderId": alpha.pk, "share": 50}, {"holderId": alpha.pk, "share": 50}]}
    )
    assert field_names(assert_problem(twice, 422)) == ["shares.1"]
    bad_share = own.put(
        url, {"shares": [{"holderId": alpha.pk, "share": 0}, {"holderId": beta.pk, "share": 100}]}
    )
    assert field_names(assert_problem(bad_share, 422)) == ["shares.0"]
    anonymous = own.put(url, {"shares": [{"share": 100}]})
    assert field_names(assert_problem(anonymous, 422)) == ["shares.0"]


def test_a_co_holder_sees_the_application_too(
    api: Api, own: Api, personas: Personas, tokens: Tokens
) -> None:
    app = own.post("applications", {"kind": "data_collection"}).json()
    shares = [
        {"holderId": personas.applicant.holder.pk, "share": 50},
        {"holderId": personas.other_applicant.holder.pk, "share": 50},
    ]
    own.put(f"applications/{app['id']}/holders", {"shares": shares})
    beta = api.as_(tokens.other)
    assert beta.get(f"applications/{app['id']}").status_code == 200
    assert [a["id"] for a in beta.get("applications").json()["items"]] == [app["id"]]


def test_materials_are_checked_for_type_and_size(own: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    app = own.post("applications", {"kind": "data_collection"}).json()
    aid = app["id"]
    renamed = _upload(own, aid, "application_form", "form.pdf", b"MZ\x90\x00 not a pdf")
    assert field_names(assert_problem(renamed, 422)) == ["file"]
    empty = _upload(own, aid, "application_form", "form.pdf", b"")
    assert set(field_names(assert_problem(empty, 422))) == {"file"}
    kind = _upload(own, aid, "selfie", "form.pdf", PDF)
    assert field_names(assert_problem(kind, 422)) == ["kind"]
    big = _upload(own, aid, "application_form", "big.pdf", PDF + b"0" * (20 * 2**20))
    problem = assert_problem(big, 422)
    assert field_names(problem) == ["file"]
    assert "20 MiB" in problem["errors"][0]["reason"]
    monkeypatch.setattr("dataip.api.routers.applications.UPLOAD_LIMIT", 1000)
    huge = _upload(own, aid, "samples", "samples.csv", b"a,b\n" * 1000)
    assert field_names(assert_problem(huge, 422)) == ["file"]
    monkeypatch.undo()
    nothing = own.post(f"applications/{aid}/materials", data={"kind": "samples"}, content_type=None)
    assert field_names(assert_problem(nothing, 422)) == ["file"]
    assert own.get(f"applications/{aid}/materials").json()["items"] == []


def test_materials_are_listed_in_pages_and_removed(own: Api) -> None:
    app = own.post("applications", {"kind": "data_collection"}).json()
    url = f"applications/{app['id']}/materials"
    ids = [
        _upload(own, app["id"], "samples", f"s{i}.csv", f"a,b\n{i},x\n".encode()).json()["id"]
        for i in range(3)
    ]
    first = own.get(f"{url}?limit=2").json()
    assert [m["id"] for m in first["items"]] == ids[:2]
    assert [m["id"] for m in own.get(first["next"]).json()["items"]] == ids[2:]
    removed = own.delete(f"{url}/{ids[0]}")
    assert removed.status_code == 204
    assert [m["id"] for m in own.get(url).json()["items"]] == ids[1:]
    assert_problem(own.delete(f"{url}/{ids[0]}"), 404, "not_found")


def test_a_correction_is_answered_by_resubmitting(
    own: Api, personas: Personas, tokens: Tokens
) -> None:
    application = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(
        application.pk, actor=personas.examiner.actor, reason="请补充数据来源证明"
    )
    url = f"applications/{application.pk}"
    seen = own.get(url).json()
    assert seen["status"] == "correction_requested"
    assert seen["correctionRequest"] == "请补充数据来源证明"
    assert seen["correctionDue"]
    assert own.patch(url, {"summary": "补正后的摘要"}).status_code == 200
    revision = own.get(url).json()["revision"]
    undeclared = own.post(f"{url}/resubmit", {"revision": revision})
    assert field_names(assert_problem(undeclared, 422)) == ["declaration"]
    resubmitted = own.post(
        f"{url}/resubmit", {"revision": revision, "declaration": DECLARATION_VERSION}
    )
    assert resubmitted.status_code == 200, resubmitted.content
    assert resubmitted.json()["status"] == "submitted"
    assert_problem(own.post(f"{url}/resubmit"), 409, "transition_not_allowed")
    assert_problem(own.patch(url, {"summary": "x"}), 409, "transition_not_allowed")


def test_an_application_is_withdrawn_with_a_reason(own: Api, personas: Personas) -> None:
    application = at_stage(personas, Status.SUBMITTED)
    url = f"applications/{application.pk}/withdraw"
    withdrawn = own.post(url, {"reason": "业务调整"})
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["status"] == "withdrawn"
    assert Event.objects.filter(action="withdraw").get().reason == "业务调整"
    assert_problem(own.post(url), 409, "transition_not_allowed")


def test_a_registered_application_cannot_be_withdrawn(own: Api, personas: Personas) -> None:
    application = at_stage(personas, Status.REGISTERED)
    assert_problem(own.post(f"applications/{application.pk}/withdraw"), 409)


def test_the_list_shows_own_applications_newest_first_in_pages(
    own: Api, personas: Personas
) -> None:
    submitted = at_stage(personas, Status.SUBMITTED)
    drafts = [own.post("applications", {"kind": "data_collection"}).json() for _ in range(2)]
    page = own.get("applications?limit=2").json()
    assert [a["id"] for a in page["items"]] == [drafts[1]["id"], drafts[0]["id"]]
    assert [a["id"] for a in own.get(page["next"]).json()["items"]] == [submitted.pk]
    only = own.get("applications?status=submitted").json()["items"]
    assert [(a["id"], a["number"]) for a in only] == [(submitted.pk, submitted.number)]
    assert_problem(own.get("applications?status=nonsense"), 422)


def test_a_token_whose_creator_left_the_organisation_cannot_file(
    own: Api, personas: Personas
) -> None:
    user = personas.applicant.user
    user.holder = personas.other_applicant.holder
    user.save()
    refused = own.post("applications", {"kind": "data_collection"})
    assert_problem(refused, 403, "permission_denied")
    assert not Application.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_applicant_gets_a_pdf_copy_of_its_submitted_application(
    own: Api, personas: Personas, tokens: Tokens, language: str
) -> None:
    own.language = language
    draft = at_stage(personas, Status.DRAFT)
    url = f"applications/{draft.pk}/application.pdf"
    assert_problem(own.get(url), 404)  # not submitted yet
    application = at_stage(personas, Status.SUBMITTED)
    url = f"applications/{application.pk}/application.pdf"
    response = own.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{application.number}-application.pdf" in response["Content-Disposition"]
    reader = PdfFileReader(io.BytesIO(response.content))
    assert str(reader.trailer["/Info"]["/Title"]) == (
        f"{application.number} {application.product.name}"
    )
    assert_problem(own.as_(tokens.other).get(url), 404)
