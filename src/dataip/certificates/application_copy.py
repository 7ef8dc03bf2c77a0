"""The applicant's PDF copy of a submitted application: what the content holds, in both
languages, taken from the one declaration of the fields (:mod:`dataip.registry.fields`) and the
read side; :mod:`dataip.certificates.copy_render` lays it out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from django.utils import timezone, translation

from dataip.certificates.copy_render import CopyContent, CopyRow, CopySection, render_copy
from dataip.errors import NotFound, gettext_noop
from dataip.registry import labels
from dataip.registry.declaration import DECLARATION
from dataip.registry.kinds import ProductKind
from dataip.registry.models import Application
from dataip.registry.queries.applicants import get_own_application_for, holders_with_shares
from dataip.registry.queries.declared import declared_fields
from dataip.registry.regimes import load_regime
from dataip.registry.workflow import Action, Actor

__all__ = ["CitedDeposit", "application_copy", "copy_for"]


class CitedDeposit(Protocol):
    """What the copy prints of a deposit the application cites."""

    number: str
    root: str
    file_count: int
    byte_count: int
    timestamped_at: datetime


def _both(make: Callable[[], Any]) -> tuple[str, str]:
    """``make()`` in Chinese, then in English."""
    with translation.override("zh-hans"):
        zh = str(make())
    with translation.override("en"):
        en = str(make())
    return zh, en


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _filing(application: Application) -> CopySection:
    submitted = (
        application.events.filter(action__in=[Action.SUBMIT, Action.RESUBMIT]).order_by("id").last()
    )
    declared = (submitted.payload or {}).get("declaration", {}) if submitted else {}
    status_zh, status_en = _both(lambda: labels.status(application.status))
    rows = [
        CopyRow("申请号", "Application number", application.number or ""),
        CopyRow("申请状态", "Status", f"{status_zh} / {status_en}"),
        CopyRow("提交时间", "Submitted at", _when(application.submitted_at)),
        CopyRow("申请人", "Filed by", application.filed_by.name),
        CopyRow(
            "真实性声明",
            "Declaration of truthfulness",
            f"{DECLARATION.text_zh}\n{DECLARATION.text_en}"
            if declared.get("version") == DECLARATION.version
            else f"version {declared.get('version', '—')}",
        ),
        CopyRow(
            "声明版本与接受时间",
            "Declaration version, accepted at",
            f"{declared.get('version', '—')} · {declared.get('accepted_at', '—')}",
        ),
    ]
    return CopySection("申请信息", "Filing", tuple(rows))


def _product(application: Application) -> CopySection:
    kind = ProductKind(application.product.kind)
    with translation.override("zh-hans"):
        zh = declared_fields(application.product, kind)
    with translation.override("en"):
        en = declared_fields(application.product, kind)
    rows = tuple(
        CopyRow(
            z.label,
            e.label,
            e.value if e.value == z.value else f"{z.value}\n{e.value}",
            not z.public,
        )
        for z, e in zip(zh, en, strict=True)
    )
    return CopySection("登记事项", "Particulars", rows)


def _others(application: Application, deposits: Sequence[CitedDeposit]) -> list[CopySection]:
    holders = tuple(
        CopyRow(holder.name, holder.identifier, f"{share:g} %")
        for holder, share in holders_with_shares(application)
    )
    materials = tuple(
        CopyRow(
            *_both(partial(labels.material, m.kind)),
            f"{m.original_name} · {m.size:,} B\nSHA-256 {m.sha256}",
            confidential=True,
        )
        for m in application.materials.filter(withdrawn_at__isnull=True).order_by("id")
    )
    cited = tuple(
        CopyRow(
            "存证",
            "Deposit",
            f"{d.number} · {d.file_count:,} files · {d.byte_count:,} B · "
            f"{_when(d.timestamped_at)}\nroot {d.root}",
        )
        for d in deposits
    )
    return [
        CopySection("权利人及份额", "Holders and shares", holders),
        CopySection("申请材料", "Materials", materials),
        CopySection("数据存证", "Deposits cited", cited or (CopyRow("存证", "Deposit", "—"),)),
    ]


def copy_for(actor: Actor, application_id: int) -> Application:
    """The submitted application whose copy ``actor`` may download: the applicant's side and
    staff; a draft (no number yet) or another organisation's application is NotFound."""
    application = get_own_application_for(actor, application_id)
    if not application.number:
        raise NotFound(gettext_noop("The application has not been submitted yet."))
    return application


def application_copy(application: Application, deposits: Sequence[CitedDeposit]) -> bytes:
    """The PDF copy of a submitted application (confidential fields included: the applicant's
    own copy); ``deposits`` are those it cites."""
    regime = load_regime(application.regime_code)
    content = CopyContent(
        number=application.number or "",
        name=application.product.name,
        registry_zh=regime.registry_name_zh,
        registry_en=regime.registry_name_en,
        sections=(_filing(application), _product(application), *_others(application, deposits)),
    )
    return render_copy(content)
