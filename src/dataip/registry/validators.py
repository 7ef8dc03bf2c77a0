"""Field validators (字段校验) shared by the services: amounts, dates, periods, required text,
holders, and the content of uploaded files.

Each check adds what is wrong to a :class:`~dataip.errors.FieldErrors` under the
field's name and returns the cleaned value (a harmless placeholder when it is wrong), so a
service can check every field, then raise once naming them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from dataip.errors import FieldErrors, gettext_noop
from dataip.registry.models import Holder
from dataip.registry.regimes import Regime

NO_DATE = date.min
"""What :func:`iso_date` returns for a value that is not a date (the error is recorded)."""


def money(
    errors: FieldErrors, field: str, amount: object, currency: str, regime: Regime, *, zero: bool
) -> Decimal:
    """A non-negative (``zero``) or positive amount with at most two decimals, below 10¹⁶, in
    a currency the regime accepts (金额)."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        errors.add(field, gettext_noop("Must be a number."))
        return Decimal(0)
    # The size is checked before the decimals: quantizing a huge number overflows the context.
    if not value.is_finite():
        errors.add(field, gettext_noop("Must be a number with at most two decimals."))
    elif value < 0 or (value == 0 and not zero):
        errors.add(
            field,
            gettext_noop("Must be more than zero.")
            if not zero
            else gettext_noop("Must not be negative."),
        )
    elif value >= Decimal(10) ** 16:
        errors.add(field, gettext_noop("The amount is too large."))
    elif value != value.quantize(Decimal("0.01")):
        errors.add(field, gettext_noop("Must be a number with at most two decimals."))
    if currency not in regime.currencies:
        errors.add(
            "currency",
            gettext_noop("Amounts must be in %(currencies)s."),
            currencies=", ".join(regime.currencies),
        )
    return value


def iso_date(errors: FieldErrors, field: str, value: object) -> date:
    """A date, given as one or as ISO 8601 text (YYYY-MM-DD)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, gettext_noop("Must be a date (YYYY-MM-DD)."))
        return NO_DATE


def period(
    errors: FieldErrors, start_field: str, start: object, end_field: str, end: object
) -> tuple[date, date]:
    """A term (期限) of two dates; the end may be the start but not before it."""
    first, last = iso_date(errors, start_field, start), iso_date(errors, end_field, end)
    if first != NO_DATE and last != NO_DATE and last < first:
        errors.add(end_field, gettext_noop("Must not be before the start."))
    return first, last


def required_text(errors: FieldErrors, field: str, value: str, limit: int = 200) -> str:
    """Text that must be given, stripped, of at most ``limit`` characters."""
    value = (value or "").strip()
    if not value:
        errors.add(field, gettext_noop("This field is required."))
    elif len(value) > limit:
        errors.add(field, gettext_noop("At most %(max)s characters."), max=limit)
    return value


def known_holder(errors: FieldErrors, field: str, holder_id: int) -> Holder | None:
    """The registered holder (登记主体) with this id (a licensee, an assignee, a pledgee)."""
    holder = Holder.objects.filter(pk=holder_id).first()
    if holder is None:
        errors.add(field, gettext_noop("No such holder."))
    return holder


# ── uploaded files: materials and evidence ──────────────────────────────────────────────

MAX_MATERIAL_BYTES = 20 * 1024 * 1024
MAX_SAMPLE_BYTES = 50 * 1024 * 1024
SIGNATURES: Mapping[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/zip": (b"PK\x03\x04",),
}
EXTENSIONS: Mapping[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "zip": "application/zip",
    "docx": "application/zip",
    "xlsx": "application/zip",
    "csv": "text/plain",
    "txt": "text/plain",
    "json": "text/plain",
    "jsonl": "text/plain",
}


def sniff(name: str, head: bytes) -> str | None:
    """The content type of an upload named ``name`` whose first bytes are ``head``, or None if
    its contents do not match an allowed type (a PDF must start like one; text must be UTF-8)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = EXTENSIONS.get(extension)
    if expected is None:
        return None
    if expected == "text/plain":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sniffed head is fine.
            if exc.start < len(head) - 3:
                return None
        return "text/plain" if b"\x00" not in head else None
    return expected if head.startswith(SIGNATURES[expected]) else None
