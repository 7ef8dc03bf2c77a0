"""Statuses a third party is told: valid, superseded, expired, cancelled, revoked, pledged."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from dataip.certificates import lookup
from dataip.certificates.models import Certificate
from dataip.registry.services import changes, lifecycle, pledges
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import Status
from tests.certificates._support import Capture, issued
from tests.ledger._support import committed
from tests.support.builders import PDF, at_stage, day, today_of
from tests.support.personas import Personas, make_person, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(personas: Personas, django_capture_on_commit_callbacks: Capture) -> Certificate:
    return issued(personas, django_capture_on_commit_callbacks)[1]


def test_a_current_certificate_is_valid(certificate: Certificate) -> None:
    answer = lookup.answer_for_number(certificate.number, today=today_of(day(31)))
    assert (answer.verdict, answer.status) == ("genuine", "valid")
    assert answer.certificate == answer.current == certificate
    assert not answer.under_pledge


def test_it_finds_the_certificate_by_registration_number(certificate: Certificate) -> None:
    number = str(certificate.application.registration_number)
    answer = lookup.answer_for_number(number.lower(), today=today_of(day(31)))
    assert answer.query == lookup.Query("registration", number)
    assert answer.certificate == certificate


def test_it_is_expired_after_the_period_of_validity(certificate: Certificate) -> None:
    valid_until = certificate.application.valid_until
    assert valid_until is not None
    answer = lookup.answer_for_number(certificate.number, today=valid_until + timedelta(days=1))
    assert answer.status == "expired"


def test_it_is_cancelled_or_revoked_when_the_registration_is(
    personas: Personas, certificate: Certificate
) -> None:
    lifecycle.revoke(
        certificate.application_id,
        actor=personas.registrar.actor,
        reason="法院判决",
        reference="(2026)沪0115民初1号",
        decision=[("判决书.pdf", io.BytesIO(PDF))],
        at=day(60),
    )
    assert lookup.answer_for_number(certificate.number).status == "revoked"
    other = at_stage(personas, Status.REGISTERED)
    lifecycle.cancel(other.pk, actor=personas.applicant.actor, reason="不再经营", at=day(60))
    assert lookup.answer_for_number(str(other.certificate_number)).status == "cancelled"
    assert lookup.answer_for_number(str(other.certificate_number)).certificate is None


def test_it_tells_a_bank_that_a_pledge_stands(personas: Personas, certificate: Certificate) -> None:
    bank = create_holder(
        kind="legal_person", name="丙银行", identifier=valid_uscc(70), province_code="31"
    )
    make_person("banker", bank)
    pledges.pledge(
        certificate.application_id,
        actor=personas.applicant.actor,
        pledgee_id=bank.pk,
        amount="1000000",
        starts="2026-05-01",
        ends="2027-04-30",
        contract_reference="ZY-1",
        at=day(50),
    )
    answer = lookup.answer_for_number(certificate.number, today=today_of(day(51)))
    assert (answer.status, answer.under_pledge) == ("valid", True)
    assert [p.pledgee for p in answer.pledges] == ["丙银行"]


def test_an_old_version_is_superseded_and_the_current_one_valid(
    personas: Personas, certificate: Certificate, django_capture_on_commit_callbacks: Capture
) -> None:
    with committed(django_capture_on_commit_callbacks):
        change = changes.request_change(
            certificate.application_id, actor=personas.applicant.actor, values={"name": "新"}
        )
        changes.approve_change(change.pk, actor=personas.examiner.actor, at=day(41))
    today = today_of(day(42))
    old = lookup.answer_for_number(certificate.number, 1, today=today)
    assert (old.status, old.superseded, old.current and old.current.version) == (
        "superseded",
        True,
        2,
    )
    assert lookup.answer_for_number(certificate.number, today=today).status == "valid"
    assert not lookup.answer_for_number(certificate.number, 3).found


def test_a_registration_whose_certificate_is_still_coming_is_pending(personas: Personas) -> None:
    application = at_stage(personas, Status.REGISTERED)  # never committed: nothing issued
    answer = lookup.answer_for_number(str(application.certificate_number))
    assert (answer.found, answer.status, answer.certificate) == (True, "pending", None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Enter a registration number"),
        ("12345", "16 characters"),
        ("2026013100000001X", "neither"),
        ("20261331000000001", "neither"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(lookup.BadNumber, match=reason) as caught:
        lookup.parse_number(text)
    assert caught.value.http_status == 400
