"""Identity of organisations through the API: an organisation reads its verification (its
token); the registrar's queue, case, documents, approval and refusal (a staff token); a pending
organisation drafts but its submission is a problem naming why, in both languages."""

from __future__ import annotations

import io
from typing import Any

import pytest

from dataip.accounts.models import User
from dataip.accounts.tokens import create_token
from dataip.registry.models import Holder, OrganisationClaim, Verification
from dataip.registry.services import identity
from tests.api._support import Api, assert_problem, field_names
from tests.support.builders import PDF
from tests.support.personas import Personas, valid_uscc

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def sign_up(name: str, code: str) -> identity.SignedUp:
    user = User(username=name, email=f"{name}@example.cn")
    user.set_password("a long enough passphrase 2026")
    return identity.sign_up(
        user,
        kind="legal_person",
        org_type="platform",
        name=f"{name} 数据有限公司",
        identifier=code,
        province_code="31",
        documents={
            "business_licence": ("licence.pdf", io.BytesIO(PDF)),
            "authorisation": ("authorisation.png", io.BytesIO(PNG)),
        },
    )


@pytest.fixture
def desk(api: Api, personas: Personas) -> Api:
    return api.as_(create_token(personas.registrar.user, "desk")[1])


def test_an_organisation_reads_its_verification(api: Api, personas: Personas) -> None:
    done = sign_up("newco", valid_uscc(130))
    mine = api.as_(create_token(done.user, "erp")[1]).get("organisation/verification")
    assert mine.status_code == 200
    body = mine.json()
    assert body["state"] == "pending"
    assert body["stateLabel"] == "Pending verification"
    assert body["orgType"] == "platform"
    assert body["missingDocuments"] == []
    assert {d["kind"] for d in body["documents"]} == {"business_licence", "authorisation"}
    assert all(d["url"] is None for d in body["documents"])  # only the registrar downloads
    verified = api.as_(create_token(personas.applicant.user, "erp")[1])
    assert verified.get("organisation/verification").json()["state"] == "verified"


@pytest.mark.parametrize(("language", "words"), [("en", "not verified"), ("zh-hans", "尚未认证")])
def test_a_pending_organisation_drafts_but_submitting_is_a_problem(
    api: Api, language: str, words: str
) -> None:
    done = sign_up("newco", valid_uscc(131))
    token = Api(api.client, create_token(done.user, "erp")[1], language)
    created = token.post("applications", {"kind": "data_collection", "name": "待认证主体的数据集"})
    assert created.status_code == 201, created.content
    draft_id = created.json()["id"]
    submitted = token.post(f"applications/{draft_id}/submit", {})
    problem = assert_problem(submitted, 409, "condition_not_met")
    assert words in problem["detail"]
    assert "newco" in problem["detail"]


def test_the_registrar_works_through_the_queue(desk: Api, personas: Personas) -> None:
    fresh = sign_up("fresh", valid_uscc(132))
    claimant = sign_up("claimant", personas.applicant.holder.identifier)
    assert fresh.holder is not None
    assert claimant.claim is not None
    listed = desk.get("staff/organisations")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(i["kind"], i["id"]) for i in items] == [
        ("organisation", fresh.holder.pk),
        ("dispute", claimant.claim.pk),
    ]  # the oldest first
    assert items[1]["registeredName"] == personas.applicant.holder.name
    document = items[0]["documents"][0]
    downloaded = desk.get(document["url"])
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert "no-store" in downloaded["Cache-Control"]

    path = f"staff/organisations/organisation/{fresh.holder.pk}"
    assert desk.get(path).json()["state"] == "pending"
    approved = desk.post(f"{path}/approve")
    assert approved.status_code == 200
    assert approved.json()["state"] == "verified"
    assert_problem(desk.post(f"{path}/approve"), 409, "transition_not_allowed")

    dispute = f"staff/organisations/dispute/{claimant.claim.pk}"
    refused_without_reason = desk.post(f"{dispute}/refuse", {"reason": ""})
    assert "reason" in field_names(assert_problem(refused_without_reason, 422))
    refused = desk.post(f"{dispute}/refuse", {"reason": "非法定代表人"})
    assert refused.status_code == 200
    assert refused.json()["state"] == "refused"
    assert refused.json()["refusalReason"] == "非法定代表人"
    assert OrganisationClaim.objects.get().status == "refused"
    assert desk.get("staff/organisations").json()["items"] == []
    assert_problem(desk.get("staff/organisations/dispute/999999"), 404)
    assert_problem(desk.get("staff/organisations/castle/1"), 422)


def test_granting_a_dispute_makes_the_claimant_a_member(desk: Api, personas: Personas) -> None:
    claimant = sign_up("heir", personas.applicant.holder.identifier)
    assert claimant.claim is not None
    granted = desk.post(f"staff/organisations/dispute/{claimant.claim.pk}/approve")
    assert granted.status_code == 200
    assert granted.json()["state"] == "verified"
    assert User.objects.get(username="heir").holder_id == personas.applicant.holder.pk
    assert Holder.objects.filter(verification=Verification.PENDING).count() == 0


def test_an_examiner_token_may_not_verify(api: Api, personas: Personas) -> None:
    examiner = api.as_(create_token(personas.examiner.user, "queue")[1])
    assert_problem(examiner.get("staff/organisations"), 403)
    done: Any = sign_up("newco", valid_uscc(133))
    assert_problem(examiner.post(f"staff/organisations/organisation/{done.holder.pk}/approve"), 403)
    assert Holder.objects.get(pk=done.holder.pk).verification == Verification.PENDING
