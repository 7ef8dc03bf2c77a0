"""The end of a registered right's term: renewal (续展), cancellation by the holder (注销) and
revocation by the registry (撤销)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import IO, Any

from dataip.errors import FieldErrors, NotFound, gettext_noop
from dataip.registry.models import Application, ConsentPurpose, DecisionDocument
from dataip.registry.regimes import load_regime
from dataip.registry.services.records import read_evidence, store_evidence, use_consent
from dataip.registry.services.transition import transition
from dataip.registry.validators import required_text
from dataip.registry.workflow import Action, Actor


def renew(application_id: int, *, actor: Actor, at: datetime | None = None) -> Application:
    """Renew inside the regime's window: validity extends by the regime's term."""

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        regime = load_regime(application.regime_code)
        if application.valid_until is None:  # the renewal guard has refused this already
            raise NotFound(gettext_noop("This registration cannot be renewed."))
        start = application.valid_until + timedelta(days=1)
        application.valid_until = regime.validity_end(
            start, application.product.source_agreement_end
        )
        application.certificate_version += 1
        return {"valid_until": application.valid_until.isoformat()}

    return transition(
        application_id, Action.RENEW, actor=actor, at=at, effect=effect, public=True
    ).application


def cancel(
    application_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Application:
    """The holder cancels the registration (注销); a pledgee must have consented."""

    def effect(application: Application, when: datetime) -> None:
        use_consent(application, ConsentPurpose.CANCELLATION, when)
        application.decided_at = when
        application.decision_reason = reason

    return transition(
        application_id, Action.CANCEL, actor=actor, reason=reason, at=at, effect=effect, public=True
    ).application


def revoke(
    application_id: int,
    *,
    actor: Actor,
    reason: str,
    reference: str,
    decision: Sequence[tuple[str, IO[bytes]]] = (),
    at: datetime | None = None,
) -> Application:
    """The registry revokes the registration (撤销) after an upheld challenge or a court
    decision, recorded with the decision's reference and its document (``decision``: one
    file, PDF or image; the event commits to its SHA-256)."""
    errors = FieldErrors()
    reference = required_text(errors, "reference", reference)
    unreadable = FieldErrors()
    files = read_evidence(decision, unreadable, "decision")
    if not decision:
        errors.add("decision", gettext_noop("Attach the decision's document."))
    elif len(decision) > 1:
        errors.add("decision", gettext_noop("Attach one document: the decision."))
    elif unreadable:
        errors.add(
            "decision",
            gettext_noop("The decision must be a PDF or an image of at most 20 MiB."),
        )
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        application.decided_at = when
        application.decision_reason = reason
        application.decision_reference = reference
        digests = store_evidence(
            DecisionDocument, files, application=application, action="revoke", uploaded_at=when
        )
        return {"reference": reference, "decision": digests}

    return transition(
        application_id, Action.REVOKE, actor=actor, reason=reason, at=at, effect=effect, public=True
    ).application
