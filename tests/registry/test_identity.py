"""Identity of organisations (主体认证): sign-up creates a pending organisation, or a dispute
when the code is registered already; documents; the pluggable verifier; the registrar's
decision; a pending organisation drafts but does not submit."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataip.accounts.models import User
from dataip.errors import (
    GuardFailed,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from dataip.registry.actors import actor_for
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import (
    ClaimStatus,
    Holder,
    IdentityDocument,
    OrganisationClaim,
    Verification,
)
from dataip.registry.services import applications as filing
from dataip.registry.services import identity
from dataip.registry.verifiers import _load
from dataip.registry.workflow import Status
from tests.registry.verifiers_for_tests import TrustingVerifier
from tests.support.builders import PDF, complete_values, draft
from tests.support.personas import Person, Personas, valid_uscc

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def documents() -> dict[str, Any]:
    return {
        "business_licence": ("licence.pdf", io.BytesIO(PDF)),
        "authorisation": ("authorisation.png", io.BytesIO(PNG)),
    }


def new_user(name: str) -> User:
    user = User(username=name, email=f"{name}@example.cn")
    user.set_password("a long enough passphrase 2026")
    return user


def sign_up(name: str, code: str, **extra: Any) -> identity.SignedUp:
    return identity.sign_up(
        new_user(name),
        kind="legal_person",
        org_type=extra.pop("org_type", "holder"),
        name=extra.pop("org_name", "新公司数据有限公司"),
        identifier=code,
        province_code="31",
        **extra,
    )


@pytest.fixture(autouse=True)
def fresh_verifier() -> None:
    _load.cache_clear()


def test_a_new_code_makes_a_pending_organisation_and_its_first_member() -> None:
    done = sign_up("newco", valid_uscc(77), documents=documents())
    assert done.claim is None
    assert done.holder is not None
    assert done.holder.verification == Verification.PENDING  # ManualReview: the registrar
    assert done.user.holder_id == done.holder.pk
    assert {d.kind for d in IdentityDocument.objects.filter(holder=done.holder)} == {
        "business_licence",
        "authorisation",
    }


def test_a_bank_is_a_lender() -> None:
    done = sign_up("bankco", valid_uscc(78), org_type="bank")
    assert done.holder is not None
    assert done.holder.is_lender
    assert done.holder.org_type == "bank"


def test_a_registered_code_makes_a_dispute_and_no_second_holder(personas: Personas) -> None:
    code = personas.applicant.holder.identifier
    done = sign_up("claimant", code, org_name="冒名公司", documents=documents())
    assert done.holder is None
    assert done.claim is not None
    assert done.claim.holder == personas.applicant.holder
    assert done.user.holder_id is None  # acts for no organisation until the registrar decides
    assert Holder.objects.filter(identifier=code).count() == 1
    assert done.claim.documents.count() == 2


def _shape(sql: str) -> str:
    """A statement's verb (the tables differ of course: a holder or a claim is written)."""
    return " ".join(sql.split()[:2]) if sql.startswith("RELEASE") else sql.split()[0]


def test_both_paths_run_the_same_queries(personas: Personas) -> None:
    """What the database does is the same whether the code is new or registered: the same
    number of statements of the same kinds, in the same order (no timing to tell them apart)."""

    def shapes(name: str, code: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            sign_up(name, code, documents=documents())
        return [_shape(q["sql"]) for q in queries.captured_queries]

    sign_up("warm", valid_uscc(90), documents=documents())  # first-use caches out of the way
    new = shapes("fresh", valid_uscc(91))
    claimed = shapes("claimant", personas.applicant.holder.identifier)
    assert new == claimed


def test_bad_input_names_each_field_and_leaves_nothing() -> None:
    with pytest.raises(ValidationFailed) as refused:
        identity.sign_up(
            new_user("bad"),
            kind="legal_person",
            org_type="castle",
            name="",
            identifier=valid_uscc(79)[:-1] + "0",
            province_code="99",
            documents={"business_licence": ("licence.pdf", io.BytesIO(b"not a pdf"))},
        )
    assert set(refused.value.errors) >= {
        "org_type",
        "name",
        "identifier",
        "province_code",
        "business_licence",
    }
    assert not User.objects.filter(username="bad").exists()
    assert not IdentityDocument.objects.exists()


def test_a_document_too_large_is_refused(settings: Any) -> None:
    settings.DATAIP_IDENTITY_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed) as refused:
        sign_up("big", valid_uscc(80), documents={"authorisation": ("a.pdf", io.BytesIO(PDF * 99))})
    assert list(refused.value.errors) == ["authorisation"]


def test_the_verifier_runs_once_the_documents_are_complete(settings: Any) -> None:
    settings.DATAIP_IDENTITY_VERIFIER = "tests.registry.verifiers_for_tests.TrustingVerifier"
    TrustingVerifier.seen.clear()
    half = {"business_licence": ("licence.pdf", io.BytesIO(PDF))}
    done = sign_up("half", valid_uscc(81), documents=half)
    assert done.holder is not None
    assert done.holder.verification == Verification.PENDING
    assert TrustingVerifier.seen == []  # not asked before both documents are in
    identity.upload_documents(done.user, {"authorisation": ("a.png", io.BytesIO(PNG))})
    done.holder.refresh_from_db()
    assert done.holder.verification == Verification.VERIFIED
    assert [c.identifier for c in TrustingVerifier.seen] == [valid_uscc(81)]
    assert {d[0] for d in TrustingVerifier.seen[0].documents} == {
        "business_licence",
        "authorisation",
    }


def test_a_verifier_never_grants_a_dispute(settings: Any, personas: Personas) -> None:
    settings.DATAIP_IDENTITY_VERIFIER = "tests.registry.verifiers_for_tests.TrustingVerifier"
    done = sign_up("claimant", personas.applicant.holder.identifier, documents=documents())
    assert done.claim is not None
    assert done.claim.status == ClaimStatus.PENDING
    assert done.claim.verifier_verdict == "verified"  # advice for the registrar
    assert done.user.holder_id is None


def test_the_code_structure_check_refuses_an_impossible_code(settings: Any) -> None:
    settings.DATAIP_IDENTITY_VERIFIER = "dataip.registry.verifiers.CodeStructureCheck"
    from stdnum.cn import uscc

    body = "98310000" + "000000000"  # authority 9 (market regulation) has no category 8
    impossible = body + uscc.calc_check_digit(body)
    done = sign_up("fake", impossible, documents=documents())
    assert done.holder is not None
    assert done.holder.verification == Verification.REFUSED
    assert "category" in done.holder.refusal_reason
    # Uploaded again: the verifier is asked again, and refuses again.
    identity.upload_documents(done.user, {"business_licence": ("l2.pdf", io.BytesIO(PDF))})
    done.holder.refresh_from_db()
    assert done.holder.verification == Verification.REFUSED


def test_the_registrar_approves_or_refuses(personas: Personas) -> None:
    registrar = personas.registrar.actor
    one = sign_up("one", valid_uscc(82), documents=documents())
    two = sign_up("two", valid_uscc(83), documents=documents())
    assert one.holder is not None
    assert two.holder is not None
    with pytest.raises(PermissionDenied):
        identity.approve_organisation(one.holder.pk, actor=personas.examiner.actor)
    approved = identity.approve_organisation(one.holder.pk, actor=registrar)
    assert approved.verification == Verification.VERIFIED
    assert approved.verified_by_id == personas.registrar.user.pk
    with pytest.raises(TransitionNotAllowed):
        identity.approve_organisation(one.holder.pk, actor=registrar)
    with pytest.raises(ValidationFailed) as no_reason:
        identity.refuse_organisation(two.holder.pk, actor=registrar, reason=" ")
    assert list(no_reason.value.errors) == ["reason"]
    refused = identity.refuse_organisation(two.holder.pk, actor=registrar, reason="执照不清晰")
    assert refused.verification == Verification.REFUSED
    assert refused.refusal_reason == "执照不清晰"
    # The refused organisation uploads again: back in the registrar's queue.
    identity.upload_documents(two.user, {"business_licence": ("l.pdf", io.BytesIO(PDF))})
    refused.refresh_from_db()
    assert refused.verification == Verification.PENDING
    assert refused.refusal_reason == ""
    with pytest.raises(NotFound):
        identity.approve_organisation(999_999, actor=registrar)


def test_a_granted_dispute_makes_the_claimant_a_member(personas: Personas) -> None:
    holder = personas.applicant.holder
    granted = sign_up("heir", holder.identifier)
    refused = sign_up("impostor", holder.identifier)
    assert granted.claim is not None
    assert refused.claim is not None
    identity.grant_claim(granted.claim.pk, actor=personas.registrar.actor)
    assert User.objects.get(username="heir").holder_id == holder.pk
    identity.refuse_claim(refused.claim.pk, actor=personas.registrar.actor, reason="非法定代表人")
    assert User.objects.get(username="impostor").holder_id is None
    claim = OrganisationClaim.objects.get(pk=refused.claim.pk)
    assert claim.status == ClaimStatus.REFUSED
    assert claim.refusal_reason == "非法定代表人"
    with pytest.raises(TransitionNotAllowed):
        identity.grant_claim(refused.claim.pk, actor=personas.registrar.actor)


def test_a_pending_organisation_drafts_but_does_not_submit(personas: Personas) -> None:
    done = sign_up("drafter", valid_uscc(84), documents=documents())
    person = Person(done.user, actor_for(done.user))
    personas.applicant = person  # the builders file as "the applicant"
    app = draft(personas)  # drafting is open
    filing.update_draft(app.pk, actor=person.actor, values=complete_values(name="改名"))
    with pytest.raises(GuardFailed) as refused:
        filing.submit(app.pk, declaration=DECLARATION_VERSION, actor=person.actor)
    assert "新公司数据有限公司" in str(refused.value)
    assert "not verified" in str(refused.value)
    app.refresh_from_db()
    assert app.status == Status.DRAFT
    assert done.holder is not None
    identity.approve_organisation(done.holder.pk, actor=personas.registrar.actor)
    assert (
        filing.submit(app.pk, declaration=DECLARATION_VERSION, actor=person.actor).status
        == Status.SUBMITTED
    )


def test_upload_is_closed_once_verified_and_for_people_without_an_organisation(
    personas: Personas,
) -> None:
    with pytest.raises(TransitionNotAllowed):
        identity.upload_documents(personas.applicant.user, documents())
    with pytest.raises(NotFound):
        identity.upload_documents(personas.objector.user, documents())
    with pytest.raises(ValidationFailed):
        identity.upload_documents(personas.applicant.user, {})
