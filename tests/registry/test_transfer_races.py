"""Transfers and licences decided twice at once: exactly one decision stands. PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from dataip.registry.models import Licence, RecordStatus, Transfer, TransferConfirmation
from dataip.registry.services import applications as filing
from dataip.registry.services import changes, licensing
from dataip.registry.workflow import Status
from tests.registry.test_concurrency import run_together
from tests.support.builders import at_stage, day, draft
from tests.support.personas import Personas, make_holder, make_person
from tests.web._builders import advance

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_the_last_confirmation_and_a_withdrawal_cannot_both_succeed(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    gamma = make_person("gamma", make_holder(3, "Gamma"))
    transfer = changes.propose_transfer(
        app.pk,
        actor=personas.applicant.actor,
        assignee_id=gamma.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-01",
    )
    results = run_together(
        lambda: changes.confirm_transfer(transfer.pk, actor=gamma.actor),
        lambda: changes.cancel_transfer(transfer.pk, actor=personas.applicant.actor),
    )
    assert results.count("ok") == 1, results
    transfer.refresh_from_db()
    holders = list(app.holders.values_list("holder_id", flat=True))
    if transfer.status == RecordStatus.CONFIRMED:
        assert holders == [gamma.holder.pk]
        assert TransferConfirmation.objects.count() == 1
    else:
        assert transfer.status == RecordStatus.CANCELLED
        assert holders == [personas.applicant.holder.pk]
        assert not TransferConfirmation.objects.exists()
    decided = app.events.filter(action__in=["confirm_transfer", "cancel_transfer"])
    assert decided.count() == 1


def test_two_parties_confirming_at_once_make_the_transfer_take_effect_once(
    personas: Personas,
) -> None:
    app = draft(personas)
    alpha, beta = personas.applicant, personas.other_applicant
    filing.set_holders(
        app.pk, actor=alpha.actor, shares={alpha.holder.pk: 50, beta.holder.pk: 50}, at=day(0)
    )
    app = advance(personas, app, Status.REGISTERED)
    gamma = make_person("gamma", make_holder(3, "Gamma"))
    transfer = changes.propose_transfer(
        app.pk,
        actor=alpha.actor,
        assignee_id=gamma.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-01",
    )
    results = run_together(
        lambda: changes.confirm_transfer(transfer.pk, actor=gamma.actor),
        lambda: changes.confirm_transfer(transfer.pk, actor=beta.actor),
    )
    assert results == ["ok", "ok"]
    transfer.refresh_from_db()
    assert transfer.status == RecordStatus.CONFIRMED
    assert list(app.holders.values_list("holder_id", "share")) == [(gamma.holder.pk, Decimal(100))]
    actions = sorted(
        app.events.filter(action__in=["agree_to_transfer", "confirm_transfer"]).values_list(
            "action", flat=True
        )
    )
    assert actions == ["agree_to_transfer", "confirm_transfer"]
    assert Transfer.objects.filter(status=RecordStatus.PENDING).count() == 0


def test_a_licence_ended_twice_at_once_is_ended_once(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    licence = licensing.grant_licence(
        app.pk,
        actor=personas.applicant.actor,
        licensee_id=personas.other_applicant.holder.pk,
        kind="ordinary",
        scope="分析",
        territory="全国",
        starts="2026-05-01",
        ends="2026-12-31",
    )
    results = run_together(
        *[
            lambda reason=reason: licensing.end_licence(
                licence.pk, actor=personas.applicant.actor, reason=reason
            )
            for reason in ("甲", "乙")
        ]
    )
    # The loser is refused under the lock (Conflict), or before it if the winner was quicker.
    assert results[1] == "ok"
    assert results[0] in {"Conflict", "NotFound"}
    assert app.events.filter(action="end_licence").count() == 1
    ended = Licence.objects.get(pk=licence.pk)
    assert ended.ended_on is not None
    assert app.events.get(action="end_licence").reason == ended.end_reason
