"""Quotas counted on the database: objections per person per announcement, drafts per
organisation per day. A refusal is a RateLimited error and leaves no row behind."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dataip.errors import RateLimited
from dataip.registry.models import Application, DataProduct, Objection, ObjectionEvidence
from dataip.registry.services import applications as filing
from dataip.registry.services import publicity
from dataip.registry.workflow import Status
from tests.support.builders import PDF, at_stage, day, draft
from tests.support.personas import Person, Personas

pytestmark = pytest.mark.django_db


def _object(app: Application, who: Person, statement: str = "异议") -> Objection:
    return publicity.file_objection(
        app.pk,
        actor=who.actor,
        user=who.user,
        ground="other",
        statement=statement,
        evidence=[("proof.pdf", io.BytesIO(PDF))],
        at=day(8),
    )


def test_one_person_files_at_most_the_quota_of_objections_per_announcement(
    personas: Personas, settings: Any
) -> None:
    settings.DATAIP_LIMIT_OBJECTIONS_PER_ANNOUNCEMENT = 2
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    _object(announced, personas.objector, "一")
    _object(announced, personas.objector, "二")
    with pytest.raises(RateLimited) as caught:
        _object(announced, personas.objector, "三")
    refused = caught.value
    assert refused.http_status == 429
    assert refused.code == "rate_limited"
    assert refused.limit == "objections_per_announcement"
    assert refused.retry_after is None  # waiting does not lift it
    assert refused.message.params == {"most": 2}
    # Nothing of the refused objection was kept: no row, no file, no event.
    assert Objection.objects.filter(application=announced).count() == 2
    assert ObjectionEvidence.objects.filter(objection__application=announced).count() == 2
    assert announced.events.filter(action="file_objection").count() == 2
    # Someone else may still object, and the same person may object to another announcement.
    _object(announced, personas.other_applicant)
    _object(at_stage(personas, Status.UNDER_PUBLICITY), personas.objector)


def test_the_objection_quota_can_be_lifted(personas: Personas, settings: Any) -> None:
    settings.DATAIP_LIMIT_OBJECTIONS_PER_ANNOUNCEMENT = 0
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    for n in range(4):
        _object(announced, personas.objector, f"异议{n}")
    assert Objection.objects.filter(application=announced).count() == 4


def test_an_organisation_starts_at_most_its_daily_quota_of_drafts(
    personas: Personas, settings: Any
) -> None:
    settings.DATAIP_LIMIT_DRAFTS_PER_DAY = 3
    for _ in range(3):
        draft(personas, complete=False)
    products = DataProduct.objects.count()
    with pytest.raises(RateLimited) as caught:
        draft(personas, complete=False)
    refused = caught.value
    assert refused.limit == "drafts_per_day"
    assert refused.message.params == {"most": 3}
    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert refused.retry_after is not None
    assert abs(refused.retry_after - (midnight - now).total_seconds()) <= 2
    # No partial state: neither the application nor its product.
    assert Application.objects.filter(filed_by=personas.applicant.holder).count() == 3
    assert DataProduct.objects.count() == products
    # Another organisation is not held back by Alpha's quota.
    beta = personas.other_applicant
    filing.create_draft(actor=beta.actor, user=beta.user, kind="data_collection")
    assert Application.objects.filter(filed_by=beta.holder).count() == 1


def test_drafts_of_earlier_days_do_not_count(personas: Personas, settings: Any) -> None:
    settings.DATAIP_LIMIT_DRAFTS_PER_DAY = 2
    first, second = draft(personas, complete=False), draft(personas, complete=False)
    with pytest.raises(RateLimited):
        draft(personas, complete=False)
    yesterday = timezone.now() - timedelta(days=1)
    Application.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=yesterday)
    draft(personas, complete=False)
    assert Application.objects.filter(filed_by=personas.applicant.holder).count() == 3
