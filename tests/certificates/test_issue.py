"""Issuing: after registration, changes, transfers and renewals; superseding; retrying."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django_tasks import task

from dataip.certificates import issue, pki
from dataip.certificates.content import CertificateContent, ledger_payload
from dataip.certificates.issue import issue_missing_certificates
from dataip.certificates.models import Certificate
from dataip.certificates.verify import verify_certificate_pdf
from dataip.evidence import canonical_json
from dataip.evidence.commitments import open_leaf
from dataip.ledger import keys
from dataip.ledger.models import LogEntry
from dataip.registry.events import event_openings
from dataip.registry.models import Application, Event
from dataip.registry.regimes import load_regime
from dataip.registry.services import changes, lifecycle
from dataip.registry.workflow import Consequence, Status
from tests.certificates._support import Capture, issued, pdf_of, registered_in
from tests.ledger._support import committed
from tests.support.builders import at_stage, day
from tests.support.personas import Personas
from tests.support.subscribers import subscribers_bound

pytestmark = pytest.mark.django_db


def _verify(certificate: Certificate) -> CertificateContent:
    return verify_certificate_pdf(pdf_of(certificate), keys.all_vkeys(), pki.trust_pem()).content


def test_it_issues_version_1_after_registration_with_its_ledger_entry(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, certificate = issued(personas, django_capture_on_commit_callbacks)
    assert (certificate.version, certificate.number) == (1, application.certificate_number)
    assert certificate.superseded_at is None
    assert certificate.issued_at == day(30)  # dated by the registration that made it due
    data = certificate.data.encode()
    assert hashlib.sha256(data).hexdigest() == certificate.data_sha256
    assert certificate.pdf_sha256 == hashlib.sha256(pdf_of(certificate)).hexdigest()
    event = certificate.event
    assert (event.action, event.application_id) == ("certificate_issued", application.pk)
    content = CertificateContent.from_json(data)
    assert event.payload == ledger_payload(content)
    assert event.leaf_index is not None
    sealed = json.loads(LogEntry.objects.get(index=event.leaf_index).body)
    leaf = open_leaf(sealed, event_openings(event)).fields  # a v2 leaf: opened by the registry
    assert leaf["type"] == "certificate_issued"
    assert leaf["registration"] == application.registration_number
    assert leaf["payload_sha256"] == hashlib.sha256(canonical_json(event.payload)).hexdigest()
    assert _verify(certificate) == content


def test_it_issues_nothing_more_when_asked_again(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, _ = issued(personas, django_capture_on_commit_callbacks)
    events = Event.objects.count()
    assert issue.issue_due_certificate(application.pk) is None
    assert issue_missing_certificates().issued == []
    assert Certificate.objects.count() == 1
    assert Event.objects.count() == events


def test_an_approved_change_supersedes_the_old_version(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, first = issued(personas, django_capture_on_commit_callbacks)
    with committed(django_capture_on_commit_callbacks):
        change = changes.request_change(
            application.pk, actor=personas.applicant.actor, values={"name": "新名称"}, at=day(40)
        )
    assert Certificate.objects.count() == 1  # examined change: nothing is due yet
    with committed(django_capture_on_commit_callbacks):
        changes.approve_change(change.pk, actor=personas.examiner.actor, at=day(41))
    first.refresh_from_db()
    second = Certificate.objects.get(application=application, version=2)
    assert first.superseded_at == day(41) == second.issued_at
    assert second.superseded_at is None
    assert _verify(second).product_name == "新名称"
    assert _verify(first).product_name == "城市交通出行数据集"  # still verifiable for what it was


def test_a_refused_change_issues_nothing(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, _ = issued(personas, django_capture_on_commit_callbacks)
    with committed(django_capture_on_commit_callbacks):
        change = changes.request_change(
            application.pk, actor=personas.applicant.actor, values={"summary": "新摘要"}
        )
        changes.refuse_change(change.pk, actor=personas.examiner.actor, reason="不符")
    assert list(Certificate.objects.values_list("version", flat=True)) == [1]


def test_a_change_applied_at_once_is_reissued_at_once(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    with committed(django_capture_on_commit_callbacks):
        application = registered_in(personas, "zhejiang")
    with committed(django_capture_on_commit_callbacks):
        changes.request_change(
            application.pk,
            actor=personas.applicant.actor,
            values={"name_en": "Renamed dataset"},
            at=day(35),
        )
    versions = Certificate.objects.filter(application=application).order_by("version")
    assert [c.version for c in versions] == [1, 2]
    content = _verify(versions[1])
    assert content.product_name_en == "Renamed dataset"
    zhejiang = load_regime("zhejiang")
    assert (content.registry_code, content.registry_zh, content.registry_en) == (
        zhejiang.registry_code,
        zhejiang.registry_name_zh,
        zhejiang.registry_name_en,
    )


def test_a_confirmed_transfer_names_the_new_holder(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, _ = issued(personas, django_capture_on_commit_callbacks)
    beta = personas.other_applicant
    with committed(django_capture_on_commit_callbacks):
        transfer = changes.propose_transfer(
            application.pk,
            actor=personas.applicant.actor,
            assignee_id=beta.holder.pk,
            contract_date="2026-05-01",
            effective_date="2026-05-10",
            at=day(45),
        )
    with committed(django_capture_on_commit_callbacks):
        changes.confirm_transfer(transfer.pk, actor=beta.actor, at=day(46))
    latest = Certificate.objects.get(application=application, superseded_at=None)
    assert latest.version == 2
    assert [h.name for h in _verify(latest).holders] == [beta.holder.name]


def test_a_renewal_extends_the_validity_on_a_new_version(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, first = issued(personas, django_capture_on_commit_callbacks)
    assert application.valid_until is not None
    renew_at = day(30 + 365 * 3 - 30)
    with committed(django_capture_on_commit_callbacks):
        renewed = lifecycle.renew(application.pk, actor=personas.applicant.actor, at=renew_at)
    latest = Certificate.objects.get(application=application, version=2)
    content = _verify(latest)
    assert content.valid_until == f"{renewed.valid_until:%Y-%m-%d}"
    assert content.valid_until > CertificateContent.from_json(first.data.encode()).valid_until


def test_a_failed_rendering_keeps_the_registration_and_is_retried(
    personas: Personas,
    django_capture_on_commit_callbacks: Capture,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise OSError("font file missing")

    monkeypatch.setattr(issue, "render_certificate", broken)
    with committed(django_capture_on_commit_callbacks):
        application = at_stage(personas, Status.REGISTERED)
    assert Application.objects.get(pk=application.pk).status == Status.REGISTERED
    pending = Certificate.objects.get(application=application)
    assert not pending.pdf  # recorded in the ledger, PDF still to come
    assert "will retry" in caplog.text
    assert issue_missing_certificates().failed == [str(application.pk)]
    monkeypatch.undo()
    report = issue_missing_certificates()
    assert report.issued == [f"{application.certificate_number} v1"]
    assert _verify(Certificate.objects.get(pk=pending.pk)).version == 1
    assert Certificate.objects.count() == 1


@task()
def broken(application_id: int) -> None:
    """A certificate job that fails."""
    raise OSError("the signing service is down")


def test_a_failing_subscriber_leaves_the_registration_and_tick_issues_the_certificate(
    personas: Personas,
    django_capture_on_commit_callbacks: Capture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        subscribers_bound({Consequence.ISSUE_CERTIFICATE: broken}),
        committed(django_capture_on_commit_callbacks),
    ):
        application = at_stage(personas, Status.REGISTERED)
    assert Application.objects.get(pk=application.pk).status == Status.REGISTERED
    assert not Certificate.objects.exists()
    assert "will retry" in caplog.text
    report = issue_missing_certificates()  # what dataip tick runs
    assert report.issued == [f"{application.certificate_number} v1"]
    assert _verify(Certificate.objects.get(application=application)).version == 1


def test_the_subscriber_issues_nothing_when_nothing_is_due(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    application, _ = issued(personas, django_capture_on_commit_callbacks)
    events = Event.objects.count()
    assert issue.issue_after_transition(application.pk) is None
    assert Event.objects.count() == events


def test_with_auto_issuing_off_tick_issues_them(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.DATAIP_CERTIFICATES_AUTO = False
    with committed(django_capture_on_commit_callbacks):
        application = at_stage(personas, Status.REGISTERED)
    assert not Certificate.objects.exists()
    assert issue_missing_certificates().issued == [f"{application.certificate_number} v1"]
    assert Certificate.objects.get(application=application).pdf


def test_it_never_deletes_a_certificate(
    personas: Personas, django_capture_on_commit_callbacks: Capture, tmp_path: Path
) -> None:
    _, certificate = issued(personas, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionError):
        certificate.delete()
    assert Certificate.objects.filter(pk=certificate.pk).exists()
