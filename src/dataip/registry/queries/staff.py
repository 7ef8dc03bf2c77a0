"""The registry's side (审查): examiners' and registrars' queues, panels and objections, and
experts' seats. The doors (``web.access``, the API's auth) have already checked the role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from dataip.accounts.models import User
from dataip.errors import NotFound, gettext_noop
from dataip.registry import clock
from dataip.registry.models import (
    Application,
    ChangeRequest,
    Holder,
    Objection,
    PanelAssignment,
    Pledge,
    PledgeStatus,
    RecordStatus,
    Transfer,
)
from dataip.registry.models.objections import ObjectionStatus
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


BROWSABLE_STATUSES = (
    *QUEUE_STATUSES,
    Status.REGISTERED,
    Status.REJECTED,
    Status.WITHDRAWN,
    Status.EXPIRED,
    Status.CANCELLED,
    Status.REVOKED,
)
"""Every status staff may browse: the work queue, then the closed and registered cases."""

DEADLINE_OF = {
    Status.CORRECTION_REQUESTED: "correction",
    Status.UNDER_PUBLICITY: "announcement",
    Status.OBJECTION_REVIEW: "objection_decision",
}
"""Which deadline runs in each status (the workflow's deadlines): the applicant's correction
deadline (补正期限; past it ``tick`` deems the application withdrawn), the announcement's end
(公示期满; past it ``tick`` registers or closes the announcement) and the earliest decision due of
the pending objections (异议决定期限, the regime's ``objection_decision`` from each filing)."""

DUE_SOON_DAYS = 7
"""A case is flagged as due soon this many days before its deadline."""

SORTS = ("urgency", "submitted", "-submitted", "deadline", "number")
"""How a queue may be sorted: the most urgent first (deadline, then the oldest), by the date
submitted (oldest or newest first), by deadline, by application number."""


class UnknownStatus(ValueError):
    """A queue was asked for a status that is not one of :data:`BROWSABLE_STATUSES`."""


@dataclass(frozen=True)
class QueueFilter:
    """What a staff member asks of a queue: a status, a search and filters, a sort."""

    status: str = Status.SUBMITTED.value
    q: str = ""
    """Part of the application or registration number, the product's name or a holder's name."""
    kind: str = ""
    province: str = ""
    """A GB/T 2260 province code (two digits)."""
    examiner: int | None = None
    """The examiner assigned (the one who started the formal examination)."""
    deadline_before: date | None = None
    """Only cases whose deadline falls on or before this day."""
    overdue: bool = False
    sort: str = "urgency"


DEADLINE = "deadline"
"""The name of the annotation :func:`with_deadlines` adds."""


def with_deadlines(apps: QuerySet[Application]) -> QuerySet[Application]:
    """The applications annotated with ``deadline``: the date the registry or the applicant
    must act by in the application's status (:data:`DEADLINE_OF`), else None. The one place
    the staff's pages and API read a case's deadline from."""
    earliest_objection = (
        Objection.objects.filter(application=OuterRef("pk"), status=ObjectionStatus.PENDING)
        .order_by("decision_due")
        .values("decision_due")[:1]
    )
    return apps.annotate(
        deadline=Case(
            When(status=Status.CORRECTION_REQUESTED, then=F("correction_due")),
            When(status=Status.UNDER_PUBLICITY, then=F("announcement_ends")),
            When(status=Status.OBJECTION_REVIEW, then=Subquery(earliest_objection)),
            default=Value(None),
            output_field=DateField(),
        )
    )


def deadline_state(due: date | None, today: date) -> str:
    """Where a case stands against its deadline: ``overdue``, ``due_soon`` (within
    :data:`DUE_SOON_DAYS`), ``on_time``, or ``""`` (no deadline runs)."""
    if due is None:
        return ""
    if today > due:
        return "overdue"
    if due - today <= timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "on_time"


@dataclass(frozen=True)
class CaseDeadline:
    """A case's deadline in its status, and where it stands today."""

    kind: str
    """What the deadline is (:data:`DEADLINE_OF`), ``""`` when none runs."""
    due: date | None
    state: str
    """``overdue``, ``due_soon``, ``on_time`` or ``""``."""

    @property
    def overdue(self) -> bool:
        """The deadline has passed."""
        return self.state == "overdue"


def deadline_of(application: Application, today: date | None = None) -> CaseDeadline:
    """The deadline that runs for the application now (annotated by :func:`with_deadlines`, or
    read for this one application)."""
    today = today or clock.local_date(clock.now())
    if hasattr(application, "deadline"):
        due = application.deadline
    else:
        due = (
            with_deadlines(Application.objects.filter(pk=application.pk))
            .values_list(DEADLINE, flat=True)
            .first()
        )
    kind = DEADLINE_OF.get(Status(application.status), "")
    return CaseDeadline(kind, due if kind else None, deadline_state(due if kind else None, today))


def queue(status: str | QueueFilter, today: date | None = None) -> QuerySet[Application]:
    """Applications in a status, searched, filtered and sorted as asked (the most urgent
    first by default), each annotated with its ``deadline``; :class:`UnknownStatus` for a
    status staff cannot browse."""
    wanted = status if isinstance(status, QueueFilter) else QueueFilter(status=status)
    if wanted.status not in {s.value for s in BROWSABLE_STATUSES}:
        raise UnknownStatus(wanted.status)
    today = today or clock.local_date(clock.now())
    apps = with_deadlines(
        Application.objects.filter(status=wanted.status).select_related(
            "product", "filed_by", "examiner"
        )
    )
    if text := wanted.q.strip():
        holders = Holder.objects.filter(Q(name__icontains=text) | Q(name_en__icontains=text))
        apps = apps.filter(
            Q(number__icontains=text)
            | Q(registration_number__icontains=text)
            | Q(product__name__icontains=text)
            | Q(product__name_en__icontains=text)
            | Q(filed_by__in=holders)
            | Q(holders__holder__in=holders)
        ).distinct()
    if wanted.kind:
        apps = apps.filter(product__kind=wanted.kind)
    if wanted.province:
        apps = apps.filter(product__province_code=wanted.province)
    if wanted.examiner is not None:
        apps = apps.filter(examiner_id=wanted.examiner)
    if wanted.deadline_before is not None:
        apps = apps.filter(**{f"{DEADLINE}__lte": wanted.deadline_before})
    if wanted.overdue:
        apps = apps.filter(**{f"{DEADLINE}__lt": today})
    order = {
        "submitted": ("submitted_at", "id"),
        "-submitted": ("-submitted_at", "-id"),
        "deadline": (F("deadline").asc(nulls_last=True), "id"),
        "number": ("number", "id"),
    }.get(wanted.sort, (F("deadline").asc(nulls_last=True), "submitted_at", "id"))
    return apps.order_by(*order)


def queue_counts() -> dict[str, int]:
    """How many applications are in each browsable status (one grouped query)."""
    counts = {status.value: 0 for status in BROWSABLE_STATUSES}
    grouped = (
        Application.objects.filter(status__in=list(counts))
        .values_list("status")
        .annotate(n=Count("id"))
    )
    for status, n in grouped:
        counts[status] = n
    return counts


def examiners() -> list[User]:
    """The examiners and registrars a queue may be filtered by."""
    return list(
        User.objects.filter(Q(is_examiner=True) | Q(is_registrar=True)).order_by("username")
    )


# ── the registrar's dashboard (登记机构工作台) ─────────────────────────────────────────────


@dataclass(frozen=True)
class QueueFigure:
    """One queue: how many cases wait, and how long the oldest has waited since submission."""

    status: str
    size: int
    oldest_since: date | None
    oldest_days: int | None


@dataclass(frozen=True)
class DayFigure:
    """What came in and what was decided on one day."""

    day: date
    received: int
    registered: int
    rejected: int


@dataclass(frozen=True)
class Dashboard:
    """The registrar's figures: the queues, the overdue cases, this month's throughput."""

    today: date
    queues: list[QueueFigure]
    overdue: list[Application]
    """Cases past their deadline (each annotated with ``deadline``), the most overdue first."""
    month_start: date
    days: list[DayFigure]
    """Each day of the month so far."""
    received: int
    registered: int
    rejected: int


def dashboard(today: date | None = None) -> Dashboard:
    """The registrar's dashboard as of ``today`` (default: the registry's today)."""
    from dataip.registry.models import Event
    from dataip.registry.workflow import Action

    today = today or clock.local_date(clock.now())
    figures = []
    for status in QUEUE_STATUSES:
        apps = Application.objects.filter(status=status)
        oldest = apps.order_by("submitted_at").values_list("submitted_at", flat=True).first()
        since = clock.local_date(oldest) if oldest else None
        figures.append(
            QueueFigure(
                status.value,
                apps.count(),
                since,
                (today - since).days if since else None,
            )
        )
    overdue = list(
        with_deadlines(
            Application.objects.filter(status__in=list(DEADLINE_OF)).select_related("product")
        )
        .filter(**{f"{DEADLINE}__lt": today})
        .order_by(DEADLINE, "id")
    )
    month_start = today.replace(day=1)
    per_day = {
        month_start + timedelta(days=n): [0, 0, 0] for n in range((today - month_start).days + 1)
    }
    events = Event.objects.filter(application__isnull=False).filter(
        Q(action=Action.SUBMIT)
        | (Q(to_status=Status.REGISTERED) & ~Q(from_status=Status.REGISTERED))
        | (Q(to_status=Status.REJECTED) & ~Q(from_status=Status.REJECTED))
    )
    start = timezone.make_aware(datetime.combine(month_start, time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    for action, to_status, at in events.filter(
        occurred_at__gte=start, occurred_at__lt=end
    ).values_list("action", "to_status", "occurred_at"):
        cells = per_day.get(clock.local_date(at))
        if cells is None:
            continue
        if action == Action.SUBMIT:
            cells[0] += 1
        elif to_status == Status.REGISTERED:
            cells[1] += 1
        else:
            cells[2] += 1
    days = [DayFigure(d, *cells) for d, cells in sorted(per_day.items())]
    return Dashboard(
        today=today,
        queues=figures,
        overdue=overdue,
        month_start=month_start,
        days=days,
        received=sum(d.received for d in days),
        registered=sum(d.registered for d in days),
        rejected=sum(d.rejected for d in days),
    )


# ── panels: the experts a registrar may choose from (专家组指派) ──────────────────────────


@dataclass(frozen=True)
class ExpertChoice:
    """An expert as the panel form shows it: open reviews, expertise, declared conflicts."""

    expert: User
    open_reviews: int
    """Seats on applications still under expert review where no opinion is given yet."""
    expertise: list[str]
    """Industry divisions (GB/T 4754 codes) the expert declared."""
    conflicted: bool
    """The expert works for one of the application's holders (the service refuses them)."""


def expert_choices(application: Application) -> list[ExpertChoice]:
    """Every expert not yet on the panel, with workload, expertise and conflicts; the ones
    whose expertise covers the product's industry first, then the least busy."""
    from dataip.registry.actors import applicant_holder_ids

    on_panel = application.panel.values_list("expert_id", flat=True)
    holders = applicant_holder_ids(application)
    experts = (
        User.objects.filter(is_expert=True, is_active=True)
        .exclude(pk__in=on_panel)
        .select_related("holder")
        .order_by("username")
    )
    open_counts = dict(
        PanelAssignment.objects.filter(
            application__status=Status.EXPERT_REVIEW, opinion_at__isnull=True
        )
        .values_list("expert_id")
        .annotate(n=Count("id"))
    )
    industry = application.product.industry_code
    choices = [
        ExpertChoice(
            expert=e,
            open_reviews=open_counts.get(e.pk, 0),
            expertise=list(e.expertise),
            conflicted=e.holder_id is not None and e.holder_id in holders,
        )
        for e in experts
    ]
    return sorted(
        choices,
        key=lambda c: (c.conflicted, industry not in c.expertise, c.open_reviews),
    )


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
