"""The registry's side (审查): examiners' and registrars' queues, panels and objections, and
experts' seats. The doors (``web.access``, the API's auth) have already checked the role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.db.models import QuerySet

from dataip.accounts.models import User
from dataip.errors import NotFound, gettext_noop
from dataip.registry import clock
from dataip.registry.models import (
    Application,
    ChangeRequest,
    Objection,
    PanelAssignment,
    Pledge,
    PledgeStatus,
    RecordStatus,
    Transfer,
)
from dataip.registry.queries import get_application_for
from dataip.registry.regimes import all_regimes, load_regime
from dataip.registry.workflow import Actor, Status

QUEUE_STATUSES = (
    Status.SUBMITTED,
    Status.FORMAL_EXAMINATION,
    Status.CORRECTION_REQUESTED,
    Status.EXPERT_REVIEW,
    Status.APPROVED,
    Status.UNDER_PUBLICITY,
    Status.OBJECTION_REVIEW,
)
"""The examiners' work queue, in the order of the procedure."""


def queue(status: str) -> QuerySet[Application]:
    """Applications waiting for the registry in ``status``, the most urgent first."""
    apps = Application.objects.filter(status=status).select_related("product", "filed_by")
    if status == Status.CORRECTION_REQUESTED:
        return apps.order_by("correction_due", "id")
    if status in {Status.UNDER_PUBLICITY, Status.OBJECTION_REVIEW}:
        return apps.order_by("announcement_ends", "id")
    return apps.order_by("submitted_at", "id")


def queue_counts() -> dict[str, int]:
    """How many applications wait in each status of the queue."""
    counts = {status.value: 0 for status in QUEUE_STATUSES}
    for status in counts:
        counts[status] = Application.objects.filter(status=status).count()
    return counts


def objections_to(application: Application) -> list[Objection]:
    """Objections to the application, with their evidence, oldest first."""
    return list(application.objections.prefetch_related("evidence").order_by("id"))


def get_objection(objection_id: int) -> Objection:
    """An objection, with its application; else NotFound."""
    found = Objection.objects.select_related("application").filter(pk=objection_id).first()
    if found is None:
        raise NotFound(gettext_noop("No such objection."))
    return found


def panel_of(application: Application) -> list[PanelAssignment]:
    """The panel: each expert and the opinion given so far."""
    return list(application.panel.select_related("expert").order_by("id"))


def experts_to_assign(application: Application) -> list[User]:
    """Experts not yet on the application's panel (the service refuses conflicted ones)."""
    on_panel = application.panel.values_list("expert_id", flat=True)
    return list(User.objects.filter(is_expert=True).exclude(pk__in=on_panel).order_by("username"))


def get_seat_for(actor: Actor, application_id: int) -> PanelAssignment:
    """The actor's seat on the application's panel, with the application; NotFound if the
    actor does not sit on it."""
    application = get_application_for(actor, application_id)
    seat = application.panel.filter(expert_id=actor.user_id).first()
    if seat is None:
        raise NotFound(gettext_noop("No such application."))
    seat.application = application
    return seat


def user_to_assign(user_id: str) -> User:
    """The user the registrar chose for a panel (the service refuses non-experts and
    conflicted experts); NotFound for no such user."""
    try:
        return User.objects.get(pk=int(user_id))
    except (ValueError, User.DoesNotExist):
        raise NotFound(gettext_noop("No such expert.")) from None


def assignments_of(user: User) -> list[PanelAssignment]:
    """An expert's panel seats, the ones still under review first."""
    seats = PanelAssignment.objects.filter(expert=user).select_related("application__product")
    return sorted(
        seats,
        key=lambda s: (
            s.application.status != Status.EXPERT_REVIEW,
            s.opinion_at is not None,
            -s.pk,
        ),
    )


# ── registered rights: what waits, and until when (登记后待办) ─────────────────────────────


class Pending(StrEnum):
    """What kind of post-registration request waits (the staff queue's kinds)."""

    CHANGE = "change"  # 变更申请，待审查
    TRANSFER = "transfer"  # 转让，待受让方确认
    PLEDGE = "pledge"  # 质押，待出质人确认
    RENEWAL = "renewal"  # 续展期内，待续展
    LAPSED = "lapsed"  # 有效期已届满，待系统处理


PENDING_WAITS_FOR = {
    Pending.CHANGE: "examiner",
    Pending.TRANSFER: "assignee",
    Pending.PLEDGE: "holder",
    Pending.RENEWAL: "holder",
    Pending.LAPSED: "system",
}
"""Who must act next on each kind of pending request."""


@dataclass(frozen=True)
class PendingRequest:
    """One request after registration that waits, with its deadline from the regime."""

    kind: Pending
    application: Application
    record_id: int | None
    """The change request, transfer or pledge (None for a renewal or a lapsed validity)."""
    since: date
    due: date
    today: date

    @property
    def overdue(self) -> bool:
        """The deadline has passed."""
        return self.today > self.due

    @property
    def waits_for(self) -> str:
        """Who must act next: examiner, assignee, holder or system."""
        return PENDING_WAITS_FOR[self.kind]


def pending_requests(today: date | None = None, kind: str = "") -> list[PendingRequest]:
    """Post-registration requests waiting for someone, the earliest deadline first (overdue
    ones lead): change requests for an examiner (the regime's ``change_decision``), transfers
    and pledges for their confirmation (``confirmation``), registrations inside their renewal
    window (until validity ends) and registrations whose validity ended but that ``dataip
    tick`` has not yet expired. ``kind`` keeps one kind only."""
    today = today or clock.local_date(clock.now())
    found: list[PendingRequest] = []

    def add(kind_: Pending, app: Application, record: int | None, since: date, due: date) -> None:
        found.append(PendingRequest(kind_, app, record, since, due, today))

    wanted = {Pending(kind)} if kind in set(Pending) else set(Pending)
    if Pending.CHANGE in wanted:
        for change in ChangeRequest.objects.filter(status=RecordStatus.PENDING).select_related(
            "application__product"
        ):
            since = clock.local_date(change.requested_at)
            regime = load_regime(change.application.regime_code)
            add(
                Pending.CHANGE,
                change.application,
                change.pk,
                since,
                regime.change_decision.end(since),
            )
    if Pending.TRANSFER in wanted:
        for transfer in Transfer.objects.filter(status=RecordStatus.PENDING).select_related(
            "application__product"
        ):
            since = clock.local_date(transfer.proposed_at)
            regime = load_regime(transfer.application.regime_code)
            add(
                Pending.TRANSFER,
                transfer.application,
                transfer.pk,
                since,
                regime.confirmation.end(since),
            )
    if Pending.PLEDGE in wanted:
        for pledge in Pledge.objects.filter(status=PledgeStatus.PROPOSED).select_related(
            "application__product"
        ):
            since = clock.local_date(pledge.recorded_at)
            regime = load_regime(pledge.application.regime_code)
            add(
                Pending.PLEDGE, pledge.application, pledge.pk, since, regime.confirmation.end(since)
            )
    registered = Application.objects.filter(status=Status.REGISTERED).select_related("product")
    if Pending.RENEWAL in wanted:
        for code, regime in all_regimes().items():
            horizon = today + timedelta(days=regime.renewal_window_days)
            for app in registered.filter(
                regime_code=code, valid_until__gte=today, valid_until__lte=horizon
            ):
                until = app.valid_until or today  # never None here: filtered above
                opens, closes = regime.renewal_window(until)
                add(Pending.RENEWAL, app, None, opens, closes)
    if Pending.LAPSED in wanted:
        for app in registered.filter(valid_until__lt=today):
            until = app.valid_until or today  # never None here: filtered above
            add(Pending.LAPSED, app, None, until, until)
    return sorted(found, key=lambda r: (r.due, r.since, r.kind.value, r.application.pk))


def pending_counts(requests: list[PendingRequest]) -> dict[str, int]:
    """How many requests of each kind wait, and how many of them are overdue."""
    counts = {kind.value: 0 for kind in Pending} | {"overdue": 0}
    for request in requests:
        counts[request.kind.value] += 1
        counts["overdue"] += request.overdue
    return counts
