"""The staff API for examination (审查): the examiner's and the registrar's acts on a case —
formal examination, corrections asked for, approval or refusal, announcement and
registration — and the review panel. The same services as the case page under ``/examine/``
(one table, :data:`dataip.registry.services.casework.STEPS`), and the same confirmation: an
act that cannot be undone is taken only with ``confirm`` set."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import P, Router
from ninja import Status as Answer
from ninja.params import BodyEx

from dataip.api.auth import staff_caller, staff_token_auth
from dataip.api.routers.staff import ACTING, ERRORS, case_out
from dataip.api.schemas.common import AppId
from dataip.api.schemas.staff import CaseActedOut, CaseActionIn, PanelIn, PanelOut, PanelSeatOut
from dataip.errors import Message, NotFound, ValidationFailed, gettext_noop
from dataip.registry import clock, queries
from dataip.registry.i18n import describe
from dataip.registry.models import Application
from dataip.registry.queries import decisions, staff
from dataip.registry.services import examination
from dataip.registry.services.casework import STEPS
from dataip.registry.workflow import Action, Role

router = Router(tags=["staff"], auth=staff_token_auth)
EXAMINERS = (Role.EXAMINER, Role.REGISTRAR)


def _unconfirmed(application: Application, action: Action) -> ValidationFailed:
    """The refusal of an irreversible act sent without ``confirm``: it names the field and
    what the act would do."""
    return ValidationFailed(
        {
            "confirm": [
                Message(
                    gettext_noop("Set confirm to %(action)s: this step cannot be undone. %(what)s"),
                    {
                        "action": action.value,
                        "what": decisions.consequence(application, action),
                    },
                )
            ]
        }
    )


@router.post(
    "/staff/applications/{application_id}/actions",
    response={200: CaseActedOut, **ACTING},
    summary="Act on a case",
)
def act(
    request: HttpRequest, application_id: AppId, body: BodyEx[CaseActionIn, P()]
) -> Answer[CaseActedOut]:
    """Take one act on the application (examiners and registrars; the workflow decides who
    may do what, and when). A request for correction and a refusal need a reason. An act
    that cannot be undone (approve, reject, announce, close the announcement, register) needs
    ``confirm: true``; without it nothing changes and the 422 says what would follow. The
    answer is the case as it now stands and, in words, what the act did and what comes next."""
    who = staff_caller(request, *EXAMINERS)
    application = queries.get_application_for(who.actor, application_id)
    action = Action(body.action)
    if decisions.asks_confirmation(action) and not body.confirm:
        decisions.check_possible(application, action, who.actor)
        raise _unconfirmed(application, action)
    STEPS[action](application.pk, who.actor, body.reason.strip())
    outcome = decisions.outcome(application, action)
    today = clock.local_date(clock.now())
    return Answer(200, CaseActedOut(case=case_out(application, today), outcome=outcome))


def _panel(application: Application) -> PanelOut:
    seats = application.panel.select_related("expert").order_by("pk")
    return PanelOut(
        applicationId=application.pk,
        panel=[
            PanelSeatOut(
                expert=seat.expert_id,
                expertName=str(seat.expert),
                approves=seat.approves,
                opinion=seat.opinion,
                opinionAt=seat.opinion_at,
            )
            for seat in seats
        ],
    )


@router.get(
    "/staff/applications/{application_id}/panel",
    response={200: PanelOut, **ERRORS, 404: ACTING[404]},
    summary="The review panel",
)
def panel(request: HttpRequest, application_id: AppId) -> PanelOut:
    """The experts on the application's review panel (专家组) and the opinions given so far
    (examiners and registrars)."""
    who = staff_caller(request, *EXAMINERS)
    return _panel(queries.get_application_for(who.actor, application_id))


@router.post(
    "/staff/applications/{application_id}/panel",
    response={200: PanelOut, **ACTING},
    summary="Put experts on the panel",
)
def assign(
    request: HttpRequest, application_id: AppId, body: BodyEx[PanelIn, P()]
) -> Answer[PanelOut]:
    """The registrar puts one or several experts on the review panel in one go. If the
    workflow refuses any of them (not an expert, already on the panel, a conflict of
    interest), nobody is assigned and the 422 names that expert under ``experts``."""
    who = staff_caller(request, Role.REGISTRAR)
    application = queries.get_application_for(who.actor, application_id)
    try:
        experts = [staff.user_to_assign(str(pk)) for pk in dict.fromkeys(body.experts)]
    except NotFound as missing:
        raise ValidationFailed({"experts": [missing.message]}) from None
    try:
        examination.assign_experts(application.pk, actor=who.actor, experts=experts)
    except examination.ExpertRefused as refused:
        raise ValidationFailed(
            {
                "experts": [
                    Message(
                        gettext_noop(
                            "Nobody was assigned: %(expert)s cannot sit on this panel. %(reason)s"
                        ),
                        {"expert": str(refused.expert), "reason": describe(refused)},
                    )
                ]
            }
        ) from None
    return Answer(200, _panel(application))
