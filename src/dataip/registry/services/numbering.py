"""Application, registration and certificate numbers, unique under concurrency (编号).

Each serial comes from a :class:`NumberSequence` row incremented by one ``UPDATE`` in the
caller's transaction: on PostgreSQL the row stays locked until commit, on SQLite the whole
database is (IMMEDIATE transactions), so no two transactions ever draw the same serial.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from dataip.registry.identifiers import (
    format_application_number,
    format_certificate_number,
    format_objection_reference,
    format_registration_number,
)
from dataip.registry.models import NumberSequence
from dataip.registry.regimes import Regime


def next_serial(scope: str) -> int:
    """Draw the next serial of ``scope`` (starting at 1) inside the current transaction."""
    if not NumberSequence.objects.filter(scope=scope).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                NumberSequence.objects.create(scope=scope, last=1)
                return 1
        except IntegrityError:  # another transaction created it first: increment that row
            NumberSequence.objects.filter(scope=scope).update(last=F("last") + 1)
    return NumberSequence.objects.values_list("last", flat=True).get(scope=scope)


def next_application_number(regime: Regime, on: date) -> str:
    """The next application number (申请号) of this registry and year."""
    serial = next_serial(f"application:{regime.registry_code}:{on.year}")
    return format_application_number(on.year, regime.registry_code, serial)


def next_registration_number(
    regime: Regime, application_year: int, source_code: str, registrant_type_code: str
) -> str:
    """The next registration number (登记号): year, source, registrant type, sequence, check."""
    serial = next_serial(f"registration:{application_year}")
    return format_registration_number(
        application_year, source_code, registrant_type_code, serial, regime.check_algorithm
    )


def next_certificate_number(regime: Regime, on: date) -> str:
    """The next certificate number (证书编号): year, month, registry code, serial."""
    serial = next_serial(f"certificate:{regime.registry_code}:{on.year}")
    return format_certificate_number(on.year, on.month, regime.registry_code, serial)


def next_objection_reference(regime: Regime, on: date) -> str:
    """The next objection reference (异议编号) of this registry and year."""
    serial = next_serial(f"objection:{regime.registry_code}:{on.year}")
    return format_objection_reference(on.year, regime.registry_code, serial)
