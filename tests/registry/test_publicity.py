"""Public announcement, objections, registration, numbers and expiry."""

from __future__ import annotations

import io
from datetime import date

import pytest

from dataip.errors import GuardFailed, PermissionDenied, ValidationFailed
from dataip.registry.identifiers import parse_certificate_number, parse_registration_number
from dataip.registry.models import Objection
from dataip.registry.services import publicity
from dataip.registry.services.schedule import tick
from dataip.registry.workflow import SYSTEM, Status
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Personas


def test_the_announcement_lasts_as_the_regime_says(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    assert app.announcement_starts == date(2026, 3, 8)
    assert app.announcement_ends == date(2026, 3, 23)  # Shanghai: 15 calendar days


def test_tick_registers_when_the_announcement_ends_without_objection(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    assert tick(at=day(21)) == {}, "the last day of the announcement is still running"
    assert tick(at=day(22)) == {"register": 1}
    app.refresh_from_db()
    assert app.status == Status.REGISTERED
    assert app.registered_on == date(2026, 3, 24)
    assert app.valid_until == date(2029, 3, 23)  # three years
    assert tick(at=day(23)) == {}


def test_registration_numbers_follow_the_rules(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    assert app.registration_number is not None
    assert app.certificate_number is not None
    parts = parse_registration_number(app.registration_number, "iso7064-mod-37-36")
    assert (parts.year, parts.source, parts.registrant_type, parts.sequence) == (2026, "01", "1", 1)
    certificate = parse_certificate_number(app.certificate_number)
    assert (certificate.year, certificate.month, certificate.registry_code) == (2026, 4, "3100")


def test_anyone_but_the_applicant_may_object_while_the_announcement_runs(
    personas: Personas,
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    with pytest.raises(PermissionDenied):
        publicity.file_objection(
            app.pk,
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            ground="other",
            statement="self",
        )
    with pytest.raises(ValidationFailed) as caught:
        publicity.file_objection(
            app.pk,
            actor=personas.objector.actor,
            user=personas.objector.user,
            ground="made_up",
            statement="",
        )
    assert set(caught.value.errors) == {"ground", "statement"}
    objection = publicity.file_objection(
        app.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="ownership_dispute",
        statement="数据部分来源于本公司",
        evidence=[("contract.pdf", io.BytesIO(PDF))],
        at=day(8),
    )
    assert objection.evidence.get().size == len(PDF)
    with pytest.raises(GuardFailed, match="over"):
        publicity.file_objection(
            app.pk,
            actor=personas.objector.actor,
            user=personas.objector.user,
            ground="other",
            statement="too late",
            at=day(22),
        )


def test_an_upheld_objection_refuses_registration(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    first = publicity.file_objection(
        app.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="unlawful_source",
        statement="来源不合法",
        at=day(8),
    )
    second = publicity.file_objection(
        app.pk,
        actor=personas.other_applicant.actor,
        user=personas.other_applicant.user,
        ground="other",
        statement="另一异议",
        at=day(9),
    )
    app = publicity.uphold_objection(
        first.pk, actor=personas.examiner.actor, reason="成立", at=day(10)
    )
    assert app.status == Status.REJECTED
    assert Objection.objects.get(pk=second.pk).status == "moot"
    assert tick(at=day(40)) == {}


def test_objections_pending_at_the_end_go_to_review_then_dismissal_registers(
    personas: Personas,
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = publicity.file_objection(
        app.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="other",
        statement="异议",
        at=day(8),
    )
    assert tick(at=day(22)) == {"close_publicity": 1}
    app.refresh_from_db()
    assert app.status == Status.OBJECTION_REVIEW
    with pytest.raises(GuardFailed, match="objection"):
        publicity.register(app.pk, actor=SYSTEM, at=day(23))
    with pytest.raises(PermissionDenied):
        publicity.dismiss_objection(objection.pk, actor=personas.objector.actor, reason="x")
    app = publicity.dismiss_objection(
        objection.pk, actor=personas.examiner.actor, reason="证据不足", at=day(25)
    )
    assert app.status == Status.REGISTERED
    assert app.registration_number is not None


def test_registration_expires_when_validity_ends(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    assert app.valid_until is not None
    # The renewal window is open that day: the holder's members are reminded (once).
    assert tick(at=day(30 + 3 * 365)) == {"renewal_reminder": 1}
    assert tick(at=day(30 + 3 * 365 + 2)) == {"expire": 1}
    app.refresh_from_db()
    assert app.status == Status.EXPIRED


def test_validity_is_capped_by_the_source_agreement_where_the_regime_says(
    personas: Personas,
) -> None:
    from dataip.registry.regimes import load_regime

    beijing = load_regime("beijing")
    assert beijing.validity_end(date(2026, 4, 1), date(2027, 1, 31)) == date(2027, 1, 31)
    shanghai = load_regime("shanghai")
    assert shanghai.validity_end(date(2026, 4, 1), date(2027, 1, 31)) == date(2029, 3, 31)
