"""Public announcement (公示), objections (异议) and registration (登记)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from django.db import transaction

from dataip.accounts.models import User
from dataip.errors import Conflict, FieldErrors, NotFound, gettext_noop
from dataip.registry import clock
from dataip.registry.identifiers import RegistrantTypeCode
from dataip.registry.models import (
    AnswerEvidence,
    Application,
    HolderKind,
    Objection,
    ObjectionAnswer,
    ObjectionEvidence,
)
from dataip.registry.models.objections import ObjectionGround, ObjectionStatus
from dataip.registry.regimes import load_regime
from dataip.registry.services import numbering, quotas
from dataip.registry.services.records import read_evidence, store_evidence
from dataip.registry.services.transition import Made, transition
from dataip.registry.workflow import Action, Actor, Status

MAX_STATEMENT = 20000
"""The longest objection or answer statement, in characters."""

REGISTRANT_TYPES = {
    HolderKind.LEGAL_PERSON: RegistrantTypeCode.LEGAL_PERSON,
    HolderKind.UNINCORPORATED: RegistrantTypeCode.UNINCORPORATED_ORGANISATION,
    HolderKind.NATURAL_PERSON: RegistrantTypeCode.NATURAL_PERSON,
}


def announce(application_id: int, *, actor: Actor, at: datetime | None = None) -> Application:
    """Publish an approved application for the regime's announcement period (公示)."""

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        regime = load_regime(application.regime_code)
        application.announcement_starts = clock.local_date(when)
        application.announcement_ends = regime.announcement_end(application.announcement_starts)
        return {
            "starts": application.announcement_starts.isoformat(),
            "ends": application.announcement_ends.isoformat(),
        }

    return transition(
        application_id, Action.ANNOUNCE, actor=actor, at=at, effect=effect, public=True
    ).application


def _statement_errors(statement: str, errors: FieldErrors, field: str) -> None:
    if not statement.strip():
        errors.add(field, gettext_noop("This field is required."))
    elif len(statement) > MAX_STATEMENT:
        errors.add(field, gettext_noop("At most %(max)s characters."), max=MAX_STATEMENT)


def file_objection(
    application_id: int,
    *,
    actor: Actor,
    user: User,
    ground: str,
    statement: str,
    evidence: Sequence[tuple[str, IO[bytes]]] = (),
    at: datetime | None = None,
) -> Objection:
    """File an objection (提出异议) with grounds and evidence while the announcement runs.

    The objection gets its reference number (异议编号) and the day by which the registry
    decides it (the regime's ``objection_decision``, counted from the filing day)."""
    errors = FieldErrors()
    if ground not in ObjectionGround.values:
        errors.add("ground", gettext_noop("Choose a valid ground."))
    _statement_errors(statement, errors, "statement")
    files = read_evidence(evidence, errors)
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> Made[Objection]:
        quotas.check_objections(application, user)  # the application's row is locked
        regime = load_regime(application.regime_code)
        today = clock.local_date(when)
        objection = Objection.objects.create(
            application=application,
            objector=user,
            ground=ground,
            statement=statement.strip(),
            filed_at=when,
            reference=numbering.next_objection_reference(regime, today),
            decision_due=regime.objection_decision.end(today),
        )
        digests = store_evidence(ObjectionEvidence, files, objection=objection)
        payload = {
            "objection": objection.pk,
            "reference": objection.reference,
            "decision_due": regime.objection_decision.end(today).isoformat(),
            "ground": ground,
            "evidence": digests,
        }
        return Made(objection, payload)

    return transition(
        application_id, Action.FILE_OBJECTION, actor=actor, reason=statement, at=at, effect=effect
    ).made


def answer_objection(
    objection_id: int,
    *,
    actor: Actor,
    user: User,
    statement: str,
    evidence: Sequence[tuple[str, IO[bytes]]] = (),
    at: datetime | None = None,
) -> ObjectionAnswer:
    """The holder answers an objection in writing, with files (答辩), before it is decided.

    One answer per objection; refused once the objection is decided or already answered."""
    errors = FieldErrors()
    _statement_errors(statement, errors, "statement")
    files = read_evidence(evidence, errors)
    errors.raise_if_any()
    found = Objection.objects.filter(pk=objection_id).values_list("application_id", flat=True)
    application_id = found.first()
    if application_id is None:
        raise NotFound(gettext_noop("No such objection."))

    def effect(application: Application, when: datetime) -> Made[ObjectionAnswer]:
        objection = Objection.objects.select_for_update().get(pk=objection_id)
        if objection.status != ObjectionStatus.PENDING:
            raise Conflict(gettext_noop("This objection has been decided; it cannot be answered."))
        if ObjectionAnswer.objects.filter(objection=objection).exists():
            raise Conflict(gettext_noop("This objection has already been answered."))
        answer = ObjectionAnswer.objects.create(
            objection=objection, statement=statement.strip(), answered_by=user, answered_at=when
        )
        digests = store_evidence(AnswerEvidence, files, answer=answer)
        payload = {"objection": objection.pk, "reference": objection.reference, "evidence": digests}
        return Made(answer, payload)

    return transition(
        application_id,
        Action.ANSWER_OBJECTION,
        actor=actor,
        reason=statement,
        at=at,
        effect=effect,
    ).made


def _decide_objection(
    objection_id: int,
    action: Action,
    status: ObjectionStatus,
    actor: Actor,
    reason: str,
    at: datetime | None,
) -> Application:
    objection = Objection.objects.filter(pk=objection_id).first()
    if objection is None:
        raise NotFound(gettext_noop("No such objection."))

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        if not Objection.objects.filter(
            pk=objection_id, application=application, status=ObjectionStatus.PENDING
        ).update(
            status=status, decided_by_id=actor.user_id, decided_at=when, decision_reason=reason
        ):
            raise NotFound(gettext_noop("This objection is not pending."))
        if status == ObjectionStatus.UPHELD:
            application.decided_at = when
            application.decision_reason = reason
            Objection.objects.filter(
                application=application, status=ObjectionStatus.PENDING
            ).update(status=ObjectionStatus.MOOT, decided_at=when)
        return {"objection": objection_id, "decision": status.value}

    return transition(
        objection.application_id,
        action,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
        public=True,
    ).application


def dismiss_objection(
    objection_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Application:
    """Dismiss an objection (驳回异议). If the announcement is over and it was the last pending
    objection, the announcement's outcome stands and the application is registered at once."""
    with transaction.atomic():
        application = _decide_objection(
            objection_id, Action.DISMISS_OBJECTION, ObjectionStatus.DISMISSED, actor, reason, at
        )
        if (
            application.status == Status.OBJECTION_REVIEW
            and not application.objections.filter(status=ObjectionStatus.PENDING).exists()
        ):
            application = register(application.pk, actor=actor, at=at)
        return application


def uphold_objection(
    objection_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Application:
    """Uphold an objection (异议成立): registration is refused."""
    return _decide_objection(
        objection_id, Action.UPHOLD_OBJECTION, ObjectionStatus.UPHELD, actor, reason, at
    )


def close_publicity(
    application_id: int, *, actor: Actor, at: datetime | None = None
) -> Application:
    """The announcement is over with objections pending: they are now reviewed."""
    return transition(
        application_id, Action.CLOSE_PUBLICITY, actor=actor, at=at, public=True
    ).application


def register(application_id: int, *, actor: Actor, at: datetime | None = None) -> Application:
    """Register the data product (登记): numbers issued, validity starts (per the regime)."""

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        regime = load_regime(application.regime_code)
        today = clock.local_date(when)
        product = application.product
        first = application.holders.select_related("holder").order_by("-share", "id").first()
        holder_kind = HolderKind(first.holder.kind) if first else HolderKind.LEGAL_PERSON
        submitted = application.submitted_at or when
        application.registration_number = numbering.next_registration_number(
            regime,
            clock.local_date(submitted).year,
            product.data_source_type,
            REGISTRANT_TYPES[holder_kind].value,
        )
        application.certificate_number = numbering.next_certificate_number(regime, today)
        application.registered_on = today
        application.valid_from = today
        application.valid_until = regime.validity_end(today, product.source_agreement_end)
        return {
            "registration_number": application.registration_number,
            "certificate_number": application.certificate_number,
            "valid_from": application.valid_from.isoformat(),
            "valid_until": application.valid_until.isoformat(),
        }

    return transition(
        application_id, Action.REGISTER, actor=actor, at=at, effect=effect, public=True
    ).application
