"""The read side (查询): what each person may see, with the access check built in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db.models import Count, Sum

from dataip.registry import clock
from dataip.registry.details import public_details
from dataip.registry.errors import NotFound, gettext_noop
from dataip.registry.fields import PUBLIC_FIELDS
from dataip.registry.kinds import ProductKind
from dataip.registry.models import (
    Application,
    Licence,
    LicenceKind,
    Pledge,
    PledgeStatus,
    RecordStatus,
)
from dataip.registry.regimes import load_regime
from dataip.registry.services._core import applicant_holder_ids
from dataip.registry.workflow import PUBLIC_STATUSES, Actor, Role, Status


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


def current_announcements() -> list[Application]:
    """Applications under public announcement now, the soonest to end first."""
    today = clock.local_date(clock.now())
    return list(
        Application.objects.filter(status=Status.UNDER_PUBLICITY, announcement_ends__gte=today)
        .select_related("product", "filed_by")
        .order_by("announcement_ends", "id")
    )


# ── one registration, as each person may see it ─────────────────────────────────────────


def get_application_for(actor: Actor, application_id: int) -> Application:
    """The application if ``actor`` may see it; otherwise NotFound (never a hint it exists).

    The public sees it from its announcement on; before that only the applicant's side,
    examiners, registrars and the experts on its panel do.
    """
    application = (
        Application.objects.select_related("product", "filed_by").filter(pk=application_id).first()
    )
    if application is None or not can_see(actor, application):
        raise NotFound(gettext_noop("No such application."))
    return application


def can_see(actor: Actor, application: Application) -> bool:
    """Whether ``actor`` may see this application at all."""
    if Status(application.status) in PUBLIC_STATUSES:
        return True
    return can_see_confidential(actor, application)


def can_see_confidential(actor: Actor, application: Application) -> bool:
    """Whether ``actor`` may see confidential fields and materials of this application."""
    if actor.roles & {Role.EXAMINER, Role.REGISTRAR}:
        return True
    if actor.holder_ids & applicant_holder_ids(application):
        return True
    return Role.EXPERT in actor.roles and application.panel.filter(expert_id=actor.user_id).exists()


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
class PublicRecord:
    """Everything the public may know about a registration (公开信息)."""

    application: Application
    product: dict[str, Any]
    holders: list[tuple[str, Decimal]]
    pledges: list[PublicPledge]
    licences: list[PublicLicence]
    history: list[tuple[str, datetime]]

    @property
    def under_pledge(self) -> bool:
        """True while a pledge stands."""
        return any(p.in_force for p in self.pledges)


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
        for p in application.pledges.select_related("pledgee").order_by("id")
    ]
    licences = [
        PublicLicence(
            lic.kind, lic.starts, lic.ends, lic.ended_on is None and lic.starts <= today <= lic.ends
        )
        for lic in application.licences.order_by("id")
    ]
    history = list(application.events.filter(public=True).values_list("action", "occurred_at"))
    holders = list(application.holders.values_list("holder__name", "share"))
    return PublicRecord(application, fields, holders, pledges, licences, history)


# ── for banks before lending, and for holders' accounts ─────────────────────────────────


@dataclass(frozen=True)
class Encumbrance:
    """What stands on a registration: pledges, exclusive or sole licences, pending transfers."""

    registration_number: str
    status: str
    holders: list[str]
    pledges: list[Pledge]
    exclusive_licences: list[Licence]
    transfer_pending: bool


def encumbrances(
    *, registration_number: str = "", holder_identifier: str = ""
) -> list[Encumbrance]:
    """Encumbrance search (权利负担查询) by registration number or by holder's credit code."""
    registrations = Application.objects.exclude(registration_number=None)
    if registration_number:
        registrations = registrations.filter(
            registration_number=registration_number.strip().upper()
        )
    elif holder_identifier:
        registrations = registrations.filter(
            holders__holder__identifier=holder_identifier.strip().upper()
        )
    else:
        return []
    today = clock.local_date(clock.now())
    result = []
    for application in registrations.distinct().order_by("id"):
        result.append(
            Encumbrance(
                registration_number=application.registration_number or "",
                status=application.status,
                holders=list(application.holders.values_list("holder__name", flat=True)),
                pledges=list(
                    application.pledges.filter(status=PledgeStatus.ACTIVE).select_related("pledgee")
                ),
                exclusive_licences=list(
                    application.licences.exclude(kind=LicenceKind.ORDINARY).filter(
                        ended_on=None, starts__lte=today, ends__gte=today
                    )
                ),
                transfer_pending=application.transfers.filter(status=RecordStatus.PENDING).exists(),
            )
        )
    return result


def pledges_held_by(holder_id: int) -> list[Pledge]:
    """The pledges a bank or other creditor holds, newest first."""
    return list(
        Pledge.objects.filter(pledgee_id=holder_id).select_related("application").order_by("-id")
    )


@dataclass(frozen=True)
class IncomeShare:
    """One holder's share of what the registration earned (收益分配)."""

    holder: str
    share: Decimal
    licence_fees: Decimal
    trades: Decimal
    revenue: Decimal

    @property
    def total(self) -> Decimal:
        """Everything this holder's share comes to."""
        return self.licence_fees + self.trades + self.revenue


def income_statement(application: Application) -> list[IncomeShare]:
    """How licence fees, trade amounts and service revenue split between the joint holders,
    by their shares (rounded to the fen; amounts in the registry's currency)."""

    def total(queryset: Any) -> Decimal:
        return Decimal(queryset.aggregate(s=Sum("amount"))["s"] or 0)

    fees = total(application.licences.all())
    trades = total(application.trades.all())
    revenue = total(application.revenues.all())
    cent = Decimal("0.01")
    return [
        IncomeShare(
            name,
            share,
            (fees * share / 100).quantize(cent, ROUND_HALF_EVEN),
            (trades * share / 100).quantize(cent, ROUND_HALF_EVEN),
            (revenue * share / 100).quantize(cent, ROUND_HALF_EVEN),
        )
        for name, share in application.holders.values_list("holder__name", "share").order_by("id")
    ]
