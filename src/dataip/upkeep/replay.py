"""The full audit (完整审计): replay the events and check every derived row against them.

The event rows are append-only and each is checked against its ledger leaf
(:mod:`dataip.upkeep.audit`); everything else the registry shows — an application's status,
numbers, dates and validity, its ``last_leaf_hash`` and certificate version, its holders'
shares, panel, objections, change requests, transfers, licences, trades, pledges and consents,
service revenue, valuations, certificate versions, and the deposits with their receipts — is
*derived* from those events by the services. This module walks each application's events in
log order, recomputes what they say each derived row must hold, and compares: every
difference is a :class:`ReplayFinding` naming the table, the row, the field, the value in the
row and the value the events imply; a row no event made is a finding too.

Some values only entered the events' payloads later (e.g. the application number at
``submit``, a licence's fee): for events recorded before, what they do not say is not
guessed; it is counted and reported as a :class:`Note` ("could not be checked"), never as a
finding. Applications whose events were already found altered are not replayed (the altered
event is the culprit, already named).

Rows are read a batch of applications at a time, one query per table per batch, so the replay
is linear in the number of events.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.db import models

from dataip.certificates.models import Certificate, IssuedRecord
from dataip.deposits.models import ApplicationDeposit, Deposit
from dataip.evidence.errors import VerificationError
from dataip.evidence.timestamp import verify_timestamp
from dataip.ledger._findings import Finding
from dataip.ledger.models import LogEntry
from dataip.registry.fields import EDITABLE
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    ChangeRequest,
    ConsentPurpose,
    ConsentRequest,
    DataProduct,
    DecisionDocument,
    Event,
    Licence,
    LicenceKind,
    Listing,
    Material,
    Objection,
    PanelAssignment,
    Pledge,
    PledgeConsent,
    PledgeStatus,
    RecordStatus,
    ServiceRevenue,
    Trade,
    Transfer,
    Valuation,
)
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.services.applications import product_digest
from dataip.registry.services.trade_reports import REPORT_WITHDRAWN
from dataip.registry.workflow import Status

__all__ = ["BATCH", "MESSAGES", "NOTES", "Note", "Replay", "ReplayFinding"]

BATCH = 500
CERTIFICATE_EVENT = "certificate_issued"
DEPOSIT_EVENT = "deposit"

#: What the replay can find, in English and Simplified Chinese.
MESSAGES: dict[str, tuple[str, str]] = {
    "row_field": (
        "{table} #{row}: {field} is {value!r}, but the events say {expected!r}",
        "{table} #{row}：{field} 为 {value!r}，但事件表明应为 {expected!r}",
    ),
    "row_unlogged": (
        "{table} #{row} has no event behind it",
        "{table} #{row} 没有任何事件为据",
    ),
    "row_missing": (
        "{table} #{row} is missing, though event #{event} made it",
        "事件 #{event} 创建的 {table} #{row} 不存在",
    ),
    "event_sequence": (
        "event #{event} ({action}) starts from {recorded!r}, but the previous event of "
        "application #{application} left it {expected!r}",
        "事件 #{event}（{action}）的起始状态为 {recorded!r}，但申请 #{application} 的上一事件"
        "使其为 {expected!r}",
    ),
}

#: What the replay could not check, in English and Simplified Chinese (not findings).
NOTES: dict[str, tuple[str, str]] = {
    "unchecked": (
        "not checked: {count} value(s) of {table}.{field} (their events were recorded before "
        "the payload carried them)",
        "未核对：{table}.{field} 的 {count} 个值（相关事件记录时载荷尚未包含该值）",
    ),
    "not_replayed": (
        "not replayed: application #{application}, whose events were already found altered",
        "未重放：申请 #{application}，其事件已被发现遭篡改",
    ),
}


class ReplayFinding(Finding):
    """A derived row that differs from what the events say (or that no event made)."""

    messages: ClassVar[Mapping[str, tuple[str, str]]] = MESSAGES

    @property
    def table(self) -> str | None:
        """The table of the row concerned."""
        value = self.params.get("table")
        return value if isinstance(value, str) else None

    @property
    def row(self) -> object:
        """The row concerned (its id, or what identifies it)."""
        return self.params.get("row")


@dataclass(frozen=True)
class Note:
    """Something the replay could not check; printed, but not a finding."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        """The note in plain words: ``lang`` is ``"en"`` or ``"zh"``."""
        english, chinese = NOTES[self.code]
        return (chinese if lang == "zh" else english).format(**self.params)


class _Unknown:
    """What the events do not say (a payload recorded before it carried the value)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()


def _table(model: type[models.Model]) -> str:
    return str(model._meta.db_table)


def _plain(value: object) -> object:
    """A value as shown in a finding: dates in ISO form, amounts as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _same(value: object, expected: object) -> bool:
    """Whether a row's value is the one the events imply (amounts and dates by meaning)."""
    if isinstance(value, Decimal) or isinstance(expected, Decimal):
        try:
            return (
                value is not None
                and expected is not None
                and Decimal(str(value)) == Decimal(str(expected))
            )
        except InvalidOperation:
            return False
    if isinstance(value, date) and not isinstance(value, datetime) and isinstance(expected, str):
        return value.isoformat() == expected
    return value == expected


def _opt(payload: Mapping[str, Any], key: str) -> Any:
    """``payload[key]``, or :data:`UNKNOWN` if the payload predates it."""
    return payload.get(key, UNKNOWN)


def _amount(payload: Mapping[str, Any], key: str) -> Any:
    value = payload.get(key, UNKNOWN)
    return UNKNOWN if value is UNKNOWN or value is None else Decimal(str(value))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class _Check:
    """Collects findings and what could not be checked."""

    findings: list[Finding] = field(default_factory=list)
    unchecked: Counter[tuple[str, str]] = field(default_factory=Counter)
    rows: int = 0

    def fields(
        self,
        model: type[models.Model],
        row_id: object,
        row: Mapping[str, Any],
        expected: Mapping[str, Any],
    ) -> None:
        """Compare ``row`` with the ``expected`` values (skipping and counting unknown ones)."""
        table = _table(model)
        for name, want in expected.items():
            if want is UNKNOWN:
                self.unchecked[(table, name)] += 1
            elif not _same(row.get(name), want):
                self.findings.append(
                    ReplayFinding(
                        "row_field",
                        {
                            "table": table,
                            "row": row_id,
                            "field": name,
                            "value": _plain(row.get(name)),
                            "expected": _plain(want),
                        },
                    )
                )

    def records(
        self,
        model: type[models.Model],
        rows: Mapping[Any, Mapping[str, Any]],
        expected: Mapping[Any, dict[str, Any]],
    ) -> None:
        """Rows of a record table against the records the events made (keyed alike)."""
        table = _table(model)
        for key, row in rows.items():
            self.rows += 1
            want = expected.get(key)
            if want is None:
                self.findings.append(ReplayFinding("row_unlogged", {"table": table, "row": key}))
            else:
                self.fields(model, key, row, {k: v for k, v in want.items() if k != "_event"})
        for key, want in expected.items():
            if key not in rows:
                self.findings.append(
                    ReplayFinding(
                        "row_missing", {"table": table, "row": key, "event": want["_event"]}
                    )
                )


@dataclass
class _State:
    """What the events say one application and its records must hold, as far as replayed."""

    app: dict[str, Any]
    holders: list[tuple[int, Decimal]] | None = None
    # What was filed, as logged at the last submission (None: it may have changed unlogged
    # since, in a draft or during a correction), and by which event.
    product: Any = None
    materials: list[str] | None = None
    cited: list[str] | None = None
    filed_by_event: int | None = None
    certificate_version: int = 0
    panel: dict[int, dict[str, Any]] = field(default_factory=dict)
    objections: dict[int, dict[str, Any]] = field(default_factory=dict)
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    transfers: dict[int, dict[str, Any]] = field(default_factory=dict)
    licences: dict[int, dict[str, Any]] = field(default_factory=dict)
    trades: dict[int, dict[str, Any]] = field(default_factory=dict)
    pledges: dict[int, dict[str, Any]] = field(default_factory=dict)
    consents: dict[Any, dict[str, Any]] = field(default_factory=dict)
    consent_requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    revenues: dict[int, dict[str, Any]] = field(default_factory=dict)
    valuations: dict[int, dict[str, Any]] = field(default_factory=dict)
    certificates: dict[int, dict[str, Any]] = field(default_factory=dict)
    issued_records: dict[int, dict[str, Any]] = field(default_factory=dict)
    listings: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The SHA-256 of each decision's document (a revocation's), and the event that logged it.
    decisions: list[str] = field(default_factory=list)
    decided_by_event: int | None = None
    last_leaf: int | None = None


_APP_FIELDS = (
    "id",
    "product_id",
    "status",
    "number",
    "submitted_at",
    "examiner_id",
    "correction_due",
    "correction_request",
    "announcement_starts",
    "announcement_ends",
    "decided_at",
    "decision_reason",
    "decision_reference",
    "registration_number",
    "certificate_number",
    "registered_on",
    "valid_from",
    "valid_until",
    "certificate_version",
    "last_leaf_hash",
)
_EVENT_FIELDS = (
    "id",
    "application_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "occurred_at",
    "reason",
    "payload",
    "leaf_index",
)
_EDITABLE = frozenset({Status.DRAFT.value, Status.CORRECTION_REQUESTED.value})


def _initial() -> dict[str, Any]:
    """A draft as created: what an application with no event must still hold."""
    return {
        "status": Status.DRAFT.value,
        "number": None,
        "submitted_at": None,
        "examiner_id": None,
        "correction_due": None,
        "correction_request": "",
        "announcement_starts": None,
        "announcement_ends": None,
        "decided_at": None,
        "decision_reason": "",
        "decision_reference": "",
        "registration_number": None,
        "certificate_number": None,
        "registered_on": None,
        "valid_from": None,
        "valid_until": None,
    }


class _Replayer:
    """Replays the events of one application into a :class:`_State`."""

    def __init__(self, check: _Check, consent_rows: Mapping[int, list[int]]) -> None:
        self.check = check
        self.state = _State(app=_initial())
        # Consent events recorded before their payload named the consent: matched to the
        # pledge's consent rows in creation order.
        self._spare_consents = {pledge: list(ids) for pledge, ids in consent_rows.items()}

    def run(self, application_id: int, events: Iterable[dict[str, Any]]) -> _State:
        for event in events:
            self._status(application_id, event)
            handler = getattr(self, f"_on_{event['action']}", None)
            if handler is not None:
                handler(event, event["payload"] if isinstance(event["payload"], dict) else {})
            if event["leaf_index"] is not None:
                self.state.last_leaf = int(event["leaf_index"])
        return self.state

    def _status(self, application_id: int, event: dict[str, Any]) -> None:
        if not event["to_status"]:
            return
        if event["to_status"] in _EDITABLE:  # may change unlogged until the next submission
            self.state.holders = self.state.materials = self.state.cited = None
            self.state.product = None
        current = self.state.app["status"]
        if event["from_status"] != current:
            self.check.findings.append(
                ReplayFinding(
                    "event_sequence",
                    {
                        "event": event["id"],
                        "action": event["action"],
                        "application": application_id,
                        "recorded": event["from_status"],
                        "expected": current,
                    },
                )
            )
        self.state.app["status"] = event["to_status"]

    # ── filing and examination ───────────────────────────────────────────────────────────

    def _holders(self, payload: Mapping[str, Any]) -> None:
        listed = payload.get("holders")
        if isinstance(listed, list):
            self.state.holders = [(int(h), Decimal(str(s))) for h, s in listed]
        else:
            self.state.holders = None

    def _filed(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        """The content digests logged at submission and resubmission."""
        self._holders(p)
        self.state.filed_by_event = e["id"]
        self.state.product = _opt(p, "product_sha256")
        materials, cited = p.get("materials"), p.get("deposits")
        self.state.materials = sorted(materials) if isinstance(materials, list) else None
        self.state.cited = sorted(cited) if isinstance(cited, list) else None

    def _on_submit(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.app.update(number=_opt(p, "number"), submitted_at=e["occurred_at"])
        self._filed(e, p)

    def _on_resubmit(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.app["correction_due"] = None
        self._filed(e, p)

    def _on_start_formal_examination(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.app["examiner_id"] = e["actor_id"]

    def _on_request_correction(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.app.update(
            correction_due=_opt(p, "correction_due"), correction_request=e["reason"]
        )

    def _on_assign_expert(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.panel[int(p["expert"])] = {
            "_event": e["id"],
            "approves": None,
            "opinion": "",
            "opinion_at": None,
        }

    def _on_record_opinion(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        seat = self.state.panel.get(e["actor_id"])
        if seat is not None:
            seat.update(
                approves=_opt(p, "approves"), opinion=e["reason"], opinion_at=e["occurred_at"]
            )

    def _decided(self, e: dict[str, Any], reason: bool) -> None:
        self.state.app["decided_at"] = e["occurred_at"]
        if reason:
            self.state.app["decision_reason"] = e["reason"]

    def _on_approve(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._decided(e, reason=False)

    def _on_withdraw(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._decided(e, reason=False)

    def _on_reject(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._decided(e, reason=True)

    def _on_cancel(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._use_consent(ConsentPurpose.CANCELLATION, e["occurred_at"])
        self._decided(e, reason=True)

    def _on_revoke(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._decided(e, reason=True)
        self.state.app["decision_reference"] = _opt(p, "reference")
        documents = p.get("decision")
        if isinstance(documents, list):  # revocations logged before documents were kept: none
            self.state.decisions += [str(d) for d in documents]
            self.state.decided_by_event = e["id"]

    # ── announcement, objections, registration, renewal ──────────────────────────────────

    def _on_announce(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.app.update(
            announcement_starts=_opt(p, "starts"), announcement_ends=_opt(p, "ends")
        )

    def _on_file_objection(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.objections[int(p["objection"])] = {
            "_event": e["id"],
            "ground": _opt(p, "ground"),
            "status": ObjectionStatus.PENDING.value,
            "decided_at": None,
            "reference": _opt(p, "reference"),
            "decision_due": _opt(p, "decision_due"),
            "answer__answered_at": None,
        }

    def _on_answer_objection(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        objection = self.state.objections.get(int(p["objection"]))
        if objection is not None:
            objection["answer__answered_at"] = e["occurred_at"]

    def _decide_objection(self, e: dict[str, Any], p: dict[str, Any], status: str) -> None:
        objection = self.state.objections.get(int(p["objection"]))
        if objection is not None:
            objection.update(status=status, decided_at=e["occurred_at"])

    def _on_dismiss_objection(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._decide_objection(e, p, ObjectionStatus.DISMISSED.value)

    def _on_uphold_objection(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._decide_objection(e, p, ObjectionStatus.UPHELD.value)
        for other in self.state.objections.values():
            if other["status"] == ObjectionStatus.PENDING.value:
                other.update(status=ObjectionStatus.MOOT.value, decided_at=e["occurred_at"])
        self._decided(e, reason=True)

    def _on_register(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.app.update(
            registration_number=_opt(p, "registration_number"),
            certificate_number=_opt(p, "certificate_number"),
            registered_on=_opt(p, "valid_from"),
            valid_from=_opt(p, "valid_from"),
            valid_until=_opt(p, "valid_until"),
        )

    def _on_renew(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.app["valid_until"] = _opt(p, "valid_until")
        self.state.certificate_version += 1

    # ── changes and transfers ────────────────────────────────────────────────────────────

    def _on_request_change(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        applied = p.get("examined") is False
        self.state.changes[int(p["change"])] = {
            "_event": e["id"],
            "status": RecordStatus.APPROVED.value if applied else RecordStatus.PENDING.value,
            "requested_at": e["occurred_at"],
            "decided_at": e["occurred_at"] if applied else None,
            "fields": sorted(p["fields"]) if isinstance(p.get("fields"), list) else UNKNOWN,
        }
        if applied:
            self.state.certificate_version += 1
            self.state.product = _opt(p, "product_sha256")

    def _on_approve_change(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        change = self.state.changes.get(int(p["change"]))
        if change is not None:
            change.update(status=RecordStatus.APPROVED.value, decided_at=e["occurred_at"])
        self.state.certificate_version += 1
        self.state.product = _opt(p, "product_sha256")

    def _on_correct_particulars(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.certificate_version += 1
        self.state.product = _opt(p, "product_sha256")

    def _on_reissue_certificate(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.certificate_version += 1

    def _on_refuse_change(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        change = self.state.changes.get(int(p["change"]))
        if change is not None:
            change.update(
                status=RecordStatus.REFUSED.value, decided_at=e["occurred_at"], reason=e["reason"]
            )

    def _on_propose_transfer(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.transfers[int(p["transfer"])] = {
            "_event": e["id"],
            "assignee_id": _opt(p, "assignee"),
            "status": RecordStatus.PENDING.value,
            "proposed_at": e["occurred_at"],
            "decided_at": None,
            "contract_date": _opt(p, "contract_date"),
            "effective_date": _opt(p, "effective_date"),
            "price": _amount(p, "price") if p.get("price", UNKNOWN) is not None else None,
            "currency": _opt(p, "currency"),
            "proposer_id": _opt(p, "proposer"),
            "declined_by_id": None,
            "reason": "",
        }

    def _on_confirm_transfer(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._use_consent(ConsentPurpose.TRANSFER, e["occurred_at"])
        transfer = self.state.transfers.get(int(p["transfer"]))
        if transfer is not None:
            transfer.update(status=RecordStatus.CONFIRMED.value, decided_at=e["occurred_at"])
        self.state.holders = [(int(p["assignee"]), Decimal(100))]
        self.state.certificate_version += 1

    def _on_cancel_transfer(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        transfer = self.state.transfers.get(int(p["transfer"]))
        if transfer is not None:
            transfer.update(
                status=RecordStatus.CANCELLED.value,
                decided_at=e["occurred_at"],
                declined_by_id=p.get("party"),
                reason=(e["reason"] or "").strip(),
            )

    _on_decline_transfer = _on_cancel_transfer

    # ── licences, trades, revenue ────────────────────────────────────────────────────────

    def _on_grant_licence(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        if p.get("kind") != LicenceKind.ORDINARY:
            self._use_consent(ConsentPurpose.EXCLUSIVE_LICENCE, e["occurred_at"])
        self.state.licences[int(p["licence"])] = {
            "_event": e["id"],
            "kind": _opt(p, "kind"),
            "starts": _opt(p, "starts"),
            "ends": _opt(p, "ends"),
            "licensee_id": _opt(p, "licensee"),
            "licensee_name": p.get("licensee_name", ""),
            "licensee_identifier": p.get("licensee_identifier", ""),
            "amount": _amount(p, "fee"),
            "currency": _opt(p, "currency"),
            "ended_on": None,
            "end_reason": "",
            "recorded_at": e["occurred_at"],
        }

    def _on_end_licence(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        licence = self.state.licences.get(int(p["licence"]))
        if licence is not None:
            licence.update(ended_on=_opt(p, "ended_on"), end_reason=e["reason"])

    def _on_record_trade(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.trades[int(p["trade"])] = {
            "_event": e["id"],
            "amount": _amount(p, "amount"),
            "currency": _opt(p, "currency"),
            "recorded_at": e["occurred_at"],
        }

    # ── a data exchange's listings (挂牌) ─────────────────────────────────────────────────

    def _on_list_product(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.listings[int(p["listing"])] = {
            "_event": e["id"],
            "exchange_id": p["exchange"],
            "listing_id": p["reference"],
            "url": p["url"],
            "listed_on": _opt(p, "listed_on"),
            "price_model": p["price_model"],
            "ended_on": None,
            "recorded_at": e["occurred_at"],
        }

    def _on_update_listing(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        listing = self.state.listings.get(int(p["listing"]))
        if listing is not None:
            listing.update(url=p["url"], price_model=p["price_model"])

    def _on_end_listing(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        listing = self.state.listings.get(int(p["listing"]))
        if listing is not None:
            listing.update(ended_on=_opt(p, "ended_on"))

    def _on_report_trade(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self._on_record_trade(e, p)
        if p.get("transfer"):
            self.state.transfers[int(p["transfer"])] = {
                "_event": e["id"],
                "assignee_id": _opt(p, "buyer"),
                "status": RecordStatus.PENDING.value,
                "proposed_at": e["occurred_at"],
                "decided_at": None,
                "contract_date": _opt(p, "traded_on"),
                "effective_date": _opt(p, "traded_on"),
                "price": _amount(p, "amount"),
                "currency": _opt(p, "currency"),
                "proposer_id": None,  # an exchange proposes it: every holder confirms
                "declined_by_id": None,
                "reason": "",
            }

    def _on_withdraw_trade_report(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        transfer = self.state.transfers.get(int(p.get("transfer") or 0))
        if transfer is not None and p.get("transfer_cancelled"):
            transfer.update(
                status=RecordStatus.CANCELLED.value,
                decided_at=e["occurred_at"],
                reason=REPORT_WITHDRAWN,
            )

    def _on_record_revenue(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.revenues[int(p["revenue"])] = {
            "_event": e["id"],
            "amount": _amount(p, "amount"),
            "currency": _opt(p, "currency"),
            "period_start": _opt(p, "period_start"),
            "period_end": _opt(p, "period_end"),
            "recorded_at": e["occurred_at"],
        }

    # ── pledges, consents, valuations ────────────────────────────────────────────────────

    def _on_pledge(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.pledges[int(p["pledge"])] = {
            "_event": e["id"],
            "pledgee_id": _opt(p, "pledgee"),
            "starts": _opt(p, "starts"),
            "ends": _opt(p, "ends"),
            "amount": _amount(p, "amount"),
            "currency": _opt(p, "currency"),
            "status": PledgeStatus.ACTIVE.value,
            "released_on": None,
            "release_reason": "",
            "recorded_at": e["occurred_at"],
        }

    def _on_release_pledge(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        pledge = self.state.pledges.get(int(p["pledge"]))
        if pledge is not None:
            pledge.update(
                status=PledgeStatus.RELEASED.value,
                released_on=_opt(p, "released_on"),
                release_reason=e["reason"],
            )

    def _on_consent(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        pledge_id = int(p["pledge"])
        key: Any = p.get("consent")
        if key is None:  # recorded before the payload named the consent
            spare = self._spare_consents.get(pledge_id) or []
            key = spare.pop(0) if spare else f"pledge {pledge_id}, consent to {p.get('purpose')}"
        else:
            key = int(key)
            if key in self._spare_consents.get(pledge_id, []):
                self._spare_consents[pledge_id].remove(key)
        self.state.consents[key] = {
            "_event": e["id"],
            "pledge_id": pledge_id,
            "purpose": _opt(p, "purpose"),
            "given_by_id": e["actor_id"],
            "given_at": e["occurred_at"],
            "used_at": None,
        }
        asked = self.state.consent_requests.get(int(p.get("request") or 0))
        if asked is not None:  # the consent a holder asked for
            asked.update(status="given", decided_at=e["occurred_at"], consent_id=key)

    def _on_encumbrance_statement_issued(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.issued_records[e["id"]] = {
            "_event": e["id"],
            "kind": _opt(p, "kind"),
            "number": _opt(p, "number"),
            "data_sha256": _opt(p, "data_sha256"),
            "issued_at": e["occurred_at"],
        }

    _on_pledge_certificate_issued = _on_encumbrance_statement_issued

    def _on_request_consent(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.consent_requests[int(p["request"])] = {
            "_event": e["id"],
            "pledge_id": int(p["pledge"]),
            "purpose": _opt(p, "purpose"),
            "status": "pending",
            "requested_at": e["occurred_at"],
            "decided_at": None,
            "refusal_reason": "",
            "consent_id": None,
        }

    def _on_refuse_consent(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        asked = self.state.consent_requests.get(int(p["request"]))
        if asked is not None:
            asked.update(status="refused", decided_at=e["occurred_at"], refusal_reason=e["reason"])

    def _use_consent(self, purpose: str, when: datetime) -> None:
        """As ``records.use_consent``: each standing pledge's oldest unused consent to it."""
        for pledge_id in sorted(self.state.pledges):
            if self.state.pledges[pledge_id]["status"] != PledgeStatus.ACTIVE.value:
                continue
            unused = [
                (key, c)
                for key, c in self.state.consents.items()
                if isinstance(key, int)
                and c["pledge_id"] == pledge_id
                and c["purpose"] == purpose
                and c["used_at"] is None
            ]
            if unused:
                min(unused, key=lambda item: int(item[0]))[1]["used_at"] = when

    def _on_record_valuation(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        self.state.valuations[int(p["valuation"])] = {
            "_event": e["id"],
            "method": _opt(p, "method"),
            "amount": _amount(p, "value"),
            "currency": _opt(p, "currency"),
            "pledge_id": _opt(p, "pledge"),
            "trade_id": _opt(p, "trade"),
            "recorded_at": e["occurred_at"],
        }

    # ── certificates ─────────────────────────────────────────────────────────────────────

    def _on_certificate_issued(self, e: dict[str, Any], p: dict[str, Any]) -> None:
        for earlier in self.state.certificates.values():
            if earlier["superseded_at"] is None:
                earlier["superseded_at"] = e["occurred_at"]
        self.state.certificates[e["id"]] = {
            "_event": e["id"],
            "number": _opt(p, "certificate_number"),
            "version": _opt(p, "version"),
            "data_sha256": _opt(p, "data_sha256"),
            "registry_version": self.state.certificate_version,
            "issued_at": e["occurred_at"],
            "superseded_at": None,
        }


def _by_app(rows: Iterable[Any], key: str = "application_id") -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


_RECORD_TABLES: tuple[tuple[str, type[models.Model], tuple[str, ...]], ...] = (
    ("licences", Licence, ("kind", "starts", "ends", "licensee_id", "licensee_name",
                           "licensee_identifier", "amount", "currency", "ended_on",
                           "end_reason", "recorded_at")),
    ("trades", Trade, ("amount", "currency", "recorded_at")),
    ("revenues", ServiceRevenue, ("amount", "currency", "period_start", "period_end",
                                  "recorded_at")),
    ("pledges", Pledge, ("pledgee_id", "starts", "ends", "amount", "currency", "status",
                         "released_on", "release_reason", "recorded_at")),
    ("valuations", Valuation, ("method", "amount", "currency", "pledge_id", "trade_id",
                               "recorded_at")),
    ("transfers", Transfer, ("assignee_id", "status", "proposed_at", "decided_at",
                             "contract_date", "effective_date", "price", "currency",
                             "proposer_id", "declined_by_id", "reason")),
    ("objections", Objection, ("ground", "status", "decided_at", "reference", "decision_due",
                               "answer__answered_at")),
    ("listings", Listing, ("exchange_id", "listing_id", "url", "listed_on", "price_model",
                           "ended_on", "recorded_at")),
)  # fmt: skip


class Replay:
    """One replay of the whole registry (see the module docstring)."""

    def __init__(self, batch: int = BATCH, skip: Iterable[int] = ()) -> None:
        """``skip``: applications not to replay (their events were found altered)."""
        self.batch = batch
        self.skip = frozenset(skip)
        self.check = _Check()

    @property
    def rows(self) -> int:
        """How many derived rows were compared with the events."""
        return self.check.rows

    def run(self) -> Iterator[Finding | Note]:
        """Yield each finding (a batch at a time), then the notes on what was not checked."""
        after = 0
        while True:
            ids = list(
                Application.objects.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", flat=True)[: self.batch]
            )
            if not ids:
                break
            self._batch(ids[0], ids[-1])
            yield from self._drain()
            after = ids[-1]
        self._deposits()
        yield from self._drain()
        for application in sorted(self.skip):
            yield Note("not_replayed", {"application": application})
        for (table, name), count in sorted(self.check.unchecked.items()):
            yield Note("unchecked", {"table": table, "field": name, "count": count})

    def _drain(self) -> Iterator[Finding]:
        found, self.check.findings = self.check.findings, []
        yield from found

    # ── applications and their records ───────────────────────────────────────────────────

    def _batch(self, low: int, high: int) -> None:
        span = {"application_id__gte": low, "application_id__lte": high}
        apps = list(
            Application.objects.filter(pk__gte=low, pk__lte=high)
            .order_by("pk")
            .values(*_APP_FIELDS)
        )
        events = _by_app(Event.objects.filter(**span).order_by("id").values(*_EVENT_FIELDS))
        last = [
            rows[-1]["leaf_index"] for rows in events.values() if rows[-1]["leaf_index"] is not None
        ]
        leaves = dict(LogEntry.objects.filter(index__in=last).values_list("index", "leaf_hash"))
        tables = {
            name: _by_app(
                model._default_manager.filter(**span).values("id", "application_id", *columns)
            )
            for name, model, columns in _RECORD_TABLES
        }
        changes = _by_app(
            ChangeRequest.objects.filter(**span).values(
                "id", "application_id", "status", "requested_at", "decided_at", "reason", "changes"
            )
        )
        panel = _by_app(
            PanelAssignment.objects.filter(**span).values(
                "id", "application_id", "expert_id", "approves", "opinion", "opinion_at"
            )
        )
        holders = _by_app(
            ApplicationHolder.objects.filter(**span).values(
                "id", "application_id", "holder_id", "share"
            )
        )
        consents = _by_app(
            PledgeConsent.objects.filter(
                pledge__application_id__gte=low, pledge__application_id__lte=high
            )
            .order_by("id")
            .values("id", "pledge_id", "purpose", "given_by_id", "given_at", "used_at",
                    application_id=models.F("pledge__application_id"))
        )  # fmt: skip
        issued_records = _by_app(
            IssuedRecord.objects.filter(**span).values(
                "id", "application_id", "event_id", "kind", "number", "data", "data_sha256",
                "issued_at",
            )
        )  # fmt: skip
        consent_requests = _by_app(
            ConsentRequest.objects.filter(
                pledge__application_id__gte=low, pledge__application_id__lte=high
            )
            .order_by("id")
            .values("id", "pledge_id", "purpose", "status", "requested_at", "decided_at",
                    "refusal_reason", "consent_id",
                    application_id=models.F("pledge__application_id"))
        )  # fmt: skip
        certificates = _by_app(
            Certificate.objects.filter(**span).values(
                "id", "application_id", "event_id", "number", "version", "registry_version",
                "issued_at", "data", "data_sha256", "superseded_at",
            )
        )  # fmt: skip
        products = {
            row.pop("_app"): row
            for row in DataProduct.objects.filter(
                application__pk__gte=low, application__pk__lte=high
            ).values("id", *sorted(EDITABLE), _app=models.F("application__pk"))
        }
        decisions = _by_app(
            DecisionDocument.objects.filter(**span).values("id", "application_id", "sha256")
        )
        materials = _by_app(
            Material.objects.filter(withdrawn_at=None, **span).values(
                "id", "application_id", "sha256"
            )
        )
        cited = _by_app(
            ApplicationDeposit.objects.filter(**span).values(
                "id", "application_id", number=models.F("deposit__number")
            )
        )
        for app in apps:
            pk = app["id"]
            if pk in self.skip:
                continue
            consent_rows = defaultdict(list)
            for row in consents.get(pk, []):
                consent_rows[row["pledge_id"]].append(row["id"])
            state = _Replayer(self.check, consent_rows).run(pk, events.get(pk, []))
            self._application(app, state, leaves)
            for name, model, _ in _RECORD_TABLES:
                rows = {row["id"]: row for row in tables[name].get(pk, [])}
                self.check.records(model, rows, getattr(state, name))
            self._changes(changes.get(pk, []), state)
            self._panel(pk, panel.get(pk, []), state)
            self.check.records(
                PledgeConsent, {row["id"]: row for row in consents.get(pk, [])}, state.consents
            )
            self.check.records(
                ConsentRequest,
                {row["id"]: row for row in consent_requests.get(pk, [])},
                state.consent_requests,
            )
            self._holders(app, holders.get(pk, []), state)
            self._filed(app, state, products.get(pk), materials.get(pk, []), cited.get(pk, []))
            self._certificates(certificates.get(pk, []), state)
            self._issued(IssuedRecord, issued_records.get(pk, []), state.issued_records)
            self.check.rows += len(decisions.get(pk, []))
            self._logged_rows(
                DecisionDocument,
                decisions.get(pk, []),
                "sha256",
                state.decisions,
                state.decided_by_event,
            )

    def _application(self, app: dict[str, Any], state: _State, leaves: Mapping[int, str]) -> None:
        self.check.rows += 1
        expected = dict(state.app)
        expected["certificate_version"] = state.certificate_version
        if state.last_leaf is not None and state.last_leaf in leaves:
            expected["last_leaf_hash"] = leaves[state.last_leaf]
        elif state.last_leaf is None:
            expected["last_leaf_hash"] = ""
        self.check.fields(Application, app["id"], app, expected)

    def _changes(self, rows: list[dict[str, Any]], state: _State) -> None:
        by_id = {}
        for row in rows:
            shown = dict(row)
            shown["fields"] = sorted(row["changes"]) if isinstance(row["changes"], dict) else None
            by_id[row["id"]] = shown
        expected = {}
        for key, want in state.changes.items():
            want = dict(want)
            if want["status"] != RecordStatus.REFUSED.value:
                want.pop("reason", None)
            expected[key] = want
        self.check.records(ChangeRequest, by_id, expected)

    def _panel(self, application_id: int, rows: list[dict[str, Any]], state: _State) -> None:
        table = _table(PanelAssignment)
        seats = {row["expert_id"]: row for row in rows}
        for expert, row in seats.items():
            self.check.rows += 1
            want = state.panel.get(expert)
            if want is None:
                self.check.findings.append(
                    ReplayFinding("row_unlogged", {"table": table, "row": row["id"]})
                )
            else:
                self.check.fields(
                    PanelAssignment,
                    row["id"],
                    row,
                    {k: v for k, v in want.items() if k != "_event"},
                )
        for expert, want in state.panel.items():
            if expert not in seats:
                row_name = f"application {application_id}, expert {expert}"
                self.check.findings.append(
                    ReplayFinding(
                        "row_missing", {"table": table, "row": row_name, "event": want["_event"]}
                    )
                )

    def _holders(self, app: dict[str, Any], rows: list[dict[str, Any]], state: _State) -> None:
        """Holders' shares, as last logged (at submission or a confirmed transfer); not after
        the application could be edited since (shares change unlogged then: a draft, or a
        correction requested and the application withdrawn before resubmission)."""
        self.check.rows += len(rows)
        if app["status"] in _EDITABLE or state.app["status"] in _EDITABLE:
            return
        if state.holders is None:  # never logged since they could last change: nothing to check
            return
        table = _table(ApplicationHolder)
        expected = dict(state.holders)
        for row in rows:
            want = expected.pop(row["holder_id"], None)
            if want is None:
                self.check.findings.append(
                    ReplayFinding("row_unlogged", {"table": table, "row": row["id"]})
                )
            elif not _same(row["share"], want):
                self.check.fields(ApplicationHolder, row["id"], row, {"share": want})
        for holder, share in expected.items():
            self.check.findings.append(
                ReplayFinding(
                    "row_field",
                    {
                        "table": table,
                        "row": f"application {app['id']}, holder {holder}",
                        "field": "share",
                        "value": None,
                        "expected": str(share),
                    },
                )
            )

    def _filed(
        self,
        app: dict[str, Any],
        state: _State,
        product: dict[str, Any] | None,
        materials: list[dict[str, Any]],
        cited: list[dict[str, Any]],
    ) -> None:
        """The product, the materials in force and the cited deposits, as last logged (at
        submission, or by a change applied); not after the application could be edited."""
        self.check.rows += 1 + len(materials) + len(cited)
        if app["status"] in _EDITABLE or state.filed_by_event is None:
            return
        if product is not None and state.product is not None:
            shown = {"content": f"sha256 {product_digest(product)}"}
            want = UNKNOWN if state.product is UNKNOWN else f"sha256 {state.product}"
            self.check.fields(DataProduct, product["id"], shown, {"content": want})
        for model, rows, column, logged in (
            (Material, materials, "sha256", state.materials),
            (ApplicationDeposit, cited, "number", state.cited),
        ):
            if logged is not None:
                self._logged_rows(model, rows, column, logged, state.filed_by_event)

    def _logged_rows(
        self,
        model: type[models.Model],
        rows: list[dict[str, Any]],
        column: str,
        logged: list[str],
        event: int | None,
    ) -> None:
        """Each row's ``column`` is one an event logged, and each logged value has its row."""
        table, spare = _table(model), list(logged)
        for row in rows:
            if row[column] in spare:
                spare.remove(row[column])
            else:
                self.check.findings.append(
                    ReplayFinding("row_unlogged", {"table": table, "row": row["id"]})
                )
        for value in spare:
            self.check.findings.append(
                ReplayFinding(
                    "row_missing", {"table": table, "row": f"{column} {value}", "event": event}
                )
            )

    def _certificates(self, rows: list[dict[str, Any]], state: _State) -> None:
        self._issued(Certificate, rows, state.certificates)

    def _issued(
        self,
        model: type[models.Model],
        rows: list[dict[str, Any]],
        expected: Mapping[int, dict[str, Any]],
    ) -> None:
        """Rows made one per issuing event (certificates, sealed records), keyed by event;
        findings name the row where there is one, and its data against its SHA-256."""
        by_event = {}
        for row in rows:
            by_event[row["event_id"]] = row
            if _sha256(str(row["data"]).encode("utf-8")) != row["data_sha256"]:
                self.check.findings.append(
                    ReplayFinding(
                        "row_field",
                        {
                            "table": _table(model),
                            "row": row["id"],
                            "field": "data",
                            "value": f"sha256 {_sha256(str(row['data']).encode('utf-8'))}",
                            "expected": f"sha256 {row['data_sha256']}",
                        },
                    )
                )
        table = _table(model)
        for key, row in by_event.items():
            self.check.rows += 1
            want = expected.get(key)
            if want is None:
                self.check.findings.append(
                    ReplayFinding("row_unlogged", {"table": table, "row": row["id"]})
                )
            else:
                self.check.fields(
                    model, row["id"], row, {k: v for k, v in want.items() if k != "_event"}
                )
        for key in expected:
            if key not in by_event:
                self.check.findings.append(
                    ReplayFinding(
                        "row_missing", {"table": table, "row": f"event {key}", "event": key}
                    )
                )

    # ── deposits and their receipts ──────────────────────────────────────────────────────

    def _deposits(self) -> None:
        """Each deposit against its ``deposit`` event, its statement and its time-stamp token."""
        events = {
            row["id"]: row
            for row in Event.objects.filter(application=None, action=DEPOSIT_EVENT).values(
                "id", "payload", "leaf_index", "occurred_at"
            )
        }
        seen: set[int] = set()
        after = 0
        while True:
            page = list(
                Deposit.objects.filter(pk__gt=after)
                .order_by("pk")
                .values(
                    "id", "number", "event_id", "leaf_index", "created_at", "statement", "token",
                    "root", "file_count", "byte_count", "holder_commitment", "holder_salt",
                    "timestamped_at", identifier=models.F("holder__identifier"),
                )[: self.batch]
            )  # fmt: skip
            if not page:
                break
            for row in page:
                self.check.rows += 1
                seen.add(row["event_id"])
                self._deposit(row, events.get(row["event_id"]))
            after = page[-1]["id"]
        for event_id, event in events.items():
            if event_id not in seen:
                number = (event["payload"] or {}).get("deposit", "?")
                self.check.findings.append(
                    ReplayFinding(
                        "row_missing",
                        {"table": _table(Deposit), "row": number, "event": event_id},
                    )
                )

    def _deposit(self, row: Mapping[str, Any], event: Mapping[str, Any] | None) -> None:
        table = _table(Deposit)
        if event is None:
            self.check.findings.append(
                ReplayFinding("row_unlogged", {"table": table, "row": row["id"]})
            )
            return
        payload = event["payload"] if isinstance(event["payload"], dict) else {}
        statement, token = bytes(row["statement"]), bytes(row["token"])
        shown = dict(row)
        shown["statement"] = f"sha256 {_sha256(statement)}"
        shown["token"] = f"sha256 {_sha256(token)}"
        expected: dict[str, Any] = {
            "number": _opt(payload, "deposit"),
            "statement": f"sha256 {payload.get('statement_sha256')}",
            "token": f"sha256 {payload.get('token_sha256')}",
            "leaf_index": event["leaf_index"],
            "created_at": event["occurred_at"],
        }
        try:
            stated = json.loads(statement)
        except ValueError:
            stated = None
        if isinstance(stated, dict) and shown["statement"] == expected["statement"]:
            expected.update(
                root=stated.get("root"),
                file_count=stated.get("files"),
                byte_count=stated.get("bytes"),
                holder_commitment=stated.get("holder"),
            )
        self.check.fields(Deposit, row["id"], shown, expected)
        commitment = _sha256(bytes(row["holder_salt"]) + str(row["identifier"]).encode("utf-8"))
        self.check.fields(
            Deposit, row["id"], {"holder": commitment}, {"holder": row["holder_commitment"]}
        )
        if shown["token"] == expected["token"]:
            self._receipt(row, statement, token)

    def _receipt(self, row: Mapping[str, Any], statement: bytes, token: bytes) -> None:
        """The receipt: the token stamps the statement, at the time the row states."""
        try:
            info = verify_timestamp(token, statement)
        except VerificationError as exc:
            value: Any = f"invalid: {exc.message}"
            self.check.fields(
                Deposit, row["id"], {"token": value}, {"token": "a token over the statement"}
            )
            return
        self.check.fields(Deposit, row["id"], row, {"timestamped_at": info.gen_time})
