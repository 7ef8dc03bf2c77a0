"""Field validators shared by the services: each names the field and the reason it refuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dataip.errors import FieldErrors, ValidationFailed
from dataip.registry.regimes import load_regime
from dataip.registry.validators import (
    MAX_MATERIAL_BYTES,
    MAX_SAMPLE_BYTES,
    NO_DATE,
    iso_date,
    known_holder,
    money,
    period,
    required_text,
    sniff,
)
from tests.support.personas import Personas

SHANGHAI = load_regime("shanghai")


def reasons(errors: FieldErrors) -> dict[str, list[str]]:
    """Each refused field and its reasons' message ids."""
    return {name: [m.msgid for m in messages] for name, messages in errors.errors.items()}


# ── money ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("amount", "zero", "expected"),
    [
        ("1234.50", False, Decimal("1234.50")),
        (0, True, Decimal(0)),
        (Decimal("0.01"), False, Decimal("0.01")),
        ("9999999999999999.99", True, Decimal("9999999999999999.99")),
    ],
)
def test_money_accepts_amounts_with_two_decimals(
    amount: object, zero: bool, expected: Decimal
) -> None:
    errors = FieldErrors()
    assert money(errors, "fee", amount, "CNY", SHANGHAI, zero=zero) == expected
    assert not errors


@pytest.mark.parametrize(
    ("amount", "zero", "reason"),
    [
        ("ten yuan", True, "Must be a number."),
        ("1.005", True, "Must be a number with at most two decimals."),
        ("Infinity", True, "Must be a number with at most two decimals."),
        ("NaN", True, "Must be a number with at most two decimals."),
        ("-1", True, "Must not be negative."),
        ("-1", False, "Must be more than zero."),
        ("0", False, "Must be more than zero."),
        ("10000000000000000", True, "The amount is too large."),
        ("1E+40", True, "The amount is too large."),  # too large to quantize, not a crash
        ("-1E+40", True, "Must not be negative."),
    ],
)
def test_money_refuses_what_is_not_an_amount(amount: object, zero: bool, reason: str) -> None:
    errors = FieldErrors()
    money(errors, "fee", amount, "CNY", SHANGHAI, zero=zero)
    assert reasons(errors) == {"fee": [reason]}


def test_money_refuses_a_currency_the_regime_does_not_accept() -> None:
    errors = FieldErrors()
    assert money(errors, "price", "100", "XAU", SHANGHAI, zero=False) == Decimal(100)
    assert reasons(errors) == {"currency": ["Amounts must be in %(currencies)s."]}
    assert errors.errors["currency"][0].params == {"currencies": ", ".join(SHANGHAI.currencies)}


def test_money_names_the_amount_and_the_currency_together() -> None:
    errors = FieldErrors()
    money(errors, "amount", "abc", "XAU", SHANGHAI, zero=False)
    assert set(reasons(errors)) == {"amount"}  # an amount that is no number is refused alone
    errors = FieldErrors()
    money(errors, "amount", "-5", "XAU", SHANGHAI, zero=False)
    assert set(reasons(errors)) == {"amount", "currency"}


# ── dates and periods ───────────────────────────────────────────────────────────────────


def test_iso_date_takes_a_date_or_its_text() -> None:
    errors = FieldErrors()
    assert iso_date(errors, "on", date(2026, 5, 1)) == date(2026, 5, 1)
    assert iso_date(errors, "on", "2026-05-01") == date(2026, 5, 1)
    assert iso_date(errors, "on", 20260501) == date(2026, 5, 1)  # ISO 8601 basic format
    assert not errors


@pytest.mark.parametrize("value", ["2026-02-30", "01/05/2026", "", None, 2026])
def test_iso_date_refuses_what_is_not_a_date(value: object) -> None:
    errors = FieldErrors()
    assert iso_date(errors, "traded_on", value) == NO_DATE
    assert reasons(errors) == {"traded_on": ["Must be a date (YYYY-MM-DD)."]}


def test_a_period_may_end_on_its_first_day_but_not_before() -> None:
    errors = FieldErrors()
    assert period(errors, "starts", "2026-05-01", "ends", "2026-05-01") == (
        date(2026, 5, 1),
        date(2026, 5, 1),
    )
    assert not errors
    period(errors, "starts", "2026-05-02", "ends", "2026-05-01")
    assert reasons(errors) == {"ends": ["Must not be before the start."]}


def test_a_period_with_a_bad_date_names_only_that_date() -> None:
    errors = FieldErrors()
    first, last = period(errors, "starts", "soon", "ends", "2026-05-01")
    assert (first, last) == (NO_DATE, date(2026, 5, 1))
    assert reasons(errors) == {"starts": ["Must be a date (YYYY-MM-DD)."]}


# ── text and holders ────────────────────────────────────────────────────────────────────


def test_required_text_is_stripped_and_limited() -> None:
    errors = FieldErrors()
    assert required_text(errors, "exchange", "  上海数据交易所 ") == "上海数据交易所"
    assert required_text(errors, "reference", "x" * 100, 100) == "x" * 100
    assert not errors
    required_text(errors, "scope", "   ")
    required_text(errors, "reference", "x" * 101, 100)
    assert reasons(errors) == {
        "scope": ["This field is required."],
        "reference": ["At most %(max)s characters."],
    }
    assert errors.errors["reference"][0].params == {"max": 100}


@pytest.mark.django_db
def test_known_holder_finds_a_registered_holder(personas: Personas) -> None:
    errors = FieldErrors()
    assert known_holder(errors, "licensee", personas.other_applicant.holder.pk) == (
        personas.other_applicant.holder
    )
    assert known_holder(errors, "pledgee", 987_654) is None
    assert reasons(errors) == {"pledgee": ["No such holder."]}
    with pytest.raises(ValidationFailed, match="pledgee"):
        errors.raise_if_any()


# ── uploaded files ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("report.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("REPORT.PDF", b"%PDF-1.7\n", "application/pdf"),
        ("logo.png", b"\x89PNG\r\n\x1a\nrest", "image/png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0", "image/jpeg"),
        ("photo.jpg", b"\xff\xd8\xff\xe0", "image/jpeg"),
        ("bundle.zip", b"PK\x03\x04", "application/zip"),
        ("contract.docx", b"PK\x03\x04", "application/zip"),
        ("table.xlsx", b"PK\x03\x04", "application/zip"),
        ("rows.csv", "编号,名称\n1,数据\n".encode(), "text/plain"),
        ("lines.jsonl", b'{"a": 1}\n', "text/plain"),
        # a multi-byte character cut at the end of the sniffed head
        ("notes.txt", "数据".encode()[:-1], "text/plain"),
    ],
)
def test_sniff_accepts_contents_that_match_their_name(
    name: str, head: bytes, expected: str
) -> None:
    assert sniff(name, head) == expected


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("report.pdf", b"MZ\x90\x00"),  # an executable named .pdf
        ("logo.png", b"%PDF-1.7"),
        ("notes.txt", b"text\x00with a NUL"),
        ("notes.txt", b"\xff\xfe\x00\x00 not UTF-8 at all"),
        ("program.exe", b"MZ\x90\x00"),
        ("no-extension", b"%PDF-1.7"),
    ],
)
def test_sniff_refuses_contents_that_do_not_match(name: str, head: bytes) -> None:
    assert sniff(name, head) is None


def test_samples_may_be_larger_than_other_materials() -> None:
    assert (MAX_MATERIAL_BYTES, MAX_SAMPLE_BYTES) == (20 * 2**20, 50 * 2**20)
