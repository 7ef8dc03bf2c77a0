"""The staff queue of requests after registration (登记后待办): what waits, for whom, and until
when the regime allows; overdue ones flagged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dataip.registry import clock
from dataip.registry.models import Application
from dataip.registry.queries.staff import Pending, pending_counts, pending_requests
from dataip.registry.regimes import load_regime
from dataip.registry.services import changes, pledges
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Personas, make_holder, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def test_each_kind_waits_with_the_regimes_deadline(
    personas: Personas, registered: Application
) -> None:
    regime = load_regime(registered.regime_code)
    holder = personas.applicant.actor
    change = changes.request_change(
        registered.pk, actor=holder, values={"name": "新名称"}, at=day(40)
    )
    transfer = changes.propose_transfer(
        registered.pk,
        actor=holder,
        assignee_id=personas.other_applicant.holder.pk,
        contract_date="2026-02-01",
        effective_date="2026-02-10",
        at=day(41),
    )
    bank = make_person("bank", make_holder(60, "Bank"))
    pledge = pledges.propose_pledge(
        registered.pk,
        actor=bank.actor,
        amount="1000000.00",
        starts="2026-03-01",
        ends="2027-02-28",
        contract_reference="LOAN-1",
        at=day(42),
    )
    today = clock.local_date(day(43))
    found = {item.kind: item for item in pending_requests(today)}
    assert set(found) == {Pending.CHANGE, Pending.TRANSFER, Pending.PLEDGE}
    since = clock.local_date(day(40))
    assert (found[Pending.CHANGE].record_id, found[Pending.CHANGE].since) == (change.pk, since)
    assert found[Pending.CHANGE].due == regime.change_decision.end(since)
    assert found[Pending.CHANGE].waits_for == "examiner"
    assert found[Pending.TRANSFER].record_id == transfer.pk
    assert found[Pending.TRANSFER].due == clock.local_date(day(41)) + timedelta(days=30)
    assert found[Pending.TRANSFER].waits_for == "assignee"
    assert found[Pending.PLEDGE].record_id == pledge.pk
    assert found[Pending.PLEDGE].waits_for == "holder"
    assert not any(item.overdue for item in found.values())
    assert [i.kind for i in pending_requests(today, kind="pledge")] == [Pending.PLEDGE]

    later = found[Pending.TRANSFER].due + timedelta(days=1)
    overdue = {item.kind for item in pending_requests(later) if item.overdue}
    assert {Pending.CHANGE, Pending.TRANSFER} <= overdue
    items = pending_requests(later)
    assert [i.due for i in items] == sorted(i.due for i in items), "earliest deadline first"
    assert pending_counts(items)["overdue"] == len(overdue)

    changes.approve_change(change.pk, actor=personas.examiner.actor)
    pledges.decline_pledge(pledge.pk, actor=holder, reason="不同意")
    assert {i.kind for i in pending_requests(today)} == {Pending.TRANSFER}


def test_renewals_in_their_window_and_validity_ended_unexpired(
    personas: Personas, registered: Application
) -> None:
    assert registered.valid_until is not None
    regime = load_regime(registered.regime_code)
    opens, closes = regime.renewal_window(registered.valid_until)
    assert pending_requests(opens - timedelta(days=1)) == []
    [renewal] = pending_requests(opens)
    assert (renewal.kind, renewal.since, renewal.due) == (Pending.RENEWAL, opens, closes)
    assert renewal.waits_for == "holder"
    assert not renewal.overdue
    [lapsed] = pending_requests(closes + timedelta(days=1))
    assert (lapsed.kind, lapsed.overdue, lapsed.waits_for) == (Pending.LAPSED, True, "system")
