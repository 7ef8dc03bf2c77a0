"""Post-registration events: a mix of everything done to registered rights, vs bare inserts.

Each registration goes round a cycle of twenty events through the services (workflow check
under the row lock, the rights guards, the record, the event and its ledger leaf, the search
index where the action touches it): trades, service revenue, licences granted and ended,
valuations, a pledge and its release, a change requested and approved by an examiner, a
transfer to another holder and back (each confirmed by its assignee), and a renewal in the
renewal window. The baseline inserts the same record rows, event rows and ledger rows with
plain ORM calls, one transaction per event, in the same database in the same run.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

CYCLE = (
    "trade",
    "revenue",
    "licence",
    "valuation",
    "pledge",
    "trade",
    "revenue",
    "release_pledge",
    "request_change",
    "approve_change",
    "licence",
    "valuation",
    "propose_transfer",
    "confirm_transfer",
    "propose_transfer_back",
    "confirm_transfer_back",
    "trade",
    "revenue",
    "renew",
    "end_licence",
)
"""The events of one round on one registration, in order (each needs the ones before)."""

T0 = datetime(2026, 5, 1, 2, tzinfo=UTC)


@dataclass
class Parties:
    """Who acts: the first holder, a second holder (transfers), a bank, an examiner."""

    holder: Any
    holder_id: int
    other: Any
    other_id: int
    bank: Any
    bank_id: int
    examiner: Any


@dataclass
class State:
    """What one registration's next events need from its earlier ones."""

    valid_until: date
    licence: int = 0
    licence_starts: date = date(2026, 5, 1)
    pledge: int = 0
    change: int = 0
    transfer: int = 0
    rounds: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def run() -> list[str]:
    """Apply the events, then the baseline; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    count = max(200, int(100_000 * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    registrations, parties = _registrations(max(5, count // 1000))
    from dataip.registry.models import Application

    states = {
        pk: State(valid_until=until)
        for pk, until in Application.objects.filter(pk__in=registrations).values_list(
            "pk", "valid_until"
        )
    }
    steps = [
        (registrations[n % len(registrations)], CYCLE[(n // len(registrations)) % len(CYCLE)])
        for n in range(count)
    ]
    started = time.perf_counter()
    for n, (pk, step) in enumerate(steps):
        _event(n, step, pk, states[pk], parties)
    seconds = time.perf_counter() - started
    rate = count / seconds
    bare_seconds = _bare(steps)
    bare = count / bare_seconds
    mix = ", ".join(f"{CYCLE.count(s)} {s}" for s in dict.fromkeys(CYCLE))
    return [
        f"post-registration events through the services: {rate:,.0f} events/s "
        f"({count:,} events over {len(registrations)} registrations in {seconds:.1f} s)",
        f"  each round of {len(CYCLE)}: {mix}",
        f"bare ORM inserts of the same record, event and ledger rows: {bare:,.0f} events/s "
        f"({bare_seconds:.1f} s)",
        f"ratio: {rate / bare:.2f} (aim: 0.25 or more)",
    ]


def _registrations(count: int) -> tuple[list[int], Parties]:
    from bench.bench_workflow import _drive, _prepare
    from dataip.accounts.models import User
    from dataip.registry.actors import actor_for
    from dataip.registry.services.applications import create_holder
    from tests.support.personas import valid_uscc

    people, drafts = _prepare(count, tag="rights")
    for pk in drafts:
        _drive(pk, people)
    bank = create_holder(
        kind="legal_person", name="Bench Bank", identifier=valid_uscc(9_999), province_code="31"
    )
    other = create_holder(
        kind="legal_person", name="Bench Buyer", identifier=valid_uscc(9_998), province_code="31"
    )
    banker = User.objects.create(username="bench-banker", holder=bank)
    buyer = User.objects.create(username="bench-buyer", holder=other)
    holder = people["applicant"]
    [holder_id] = holder.holder_ids
    parties = Parties(
        holder=holder,
        holder_id=holder_id,
        other=actor_for(buyer),
        other_id=other.pk,
        bank=actor_for(banker),
        bank_id=bank.pk,
        examiner=people["examiner"],
    )
    return drafts, parties


def _event(n: int, step: str, pk: int, state: State, p: Parties) -> None:
    from dataip.registry.services import changes, licensing, lifecycle, pledges

    day = date(2026, 5, 1) + timedelta(days=n % 300)
    if step == "trade":
        licensing.record_trade(
            pk,
            actor=p.holder,
            exchange="上海数据交易所",
            contract_reference=f"T{n}",
            traded_on=day,
            amount="1000.00",
            at=T0,
        )
    elif step == "revenue":
        licensing.record_revenue(
            pk, actor=p.holder, period_start=day, period_end=day, amount="10", at=T0
        )
    elif step == "licence":
        licence = licensing.grant_licence(
            pk,
            actor=p.holder,
            licensee_id=p.bank_id,
            kind="ordinary",
            scope="分析",
            territory="31",
            starts=day,
            ends=day + timedelta(days=365),
            fee="1",
            at=T0,
        )
        state.licence, state.licence_starts = licence.pk, day
    elif step == "end_licence":
        licensing.end_licence(
            state.licence, actor=p.holder, reason="合同终止", on=state.licence_starts, at=T0
        )
    elif step == "valuation":
        pledges.record_valuation(
            pk,
            actor=p.holder,
            method="cost",
            evaluator="评估公司",
            valued_on=day,
            value="100000",
            at=T0,
        )
    elif step == "pledge":
        state.pledge = pledges.pledge(
            pk,
            actor=p.holder,
            pledgee_id=p.bank_id,
            amount="5000",
            starts=day,
            ends=day + timedelta(days=180),
            contract_reference=f"P{n}",
            at=T0,
        ).pk
    elif step == "release_pledge":
        pledges.release_pledge(state.pledge, actor=p.bank, reason="贷款已清偿", on=day, at=T0)
    elif step == "request_change":
        state.change = changes.request_change(
            pk, actor=p.holder, values={"summary": f"经清洗与融合的出行数据（第{n}版）。"}, at=T0
        ).pk
    elif step == "approve_change":
        changes.approve_change(state.change, actor=p.examiner, at=T0)
    elif step in {"propose_transfer", "propose_transfer_back"}:
        back = step.endswith("back")
        state.transfer = changes.propose_transfer(
            pk,
            actor=p.other if back else p.holder,
            assignee_id=p.holder_id if back else p.other_id,
            contract_date=day,
            effective_date=day,
            price="20000",
            at=T0,
        ).pk
    elif step in {"confirm_transfer", "confirm_transfer_back"}:
        back = step.endswith("back")
        changes.confirm_transfer(state.transfer, actor=p.holder if back else p.other, at=T0)
    elif step == "renew":
        # Inside the renewal window, which opens 90 days before the end of validity.
        when = datetime.combine(state.valid_until - timedelta(days=10), clock_time(2), UTC)
        renewed = lifecycle.renew(pk, actor=p.holder, at=when)
        assert renewed.valid_until is not None
        state.valid_until = renewed.valid_until
    else:
        raise ValueError(step)


RECORDS = {
    "trade": "Trade",
    "revenue": "ServiceRevenue",
    "licence": "Licence",
    "valuation": "Valuation",
    "pledge": "Pledge",
    "request_change": "ChangeRequest",
    "propose_transfer": "Transfer",
    "propose_transfer_back": "Transfer",
    "confirm_transfer": "TransferConfirmation",
    "confirm_transfer_back": "TransferConfirmation",
}
"""The record row each event creates (the others change rows already there)."""

ACTIONS = {
    "trade": "record_trade",
    "revenue": "record_revenue",
    "licence": "grant_licence",
    "end_licence": "end_licence",
    "valuation": "record_valuation",
    "pledge": "pledge",
    "release_pledge": "release_pledge",
    "request_change": "request_change",
    "approve_change": "approve_change",
    "propose_transfer": "propose_transfer",
    "propose_transfer_back": "propose_transfer",
    "confirm_transfer": "confirm_transfer",
    "confirm_transfer_back": "confirm_transfer",
    "renew": "renew",
}


def _bare(steps: list[tuple[int, str]]) -> float:
    """Seconds to insert the same rows with plain ORM calls, one transaction per event."""
    from django.db import transaction
    from django.db.models import Max

    from dataip.ledger.models import LogEntry, LogNode
    from dataip.registry import models as registry
    from dataip.registry.models import Event, Holder, TransferConfirmation

    templates = {
        step: getattr(registry, name).objects.order_by("id").first()
        for step, name in RECORDS.items()
    }
    fields = {
        step: {
            f.attname: getattr(t, f.attname) for f in t._meta.concrete_fields if not f.primary_key
        }
        for step, t in templates.items()
        if t is not None
    }
    events = {
        action: Event.objects.filter(action=action).order_by("-id")[0]
        for action in set(ACTIONS.values())
    }
    nodes_per_event = max(1, round(LogNode.objects.count() / LogEntry.objects.count()))
    index = (LogEntry.objects.aggregate(m=Max("index"))["m"] or 0) + 1
    body = LogEntry.objects.order_by("-index").values_list("body", flat=True).first() or "{}"
    # A confirmation is unique per transfer and party: each one confirms a transfer the
    # baseline inserted just before, by a party of its own.
    parties = list(Holder.objects.values_list("pk", flat=True)[:2])
    last_transfer: dict[int, int] = {}
    started = time.perf_counter()
    for pk, step in steps:
        event = events[ACTIONS[step]]
        with transaction.atomic():
            if step in fields:
                if RECORDS[step] == "TransferConfirmation":
                    TransferConfirmation.objects.create(
                        **{
                            **fields[step],
                            "transfer_id": last_transfer[pk],
                            "holder_id": parties[step.endswith("back")],
                        }
                    )
                else:
                    record = getattr(registry, RECORDS[step]).objects.create(**fields[step])
                    if RECORDS[step] == "Transfer":
                        last_transfer[pk] = record.pk
            LogEntry.objects.create(
                index=index, leaf_hash=f"{index:064x}", body=body, created_at=event.occurred_at
            )
            for level in range(nodes_per_event):
                LogNode.objects.create(level=40 + level, index=index, hash="0" * 64)
            Event.objects.create(
                application_id=pk,
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_id=event.actor_id,
                actor_role=event.actor_role,
                occurred_at=event.occurred_at,
                payload=event.payload,
                payload_digest=event.payload_digest,
                leaf_index=index,
                openings=event.openings,
            )
            index += 1
    return time.perf_counter() - started
