"""Registry workflow: applications from submission to registration, vs bare ORM inserts.

Each application goes through the real service layer: submit, formal examination, expert
panel (three assignments, three opinions), approval, announcement and registration — twelve
transitions, each its own transaction with its event and ledger leaf. The baseline inserts the
same rows (events, ledger entries and nodes, panel) with plain ORM inserts, one transaction per
application, in the same database in the same run.
"""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any


def run() -> list[str]:
    """Drive the applications, then the baseline; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    count = max(10, int(10_000 * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    people, drafts = _prepare(count)
    started = time.perf_counter()
    for pk in drafts:
        _drive(pk, people)
    workflow_rate = count / (time.perf_counter() - started)
    bare_rate = _bare_inserts(count, people)
    ratio = workflow_rate / bare_rate
    return [
        f"workflow: {workflow_rate:,.0f} applications/s "
        f"({count:,} applications, 12 transitions each)",
        f"bare ORM inserts of the same rows: {bare_rate:,.0f} applications/s",
        f"ratio: {ratio:.2f} (aim: at least 0.20)",
    ]


def _prepare(count: int, tag: str = "wf") -> tuple[dict[str, Any], list[int]]:
    import random

    from django.db import transaction

    from dataip.accounts.models import User
    from dataip.registry.actors import actor_for
    from dataip.registry.demo import make_uscc
    from dataip.registry.regimes import load_regime
    from dataip.registry.services import applications as filing
    from tests.support.builders import PDF, complete_values

    rng = random.Random(tag)
    holder = filing.create_holder(
        kind="legal_person",
        name=f"Bench {tag}",
        identifier=make_uscc(rng, "31"),
        province_code="31",
    )
    applicant = User.objects.create(username=f"{tag}-applicant", holder=holder)
    examiner = User.objects.create(username=f"{tag}-examiner", is_examiner=True, is_registrar=True)
    experts = [User.objects.create(username=f"{tag}-expert{i}", is_expert=True) for i in range(3)]
    materials = sorted(load_regime("shanghai").required_materials(filed_by_agent=False))
    drafts = []
    with transaction.atomic():
        for _ in range(count):
            app = filing.create_draft(
                actor=actor_for(applicant),
                user=applicant,
                kind="data_collection",
                values=complete_values(),
            )
            for kind in materials:
                filing.add_material(
                    app.pk,
                    actor=actor_for(applicant),
                    user=applicant,
                    kind=kind,
                    name="m.pdf",
                    content=io.BytesIO(PDF),
                )
            drafts.append(app.pk)
    people = {
        "applicant": actor_for(applicant),
        "examiner": actor_for(examiner),
        "experts": [(e, actor_for(e)) for e in experts],
    }
    return people, drafts


T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _drive(pk: int, people: dict[str, Any]) -> None:
    from dataip.registry.declaration import DECLARATION_VERSION
    from dataip.registry.services import applications as filing
    from dataip.registry.services import examination, publicity
    from dataip.registry.workflow import SYSTEM

    examiner = people["examiner"]
    filing.submit(pk, declaration=DECLARATION_VERSION, actor=people["applicant"], at=T0)
    examination.start_formal_examination(pk, actor=examiner, at=T0)
    examination.pass_formal_examination(pk, actor=examiner, at=T0)
    for user, _ in people["experts"]:
        examination.assign_expert(pk, actor=examiner, expert=user, at=T0)
    for _, actor in people["experts"]:
        examination.record_opinion(pk, actor=actor, approves=True, opinion="ok", at=T0)
    examination.approve(pk, actor=examiner, at=T0)
    publicity.announce(pk, actor=examiner, at=T0)
    publicity.register(pk, actor=SYSTEM, at=T0 + timedelta(days=20))


def _bare_inserts(count: int, people: dict[str, Any]) -> float:
    """The rows one registered application leaves behind, inserted with plain ORM calls."""
    from django.db import transaction
    from django.db.models import Max

    from dataip.ledger.models import LogEntry, LogNode
    from dataip.registry.models import Application, DataProduct, Event, PanelAssignment

    template = Application.objects.filter(status="registered").select_related("product").first()
    if template is None:
        raise RuntimeError("the workflow registered nothing")
    events = list(Event.objects.filter(application=template).order_by("id"))
    bodies = dict(
        LogEntry.objects.filter(index__in=[e.leaf_index for e in events]).values_list(
            "index", "body"
        )
    )
    nodes_per_event = max(1, round(LogNode.objects.count() / LogEntry.objects.count()))
    panel = list(PanelAssignment.objects.filter(application=template))
    index = (LogEntry.objects.aggregate(m=Max("index"))["m"] or 0) + 1
    product_fields = {
        f.attname: getattr(template.product, f.attname)
        for f in DataProduct._meta.concrete_fields
        if not f.primary_key
    }
    app_fields = {
        f.attname: getattr(template, f.attname)
        for f in Application._meta.concrete_fields
        if not f.primary_key and f.attname != "product_id"
    }
    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic():
            product = DataProduct.objects.create(**product_fields)
            app = Application.objects.create(
                **{
                    **app_fields,
                    "product": product,
                    "number": f"B{n}",
                    "registration_number": f"B{n}",
                    "certificate_number": f"B{n}",
                }
            )
            for assignment in panel:
                PanelAssignment.objects.create(
                    application=app,
                    expert_id=assignment.expert_id,
                    assigned_by_id=assignment.assigned_by_id,
                    approves=True,
                    opinion="ok",
                )
            for event in events:
                LogEntry.objects.create(
                    index=index,
                    leaf_hash=f"{index:064x}",
                    body=bodies[event.leaf_index or 0],
                    created_at=event.occurred_at,
                )
                for level in range(nodes_per_event):
                    LogNode.objects.create(level=40 + level, index=index, hash="0" * 64)
                Event.objects.create(
                    application=app,
                    action=event.action,
                    from_status=event.from_status,
                    to_status=event.to_status,
                    actor_id=event.actor_id,
                    actor_role=event.actor_role,
                    occurred_at=event.occurred_at,
                    reason=event.reason,
                    payload=event.payload,
                    payload_digest=event.payload_digest,
                    leaf_index=index,
                )
                index += 1
    return count / (time.perf_counter() - started)
