"""Examination (审查): formal examination, corrections, the expert panel, the decision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from dataip.accounts.models import User
from dataip.errors import DomainError, FieldErrors, NotFound, PermissionDenied, gettext_noop
from dataip.registry import clock, reference
from dataip.registry.actors import applicant_holder_ids, user_id_of
from dataip.registry.models import Application, PanelAssignment
from dataip.registry.regimes import load_regime
from dataip.registry.services.transition import Made, transition
from dataip.registry.workflow import Action, Actor, Role


def start_formal_examination(
    application_id: int, *, actor: Actor, at: datetime | None = None
) -> Application:
    """An examiner takes a submitted application for formal examination (形式审查)."""

    def effect(application: Application, when: datetime) -> None:
        application.examiner_id = actor.user_id

    return transition(
        application_id, Action.START_FORMAL_EXAMINATION, actor=actor, at=at, effect=effect
    ).application


def request_correction(
    application_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Application:
    """Ask the applicant to correct the application (补正) by the regime's deadline."""

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        regime = load_regime(application.regime_code)
        application.correction_due = regime.correction_due(clock.local_date(when))
        application.correction_request = reason
        return {"correction_due": application.correction_due.isoformat()}

    return transition(
        application_id, Action.REQUEST_CORRECTION, actor=actor, reason=reason, at=at, effect=effect
    ).application


def pass_formal_examination(
    application_id: int, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Application:
    """Formal examination passed: on to substantive review by an expert panel."""
    return transition(
        application_id, Action.PASS_FORMAL_EXAMINATION, actor=actor, reason=reason, at=at
    ).application


def assign_expert(
    application_id: int, *, actor: Actor, expert: User, at: datetime | None = None
) -> PanelAssignment:
    """Put an expert on the application's review panel (专家组); conflicts are refused."""

    def effect(application: Application, when: datetime) -> Made[PanelAssignment]:
        assignment = PanelAssignment.objects.create(
            application=application, expert=expert, assigned_by_id=user_id_of(actor)
        )
        return Made(assignment, {"expert": expert.pk})

    return transition(
        application_id,
        Action.ASSIGN_EXPERT,
        actor=actor,
        at=at,
        effect=effect,
        context_extra=lambda application: {
            "proposed_expert_id": expert.pk,
            "proposed_expert_conflicted": (
                expert.holder_id is not None
                and expert.holder_id in applicant_holder_ids(application)
            ),
            "proposed_expert_is_expert": expert.is_expert,
        },
    ).made


class ExpertRefused(DomainError):
    """One expert of several could not be assigned, so none was; ``expert`` is the one the
    workflow refused and the message its reason."""

    def __init__(self, expert: User, error: DomainError) -> None:
        self.expert = expert
        self.code = error.code
        self.http_status = error.http_status
        super().__init__(error.message)


def assign_experts(
    application_id: int, *, actor: Actor, experts: Sequence[User], at: datetime | None = None
) -> list[PanelAssignment]:
    """Put several experts on the panel at once, in one transaction: if the workflow refuses
    any of them (a conflict of interest, already on the panel, not an expert), none is
    assigned and the refusal names that expert."""
    if not experts:
        FieldErrors.raise_one("experts", gettext_noop("Choose at least one expert."))
    with transaction.atomic():
        made = []
        for expert in experts:
            try:
                made.append(assign_expert(application_id, actor=actor, expert=expert, at=at))
            except DomainError as error:
                raise ExpertRefused(expert, error) from error
        return made


def set_expertise(expert_id: int, *, actor: Actor, codes: Iterable[str]) -> User:
    """The registrar records an expert's expertise: the industry divisions (GB/T 4754 codes)
    the expert reviews, shown when a panel is chosen."""
    if Role.REGISTRAR not in actor.roles:
        raise PermissionDenied(gettext_noop("Only the registrar records an expert's expertise."))
    expert = User.objects.filter(pk=expert_id, is_expert=True).first()
    if expert is None:
        raise NotFound(gettext_noop("No such expert."))
    known = {industry.division_code for industry in reference.industries()}
    wanted = sorted({code.strip() for code in codes if code.strip()})
    if unknown := [code for code in wanted if code not in known]:
        FieldErrors.raise_one(
            "expertise",
            gettext_noop("Not an industry division of GB/T 4754: %(codes)s."),
            codes=", ".join(unknown),
        )
    expert.expertise = wanted
    expert.save(update_fields=["expertise"])
    return expert


def record_opinion(
    application_id: int, *, actor: Actor, approves: bool, opinion: str, at: datetime | None = None
) -> Application:
    """An expert on the panel records an opinion (专家意见); it may be revised until decided."""

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        PanelAssignment.objects.filter(application=application, expert_id=actor.user_id).update(
            approves=approves, opinion=opinion, opinion_at=when
        )
        return {"approves": approves}

    return transition(
        application_id, Action.RECORD_OPINION, actor=actor, reason=opinion, at=at, effect=effect
    ).application


def _decided(application: Application, when: datetime) -> None:
    application.decided_at = when


def approve(
    application_id: int, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Application:
    """Approve the application (审查通过): after the panel, or after formal examination alone."""
    return transition(
        application_id, Action.APPROVE, actor=actor, reason=reason, at=at, effect=_decided
    ).application


def reject(
    application_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Application:
    """Refuse registration (不予登记), with the reason."""

    def effect(application: Application, when: datetime) -> None:
        application.decided_at = when
        application.decision_reason = reason

    return transition(
        application_id, Action.REJECT, actor=actor, reason=reason, at=at, effect=effect
    ).application
