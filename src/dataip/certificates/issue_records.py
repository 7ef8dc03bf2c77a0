"""Issuing sealed records (出具证明): the encumbrance statement a lender downloads
(权利负担查询证明) and a registered pledge's certificate (质押登记证明).

Two steps, like certificates (:mod:`.issue`): in one transaction, under the application's lock,
the answer is read, the ``record.json`` built, the issuing event recorded (a private ledger
leaf: ``encumbrance_statement_issued`` / ``pledge_certificate_issued``, whose payload is the
record's kind, number and SHA-256) and the :class:`IssuedRecord` row written; after the commit
the evidence bundles are made, the page rendered and sealed, and the PDF stored.

A statement is issued anew at each request (it answers *as of now*); a pledge has one
certificate, issued at its first download and served again afterwards.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation

from dataip.certificates import pki
from dataip.certificates.models import IssuedRecord, RecordKind
from dataip.certificates.record_render import render_record
from dataip.certificates.records import (
    ATTACHMENT_BUNDLE,
    ATTACHMENT_LATEST,
    ATTACHMENT_RECORD,
    RecordContent,
    ledger_payload,
)
from dataip.certificates.seal import Attachment, SealError, seal_pdf
from dataip.errors import DomainError, NotFound, gettext_noop
from dataip.evidence.bundle import verify_bundle
from dataip.ledger import bundles, keys
from dataip.ledger.models import LogEntry
from dataip.registry import clock, labels
from dataip.registry.events import record_event
from dataip.registry.models import Application, Event, Pledge, PledgeStatus
from dataip.registry.queries import rights
from dataip.registry.regimes import load_regime
from dataip.registry.workflow import Actor

__all__ = [
    "issue_encumbrance_statement",
    "pledge_certificate",
    "pledge_for",
    "record_pdf",
]

NONE = "无 / none"


class NotSealed(DomainError):
    """The record was recorded, but its PDF could not be sealed now (e.g. the TSA is down)."""

    code = "not_sealed"
    http_status = 503


def _both(name: Callable[[str], str], code: str) -> str:
    """A label of :mod:`dataip.registry.labels` in Chinese and English: ``中文 / English``."""
    with translation.override("zh-hans"):
        zh = name(code)
    with translation.override("en"):
        en = name(code)
    return zh if zh == en else f"{zh} / {en}"


def _latest_leaf(application: Application) -> tuple[int, str]:
    """The application's latest ledger entry: its index and leaf hash."""
    index = (
        Event.objects.filter(application=application)
        .exclude(leaf_index=None)
        .order_by("-leaf_index")
        .values_list("leaf_index", flat=True)
        .first()
    )
    if index is None:
        raise NotFound(gettext_noop("No registration has this number."))
    leaf_hash = LogEntry.objects.filter(index=index).values_list("leaf_hash", flat=True).get()
    return int(index), str(leaf_hash)


def _product(application: Application) -> str:
    product = application.product
    return f"{product.name} / {product.name_en}" if product.name_en else product.name


def _statement_rows(
    found: rights.Encumbrance, amounts: bool
) -> tuple[list[tuple[str, str, str]], dict[str, object]]:
    pledges = [
        f"{p.pledgee.name} {p.starts.isoformat()} – {p.ends.isoformat()}"
        + (f" {p.amount} {p.currency}" if amounts else "")
        for p in found.pledges
    ]
    licences = [
        f"{_both(labels.licence, lic.kind)} {lic.starts.isoformat()} – {lic.ends.isoformat()}"
        for lic in found.exclusive_licences
    ]
    transfers = [
        f"提出于 proposed {t.proposed_on.isoformat()}, "
        f"生效日 effective {t.effective_date.isoformat()}"
        for t in found.pending_transfers
    ]
    valid = (
        f"{found.valid_from.isoformat()} – {found.valid_until.isoformat()}"
        if found.valid_from and found.valid_until
        else "—"
    )
    conclusion = (
        "存在权利负担 / encumbered" if found.encumbered else "未发现权利负担 / no encumbrance found"
    )
    rows = [
        ("登记状态", "Status", _both(labels.status, found.status)),
        ("有效期", "Period of validity", valid),
        ("权利人", "Holder(s)", "、".join(found.holders) or "—"),
        ("现存质押", "Pledges in force", "；".join(pledges) or NONE),
        ("现存独占或排他许可", "Exclusive or sole licences in force", "；".join(licences) or NONE),
        ("待确认的转让", "Transfers waiting for confirmation", "；".join(transfers) or NONE),
        ("结论", "Conclusion", conclusion),
    ]
    data: dict[str, object] = {
        "status": found.status,
        "valid_from": found.valid_from.isoformat() if found.valid_from else "",
        "valid_until": found.valid_until.isoformat() if found.valid_until else "",
        "holders": list(found.holders),
        "pledges": [
            {
                "pledgee": p.pledgee.name,
                "starts": p.starts.isoformat(),
                "ends": p.ends.isoformat(),
                "amount": str(p.amount) if amounts else "",
                "currency": p.currency,
            }
            for p in found.pledges
        ],
        "exclusive_licences": [
            {"kind": lic.kind, "starts": lic.starts.isoformat(), "ends": lic.ends.isoformat()}
            for lic in found.exclusive_licences
        ],
        "pending_transfers": [
            {
                "proposed_on": t.proposed_on.isoformat(),
                "contract_date": t.contract_date.isoformat(),
                "effective_date": t.effective_date.isoformat(),
            }
            for t in found.pending_transfers
        ],
        "encumbered": found.encumbered,
    }
    return rows, data


def _content(
    application: Application,
    kind: str,
    number: str,
    at: datetime,
    rows: list[tuple[str, str, str]],
    data: dict[str, object],
) -> RecordContent:
    regime = load_regime(application.regime_code)
    index, leaf_hash = _latest_leaf(application)
    return RecordContent(
        kind=kind,
        number=number,
        registration_number=application.registration_number or "",
        issued_at=_iso(at),
        registry_code=regime.registry_code,
        registry_zh=regime.registry_name_zh,
        registry_en=regime.registry_name_en,
        log_origin=keys.origin(),
        as_of_index=index,
        as_of_leaf_hash=leaf_hash,
        rows=(("数据名称", "Data product", _product(application)), *rows),
        data=data,
    )


def _record(
    application: Application,
    kind: str,
    prefix: str,
    actor: Actor,
    at: datetime,
    rows: list[tuple[str, str, str]],
    data: dict[str, object],
    pledge: Pledge | None = None,
) -> IssuedRecord:
    """Inside the caller's transaction, with the application locked: the row, the number, the
    content and the issuing event."""
    row = IssuedRecord.objects.create(
        kind=kind,
        number=uuid.uuid4().hex,
        application=application,
        pledge=pledge,
        requested_by_id=actor.user_id,
        issued_at=at,
    )
    row.number = f"{prefix}{clock.local_date(at).year}{row.pk:08d}"
    content = _content(application, kind, row.number, at, rows, data)
    row.event = record_event(
        application,
        content.event_type,
        actor=actor,
        at=at,
        from_status=None,
        to_status=None,
        payload=ledger_payload(content),
    )
    row.data = content.to_json().decode("utf-8")
    row.data_sha256 = content.sha256()
    row.save(update_fields=["number", "event", "data", "data_sha256"])
    return row


def statement_subject(registration_number: str) -> int:
    """The registered application an encumbrance statement of ``registration_number`` would
    be about, issuing nothing (what a HEAD request asks); :class:`NotFound` if none."""
    number = registration_number.strip().upper()
    application_id = rights.registered_application_id(number) if number else None
    if application_id is None:
        raise NotFound(gettext_noop("No registration has this number."))
    return application_id


def issue_encumbrance_statement(registration_number: str, *, actor: Actor) -> IssuedRecord:
    """Issue a signed encumbrance statement (查询证明) of one registration as of now, for the
    actor (a lender); raise :class:`NotFound` if no registration has this number."""
    number = registration_number.strip().upper()
    application_id = statement_subject(number)
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("product").get(pk=application_id)
        )
        [found] = rights.encumbrances(registration_number=number)
        amounts = bool(rights.pledge_amounts_published([number]))
        rows, data = _statement_rows(found, amounts)
        row = _record(
            application, RecordKind.ENCUMBRANCE_STATEMENT, "CX", actor, clock.now(), rows, data
        )
    return complete_record(row)


def pledge_for(actor: Actor, pledge_id: int) -> Pledge:
    """A registered pledge (in force or released), if the actor's organisation is its
    pledgee or a holder of the pledged right; :class:`NotFound` otherwise."""
    pledge = (
        Pledge.objects.filter(pk=pledge_id, status__in=[PledgeStatus.ACTIVE, PledgeStatus.RELEASED])
        .select_related("application__product", "pledgee")
        .first()
    )
    if pledge is None or not (
        pledge.pledgee_id in actor.sees_holder_ids
        or pledge.application.holders.filter(holder_id__in=actor.sees_holder_ids).exists()
    ):
        raise NotFound(gettext_noop("No such pledge."))
    return pledge


def _pledge_rows(pledge: Pledge) -> tuple[list[tuple[str, str, str]], dict[str, object]]:
    application = pledge.application
    holders = list(application.holders.order_by("id").values_list("holder__name", flat=True))
    confirmed = pledge.confirmed_at
    rows = [
        ("质权人", "Pledgee", pledge.pledgee.name),
        ("出质人（权利人）", "Pledgor (holder)", "、".join(holders)),
        ("担保金额", "Amount secured", f"{pledge.amount} {pledge.currency}"),
        ("质押期限", "Term", f"{pledge.starts.isoformat()} – {pledge.ends.isoformat()}"),
        ("主合同编号", "Secured contract", pledge.contract_reference),
        ("评估报告编号", "Valuation report", pledge.valuation_reference or "—"),
        ("质押登记时间", "Registered at", _iso(pledge.recorded_at)),
        ("出质人确认时间", "Confirmed by the holder", _iso(confirmed) if confirmed else "—"),
    ]
    data: dict[str, object] = {
        "pledge": pledge.pk,
        "pledgee": pledge.pledgee.name,
        "pledgors": holders,
        "amount": str(pledge.amount),
        "currency": pledge.currency,
        "starts": pledge.starts.isoformat(),
        "ends": pledge.ends.isoformat(),
        "contract_reference": pledge.contract_reference,
        "valuation_reference": pledge.valuation_reference,
        "confirmed_at": _iso(confirmed) if confirmed else "",
    }
    return rows, data


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pledge_certificate(pledge_id: int, *, actor: Actor) -> IssuedRecord:
    """The pledge registration certificate (质押登记证明) of a registered pledge, issued at the
    first request (by its pledgee or a holder) and the same file afterwards."""
    pledge = pledge_for(actor, pledge_id)
    existing = IssuedRecord.objects.filter(pledge=pledge).first()
    if existing is None:
        with transaction.atomic():
            application = (
                Application.objects.select_for_update()
                .select_related("product")
                .get(pk=pledge.application_id)
            )
            existing = IssuedRecord.objects.filter(pledge=pledge).first()
            if existing is None:
                rows, data = _pledge_rows(pledge)
                existing = _record(
                    application,
                    RecordKind.PLEDGE_CERTIFICATE,
                    "ZY",
                    actor,
                    clock.now(),
                    rows,
                    data,
                    pledge=pledge,
                )
    return complete_record(existing)


def complete_record(row: IssuedRecord) -> IssuedRecord:
    """After the commit: render, seal and store the PDF of a recorded record (once)."""
    if row.pdf_sha256:
        return row
    if row.event is None:
        raise NotFound(gettext_noop("No such record."))
    content = RecordContent.from_json(row.data.encode("utf-8"))
    bundle = bundles.bundle_for_event(row.event)
    latest = bundles.bundle_for_entry(content.as_of_index)
    verified = verify_bundle(bundle, keys.all_vkeys())
    checkpoint = verified.checkpoint
    ledger = (
        f"出具记录 Issued as ledger entry {verified.index} · 检查点 checkpoint {checkpoint.size}"
        f" / {checkpoint.root_hash.hex()}"
    )
    page = render_record(content, ledger=ledger, font_path=settings.DATAIP_CERT_FONT)
    attachments = [
        Attachment(ATTACHMENT_RECORD, content.to_json(), "application/json",
                   "Record data (RFC 8785 JSON) / 证明数据"),
        Attachment(ATTACHMENT_BUNDLE, bundle, "application/json",
                   "Ledger evidence of the issuing event / 出具事件的账本证据包"),
        Attachment(ATTACHMENT_LATEST, latest, "application/json",
                   "The registration's latest ledger leaf before it / 该登记此前最新的账本条目"),
    ]  # fmt: skip
    try:
        signed = seal_pdf(
            page,
            attachments,
            pki.signer(),
            timestamper=pki.timestamper(),
            reason=f"{content.title_en} / {content.title_zh}",
            location=content.registry_en,
        )
    except SealError:
        raise NotSealed(
            gettext_noop("The document could not be sealed now. Please try again later.")
        ) from None
    with transaction.atomic():
        stored = IssuedRecord.objects.select_for_update().get(pk=row.pk)
        if not stored.pdf_sha256:
            stored.pdf = signed
            stored.pdf_sha256 = hashlib.sha256(signed).hexdigest()
            stored.save(update_fields=["pdf", "pdf_sha256"])
    return stored


def record_pdf(row: IssuedRecord) -> tuple[str, bytes]:
    """The download name and bytes of an issued record's PDF."""
    return f"{row.number}.pdf", bytes(row.pdf)
