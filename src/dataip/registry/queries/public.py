"""What the public may know (公开信息): a registration's public record, found by its
application or registration number, the announcements running now, and the headline figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, Count, Model, Prefetch, Q, prefetch_related_objects
from django.db.models.expressions import RawSQL

from dataip.errors import Message, NotFound, ValidationFailed, gettext_noop
from dataip.registry import clock
from dataip.registry.details import public_details
from dataip.registry.fields import PUBLIC_FIELDS
from dataip.registry.kinds import ProductKind
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    Licence,
    LicenceKind,
    Listing,
    Pledge,
    PledgeStatus,
    RecordStatus,
    Transfer,
)
from dataip.registry.regimes import load_regime
from dataip.registry.workflow import PUBLIC_STATUSES, Status

FIGURES_SECONDS = 60
FIGURES_KEY = "dataip:figures"


@dataclass(frozen=True)
class Figures:
    """Headline numbers for the home page."""

    applications: int
    under_publicity: int
    registered: int
    provinces: int
    industries: int


def registry_figures() -> Figures:
    """Counts over submitted applications and registrations (drafts are nobody's business)."""
    by_status = dict(
        Application.objects.exclude(status=Status.DRAFT)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    registered = Application.objects.filter(status__in=[Status.REGISTERED, Status.EXPIRED])
    return Figures(
        applications=sum(by_status.values()),
        under_publicity=by_status.get(Status.UNDER_PUBLICITY, 0),
        registered=by_status.get(Status.REGISTERED, 0),
        provinces=registered.values("product__province_code").distinct().count(),
        industries=registered.values("product__industry_code").distinct().count(),
    )


def certificates_issued() -> int:
    """How many registrations have a signed certificate."""
    return Application.objects.filter(certificates__pdf__gt="").distinct().count()


def home_figures() -> tuple[Figures, int]:
    """The headline figures and the number of certificates issued, cached for a minute (they
    count over every application)."""
    cached = cache.get(FIGURES_KEY)
    if cached is None:
        cached = (registry_figures(), certificates_issued())
        cache.set(FIGURES_KEY, cached, FIGURES_SECONDS)
    figures, certificates = cached
    return figures, int(certificates)


ANNOUNCEMENTS_PER_PAGE = 20
_ANNOUNCEMENT_REASONS: Mapping[str, str] = {
    "kind": gettext_noop("Kind: “%(value)s” is not a kind of data product; choose one listed."),
    "province": gettext_noop("Province: “%(value)s” is not a province; give its two-digit code."),
    "ends_before": gettext_noop(
        "Ending on or before: “%(value)s” is not a date; give it as 2026-03-31."
    ),
    "q": gettext_noop("Words: write at most 200 characters."),
}


def announcement_filters(
    params: Mapping[str, str],
) -> tuple[dict[str, Any], ValidationFailed | None]:
    """The filters of the announcements asked for in ``params`` (``kind``, ``province``,
    ``ends_before``, ``q``), as keyword arguments of :func:`current_announcements`, with every
    refused value left out, and the error naming each refused field (or None)."""
    errors: dict[str, list[Message]] = {}
    wanted: dict[str, Any] = {}
    for name, reason in _ANNOUNCEMENT_REASONS.items():
        value = (params.get(name) or "").strip()
        if not value:
            continue
        shown = value if len(value) <= 40 else value[:40] + "…"
        ok: Any = None
        if (name == "kind" and value in {k.value for k in ProductKind}) or (
            name == "province" and len(value) == 2 and value.isascii() and value.isdigit()
        ):
            ok = value
        elif name == "ends_before":
            try:
                ok = date.fromisoformat(value)
            except ValueError:
                ok = None
        elif name == "q" and len(value) <= 200 and "\x00" not in value:
            ok = value
        if ok is None:
            errors[name] = [Message(reason, {"value": shown})]
        else:
            wanted["text" if name == "q" else name] = ok
    return wanted, (ValidationFailed(errors) if errors else None)


def current_announcements(
    *,
    kind: str = "",
    province: str = "",
    ends_before: date | None = None,
    text: str = "",
) -> list[Application]:
    """Applications under public announcement now, the soonest to end first; optionally only
    those of a kind, a province (two-digit code), ending on or before a day, or whose
    application number, name (Chinese or English) or applicant contains ``text``."""
    today = clock.local_date(clock.now())
    found = Application.objects.filter(status=Status.UNDER_PUBLICITY, announcement_ends__gte=today)
    if kind:
        found = found.filter(product__kind=kind)
    if province:
        found = found.filter(product__province_code__startswith=province)
    if ends_before is not None:
        found = found.filter(announcement_ends__lte=ends_before)
    for word in text.split()[:8]:
        found = found.filter(
            Q(number__icontains=word)
            | Q(product__name__icontains=word)
            | Q(product__name_en__icontains=word)
            | Q(filed_by__name__icontains=word)
            | Q(filed_by__name_en__icontains=word)
        )
    return list(found.select_related("product", "filed_by").order_by("announcement_ends", "id"))


@dataclass(frozen=True)
class Announcement:
    """An application under announcement, with the days left to object."""

    application: Application
    days_left: int


def with_days_left(applications: list[Application], today: date) -> list[Announcement]:
    """Days left in each announcement (0: objections are accepted until the end of today)."""
    return [
        Announcement(a, (a.announcement_ends - today).days if a.announcement_ends else 0)
        for a in applications
    ]


# ── one registration, as the public sees it ─────────────────────────────────────────────


def _any(model: type[Model]) -> RawSQL:
    # Written out: the ORM's Exists() costs more to compile than the index probe to run.
    table, application = model._meta.db_table, Application._meta.db_table
    return RawSQL(  # noqa: S611 - table names of our own models, no parameter
        f"EXISTS (SELECT 1 FROM {table} WHERE {table}.application_id = {application}.id)",  # noqa: S608
        [],
        output_field=BooleanField(),
    )


RECORDED = {
    "has_pledges": _any(Pledge),
    "has_licences": _any(Licence),
    "has_transfers": _any(Transfer),
    "has_listings": _any(Listing),
}
"""Whether an application has any pledge, licence, transfer or listing, read with the
application itself: a public page skips the query of each kind of record it has none of
(most registrations have none)."""


def may_have(application: Application, records: str) -> bool:
    """Whether ``application`` may have ``records`` (``pledges``, ``licences``, ``transfers``,
    ``listings``): False only when it was read with :data:`RECORDED` and has none."""
    return bool(getattr(application, f"has_{records}", True))


def public_application(number: str) -> Application:
    """A registration (or an announced application) by its registration number, its
    application number or its certificate number (the "Certificate No." printed at the top of
    the certificate), in any letter case, spaces and hyphens ignored.

    Drafts and applications under examination are never found: NotFound, as if they did not
    exist.
    """
    wanted = "".join(number.split()).replace("-", "").upper()
    application = (
        Application.objects.select_related("product")
        .filter(
            Q(registration_number=wanted) | Q(number=wanted) | Q(certificate_number=wanted),
            status__in=[s.value for s in PUBLIC_STATUSES],
        )
        .annotate(**RECORDED)
        .first()
    )
    if application is None:
        raise NotFound(gettext_noop("No such registration."))
    return application


def canonical_number(application: Application) -> str:
    """The number a public record is addressed by: the application number (also while it is
    announced, before a registration number exists)."""
    return application.number or application.registration_number or ""


@dataclass(frozen=True)
class PublicPledge:
    """A pledge as the public sees it: the pledgee and dates; the amount only if published."""

    pledgee: str
    starts: date
    ends: date
    in_force: bool
    amount: Decimal | None
    currency: str


@dataclass(frozen=True)
class PublicLicence:
    """A licence as the public sees it: that it exists, its kind and term."""

    kind: str
    starts: date
    ends: date
    in_force: bool


@dataclass(frozen=True)
class StateLicence:
    """An exclusive or sole licence in force, as the public sees it: the licensee, the term
    and the territory (GB/T 2260 codes, empty: nationwide; or the free text of an old record).
    The scope and the fee stay between the parties."""

    kind: str
    licensee: str
    starts: date
    ends: date
    regions: tuple[str, ...]
    territory_text: str


@dataclass(frozen=True)
class PublicState:
    """The state of the right (权利状态) that the public sees first: the pledges that stand,
    the exclusive or sole licences in force, a transfer waiting for its confirmation (its date
    only: the assignee and the price stay between the parties), and the end of the right
    (cancelled or revoked: the date; for a revocation, the decision's reference where the
    regime publishes it). The registration page, the public API and verification show it."""

    status: str
    pledges: tuple[PublicPledge, ...]
    licences: tuple[StateLicence, ...]
    transfer_proposed_on: date | None
    ended_on: date | None
    decision_reference: str
    valid_until: date | None

    @property
    def under_pledge(self) -> bool:
        """True while a pledge stands."""
        return bool(self.pledges)

    @property
    def licensed_exclusively(self) -> bool:
        """True while an exclusive or sole licence is in force."""
        return bool(self.licences)

    @property
    def being_transferred(self) -> bool:
        """True while a transfer waits for its confirmation."""
        return self.transfer_proposed_on is not None

    @property
    def unencumbered(self) -> bool:
        """True if nothing stands on the right (no pledge, no exclusive or sole licence, no
        pending transfer)."""
        return not (self.pledges or self.licences or self.being_transferred)


STOOD = (PledgeStatus.ACTIVE, PledgeStatus.RELEASED)
"""Pledges the public sees: those that stand or stood (not proposals, not declined ones)."""


@dataclass(frozen=True)
class PublicRecord:
    """Everything the public may know about a registration (公开信息)."""

    application: Application
    product: dict[str, Any]
    holders: list[tuple[str, Decimal]]
    pledges: list[PublicPledge]
    licences: list[PublicLicence]
    history: list[tuple[str, datetime]]
    state: PublicState

    @property
    def under_pledge(self) -> bool:
        """True while a pledge stands."""
        return any(p.in_force for p in self.pledges)


def public_state(
    application: Application,
    pledges: list[PublicPledge],
    licences: Sequence[Licence],
    today: date,
) -> PublicState:
    """The state of a public registration (``pledges``: those the public record lists;
    ``licences``: every licence of the registration, in order, their licensees loaded)."""
    status = Status(application.status)
    regime = load_regime(application.regime_code)
    exclusive = tuple(
        StateLicence(
            kind=lic.kind,
            licensee=lic.licensee_display,
            starts=lic.starts,
            ends=lic.ends,
            regions=tuple(lic.regions or ()),
            territory_text=lic.territory,
        )
        for lic in licences
        if lic.kind != LicenceKind.ORDINARY
        and lic.ended_on is None
        and lic.starts <= today <= lic.ends
    )
    pending = (
        application.transfers.filter(status=RecordStatus.PENDING)
        .order_by("id")
        .values_list("proposed_at", flat=True)
        .first()
        if may_have(application, "transfers")
        else None
    )
    ended = status in (Status.CANCELLED, Status.REVOKED) and application.decided_at is not None
    reference = ""
    if status == Status.REVOKED and regime.publish_decision_reference:
        reference = application.decision_reference or ""
    return PublicState(
        status=status.value,
        pledges=tuple(p for p in pledges if p.in_force),
        licences=exclusive,
        transfer_proposed_on=None if pending is None else clock.local_date(pending),
        ended_on=clock.local_date(application.decided_at)
        if ended and application.decided_at
        else None,
        decision_reference=reference,
        valid_until=application.valid_until,
    )


HOLDERS = Prefetch(
    "holders",
    queryset=ApplicationHolder.objects.select_related("holder").only(
        "application_id", "holder_id", "share", "holder__name", "holder__kind"
    ),
)
"""The holders of an application with what the public sees of them (name, kind and share; read
once, then kept on it)."""


def holder_rows(application: Application) -> list[ApplicationHolder]:
    """The holders of ``application`` in the order they were entered, read once: a page that
    shows the record and its metadata reads them one time."""
    prefetch_related_objects([application], HOLDERS)
    return sorted(application.holders.all(), key=lambda row: row.pk)


def public_record(application: Application, *, today: date | None = None) -> PublicRecord:
    """The public fields, holders, pledges, licences and public history of a registration."""
    if Status(application.status) not in PUBLIC_STATUSES:
        raise NotFound(gettext_noop("No such application."))
    today = today or clock.local_date(clock.now())
    regime = load_regime(application.regime_code)
    product = application.product
    fields = {name: getattr(product, name) for name in PUBLIC_FIELDS}
    fields["details"] = public_details(ProductKind(product.kind), product.details)
    pledges = [
        PublicPledge(
            pledgee=p.pledgee.name,
            starts=p.starts,
            ends=p.ends,
            in_force=p.status == PledgeStatus.ACTIVE,
            amount=p.amount if regime.publish_pledge_amount else None,
            currency=p.currency,
        )
        for p in (
            application.pledges.filter(status__in=STOOD).select_related("pledgee").order_by("id")
            if may_have(application, "pledges")
            else ()
        )
    ]
    rows = (
        list(application.licences.select_related("licensee").order_by("id"))
        if may_have(application, "licences")
        else []
    )
    licences = [
        PublicLicence(
            lic.kind, lic.starts, lic.ends, lic.ended_on is None and lic.starts <= today <= lic.ends
        )
        for lic in rows
    ]
    history = list(application.events.filter(public=True).values_list("action", "occurred_at"))
    holders = [(h.holder.name, h.share) for h in holder_rows(application)]
    state = public_state(application, pledges, rows, today)
    return PublicRecord(application, fields, holders, pledges, licences, history, state)
