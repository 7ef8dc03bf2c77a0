"""The registrar on a registered right (登记管理员): the correction of an obvious error in the
registered particulars (更正) and the re-issue of a certificate (补发/换发).

Both are logged events (``CORRECT_PARTICULARS``, ``REISSUE_CERTIFICATE`` in the workflow) that
make a new certificate version due, like an approved change (``Consequence.ISSUE_CERTIFICATE``).
A correction changes what the registry recorded wrongly (a typing error, a transposed
date), not what the holder wants changed: that is a change request (变更,
:mod:`~dataip.registry.services.changes`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

from dataip.errors import FieldErrors, gettext_noop
from dataip.registry import clock
from dataip.registry.fields import CHANGEABLE, clean_product
from dataip.registry.models import Application
from dataip.registry.services.applications import product_digest
from dataip.registry.services.changes import HOLDER_CHANGEABLE
from dataip.registry.services.records import regime_of
from dataip.registry.services.transition import transition
from dataip.registry.validators import required_text
from dataip.registry.workflow import Action, Actor

CORRECTABLE = CHANGEABLE | HOLDER_CHANGEABLE
HOLDER_LIMITS = {"holder_name": 200, "holder_name_en": 200, "holder_address": 300}
"""What a correction may touch: the same particulars a change request may change."""


class ReissueGround(TextChoices):
    """Why a certificate is issued again with the same particulars (补发/换发)."""

    LOST = "lost", gettext_lazy("The paper copy was lost (补发)")
    DAMAGED = "damaged", gettext_lazy("The copy or the PDF is damaged (换发)")
    OTHER = "other", gettext_lazy("Other (explained in the reason)")


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def correct_particulars(
    application_id: int,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    reason: str,
    at: datetime | None = None,
) -> Application:
    """The registrar corrects an obvious error in the registered particulars (更正), with the
    reason; the old and new values are logged and a new certificate version is due."""
    regime = regime_of(application_id)
    errors = FieldErrors()
    for name in values:
        if name not in CORRECTABLE:
            errors.add(name, gettext_noop("This particular cannot be changed here."))
    if not values:
        errors.add("values", gettext_noop("Nothing to change."))
    reason = required_text(errors, "reason", reason, 2000)
    errors.raise_if_any()
    today = clock.local_date(at or clock.now())
    product_values = {k: v for k, v in values.items() if k in CHANGEABLE}
    cleaned = clean_product(regime.code, product_values, today, "data_collection")
    holder_values = {k: str(v).strip() for k, v in values.items() if k in HOLDER_CHANGEABLE}
    if "holder_name" in holder_values and not holder_values["holder_name"]:
        errors.add("holder_name", gettext_noop("This field is required."))
    for name, value in holder_values.items():
        limit = HOLDER_LIMITS[name]
        if len(value) > limit:
            errors.add(name, gettext_noop("At most %(max)s characters."), max=limit)
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        product, holder = application.product, application.filed_by
        diff: dict[str, dict[str, Any]] = {}
        for name, value in cleaned.items():
            if _plain(getattr(product, name)) != _plain(value):
                diff[name] = {"old": _plain(getattr(product, name)), "new": _plain(value)}
                setattr(product, name, value)
        for name, value in holder_values.items():
            attribute = name.removeprefix("holder_")
            if getattr(holder, attribute) != value:
                diff[name] = {"old": getattr(holder, attribute), "new": value}
                setattr(holder, attribute, value)
        if not diff:
            FieldErrors.raise_one(
                "values", gettext_noop("The new values are the ones already registered.")
            )
        product.save()
        holder.save()
        application.certificate_version += 1
        return {
            "fields": sorted(diff),
            "changes": diff,
            "product_sha256": product_digest(product),
        }

    return transition(
        application_id,
        Action.CORRECT_PARTICULARS,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
        public=True,
    ).application


def reissue_certificate(
    application_id: int,
    *,
    actor: Actor,
    ground: str,
    reason: str,
    at: datetime | None = None,
) -> Application:
    """The registrar issues the certificate again with the same particulars (补发/换发): a
    lost paper copy, a damaged copy or PDF; the new version supersedes the old one."""
    errors = FieldErrors()
    if ground not in ReissueGround.values:
        errors.add("ground", gettext_noop("Choose lost, damaged or other."))
    reason = required_text(errors, "reason", reason, 2000)
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        application.certificate_version += 1
        return {"ground": ground, "version": application.certificate_version}

    return transition(
        application_id,
        Action.REISSUE_CERTIFICATE,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
        public=True,
    ).application
