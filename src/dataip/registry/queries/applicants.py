"""An applicant's side (申请人): its applications, with what the registry tells it about them."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet

from dataip.errors import NotFound, gettext_noop
from dataip.registry import details
from dataip.registry.fields import AGREEMENT_SOURCES, REQUIRED_FOR_SUBMISSION
from dataip.registry.kinds import MaterialKind, ProductKind
from dataip.registry.models import Application, Event, Holder
from dataip.registry.queries import can_see_confidential, get_application_for
from dataip.registry.regimes import load_regime
from dataip.registry.workflow import Action, Actor

REASONS_SHOWN_TO_APPLICANT = frozenset(
    {
        Action.REQUEST_CORRECTION,
        Action.REJECT,
        Action.DISMISS_OBJECTION,
        Action.UPHOLD_OBJECTION,
        Action.WITHDRAW,
        Action.REFUSE_CHANGE,
        Action.REVOKE,
        Action.CORRECT_PARTICULARS,
        Action.REISSUE_CERTIFICATE,
    }
)
"""Reasons addressed to the applicant; experts' opinions and objectors' statements are not."""


def applications_of(holder_id: int | None, status: str | None = None) -> QuerySet[Application]:
    """Applications filed by, or held by, one holder (none for nobody), the newest first."""
    if holder_id is None:
        return Application.objects.none()
    found = Application.objects.filter(Q(filed_by_id=holder_id) | Q(holders__holder_id=holder_id))
    if status:
        found = found.filter(status=status)
    return found.distinct().select_related("product").order_by("-id")


def get_own_application_for(actor: Actor, application_id: int) -> Application:
    """An application of the actor's side (or one the actor may see in full, as staff), with
    its confidential fields; any other application is NotFound, even a public one."""
    application = get_application_for(actor, application_id)
    if not can_see_confidential(actor, application):
        raise NotFound(gettext_noop("No such application."))
    return application


def events_of(application: Application) -> list[Event]:
    """The application's events, oldest first."""
    return list(application.events.order_by("id"))


def holders_with_shares(application: Application) -> list[tuple[Holder, Decimal]]:
    """The holders of the application and their shares."""
    return [
        (h.holder, h.share) for h in application.holders.select_related("holder").order_by("id")
    ]


def holder_by_identifier(identifier: str) -> Holder | None:
    """The holder registered with this credit code or ID number."""
    return Holder.objects.filter(identifier=identifier.strip().upper()).first()


def holder_ids_by_identifier(identifiers: Iterable[str]) -> dict[str, int]:
    """Holder ids by credit code or resident ID number (normalised to upper case)."""
    wanted = {i.strip().upper() for i in identifiers}
    return dict(Holder.objects.filter(identifier__in=wanted).values_list("identifier", "pk"))


def missing_for_submission(application: Application) -> list[str]:
    """What the application lacks before it can be submitted: field names and material kinds."""
    product = application.product
    missing = [name for name in REQUIRED_FOR_SUBMISSION if not getattr(product, name)]
    missing += details.missing_details(ProductKind(product.kind), product.details)
    if product.data_source_type in AGREEMENT_SOURCES and product.source_agreement_end is None:
        missing.append("source_agreement_end")
    holder_ids = set(application.holders.values_list("holder_id", flat=True))
    if not holder_ids:
        missing.append("holders")
    missing += sorted(
        f"materials.{kind}" for kind, have in material_checklist(application) if not have
    )
    return missing


def material_checklist(application: Application) -> list[tuple[MaterialKind, bool]]:
    """The kinds of material the regime requires of this application (an agent filing adds its
    own; an agreement as data source adds the proof), in declaration order, each with whether it
    is there: uploaded, or, for the deposit certificate, a deposit of the holders' cited."""
    product = application.product
    holder_ids = set(application.holders.values_list("holder_id", flat=True))
    regime = load_regime(application.regime_code)
    filed_by_agent = application.filed_by_id not in holder_ids
    have = set(
        application.materials.filter(withdrawn_at__isnull=True).values_list("kind", flat=True)
    )
    cited = application.deposit_citations.filter(
        deposit__holder_id__in=holder_ids | {application.filed_by_id}
    )
    if regime.deposit_required and cited.exists():
        have.add(MaterialKind.DEPOSIT_CERTIFICATE)  # a deposit made here stands for its certificate
    required = set(regime.required_materials(filed_by_agent))
    if product.data_source_type in AGREEMENT_SOURCES:
        required.add(MaterialKind.DATA_SOURCE_PROOF)
    return [(kind, kind in have) for kind in MaterialKind if kind in required]
