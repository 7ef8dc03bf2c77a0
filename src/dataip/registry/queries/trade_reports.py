"""Trade reports by data exchanges (交易所交易报送), read: an exchange's own reports, the
reports on a registration its holders see, and the disputed ones a registrar looks at."""

from __future__ import annotations

from django.db.models import QuerySet

from dataip.errors import NotFound, gettext_noop
from dataip.registry.models import Trade, TradeStatus
from dataip.registry.workflow import Actor

_RELATED = ("application__product", "buyer", "reported_by", "transfer")


def _reports() -> QuerySet[Trade]:
    return Trade.objects.exclude(reported_by=None).select_related(*_RELATED)


def reports_by_exchange(actor: Actor) -> list[Trade]:
    """The trades the actor's organisation (an exchange) reported, newest first."""
    if not actor.sees_holder_ids:
        return []
    return list(_reports().filter(reported_by_id__in=actor.sees_holder_ids).order_by("-id"))


def report_of_exchange(actor: Actor, trade_id: int) -> Trade:
    """One trade report of the actor's exchange; any other is NotFound."""
    found = _reports().filter(pk=trade_id, reported_by_id__in=actor.sees_holder_ids).first()
    if found is None:
        raise NotFound(gettext_noop("No such trade report."))
    return found


def reports_on(application_id: int) -> list[Trade]:
    """The trades exchanges reported on a registration, oldest first (for its holders)."""
    return list(_reports().filter(application_id=application_id).order_by("id"))


def report_for_holder(actor: Actor, trade_id: int) -> Trade:
    """A trade report on a registration the actor's organisation holds; otherwise NotFound."""
    found = (
        _reports()
        .filter(pk=trade_id, application__holders__holder_id__in=actor.sees_holder_ids)
        .distinct()
        .first()
    )
    if found is None:
        raise NotFound(gettext_noop("No such trade report."))
    return found


def disputed_reports() -> list[Trade]:
    """Every report a holder disputes, oldest first (the registrar's view)."""
    return list(_reports().filter(status=TradeStatus.DISPUTED).order_by("disputed_at", "id"))
