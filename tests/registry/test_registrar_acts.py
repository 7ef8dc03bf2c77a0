"""The registrar on a registered right: a correction of particulars (更正) and the re-issue of
a certificate (补发/换发), each a logged event that issues a new certificate version."""

from __future__ import annotations

import io

import pytest

from dataip.certificates.models import Certificate
from dataip.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from dataip.registry.models import Application, Event
from dataip.registry.queries.public import public_record
from dataip.registry.services import registrar
from dataip.registry.workflow import Status
from dataip.upkeep.audit import FullAuditReport, run_audit
from dataip.upkeep.replay import ReplayFinding
from tests.certificates._support import Capture, issued, pdf_of
from tests.ledger._support import committed
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


def _no_replay_finding() -> None:
    results = list(run_audit())
    assert isinstance(results[-1], FullAuditReport)
    assert [r for r in results if isinstance(r, ReplayFinding)] == []


def test_a_correction_changes_the_particulars_logs_old_and_new_and_reissues(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, first = issued(personas, django_capture_on_commit_callbacks)
    with committed(django_capture_on_commit_callbacks):
        done = registrar.correct_particulars(
            application.pk,
            actor=personas.registrar.actor,
            values={"name": "城市交通出行数据集（更正）", "holder_name": "甲数据科技有限公司"},
            reason="登记时笔误，以申请表为准",
            at=day(40),
        )
    assert done.certificate_version == application.certificate_version + 1
    done.product.refresh_from_db()
    assert done.product.name == "城市交通出行数据集（更正）"
    assert done.filed_by.name == "甲数据科技有限公司"
    event = Event.objects.get(application=application, action="correct_particulars")
    assert event.reason == "登记时笔误，以申请表为准"
    assert event.payload["fields"] == ["holder_name", "name"]
    assert event.payload["changes"]["name"] == {
        "old": "城市交通出行数据集",
        "new": "城市交通出行数据集（更正）",
    }
    assert event.public, "the public history says the particulars were corrected"
    second = Certificate.objects.get(application=application, version=2)
    first.refresh_from_db()
    assert first.superseded_at == second.issued_at
    assert "correct_particulars" in [a for a, _ in public_record(done).history]
    assert pdf_of(second) != pdf_of(first)
    _no_replay_finding()


def test_a_reissue_keeps_the_particulars_and_supersedes_the_old_version(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, first = issued(personas, django_capture_on_commit_callbacks)
    with committed(django_capture_on_commit_callbacks):
        registrar.reissue_certificate(
            application.pk,
            actor=personas.registrar.actor,
            ground="lost",
            reason="权利人报告纸质证书遗失",
            at=day(40),
        )
    second = Certificate.objects.get(application=application, version=2)
    first.refresh_from_db()
    assert first.superseded_at == second.issued_at
    assert second.number == first.number
    event = Event.objects.filter(application=application, action="reissue_certificate").get()
    assert (event.payload["ground"], event.reason) == ("lost", "权利人报告纸质证书遗失")
    _no_replay_finding()


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def test_only_the_registrar_corrects_or_reissues(
    personas: Personas, registered: Application
) -> None:
    for who in (personas.examiner, personas.applicant, personas.experts[0]):
        with pytest.raises(PermissionDenied):
            registrar.correct_particulars(
                registered.pk, actor=who.actor, values={"name": "改名"}, reason="笔误"
            )
        with pytest.raises(PermissionDenied):
            registrar.reissue_certificate(
                registered.pk, actor=who.actor, ground="damaged", reason="损坏"
            )
    assert not Event.objects.filter(
        action__in=["correct_particulars", "reissue_certificate"]
    ).exists()


def test_bad_corrections_name_each_field_and_change_nothing(
    personas: Personas, registered: Application
) -> None:
    actor = personas.registrar.actor
    version = registered.certificate_version
    with pytest.raises(ValidationFailed) as refused:
        registrar.correct_particulars(
            registered.pk,
            actor=actor,
            values={"registration_number": "X", "holder_address": "地" * 301},
            reason=" ",
        )
    assert set(refused.value.errors) == {"registration_number", "reason"}
    with pytest.raises(ValidationFailed) as refused:
        registrar.correct_particulars(
            registered.pk, actor=actor, values={"holder_address": "地" * 301}, reason="笔误"
        )
    assert set(refused.value.errors) == {"holder_address"}
    with pytest.raises(ValidationFailed) as same:
        registrar.correct_particulars(
            registered.pk, actor=actor, values={"name": registered.product.name}, reason="笔误"
        )
    assert set(same.value.errors) == {"values"}
    with pytest.raises(ValidationFailed) as ground:
        registrar.reissue_certificate(registered.pk, actor=actor, ground="stolen", reason="")
    assert set(ground.value.errors) == {"ground", "reason"}
    registered.refresh_from_db()
    assert registered.certificate_version == version
    assert registered.product.name == "城市交通出行数据集"


def test_nothing_is_corrected_before_registration_or_after_revocation(
    personas: Personas, registered: Application
) -> None:
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    with pytest.raises(TransitionNotAllowed):
        registrar.reissue_certificate(
            announced.pk, actor=personas.registrar.actor, ground="lost", reason="遗失"
        )
    from dataip.registry.services import lifecycle

    lifecycle.revoke(
        registered.pk,
        actor=personas.registrar.actor,
        reason="法院判决",
        reference="(2026)1号",
        decision=[("判决书.pdf", io.BytesIO(PDF))],
    )
    with pytest.raises(TransitionNotAllowed):
        registrar.correct_particulars(
            registered.pk, actor=personas.registrar.actor, values={"name": "改"}, reason="笔误"
        )
