"""Post-registration events: mixed trades, revenue, licences, pledges, vs bare ORM inserts.

The events go through the service layer (workflow check, row lock, event and ledger leaf per
event); the baseline inserts the same record rows, event rows and ledger rows with plain ORM
calls, one transaction per event, in the same database in the same run.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

KINDS = ("trade", "revenue", "licence", "pledge", "valuation")


def run() -> list[str]:
    """Apply the events, then the baseline; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    count = max(50, int(100_000 * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    registrations, holder, bank = _registrations(max(5, count // 1000))
    started = time.perf_counter()
    for n in range(count):
        _event(n, registrations[n % len(registrations)], holder, bank)
    rate = count / (time.perf_counter() - started)
    bare = _bare(count, registrations)
    return [
        f"post-registration events: {rate:,.0f} events/s ({count:,} events over "
        f"{len(registrations)} registrations)",
        f"bare ORM inserts of the same rows: {bare:,.0f} events/s",
        f"ratio: {rate / bare:.2f}",
    ]


def _registrations(count: int) -> tuple[list[int], Any, Any]:
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
    banker = User.objects.create(username="bench-banker", holder=bank)
    return drafts, people["applicant"], (bank.pk, actor_for(banker))


T0 = datetime(2026, 5, 1, 2, tzinfo=UTC)


def _event(n: int, pk: int, holder: Any, bank: Any) -> None:
    from dataip.registry.services import licensing, pledges

    kind = KINDS[n % len(KINDS)]
    day = date(2026, 5, 1) + timedelta(days=n % 300)
    if kind == "trade":
        licensing.record_trade(
            pk,
            actor=holder,
            exchange="上海数据交易所",
            contract_reference=f"T{n}",
            traded_on=day,
            amount="1000.00",
            at=T0,
        )
    elif kind == "revenue":
        licensing.record_revenue(
            pk, actor=holder, period_start=day, period_end=day, amount="10", at=T0
        )
    elif kind == "licence":
        licensing.grant_licence(
            pk,
            actor=holder,
            licensee_id=bank[0],
            kind="ordinary",
            scope="分析",
            territory="上海",
            starts=day,
            ends=day,
            fee="1",
            at=T0,
        )
    elif kind == "pledge":
        pledges.pledge(
            pk,
            actor=holder,
            pledgee_id=bank[0],
            amount="5000",
            starts=day,
            ends=day,
            contract_reference=f"P{n}",
            at=T0,
        )
    else:
        pledges.record_valuation(
            pk,
            actor=holder,
            method="cost",
            evaluator="评估公司",
            valued_on=day,
            value="100000",
            at=T0,
        )


def _bare(count: int, registrations: list[int]) -> float:
    from django.db import transaction
    from django.db.models import Max

    from dataip.ledger.models import LogEntry, LogNode
    from dataip.registry.models import Event, Licence, Pledge, ServiceRevenue, Trade, Valuation

    models: dict[str, Any] = {
        "trade": Trade,
        "revenue": ServiceRevenue,
        "licence": Licence,
        "pledge": Pledge,
        "valuation": Valuation,
    }
    templates = {k: m.objects.order_by("id").first() for k, m in models.items()}
    events = {
        e.action: e
        for e in Event.objects.filter(
            action__in=[
                "record_trade",
                "record_revenue",
                "grant_licence",
                "pledge",
                "record_valuation",
            ]
        ).order_by("-id")
    }
    actions = {
        "trade": "record_trade",
        "revenue": "record_revenue",
        "licence": "grant_licence",
        "pledge": "pledge",
        "valuation": "record_valuation",
    }
    nodes_per_event = max(1, round(LogNode.objects.count() / LogEntry.objects.count()))
    index = (LogEntry.objects.aggregate(m=Max("index"))["m"] or 0) + 1
    body = LogEntry.objects.order_by("-index").values_list("body", flat=True).first() or "{}"
    fields = {
        k: {f.attname: getattr(t, f.attname) for f in t._meta.concrete_fields if not f.primary_key}
        for k, t in templates.items()
        if t is not None
    }
    started = time.perf_counter()
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        event = events[actions[kind]]
        with transaction.atomic():
            models[kind].objects.create(**fields[kind])
            LogEntry.objects.create(
                index=index, leaf_hash=f"{index:064x}", body=body, created_at=event.occurred_at
            )
            for level in range(nodes_per_event):
                LogNode.objects.create(level=40 + level, index=index, hash="0" * 64)
            Event.objects.create(
                application_id=event.application_id,
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_id=event.actor_id,
                actor_role=event.actor_role,
                occurred_at=event.occurred_at,
                payload=event.payload,
                payload_digest=event.payload_digest,
                leaf_index=index,
            )
            index += 1
    return count / (time.perf_counter() - started)
