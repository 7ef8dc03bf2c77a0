"""Applicants: the step-by-step application, uploads, submission, corrections, timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application
from dataip.registry.regimes import load_regime
from dataip.registry.services import examination
from dataip.registry.workflow import Status
from tests.support.builders import PDF, complete_values
from tests.support.personas import Personas, valid_uscc
from tests.web._builders import build
from tests.web.conftest import SignIn, read_download


def step_values(app: Application, **values: Any) -> dict[str, Any]:
    return {"revision": app.revision, **values}


def file_everything(client: Client, app: Application) -> None:
    """Fill every step of a data collection through the pages."""
    values = complete_values()
    pages = {
        "basics": ["kind", "name", "name_en", "summary", "industry_code", "province_code"],
        "source": [
            "data_source_type",
            "data_source_description",
            "lawful_basis",
            "formation_date",
            "record_count",
            "update_frequency",
            "structure_description",
        ],
        "processing": [
            "processing_summary",
            "processing_details",
            "application_scenarios",
            "innovation_explanation",
        ],
    }
    for step, names in pages.items():
        app.refresh_from_db()
        data = step_values(app, **{n: values.get(n, "data_collection") for n in names})
        response = client.post(f"/applications/{app.pk}/steps/{step}", data)
        assert response.status_code == 302, response.content.decode()[:2000]
    app.refresh_from_db()
    response = client.post(
        f"/applications/{app.pk}/steps/details",
        step_values(app, detail_format="Parquet", detail_personal_information="de_identified"),
    )
    assert response.status_code == 302
    for kind in sorted(load_regime(app.regime_code).required_materials(filed_by_agent=False)):
        upload = SimpleUploadedFile(f"{kind}.pdf", PDF + kind.encode(), "application/pdf")
        response = client.post(
            f"/applications/{app.pk}/steps/materials", {"kind": kind, "file": upload}
        )
        assert response.status_code == 302


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_files_an_application_step_by_step_and_submits_it(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    client = sign_in(personas.applicant, language=language)
    assert client.get("/applications/new").status_code == 200
    response = client.post("/applications/new", {"kind": "data_collection", "name": "新数据集"})
    app = Application.objects.get(product__name="新数据集")
    assert response["Location"] == f"/applications/{app.pk}/steps/basics"

    review = client.get(f"/applications/{app.pk}/steps/review")
    missing = {item["name"]: item["label"] for item in review.context["missing"]}
    assert missing["summary"] == ("概要" if language == "zh-hans" else "Summary")
    assert not review.context["actions"]

    file_everything(client, app)
    review = client.get(f"/applications/{app.pk}/steps/review")
    assert review.context["missing"] == []
    app.refresh_from_db()
    response = client.post(
        f"/applications/{app.pk}/submit",
        {"revision": app.revision, "declaration": DECLARATION_VERSION},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert app.number

    page = client.get(f"/applications/{app.pk}")
    assert page.status_code == 200
    assert [e.action for e in page.context["events"]] == ["submit"]
    assert app.number in page.content.decode()


def test_it_refuses_a_stale_form(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.DRAFT)
    client = sign_in(personas.applicant)
    stale = app.revision - 1
    response = client.post(
        f"/applications/{app.pk}/steps/basics",
        {"revision": stale, "kind": "data_collection", "name": "改名"},
    )
    assert response.status_code == 409
    assert "someone else" in response.content.decode()
    app.refresh_from_db()
    assert app.product.name != "改名"


def test_it_puts_service_errors_next_to_their_fields(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.DRAFT)
    client = sign_in(personas.applicant)
    response = client.post(
        f"/applications/{app.pk}/steps/source",
        step_values(app, formation_date="2999-01-01"),
    )
    assert response.status_code == 422
    assert 'id="id_formation_date_error"' in response.content.decode()
    response = client.post(
        f"/applications/{app.pk}/steps/details",
        step_values(
            app,
            detail_temporal_coverage_start="2025-02-01",
            detail_temporal_coverage_end="2025-01-01",
        ),
    )
    assert response.status_code == 422
    assert 'id="id_detail_temporal_coverage_end_error"' in response.content.decode()


def test_it_refuses_a_file_whose_content_does_not_match_its_name(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.DRAFT, complete=False)
    upload = SimpleUploadedFile("form.pdf", b"MZ not a pdf", "application/pdf")
    response = sign_in(personas.applicant).post(
        f"/applications/{app.pk}/steps/materials", {"kind": "application_form", "file": upload}
    )
    assert response.status_code == 422
    assert 'id="id_file_error"' in response.content.decode()
    assert not app.materials.exists()


def test_it_shows_material_hashes_and_removes_a_material(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.DRAFT)
    client = sign_in(personas.applicant)
    page = client.get(f"/applications/{app.pk}/steps/materials")
    material = page.context["materials"][0]
    assert material.sha256 in page.content.decode()
    download = client.get(f"/applications/{app.pk}/materials/{material.pk}")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert read_download(download).startswith(b"%PDF")
    assert client.post(f"/applications/{app.pk}/materials/{material.pk}/remove").status_code == 302
    assert material.pk not in [
        m.pk for m in client.get(f"/applications/{app.pk}/steps/materials").context["materials"]
    ]


def test_it_sets_joint_holders_and_shares(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.DRAFT)
    client = sign_in(personas.applicant)
    data = {
        "identifier_1": valid_uscc(1),
        "share_1": "60",
        "identifier_2": valid_uscc(2),
        "share_2": "40",
    }
    assert client.post(f"/applications/{app.pk}/steps/holders", data).status_code == 302
    assert sorted(app.holders.values_list("share", flat=True)) == [40, 60]
    bad = client.post(f"/applications/{app.pk}/steps/holders", {**data, "share_2": "30"})
    assert bad.status_code == 422
    unknown = client.post(
        f"/applications/{app.pk}/steps/holders", {**data, "identifier_2": valid_uscc(99)}
    )
    assert unknown.status_code == 422
    assert 'id="id_identifier_2_error"' in unknown.content.decode()


def test_it_answers_a_correction_request(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(
        app.pk, actor=personas.examiner.actor, reason="请补充数据来源证明"
    )
    client = sign_in(personas.applicant, language="zh-hans")
    page = client.get(f"/applications/{app.pk}")
    text = page.content.decode()
    assert "请补充数据来源证明" in text
    assert "补正" in text
    assert page.context["can_edit"]
    app.refresh_from_db()
    assert (
        client.post(
            f"/applications/{app.pk}/steps/processing",
            step_values(
                app,
                **{
                    n: v
                    for n, v in complete_values().items()
                    if n.startswith(("processing", "app", "inn"))
                },
            ),
        ).status_code
        == 302
    )
    app.refresh_from_db()
    response = client.post(
        f"/applications/{app.pk}/submit",
        {"revision": app.revision, "declaration": DECLARATION_VERSION},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_it_withdraws_an_application(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.SUBMITTED)
    client = sign_in(personas.applicant)
    assert client.get(f"/applications/{app.pk}").context["can_withdraw"]
    assert (
        client.post(
            f"/applications/{app.pk}/withdraw", {"reason": "不再需要", "confirm": "on"}
        ).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN


def test_it_offers_the_certificate_of_a_registration(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.REGISTERED)
    page = sign_in(personas.applicant).get(f"/applications/{app.pk}")
    assert page.context["certificates"] == []  # not issued in this test (no commit)
    assert "certificate is being issued" in page.content.decode()


def test_other_applicant_cannot_open_the_application(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.SUBMITTED)
    client = sign_in(personas.other_applicant)
    assert client.get(f"/applications/{app.pk}").status_code == 404
    assert client.get(f"/applications/{app.pk}/steps/basics").status_code == 404
    assert client.post(f"/applications/{app.pk}/withdraw").status_code == 404


def test_applicant_cannot_change_a_submitted_application(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.SUBMITTED)
    client = sign_in(personas.applicant)
    page = client.get(f"/applications/{app.pk}/steps/basics")
    assert not page.context["editable"]
    response = client.post(
        f"/applications/{app.pk}/steps/basics",
        step_values(app, kind="data_collection", name="偷改"),
    )
    assert response.status_code == 409
    upload = SimpleUploadedFile("late.pdf", PDF, "application/pdf")
    late = client.post(
        f"/applications/{app.pk}/steps/materials", {"kind": "samples", "file": upload}
    )
    assert late.status_code == 409
    app.refresh_from_db()
    assert app.product.name != "偷改"
