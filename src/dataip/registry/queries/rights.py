"""Rights standing on registrations (权利负担): for banks before lending, and for holders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import models
from django.db.models import Sum

from dataip.errors import NotFound, gettext_noop
from dataip.registry import clock
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    ChangeRequest,
    ConsentRequest,
    ConsentRequestStatus,
    DecisionDocument,
    Holder,
    Licence,
    LicenceKind,
    Pledge,
    PledgeStatus,
    RecordStatus,
    ServiceRevenue,
    Trade,
    Transfer,
    Valuation,
)
from dataip.registry.regimes import load_regime
from dataip.registry.workflow import Actor, Role


@dataclass(frozen=True)
class PendingTransfer:
    """A transfer proposed and not yet confirmed: its dates only (the assignee and the price
    stay between the parties, as a licensee does)."""

    proposed_on: date
    contract_date: date
    effective_date: date


@dataclass(frozen=True)
class Encumbrance:
    """What stands on a registration: pledges, exclusive or sole licences, pending transfers."""

    registration_number: str
    certificate_number: str
    product_name: str
    product_name_en: str
    status: str
    valid_from: date | None
    valid_until: date | None
    holders: list[str]
    pledges: list[Pledge]
    exclusive_licences: list[Licence]
    pending_transfers: list[PendingTransfer]

    @property
    def transfer_pending(self) -> bool:
        """Whether a transfer waits for its confirmation."""
        return bool(self.pending_transfers)

    @property
    def encumbered(self) -> bool:
        """Whether anything stands on the registration that a lender must weigh."""
        return bool(self.pledges or self.exclusive_licences or self.pending_transfers)


ENCUMBRANCE_COLUMNS = (
    "registration_number",
    "certificate_number",
    "status",
    "valid_from",
    "valid_until",
    "product",
)
"""The columns of a registration an encumbrance shows (the product's names besides)."""

SEARCH_KEYS = ("registration_number", "certificate_number", "holder_identifier")
"""What an encumbrance search may be by, in the order they are tried."""


def encumbrances(
    *, registration_number: str = "", certificate_number: str = "", holder_identifier: str = ""
) -> list[Encumbrance]:
    """Encumbrance search (权利负担查询) by registration number, certificate number or the
    holder's identity code (统一社会信用代码); only registrations (numbers are issued at
    registration), in the order they were filed."""
    registrations = Application.objects.exclude(registration_number=None)
    if registration_number:
        registrations = registrations.filter(
            registration_number=registration_number.strip().upper()
        )
    elif certificate_number:
        registrations = registrations.filter(certificate_number=certificate_number.strip().upper())
    elif holder_identifier:
        # A subquery on the holder's unique identity code (no join to de-duplicate).
        registrations = registrations.filter(
            pk__in=ApplicationHolder.objects.filter(
                holder__identifier=holder_identifier.strip().upper()
            ).values("application_id")
        )
    else:
        return []
    found = list(
        registrations.select_related("product")
        .only(*ENCUMBRANCE_COLUMNS, "product__name", "product__name_en")
        .order_by("id")
    )
    if not found:
        return []
    # What stands on them: one query per kind for all of them (each by its indexed
    # application column), not one per registration.
    ids = [a.pk for a in found]
    today = clock.local_date(clock.now())
    holders: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, name in (
        ApplicationHolder.objects.filter(application_id__in=ids)
        .order_by("id")
        .values_list("application_id", "holder__name")
    ):
        holders[pk].append(name)
    pledges: dict[int, list[Pledge]] = {pk: [] for pk in ids}
    for pledge in (
        Pledge.objects.filter(application_id__in=ids, status=PledgeStatus.ACTIVE)
        .select_related("pledgee")
        .order_by("id")
    ):
        pledges[pledge.application_id].append(pledge)
    licences: dict[int, list[Licence]] = {pk: [] for pk in ids}
    for licence in (
        Licence.objects.filter(
            application_id__in=ids,
            kind__in=[k for k in LicenceKind.values if k != LicenceKind.ORDINARY],
            ended_on=None,
            starts__lte=today,
            ends__gte=today,
        )
        .select_related("licensee")
        .order_by("id")
    ):
        licences[licence.application_id].append(licence)
    transfers: dict[int, list[PendingTransfer]] = {pk: [] for pk in ids}
    for pk, proposed_at, contract_date, effective_date in (
        Transfer.objects.filter(application_id__in=ids, status=RecordStatus.PENDING)
        .order_by("id")
        .values_list("application_id", "proposed_at", "contract_date", "effective_date")
    ):
        transfers[pk].append(
            PendingTransfer(
                proposed_on=clock.local_date(proposed_at),
                contract_date=contract_date,
                effective_date=effective_date,
            )
        )
    return [
        Encumbrance(
            registration_number=application.registration_number or "",
            certificate_number=application.certificate_number or "",
            product_name=application.product.name,
            product_name_en=application.product.name_en,
            status=application.status,
            valid_from=application.valid_from,
            valid_until=application.valid_until,
            holders=holders[application.pk],
            pledges=pledges[application.pk],
            exclusive_licences=licences[application.pk],
            pending_transfers=transfers[application.pk],
        )
        for application in found
    ]


def pledge_amounts_published(registration_numbers: list[str]) -> set[str]:
    """Registration numbers whose regime publishes pledge amounts (as the public record does)."""
    regimes = Application.objects.filter(registration_number__in=registration_numbers)
    return {
        number
        for number, code in regimes.values_list("registration_number", "regime_code")
        if number and load_regime(code).publish_pledge_amount
    }


def pledges_held_by(holder_id: int) -> list[Pledge]:
    """The pledges a bank or other creditor holds, newest first."""
    return list(
        Pledge.objects.filter(pledgee_id=holder_id).select_related("application").order_by("-id")
    )


@dataclass(frozen=True)
class IncomeShare:
    """One holder's share of what the registration earned in one currency (收益分配)."""

    holder: str
    share: Decimal
    licence_fees: Decimal
    trades: Decimal
    revenue: Decimal
    currency: str = "CNY"

    @property
    def total(self) -> Decimal:
        """Everything this holder's share comes to, in this currency."""
        return self.licence_fees + self.trades + self.revenue


def income_statement(application: Application) -> list[IncomeShare]:
    """How licence fees, trade amounts and service revenue split between the joint holders,
    by their shares (rounded to the fen): one row per holder and currency, never a sum of
    amounts in different currencies. Currencies in alphabetical order; with nothing recorded
    yet, one row per holder in the regime's first currency."""
    sums: dict[str, dict[str, Decimal]] = {}
    for kind, records in (
        ("fees", application.licences.all()),
        ("trades", application.trades.exclude(status="withdrawn")),  # a withdrawn report
        ("revenue", application.revenues.all()),
    ):
        for currency, amount in (
            records.values("currency").annotate(s=Sum("amount")).values_list("currency", "s")
        ):
            sums.setdefault(currency, {})[kind] = Decimal(amount or 0)
    if not sums:
        sums[load_regime(application.regime_code).currencies[0]] = {}
    cent = Decimal("0.01")

    def part(amount: Decimal, share: Decimal) -> Decimal:
        return (amount * share / 100).quantize(cent, ROUND_HALF_EVEN)

    holders = list(application.holders.values_list("holder__name", "share").order_by("id"))
    zero = Decimal(0)
    return [
        IncomeShare(
            name,
            share,
            part(totals.get("fees", zero), share),
            part(totals.get("trades", zero), share),
            part(totals.get("revenue", zero), share),
            currency,
        )
        for currency, totals in sorted(sums.items())
        for name, share in holders
    ]


# ── a holder's side of a registered right (权利人) ─────────────────────────────────────────


def held_registration(actor: Actor, *, application_id: int = 0, number: str = "") -> Application:
    """A registration (by its id or registration number) of which ``actor`` is a member of a
    current holder; any other is NotFound, even a public one (the records are the holders')."""
    found = Application.objects.select_related("product").exclude(registration_number=None)
    if application_id:
        found = found.filter(pk=application_id)
    else:
        found = found.filter(registration_number=number.strip().upper())
    application = found.filter(holders__holder_id__in=actor.sees_holder_ids).distinct().first()
    if application is None or not actor.sees_holder_ids:
        raise NotFound(gettext_noop("No such registration."))
    return application


@dataclass(frozen=True)
class RightsRecords:
    """What has been recorded on a registration after it was registered, oldest first."""

    licences: list[Licence]
    trades: list[Trade]
    revenues: list[ServiceRevenue]
    valuations: list[Valuation]
    changes: list[ChangeRequest]


def records_of(application: Application) -> RightsRecords:
    """The licences, trades, service revenue, valuations and change requests of a registration."""
    return RightsRecords(
        licences=list(application.licences.select_related("licensee").order_by("id")),
        trades=list(application.trades.order_by("id")),
        revenues=list(application.revenues.order_by("id")),
        valuations=list(application.valuations.order_by("id")),
        changes=list(application.changes.order_by("id")),
    )


def held_licence(actor: Actor, licence_id: int) -> Licence:
    """A licence of a registration that ``actor``'s organisation holds; otherwise NotFound."""
    licence = (
        Licence.objects.select_related("application", "licensee")
        .filter(pk=licence_id, application__holders__holder_id__in=actor.sees_holder_ids)
        .first()
    )
    if licence is None:
        raise NotFound(gettext_noop("No such licence."))
    return licence


def licences_granted_to(holder_ids: frozenset[int]) -> list[Licence]:
    """The licences granted to the licensee (被许可方) organisation, newest first."""
    return list(
        Licence.objects.filter(licensee_id__in=holder_ids)
        .select_related("application__product", "licensee")
        .order_by("-id")
    )


def in_force(licence: Licence, today: date) -> bool:
    """Whether a licence is in force on ``today`` (not ended early, inside its term)."""
    return licence.ended_on is None and licence.starts <= today <= licence.ends


def pledges_waiting_for(holder_ids: frozenset[int]) -> list[Pledge]:
    """Pledges registered by a pledgee on rights these holders hold, waiting for a holder's
    confirmation (出质人确认), oldest first."""
    return list(
        Pledge.objects.filter(
            status=PledgeStatus.PROPOSED, application__holders__holder_id__in=holder_ids
        )
        .select_related("application__product", "pledgee")
        .distinct()
        .order_by("id")
    )


def pledge_of_pledgee(pledge_id: int, holder_id: int | None) -> Pledge | None:
    """The pledge if this holder is its pledgee (a bank's own pledges only)."""
    return (
        Pledge.objects.filter(pk=pledge_id, pledgee_id=holder_id)
        .select_related("application__product")
        .first()
    )


def registered_application_id(registration_number: str) -> int | None:
    """The registration's application id, by its registration number (None: no such one)."""
    return (
        Application.objects.filter(registration_number=registration_number.strip().upper())
        .values_list("pk", flat=True)
        .first()
    )


def pending_changes() -> list[ChangeRequest]:
    """Change requests of registered rights waiting for an examiner (变更审查), oldest first."""
    return list(
        ChangeRequest.objects.filter(status=RecordStatus.PENDING)
        .select_related("application__product")
        .order_by("requested_at", "id")
    )


def change_request(change_id: int) -> ChangeRequest | None:
    """One change request, with its registration."""
    return ChangeRequest.objects.filter(pk=change_id).select_related("application__product").first()


# ── transfers (转让) and the parties that confirm them ────────────────────────────────────


@dataclass(frozen=True)
class TransferView:
    """A transfer with its parties: who must confirm it, who has, who has yet to."""

    transfer: Transfer
    parties: list[str]
    confirmed: list[str]
    waiting: list[str]
    waiting_ids: frozenset[int]
    reported_by: str = ""
    """The data exchange whose trade report proposed the transfer (no holder proposed it)."""


def transfer_view(transfer: Transfer) -> TransferView:
    """A transfer with the names of its parties, who confirmed it and who has yet to."""
    confirmed = set(transfer.confirmations.values_list("holder_id", flat=True))
    parties = transfer.parties()
    names = dict(Holder.objects.filter(pk__in=parties).values_list("pk", "name"))
    return TransferView(
        transfer=transfer,
        parties=[names.get(h, "") for h in sorted(parties)],
        confirmed=[names.get(h, "") for h in sorted(parties & confirmed)],
        waiting=[names.get(h, "") for h in sorted(parties - confirmed)],
        waiting_ids=frozenset(parties - confirmed),
        reported_by=(
            ""
            if transfer.proposer_id is not None
            else transfer.trade_reports.values_list("exchange", flat=True).first() or ""
        ),
    )


def transfers_of(application: Application) -> list[TransferView]:
    """Every transfer proposed on a registration (pending, confirmed, cancelled), newest first."""
    found = application.transfers.select_related(
        "assignee", "proposer", "declined_by", "application__product"
    ).order_by("-id")
    return [transfer_view(t) for t in found]


def transfers_waiting_for(holder_ids: frozenset[int]) -> list[TransferView]:
    """Pending transfers these holders are a party to and have not confirmed yet: as the
    assignee, or as a joint holder other than the proposer (转让确认), oldest first."""
    if not holder_ids:
        return []
    candidates = (
        Transfer.objects.filter(status=RecordStatus.PENDING)
        .filter(
            models.Q(assignee_id__in=holder_ids)
            | models.Q(application__holders__holder_id__in=holder_ids)
        )
        .select_related("assignee", "proposer", "application__product")
        .distinct()
        .order_by("id")
    )
    views = [transfer_view(t) for t in candidates]
    return [v for v in views if v.waiting_ids & holder_ids]


def transfer_for_party(holder_ids: frozenset[int], transfer_id: int) -> TransferView:
    """A pending transfer waiting for one of these holders; otherwise NotFound."""
    for view in transfers_waiting_for(holder_ids):
        if view.transfer.pk == transfer_id:
            return view
    raise NotFound(gettext_noop("No such transfer waiting for confirmation."))


def proposed_transfer(actor: Actor, transfer_id: int) -> Transfer:
    """A transfer proposed on a registration ``actor``'s organisation holds (or held when it
    proposed it); otherwise NotFound."""
    transfer = (
        Transfer.objects.filter(pk=transfer_id, proposer_id__in=actor.sees_holder_ids)
        .select_related("assignee", "application__product")
        .first()
    )
    if transfer is None:
        raise NotFound(gettext_noop("No such transfer."))
    return transfer


def consent_requests_for_pledgee(holder_id: int | None) -> list[ConsentRequest]:
    """Requests for consent addressed to this pledgee (a bank): those waiting first (oldest
    first), then those answered (newest first)."""
    found = ConsentRequest.objects.filter(pledge__pledgee_id=holder_id or 0).select_related(
        "pledge__application__product"
    )
    waiting = found.filter(status=ConsentRequestStatus.PENDING).order_by("id")
    answered = found.exclude(status=ConsentRequestStatus.PENDING).order_by("-id")[:100]
    return [*waiting, *answered]


def consent_request_for_pledgee(holder_id: int | None, request_id: int) -> ConsentRequest:
    """One request for consent addressed to this pledgee; :class:`NotFound` otherwise."""
    found = (
        ConsentRequest.objects.filter(pk=request_id, pledge__pledgee_id=holder_id or 0)
        .select_related("pledge__application__product")
        .first()
    )
    if found is None:
        raise NotFound(gettext_noop("No such request waiting for your consent."))
    return found


def pledges_of(application: Application) -> list[Pledge]:
    """The pledges of a registration standing or released (not those proposed or declined),
    newest first, with their requests for consent."""
    return list(
        application.pledges.filter(status__in=[PledgeStatus.ACTIVE, PledgeStatus.RELEASED])
        .select_related("pledgee")
        .prefetch_related("consent_requests")
        .order_by("-id")
    )


def consent_requests_of(holder_ids: frozenset[int]) -> list[ConsentRequest]:
    """The requests for consent made on rights these holders hold, newest first."""
    return list(
        ConsentRequest.objects.filter(pledge__application__holders__holder_id__in=holder_ids)
        .select_related("pledge__application__product", "pledge__pledgee")
        .distinct()
        .order_by("-id")
    )


def decision_documents_of(application: Application) -> list[DecisionDocument]:
    """The documents of the decisions taken on the registration (its revocation)."""
    return list(application.decision_documents.all())


def decision_document_for(actor: Actor, application_id: int, file_id: int) -> DecisionDocument:
    """A decision's document: for the examiners and registrars, and for the registration's
    holders; anyone else is told there is no such file."""
    item = DecisionDocument.objects.filter(pk=file_id, application_id=application_id).first()
    if item is None:
        raise NotFound(gettext_noop("No such file."))
    if actor.roles & {Role.EXAMINER, Role.REGISTRAR}:
        return item
    try:
        held_registration(actor, application_id=application_id)
    except NotFound:
        raise NotFound(gettext_noop("No such file.")) from None
    return item
