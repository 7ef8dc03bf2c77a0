"""What the records after registration (登记后记录) share: the regime of the registration,
a pledgee's consent used up, and the one sequence that creates a record in its transition."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from io import BytesIO
from typing import IO, Any, TypeVar

from django.core.files.base import File
from django.db import connection, models

from dataip.errors import FieldErrors, NotFound, gettext_noop
from dataip.registry.models import (
    AnswerEvidence,
    Application,
    DecisionDocument,
    ObjectionEvidence,
    Pledge,
    PledgeConsent,
    PledgeStatus,
)
from dataip.registry.regimes import Regime, load_regime
from dataip.registry.services.transition import ContextExtra, Made, Payload, transition
from dataip.registry.validators import MAX_MATERIAL_BYTES, sniff
from dataip.registry.workflow import Action, Actor

R = TypeVar("R", bound=models.Model)


_REGIME_SQL = "SELECT regime_code FROM registry_application WHERE id = %s"


def regime_of(application_id: int) -> Regime:
    """The regime the application was filed under (its amounts, currencies and terms)."""
    with connection.cursor() as cursor:  # plain SQL: every record after registration asks
        cursor.execute(_REGIME_SQL, [application_id])
        row = cursor.fetchone()
    code = row[0] if row else None
    if code is None:
        raise NotFound(gettext_noop("No such application."))
    return load_regime(code)


def use_consent(application: Application, purpose: str, when: datetime) -> None:
    """Mark the standing pledges' consents to ``purpose`` as used (one consent, one action)."""
    for pledge_id in Pledge.objects.filter(
        application=application, status=PledgeStatus.ACTIVE
    ).values_list("pk", flat=True):
        consent = PledgeConsent.objects.filter(
            pledge_id=pledge_id, purpose=purpose, used_at=None
        ).first()
        if consent is not None:
            PledgeConsent.objects.filter(pk=consent.pk).update(used_at=when)


def create_record(
    model: type[R],
    application_id: int,
    action: Action,
    *,
    actor: Actor,
    at: datetime | None,
    fields: Mapping[str, Any],
    payload: Callable[[R], Payload],
    stamp: str = "recorded_at",
    prepare: Callable[[Application, datetime], Mapping[str, Any] | None] | None = None,
    public: bool = False,
    context_extra: ContextExtra = None,
) -> R:
    """Create a record of ``model`` on the registered application in the transition of
    ``action``, and return it.

    The caller has validated ``fields`` already (naming every bad one). Under the row lock,
    ``prepare`` may refuse what depends on the application as it stands (the assignee already
    holds the right), use a pledgee's consent, and return more fields taken from the
    application. The record is created with ``stamp`` set to the time of the action, and its
    event logs ``payload(record)``.
    """

    def effect(application: Application, when: datetime) -> Made[R]:
        prepared = prepare(application, when) if prepare is not None else None
        record = model._default_manager.create(
            application=application, **fields, **(prepared or {}), **{stamp: when}
        )
        return Made(record, payload(record))

    return transition(
        application_id,
        action,
        actor=actor,
        at=at,
        effect=effect,
        public=public,
        context_extra=context_extra,
    ).made


# ── files kept with a record: evidence, answers, decisions (by content hash) ──────────


def read_evidence(
    evidence: Sequence[tuple[str, IO[bytes]]], errors: FieldErrors, field: str = "evidence"
) -> list[tuple[str, bytes, str]]:
    """Read and check each evidence file (kind sniffed from its content, size capped); a bad
    one is named ``evidence.<position>``."""
    files = []
    for position, (name, content) in enumerate(evidence):
        data = content.read(MAX_MATERIAL_BYTES + 1)
        content_type = sniff(name, data[:4096])
        if not data or len(data) > MAX_MATERIAL_BYTES or content_type is None:
            errors.add(
                f"{field}.{position}",
                gettext_noop("Evidence must be a PDF, image, ZIP or text file of at most 20 MiB."),
            )
        else:
            files.append((name, data, content_type))
    return files


def store_evidence(
    model: type[ObjectionEvidence] | type[AnswerEvidence] | type[DecisionDocument],
    files: list[tuple[str, bytes, str]],
    **owner: Any,
) -> list[str]:
    """Store the files (by content hash) for their objection, answer or decision; their
    digests."""
    digests = []
    for name, data, content_type in files:
        sha256 = hashlib.sha256(data).hexdigest()
        item = model(
            original_name=name[-255:],
            content_type=content_type,
            size=len(data),
            sha256=sha256,
            **owner,
        )
        item.file.save(sha256, File(BytesIO(data)), save=False)
        item.save()
        digests.append(sha256)
    return digests
