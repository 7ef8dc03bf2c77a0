"""The read side of deposits: who sees what, and overlap warnings for examiners.

* The holder's members see their deposits whole (manifest, receipt).
* Examiners, registrars and the experts on a panel see a deposit cited by an application whose
  confidential part they may see (``registry.queries.can_see_confidential``).
* The public sees only that a deposit exists: its number, its time and (unless
  ``DATAIP_DEPOSIT_PUBLISH_ROOT`` is off) its root; never the holder salt, the manifest, its
  file list or the MinHash signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet

from dataip.deposits.models import ApplicationDeposit, Deposit, DepositBand
from dataip.errors import NotFound, gettext_noop
from dataip.evidence.fingerprint import estimate_containment, estimate_similarity
from dataip.registry.actors import applicant_holder_ids
from dataip.registry.models import Application
from dataip.registry.queries import can_see_confidential
from dataip.registry.workflow import PUBLIC_STATUSES, Actor, Status

__all__ = [
    "NOT_LIVE",
    "OverlapWarning",
    "PublicDeposit",
    "can_see_deposit",
    "citable_deposits",
    "cited_deposits",
    "deposits_of",
    "get_deposit_for",
    "overlap_warnings",
    "own_deposit",
    "public_deposit",
    "public_deposits_of",
    "public_deposits_of_many",
]

NOT_LIVE = (Status.DRAFT.value, Status.REJECTED.value, Status.WITHDRAWN.value)
"""Applications in these statuses do not make their cited deposits count for overlaps."""
MAX_CANDIDATES = 200
"""At most this many LSH candidates (the most shared bands first) are compared in full."""


def deposits_of(holder_id: int) -> QuerySet[Deposit]:
    """The holder's deposits, the newest first."""
    return Deposit.objects.filter(holder_id=holder_id).order_by("-id")


def own_deposit(actor: Actor, deposit_id: int) -> Deposit:
    """A deposit of the holder ``actor`` acts for; NotFound otherwise."""
    deposit = Deposit.objects.filter(pk=deposit_id, holder_id__in=actor.sees_holder_ids).first()
    if deposit is None:
        raise NotFound(gettext_noop("No such deposit."))
    return deposit


def can_see_deposit(actor: Actor, deposit: Deposit) -> bool:
    """Whether ``actor`` may see the deposit's confidential part."""
    if deposit.holder_id in actor.sees_holder_ids:
        return True
    citing = Application.objects.filter(deposit_citations__deposit=deposit).select_related(
        "product"
    )
    return any(can_see_confidential(actor, application) for application in citing)


def get_deposit_for(actor: Actor, deposit_id: int) -> Deposit:
    """The deposit if ``actor`` may see it (holder, or staff of a citing application)."""
    deposit = Deposit.objects.select_related("holder").filter(pk=deposit_id).first()
    if deposit is None or not can_see_deposit(actor, deposit):
        raise NotFound(gettext_noop("No such deposit."))
    return deposit


def cited_deposits(application: Application) -> list[Deposit]:
    """The deposits the application cites, in the order they were cited."""
    return list(
        Deposit.objects.filter(citations__application=application)
        .select_related("holder")
        .order_by("citations__id")
    )


def citable_deposits(application: Application) -> QuerySet[Deposit]:
    """Deposits of the applicant side that the application does not cite yet."""
    return (
        Deposit.objects.filter(holder_id__in=applicant_holder_ids(application))
        .exclude(citations__application=application)
        .select_related("holder")
        .order_by("-id")
    )


# ── what the public sees ───────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PublicDeposit:
    """A deposit as the public sees it: that it exists, its number, times and maybe root."""

    number: str
    deposited_at: datetime
    timestamped_at: datetime
    root: str | None


PUBLIC_COLUMNS = ("number", "created_at", "timestamped_at", "root")
"""The columns of a deposit the public sees (:class:`PublicDeposit`), in its order."""


def _public(deposit: Deposit) -> PublicDeposit:
    return _public_of(*(getattr(deposit, name) for name in PUBLIC_COLUMNS))


def _public_of(
    number: str, created_at: datetime, timestamped_at: datetime, root: str
) -> PublicDeposit:
    return PublicDeposit(
        number=number,
        deposited_at=created_at,
        timestamped_at=timestamped_at,
        root=root if settings.DATAIP_DEPOSIT_PUBLISH_ROOT else None,
    )


def public_deposit(number: str) -> PublicDeposit:
    """The public facts of a deposit by its number; NotFound if there is none."""
    deposit = Deposit.objects.filter(number=number).first()
    if deposit is None:
        raise NotFound(gettext_noop("No such deposit."))
    return _public(deposit)


def public_deposits_of(application: Application) -> list[PublicDeposit]:
    """The deposits a public application cites, as the public sees them (none before then)."""
    if Status(application.status) not in PUBLIC_STATUSES:
        return []
    # The public columns only (a registration page reads this): no holder, no manifest.
    cited = Deposit.objects.filter(citations__application=application).order_by("citations__id")
    return [_public_of(*row) for row in cited.values_list(*PUBLIC_COLUMNS)]


def public_deposits_of_many(applications: Sequence[Application]) -> dict[int, list[PublicDeposit]]:
    """The deposits each public application cites, by application id, in one query (the
    metadata catalogue lists a page of registrations at once)."""
    public = [a.pk for a in applications if Status(a.status) in PUBLIC_STATUSES]
    found: dict[int, list[PublicDeposit]] = {pk: [] for pk in public}
    citations = (
        ApplicationDeposit.objects.filter(application_id__in=public)
        .select_related("deposit")
        .order_by("id")
    )
    for citation in citations:
        found[citation.application_id].append(_public(citation.deposit))
    return found


# ── overlap warnings ───────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class OverlapWarning:
    """A cited deposit overlaps another holder's deposit cited by a live application."""

    deposit: Deposit
    """The deposit the application under examination cites."""
    other: Deposit
    """The other holder's deposit."""
    applications: list[Application]
    """The live applications (submitted onwards, not rejected or withdrawn) citing ``other``."""
    similarity: float
    """Estimated Jaccard similarity of the two datasets' chunk sets."""
    containment: float
    """Estimated share of ``deposit``'s content that is also in ``other``."""
    contained: float
    """Estimated share of ``other``'s content that is also in ``deposit``."""

    @property
    def overlap(self) -> float:
        """The strongest of the three estimates (what the threshold is compared with)."""
        return max(self.similarity, self.containment, self.contained)


def _candidates(deposit: Deposit, application: Application, side: frozenset[int]) -> list[int]:
    """Deposits sharing an LSH band with ``deposit``: other holders', cited by a live
    application other than this one; the most shared bands first."""
    hashes = list(deposit.bands.values_list("hash", flat=True))
    if not hashes:
        return []
    live = (
        ApplicationDeposit.objects.filter(deposit_id=OuterRef("deposit_id"))
        .exclude(application_id=application.pk)
        .exclude(application__status__in=NOT_LIVE)
    )
    rows = (
        DepositBand.objects.filter(hash__in=hashes)
        .exclude(deposit_id=deposit.pk)
        .exclude(deposit__holder_id__in=side)
        .filter(Exists(live))
        .values("deposit_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "deposit_id")[:MAX_CANDIDATES]
    )
    return [int(row["deposit_id"]) for row in rows]


def _estimates(ours: Any, theirs: Any) -> tuple[float, float, float] | None:
    try:
        return (
            estimate_similarity(ours, theirs),
            estimate_containment(ours, theirs),
            estimate_containment(theirs, ours),
        )
    except ValueError:  # made with other parameters: not comparable
        return None


def overlap_warnings(
    application: Application, *, threshold: float | None = None
) -> list[OverlapWarning]:
    """Warnings for examiners: the application's cited deposits that overlap strongly
    (estimated Jaccard or containment ≥ ``threshold``, default
    ``DATAIP_DEPOSIT_OVERLAP_THRESHOLD``) with a deposit of a holder outside its applicant
    side that a live application cites. Candidates come from the LSH band index, never
    from a scan of every deposit. The strongest overlap first."""
    limit = float(settings.DATAIP_DEPOSIT_OVERLAP_THRESHOLD if threshold is None else threshold)
    side = applicant_holder_ids(application)
    warnings: list[OverlapWarning] = []
    for deposit in cited_deposits(application):
        if deposit.minhash is None:
            continue
        ids = _candidates(deposit, application, side)
        for other in Deposit.objects.filter(pk__in=ids).select_related("holder"):
            found = _estimates(deposit.minhash, other.minhash)
            if found is None or max(found) < limit:
                continue
            applications = list(
                Application.objects.filter(deposit_citations__deposit=other)
                .exclude(pk=application.pk)
                .exclude(status__in=NOT_LIVE)
                .select_related("product")
                .order_by("id")
            )
            warnings.append(OverlapWarning(deposit, other, applications, *found))
    warnings.sort(key=lambda w: (-w.overlap, w.deposit.pk, w.other.pk))
    return warnings
