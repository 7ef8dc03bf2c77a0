"""The full audit: the events replayed against every derived row.

A registry built through the services (registration, an objection, a change, a transfer, a
licence, a trade, revenue, a pledge with a consent and a valuation, certificate versions and a
deposit) audits clean; each row then edited directly in the database, behind the services'
back, is named: table, row, field, the value in the row and the value the events imply.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone
from typer.testing import CliRunner

from dataip.certificates.issue import record_due_certificate
from dataip.certificates.issue_records import issue_encumbrance_statement, pledge_certificate
from dataip.certificates.models import Certificate, IssuedRecord
from dataip.cli import app as cli
from dataip.deposits import services as deposits
from dataip.deposits.models import Deposit
from dataip.ledger.audit import Finding
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    ConsentRequest,
    DecisionDocument,
    Licence,
    Objection,
    ObjectionAnswer,
    Pledge,
    PledgeConsent,
    Transfer,
)
from dataip.registry.services import changes, licensing, lifecycle, pledges, publicity
from dataip.registry.services import records as record_services
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import Status
from dataip.upkeep.audit import FullAuditReport, run_audit
from dataip.upkeep.replay import Note, ReplayFinding
from tests.deposits._data import encoded, files, make_tree, manifest_of
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Person, Personas, make_person, valid_uscc
from tests.support.purge import behind_the_triggers

pytestmark = pytest.mark.django_db


@dataclass
class Audit:
    findings: list[Finding]
    notes: list[Note]
    report: FullAuditReport

    def named(self) -> set[tuple[str, object, object]]:
        """(table, row, field) of each finding about a derived row."""
        return {
            (str(f.params["table"]), f.params["row"], f.params.get("field"))
            for f in self.findings
            if isinstance(f, ReplayFinding)
        }


def audit() -> Audit:
    results = list(run_audit())
    report = results.pop()
    assert isinstance(report, FullAuditReport)
    findings = [item for item in results if isinstance(item, Finding)]
    notes = [item for item in results if isinstance(item, Note)]
    assert len(findings) + len(notes) == len(results)
    assert report.findings == len(findings)
    return Audit(findings, notes, report)


@dataclass
class Registry:
    registered: Application
    announced: Application
    licence: Licence
    pledge: Pledge
    deposit: Deposit
    bank: Person


@pytest.fixture(autouse=True)
def deposit_settings(settings: Any, tmp_path: Path) -> None:
    settings.DATAIP_CERTIFICATES_AUTO = False
    settings.DATAIP_DEPOSIT_TSA = "internal"
    settings.DATAIP_DEPOSIT_TSA_DIR = tmp_path / "tsa"
    settings.DATAIP_DEPOSIT_TSA_KEY_FILE = ""
    settings.DATAIP_DEPOSIT_TSA_CERT_FILE = ""
    settings.DATAIP_DEPOSIT_TSA_CA_FILE = ""


def _bank() -> Person:
    holder = create_holder(
        kind="legal_person", name="丁银行 Bank D", identifier=valid_uscc(70), province_code="31"
    )
    return make_person("bank_d", holder)


def build(personas: Personas, tmp_path: Path) -> Registry:
    """A registry with every kind of derived row, made through the services only."""
    owner, examiner = personas.applicant.actor, personas.examiner.actor
    bank = _bank()
    app = at_stage(personas, Status.REGISTERED)
    record_due_certificate(app.pk)  # version 1, as the subscriber would after the commit
    change = changes.request_change(
        app.pk, actor=owner, values={"summary": "更新后的摘要"}, at=day(40)
    )
    changes.approve_change(change.pk, actor=examiner, at=day(41))
    record_due_certificate(app.pk)  # version 2
    licence = licensing.grant_licence(
        app.pk, actor=owner, licensee_id=personas.other_applicant.holder.pk, kind="ordinary",
        scope="分析 analytics", territory="中国 China", starts="2026-05-01", ends="2027-04-30",
        fee="12000.00", at=day(42),
    )  # fmt: skip
    trade = licensing.record_trade(
        app.pk, actor=owner, exchange="上海数据交易所", contract_reference="SDE-1",
        traded_on="2026-05-02", amount="90000", at=day(43),
    )  # fmt: skip
    licensing.record_revenue(
        app.pk, actor=owner, period_start="2026-04-01", period_end="2026-04-30", amount="800",
        at=day(43),
    )  # fmt: skip
    pledge = pledges.pledge(
        app.pk, actor=owner, pledgee_id=bank.holder.pk, amount="500000", starts="2026-05-01",
        ends="2027-04-30", contract_reference="ZY-7", at=day(44),
    )  # fmt: skip
    pledges.record_valuation(
        app.pk, actor=owner, method="income", evaluator="某评估公司", valued_on="2026-05-01",
        value="1000000", pledge_id=pledge.pk, trade_id=trade.pk, at=day(44),
    )  # fmt: skip
    pledges.consent(pledge.pk, actor=bank.actor, purpose="transfer", at=day(45))
    transfer = changes.propose_transfer(
        app.pk, actor=owner, assignee_id=personas.other_applicant.holder.pk,
        contract_date="2026-05-05", effective_date="2026-05-06", price="300000", at=day(46),
    )  # fmt: skip
    changes.confirm_transfer(transfer.pk, actor=personas.other_applicant.actor, at=day(47))
    record_due_certificate(app.pk)  # version 3
    # A second application, announced, with an objection filed and one dismissed.
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = publicity.file_objection(
        announced.pk, actor=personas.objector.actor, user=personas.objector.user,
        ground="other", statement="异议 objection", at=day(8),
    )  # fmt: skip
    publicity.dismiss_objection(objection.pk, actor=examiner, reason="无据 unfounded", at=day(9))
    second = publicity.file_objection(
        announced.pk, actor=personas.objector.actor, user=personas.objector.user,
        ground="untrue_materials", statement="再次异议", at=day(10),
    )  # fmt: skip
    publicity.answer_objection(
        second.pk, actor=owner, user=personas.applicant.user, statement="答辩 our answer",
        evidence=[("licence.pdf", io.BytesIO(b"%PDF-1.4 answer"))], at=day(11),
    )  # fmt: skip
    manifest = manifest_of(make_tree(tmp_path / "data", files(3, "f", 2)))
    deposit = deposits.create_deposit(
        actor=owner, user=personas.applicant.user, content=io.BytesIO(encoded(manifest))
    )
    app.refresh_from_db()
    announced.refresh_from_db()
    pledge.refresh_from_db()
    return Registry(app, announced, licence, pledge, deposit, bank)


@pytest.fixture
def registry(personas: Personas, tmp_path: Path) -> Registry:
    return build(personas, tmp_path)


def test_a_registry_built_through_the_services_audits_clean(registry: Registry) -> None:
    result = audit()
    assert [f.message("en") for f in result.findings] == []
    assert result.notes == []  # every payload carries what the replay needs
    assert registry.registered.certificate_version == 2
    assert Certificate.objects.filter(application=registry.registered).count() == 3
    assert PledgeConsent.objects.get().used_at is not None  # used by the transfer
    assert ApplicationHolder.objects.get(application=registry.registered).holder_id == (
        Transfer.objects.get().assignee_id
    )
    # applications, holders, panel seats, objections, change, transfer, licence, trade,
    # revenue, pledge, consent, valuation, 3 certificates, 1 deposit
    assert result.report.rows >= 2 + 1 + 6 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 3 + 1
    assert result.report.ok


def test_a_made_up_registration_is_named(registry: Registry) -> None:
    pk = registry.announced.pk
    Application.objects.filter(pk=pk).update(
        status=Status.REGISTERED, registration_number="2026010100000017"
    )
    result = audit()
    assert result.named() == {
        ("registry_application", pk, "status"),
        ("registry_application", pk, "registration_number"),
    }
    by_field = {f.params["field"]: f for f in result.findings}
    assert by_field["status"].params["value"] == "registered"
    assert by_field["status"].params["expected"] == "under_publicity"
    assert by_field["registration_number"].params["expected"] is None
    assert by_field["status"].message("en") == (
        f"registry_application #{pk}: status is 'registered', but the events say 'under_publicity'"
    )
    assert by_field["status"].message("zh") == (
        f"registry_application #{pk}：status 为 'registered'，但事件表明应为 'under_publicity'"
    )
    assert not result.report.ok


def test_a_changed_validity_is_named(registry: Registry) -> None:
    app = registry.registered
    assert app.valid_until is not None
    longer = app.valid_until + timedelta(days=365)
    Application.objects.filter(pk=app.pk).update(valid_until=longer)
    [finding] = audit().findings
    assert finding.params == {
        "table": "registry_application",
        "row": app.pk,
        "field": "valid_until",
        "value": longer.isoformat(),
        "expected": app.valid_until.isoformat(),
    }


def test_an_objection_reference_or_answer_changed_without_an_event_is_named(
    registry: Registry,
) -> None:
    first, second = Objection.objects.filter(application=registry.announced).order_by("id")
    filed = timezone.localtime(second.filed_at).date()
    assert second.reference
    assert second.decision_due == filed + timedelta(days=60)
    Objection.objects.filter(pk=first.pk).update(reference="YY20263100999999")
    ObjectionAnswer.objects.filter(objection=second).update(answered_at=day(30))
    assert audit().named() == {
        ("registry_objection", first.pk, "reference"),
        ("registry_objection", second.pk, "answer__answered_at"),
    }


def test_a_pledge_released_without_an_event_is_named(registry: Registry) -> None:
    Pledge.objects.filter(pk=registry.pledge.pk).update(
        status="released", released_on=day(50).date()
    )
    result = audit()
    assert result.named() == {
        ("registry_pledge", registry.pledge.pk, "status"),
        ("registry_pledge", registry.pledge.pk, "released_on"),
    }


def test_a_licence_inserted_without_an_event_is_named(registry: Registry) -> None:
    made_up = Licence.objects.create(
        application=registry.registered,
        licensee_id=registry.bank.holder.pk,
        kind="exclusive",
        scope="全部",
        territory="nationwide",
        starts=day(60).date(),
        ends=day(400).date(),
        amount=0,
        recorded_at=day(60),
    )
    [finding] = audit().findings
    assert (finding.code, finding.params) == (
        "row_unlogged",
        {"table": "registry_licence", "row": made_up.pk},
    )
    assert finding.message("en") == f"registry_licence #{made_up.pk} has no event behind it"
    assert finding.message("zh") == f"registry_licence #{made_up.pk} 没有任何事件为据"


def test_a_bumped_certificate_version_is_named(registry: Registry) -> None:
    app = registry.registered
    Application.objects.filter(pk=app.pk).update(certificate_version=F("certificate_version") + 1)
    newest = Certificate.objects.filter(application=app).order_by("-version").first()
    assert newest is not None
    Certificate.objects.filter(pk=newest.pk).update(version=7)
    result = audit()
    assert result.named() == {
        ("registry_application", app.pk, "certificate_version"),
        ("certificates_certificate", newest.pk, "version"),
    }
    by_field = {f.params["field"]: f.params for f in result.findings}
    assert (by_field["certificate_version"]["value"], by_field["version"]["value"]) == (3, 7)
    assert (by_field["certificate_version"]["expected"], by_field["version"]["expected"]) == (2, 3)


def test_a_changed_deposit_is_named(registry: Registry) -> None:
    with behind_the_triggers(connection):  # deposits are append-only: only a tamperer gets here
        Deposit.objects.filter(pk=registry.deposit.pk).update(
            byte_count=F("byte_count") + 1, root="0" * 64
        )
    result = audit()
    assert result.named() == {
        ("deposits_deposit", registry.deposit.pk, "byte_count"),
        ("deposits_deposit", registry.deposit.pk, "root"),
    }


def test_the_command_exits_non_zero_and_names_the_row_in_both_languages(
    registry: Registry,
) -> None:
    pk = registry.announced.pk
    Application.objects.filter(pk=pk).update(
        status=Status.REGISTERED, registration_number="2026010100000017"
    )
    result = CliRunner().invoke(cli, ["audit"])
    assert result.exit_code == 1, result.output
    assert (
        f"registry_application #{pk}: status is 'registered', but the events say "
        "'under_publicity'" in result.output
    )
    assert f"registry_application #{pk}：status 为 'registered'，但事件表明应为" in result.output
    assert "2 finding(s)" in result.output
    assert "派生记录" in result.output


def test_events_from_before_the_payload_fields_are_checked_as_far_as_they_go(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A licence logged as an older release did (no licensee, fee, currency in the payload):
    nothing is guessed, no false alarm; what could not be checked is said; what could, is."""
    create_record = record_services.create_record

    def older(*args: Any, payload: Any, **kwargs: Any) -> Any:
        def trimmed(record: Any) -> dict[str, Any]:
            made = payload(record)
            return {k: v for k, v in made.items() if k in {"licence", "kind", "starts", "ends"}}

        return create_record(*args, payload=trimmed, **kwargs)

    app = at_stage(personas, Status.REGISTERED)
    monkeypatch.setattr(licensing, "create_record", older)
    licence = licensing.grant_licence(
        app.pk, actor=personas.applicant.actor, licensee_id=personas.other_applicant.holder.pk,
        kind="ordinary", scope="分析", territory="中国", starts="2026-05-01", ends="2027-04-30",
        fee="5000", at=day(42),
    )  # fmt: skip
    result = audit()
    assert result.findings == []
    assert {(n.params["table"], n.params["field"], n.params["count"]) for n in result.notes} == {
        ("registry_licence", "licensee_id", 1),
        ("registry_licence", "amount", 1),
        ("registry_licence", "currency", 1),
    }
    english = sorted(n.message("en") for n in result.notes)
    assert english[0] == (
        "not checked: 1 value(s) of registry_licence.amount (their events were recorded before "
        "the payload carried them)"
    )
    assert "未核对：registry_licence.amount 的 1 个值" in "".join(
        n.message("zh") for n in result.notes
    )
    Licence.objects.filter(pk=licence.pk).update(ends=day(900).date())
    assert audit().named() == {("registry_licence", licence.pk, "ends")}


def test_an_altered_event_is_named_once_and_its_application_not_replayed(
    registry: Registry,
) -> None:
    from tests.ledger._support import tamper

    event = registry.announced.events.get(action="announce")
    tamper("UPDATE registry_event SET to_status = %s WHERE id = %s", ["registered", event.pk])
    result = audit()
    assert result.findings  # the event itself is named...
    assert {f.params.get("event") for f in result.findings} == {event.pk}
    # ... and its application's rows are not blamed for it (status would differ otherwise)
    assert not any(isinstance(f, ReplayFinding) for f in result.findings)
    assert [n.params for n in result.notes] == [{"application": registry.announced.pk}]
    assert "未重放：申请" in result.notes[0].message("zh")


def test_shares_edited_during_a_correction_are_no_false_alarm(personas: Personas) -> None:
    """Shares change unlogged while a correction is asked for; withdrawn before resubmitting,
    the application's shares were never logged again, so they are not held against it."""
    from dataip.registry.services import applications as filing
    from dataip.registry.services import examination

    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    owner = personas.applicant.actor
    examination.request_correction(
        app.pk, actor=personas.examiner.actor, reason="补充材料", at=day(3)
    )
    filing.set_holders(
        app.pk, actor=owner, shares={personas.applicant.holder.pk: 60,
                                     personas.other_applicant.holder.pk: 40}, at=day(4),
    )  # fmt: skip
    filing.withdraw(app.pk, actor=owner, at=day(5))
    assert audit().findings == []
    ApplicationHolder.objects.filter(application=app).update(share=50)
    assert audit().findings == []  # honestly unknowable: the edit was never an event
    Application.objects.filter(pk=app.pk).update(decided_at=None)
    assert audit().named() == {("registry_application", app.pk, "decided_at")}


def test_an_edited_product_or_material_is_named(registry: Registry) -> None:
    """The product after its approved change, and the announced one as submitted."""
    from dataip.registry.models import DataProduct, Material

    changed = registry.registered.product_id
    DataProduct.objects.filter(pk=changed).update(summary="悄悄改过的摘要")
    material = Material.objects.filter(application=registry.announced).first()
    assert material is not None
    Material.objects.filter(pk=material.pk).update(withdrawn_at=day(20))
    result = audit()
    assert result.named() == {
        ("registry_dataproduct", changed, "content"),
        ("registry_material", f"sha256 {material.sha256}", None),
    }
    missing = next(f for f in result.findings if f.code == "row_missing")
    submitted = registry.announced.events.get(action="submit")
    assert missing.params["event"] == submitted.pk
    assert missing.message("zh") == (
        f"事件 #{submitted.pk} 创建的 registry_material #sha256 {material.sha256} 不存在"
    )


def test_a_revocations_document_swapped_without_an_event_is_named(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    lifecycle.revoke(
        app.pk,
        actor=personas.registrar.actor,
        reason="法院判决",
        reference="(2026)沪73民初1号",
        decision=[("判决书.pdf", io.BytesIO(PDF))],
        at=day(60),
    )
    assert audit().named() == set()
    document = DecisionDocument.objects.get()
    DecisionDocument.objects.filter(pk=document.pk).update(sha256="0" * 64)
    result = audit()
    assert result.named() == {
        ("registry_decisiondocument", document.pk, None),
        ("registry_decisiondocument", f"sha256 {document.sha256}", None),
    }
    missing = next(f for f in result.findings if f.code == "row_missing")
    assert missing.params["event"] == app.events.get(action="revoke").pk


def test_requests_for_consent_are_replayed_and_a_changed_answer_is_named(
    registry: Registry, personas: Personas
) -> None:
    # the right was transferred to Beta in build()
    owner, bank = personas.other_applicant.actor, registry.bank.actor
    given = pledges.request_consent(
        registry.pledge.pk, actor=owner, purpose="cancellation", note="拟注销", at=day(50)
    )
    refused = pledges.request_consent(
        registry.pledge.pk, actor=owner, purpose="exclusive_licence", at=day(50)
    )
    pledges.give_requested_consent(given.pk, actor=bank, at=day(51))
    pledges.refuse_consent(refused.pk, actor=bank, reason="贷款未清偿", at=day(51))
    assert audit().named() == set()
    ConsentRequest.objects.filter(pk=refused.pk).update(status="given", refusal_reason="")
    assert audit().named() == {
        ("registry_consentrequest", refused.pk, "status"),
        ("registry_consentrequest", refused.pk, "refusal_reason"),
    }


def test_sealed_records_are_replayed_and_a_changed_number_is_named(registry: Registry) -> None:
    bank = registry.bank.actor
    statement = issue_encumbrance_statement(
        registry.registered.registration_number or "", actor=bank
    )
    certificate = pledge_certificate(registry.pledge.pk, actor=bank)
    assert audit().named() == set()
    IssuedRecord.objects.filter(pk=statement.pk).update(number="CX202600000099")
    IssuedRecord.objects.filter(pk=certificate.pk).update(data='{"forged": true}')
    assert audit().named() == {
        ("certificates_issuedrecord", statement.pk, "number"),
        ("certificates_issuedrecord", certificate.pk, "data"),
    }
