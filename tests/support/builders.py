"""Build applications at any stage by driving the real services (no model shortcuts)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application
from dataip.registry.regimes import load_regime
from dataip.registry.services import applications as filing
from dataip.registry.services import examination, publicity
from dataip.registry.workflow import SYSTEM, Status
from tests.support.personas import Personas

PDF = b"%PDF-1.4\n% test material\n%%EOF\n"
DAY0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai


def day(n: int) -> datetime:
    """``n`` days after the test epoch."""
    return DAY0 + timedelta(days=n)


def complete_values(**overrides: Any) -> dict[str, Any]:
    """Every field a data collection needs before submission."""
    values: dict[str, Any] = {
        "name": "城市交通出行数据集",
        "name_en": "Urban mobility dataset",
        "summary": "经清洗与融合的出行数据。",
        "industry_code": "65",
        "province_code": "31",
        "data_source_type": "01",
        "data_source_description": "自有平台采集",
        "lawful_basis": "用户协议授权",
        "formation_date": "2025-12-01",
        "record_count": 1_000_000,
        "size_bytes": 5_000_000_000,
        "structure_description": "结构化表格",
        "update_frequency": "monthly",
        "processing_summary": "去重、脱敏",
        "processing_details": "保密的算法细节",
        "application_scenarios": "交通规划",
        "innovation_explanation": "多源融合",
        "details": {"format": "Parquet", "personal_information": "de_identified"},
    }
    values.update(overrides)
    return values


def draft(
    p: Personas, *, complete: bool = True, kind: str = "data_collection", **values: Any
) -> Application:
    """A draft filed by ``p.applicant``; complete with materials unless told otherwise."""
    app = filing.create_draft(
        actor=p.applicant.actor,
        user=p.applicant.user,
        kind=kind,
        values=complete_values(**values) if complete else values,
        at=day(0),
    )
    if complete:
        regime = load_regime(app.regime_code)
        for material in sorted(regime.required_materials(filed_by_agent=False)):
            filing.add_material(
                app.pk,
                actor=p.applicant.actor,
                user=p.applicant.user,
                kind=material,
                name=f"{material}.pdf",
                content=io.BytesIO(PDF + material.encode()),
                at=day(0),
            )
    return app


STAGES = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.FORMAL_EXAMINATION,
    Status.EXPERT_REVIEW,
    Status.APPROVED,
    Status.UNDER_PUBLICITY,
    Status.REGISTERED,
]


def at_stage(p: Personas, stage: Status, app: Application | None = None) -> Application:
    """An application driven along the main path to ``stage`` (Shanghai regime); ``app`` a
    complete draft of ``p.applicant`` to drive instead of a new one."""
    app = app or draft(p)
    steps: dict[Status, Callable[[], object]] = {
        Status.SUBMITTED: lambda: filing.submit(
            app.pk, declaration=DECLARATION_VERSION, actor=p.applicant.actor, at=day(1)
        ),
        Status.FORMAL_EXAMINATION: lambda: examination.start_formal_examination(
            app.pk, actor=p.examiner.actor, at=day(2)
        ),
        Status.EXPERT_REVIEW: lambda: examination.pass_formal_examination(
            app.pk, actor=p.examiner.actor, at=day(3)
        ),
        Status.APPROVED: lambda: _panel_approves(p, app),
        Status.UNDER_PUBLICITY: lambda: publicity.announce(
            app.pk, actor=p.examiner.actor, at=day(6)
        ),
        Status.REGISTERED: lambda: publicity.register(app.pk, actor=SYSTEM, at=day(30)),
    }
    for status in STAGES[1 : STAGES.index(stage) + 1]:
        steps[status]()
    app.refresh_from_db()
    assert app.status == stage
    return app


def _panel_approves(p: Personas, app: Application) -> None:
    for expert in p.experts:
        examination.assign_expert(app.pk, actor=p.registrar.actor, expert=expert.user, at=day(4))
    for expert in p.experts:
        examination.record_opinion(
            app.pk, actor=expert.actor, approves=True, opinion="具备创新性", at=day(5)
        )
    examination.approve(app.pk, actor=p.examiner.actor, at=day(5))


def today_of(at: datetime) -> date:
    """The Shanghai calendar date of ``at``."""
    return (at + timedelta(hours=8)).date()
