"""The deposit API: an organisation's token uploads a manifest and gets the receipt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dataip.accounts.tokens import create_token
from dataip.deposits.models import ApplicationDeposit, Deposit
from dataip.evidence.deposit_receipt import verify_receipt
from dataip.ledger import keys
from tests.deposits._data import deposit, encoded, files, make_tree, manifest_of, tsa_ca_file
from tests.support.builders import draft
from tests.support.personas import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.deposits.api_urls")]
PROBLEM = "application/problem+json"


@pytest.fixture
def manifest(tmp_path: Path) -> dict[str, Any]:
    return manifest_of(make_tree(tmp_path / "data", files(8, "f", 3)))


@pytest.fixture
def own(personas: Personas) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(personas.applicant.user, 'erp')[1]}"}


@pytest.fixture
def beta(personas: Personas) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(personas.other_applicant.user, 'b')[1]}"}


def test_upload_as_multipart_or_json_body_answers_with_the_receipt(
    client: Client, own: dict[str, str], manifest: dict[str, Any]
) -> None:
    upload = SimpleUploadedFile("manifest.json", encoded(manifest), "application/json")
    answer = client.post("/api/v1/deposits", {"manifest": upload}, headers=own)
    assert answer.status_code == 201, answer.content
    receipt = answer.json()
    assert receipt["format"] == "dataip.deposit-receipt/v1"
    assert receipt["deposit"]["root"] == manifest["root"]
    verified = verify_receipt(
        answer.content,
        manifest=manifest,
        tsa_ca_pem=tsa_ca_file().read_bytes(),
        trusted_vkeys=keys.vkey(),
    )
    assert verified.number == receipt["deposit"]["number"]
    assert verified.ledger is not None
    body = client.post(
        "/api/v1/deposits", encoded(manifest), content_type="application/json", headers=own
    )
    assert body.status_code == 201, body.content
    assert Deposit.objects.count() == 2


def test_lists_reads_and_downloads_own_deposits_only(
    client: Client,
    personas: Personas,
    own: dict[str, str],
    beta: dict[str, str],
    manifest: dict[str, Any],
) -> None:
    mine = [deposit(personas.applicant, manifest) for _ in range(3)]
    theirs = deposit(personas.other_applicant, manifest)
    listed = client.get("/api/v1/deposits?limit=2", headers=own).json()
    assert [item["number"] for item in listed["items"]] == [mine[2].number, mine[1].number]
    assert listed["nextCursor"]
    rest = client.get(listed["next"], headers=own).json()
    assert [item["number"] for item in rest["items"]] == [mine[0].number]
    one = client.get(f"/api/v1/deposits/{mine[0].pk}", headers=own).json()
    assert one["root"] == manifest["root"]
    assert one["minhash"] is True
    assert one["receipt"].endswith(f"/api/v1/deposits/{mine[0].pk}/receipt")
    receipt = client.get(f"/api/v1/deposits/{mine[0].pk}/receipt", headers=own)
    assert receipt.status_code == 200
    assert json.loads(receipt.content)["deposit"]["number"] == mine[0].number
    pdf = client.get(f"/api/v1/deposits/{mine[0].pk}/receipt.pdf", headers=own)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    for url in (f"/api/v1/deposits/{theirs.pk}", f"/api/v1/deposits/{theirs.pk}/receipt"):
        refused = client.get(url, headers=own)
        assert refused.status_code == 404
        assert refused["Content-Type"] == PROBLEM
    assert [i["number"] for i in client.get("/api/v1/deposits", headers=beta).json()["items"]] == [
        theirs.number
    ]


def test_without_a_live_token_nothing(
    client: Client, personas: Personas, manifest: dict[str, Any]
) -> None:
    from dataip.accounts.tokens import revoke_token

    assert client.get("/api/v1/deposits").status_code == 401
    token, secret = create_token(personas.applicant.user, "old")
    revoke_token(personas.applicant.user, token.pk)
    revoked = client.get("/api/v1/deposits", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status_code == 401
    assert revoked["Content-Type"] == PROBLEM
    answer = client.post("/api/v1/deposits", encoded(manifest), content_type="application/json")
    assert answer.status_code == 401
    assert not Deposit.objects.exists()


@pytest.mark.parametrize(
    ("data", "reason", "language"),
    [
        (b"not json", "not valid JSON", "en"),
        (b'{"schema": "other"}', "不是 dataip 清单", "zh-hans"),
        (b"", "The file is empty.", "en"),
    ],
)
def test_a_bad_manifest_is_a_problem_naming_the_field(
    client: Client, own: dict[str, str], data: bytes, reason: str, language: str
) -> None:
    answer = client.post(
        "/api/v1/deposits",
        data,
        content_type="application/json",
        headers={**own, "Accept-Language": language},
    )
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == PROBLEM
    problem = answer.json()
    assert problem["code"] == "validation_failed"
    assert [e["name"] for e in problem["errors"]] == ["manifest"]
    assert reason in problem["errors"][0]["reason"]


def test_a_multipart_request_without_the_file_or_too_large(
    client: Client, own: dict[str, str], settings: Any
) -> None:
    answer = client.post("/api/v1/deposits", {"other": "x"}, headers=own)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["name"] == "manifest"
    settings.DATAIP_DEPOSIT_MAX_MANIFEST_BYTES = 1024 * 1024
    big = SimpleUploadedFile("m.json", b" " * (1200 * 1024), "application/json")
    english = {**own, "Accept-Language": "en"}
    too_big = client.post("/api/v1/deposits", {"manifest": big}, headers=english)
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["reason"] == "The file is larger than 1 MiB."


def test_citing_through_the_api(
    client: Client,
    personas: Personas,
    own: dict[str, str],
    beta: dict[str, str],
    manifest: dict[str, Any],
) -> None:
    app = draft(personas)
    made = deposit(personas.applicant, manifest)
    url = f"/api/v1/deposits/{made.pk}/citations"
    cited = client.post(
        url, {"applicationId": app.pk}, content_type="application/json", headers=own
    )
    assert cited.status_code == 201, cited.content
    assert cited.json()["applicationId"] == app.pk
    assert ApplicationDeposit.objects.filter(application=app, deposit=made).exists()
    theirs = deposit(personas.other_applicant, manifest)
    refused = client.post(
        f"/api/v1/deposits/{theirs.pk}/citations",
        {"applicationId": app.pk},
        content_type="application/json",
        headers=own,
    )
    assert refused.status_code == 404
    assert client.delete(f"{url}/{app.pk}", headers=own).status_code == 204
    assert client.delete(f"{url}/{app.pk}", headers=own).status_code == 404
    assert not ApplicationDeposit.objects.exists()
