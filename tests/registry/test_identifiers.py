"""Party identifiers, check characters and the registry's three number formats."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_2, mod_37_36

from dataip.registry.identifiers import (
    CHECK_ALGORITHMS,
    DATA_SOURCE_LABELS,
    REASONS,
    REGISTRANT_TYPE_LABELS,
    ApplicationNumber,
    CertificateNumber,
    CheckAlgorithm,
    DataSourceCode,
    InvalidIdentifier,
    RegistrantTypeCode,
    RegistrationNumber,
    format_application_number,
    format_certificate_number,
    format_registration_number,
    get_check_algorithm,
    parse_application_number,
    parse_certificate_number,
    parse_registration_number,
    register_check_algorithm,
    validate_resident_id,
    validate_uscc,
)

# The example in python-stdnum's own documentation; verified again below with stdnum.
VALID_USCC = "91110000600037341L"
# A Shanghai-looking body whose check character was computed with stdnum (it is "U").
SHANGHAI_USCC = "91310000MA1FL4CT3U"
VALID_RIC = "360426199101010071"
MOD37 = "iso7064-mod-37-36"
MOD11 = "iso7064-mod-11-2"


def _ric_with_check(body17: str) -> str:
    """A resident ID whose check digit is right, whatever the rest says."""
    return body17 + ric.calc_check_digit(body17 + "0")


def _reason(excinfo: pytest.ExceptionInfo[InvalidIdentifier]) -> str:
    return excinfo.value.reason


# --- USCC ----------------------------------------------------------------------------------------


def test_it_uses_samples_that_stdnum_itself_accepts() -> None:
    assert uscc.is_valid(VALID_USCC)
    assert uscc.is_valid(SHANGHAI_USCC)
    assert not uscc.is_valid("91310000MA1FL4CT3X")
    assert ric.is_valid(VALID_RIC)


def test_it_accepts_a_valid_uscc_and_normalises_it() -> None:
    assert validate_uscc(VALID_USCC) == VALID_USCC
    assert validate_uscc("  9131-0000 ma1fl4ct3u ") == SHANGHAI_USCC


def test_it_accepts_a_full_width_uscc() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID_USCC)
    assert validate_uscc(full_width) == VALID_USCC


def test_it_rejects_a_uscc_with_a_hand_made_bad_check_character() -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_uscc("91110000600037341K")
    assert _reason(excinfo) == "checksum"
    assert excinfo.value.field == "uscc"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("12345", "length"),
        ("911100006000373411L", "length"),
        ("A1110000600037341L", "format"),  # the first 8 characters must be digits
        ("91110000600037341I", "format"),  # I is not in the USCC alphabet
        ("91310000MA1FL4CT3X", "checksum"),
    ],
)
def test_it_gives_a_stable_reason_for_each_bad_uscc(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_uscc(value)
    assert _reason(excinfo) == reason


def test_it_names_the_callers_field() -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_uscc("", field="holder_id")
    assert excinfo.value.field == "holder_id"
    assert "holder_id" in str(excinfo.value)


def test_it_refuses_an_unknown_reason() -> None:
    assert set(REASONS) == {"empty", "length", "format", "checksum", "birth_date"}
    with pytest.raises(ValueError, match="unknown reason"):
        InvalidIdentifier("uscc", "bad")


# --- resident ID ---------------------------------------------------------------------------------


def test_it_accepts_a_valid_resident_id() -> None:
    assert validate_resident_id(VALID_RIC) == VALID_RIC
    with_x = _ric_with_check("11010519491231002")
    assert with_x.endswith("X")
    assert validate_resident_id(with_x.lower()) == with_x


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("36042619910101007", "length"),
        ("3604261991010100A1", "format"),
        ("360426199101010072", "checksum"),
        (_ric_with_check("36042619911301007"), "birth_date"),  # month 13
        (_ric_with_check("36042619910230007"), "birth_date"),  # 30 February
        (_ric_with_check("99999919910101007"), "format"),  # unknown region code
    ],
)
def test_it_gives_a_stable_reason_for_each_bad_resident_id(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_resident_id(value)
    assert _reason(excinfo) == reason


def test_it_rejects_a_birth_date_in_the_future() -> None:
    value = _ric_with_check("36042620250101007")
    assert validate_resident_id(value, today=date(2025, 1, 1)) == value
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_resident_id(value, today=date(2024, 12, 31))
    assert _reason(excinfo) == "birth_date"


# --- check algorithms ----------------------------------------------------------------------------


def test_it_registers_both_iso7064_algorithms_by_name() -> None:
    assert {MOD37, MOD11} <= set(CHECK_ALGORITHMS)
    assert get_check_algorithm(MOD37) is CHECK_ALGORITHMS[MOD37]
    assert get_check_algorithm(CHECK_ALGORITHMS[MOD11]) is CHECK_ALGORITHMS[MOD11]
    with pytest.raises(KeyError, match="unknown check algorithm"):
        get_check_algorithm("luhn")


def test_it_computes_the_same_check_characters_as_stdnum() -> None:
    mod37, mod11 = CHECK_ALGORITHMS[MOD37], CHECK_ALGORITHMS[MOD11]
    # The examples in the standards' stdnum modules.
    assert mod37.compute("A12425GABC1234002") == "M"
    assert mod11.compute("0794") == "0"
    for body in ("202601100000001", "202609300000042", "999999999999999"):
        assert mod37.compute(body) == mod_37_36.calc_check_digit(body)
        assert mod11.compute(body) == mod_11_2.calc_check_digit(body)
        assert mod37.is_valid(body + mod37.compute(body))
        assert mod11.is_valid(body + mod11.compute(body))


def test_it_detects_a_changed_digit_and_a_swap() -> None:
    for algorithm in (CHECK_ALGORITHMS[MOD37], CHECK_ALGORITHMS[MOD11]):
        full = "202601100000123" + algorithm.compute("202601100000123")
        assert algorithm.is_valid(full)
        assert not algorithm.is_valid("202601100000124" + full[-1])
        assert not algorithm.is_valid("202601100000213" + full[-1])


def test_it_keeps_each_algorithm_to_its_alphabet() -> None:
    mod11 = CHECK_ALGORITHMS[MOD11]
    with pytest.raises(ValueError, match="not allowed"):
        mod11.compute("12A")
    with pytest.raises(ValueError, match="empty"):
        mod11.compute("")
    assert not mod11.is_valid("X1")  # X is only a check character, never a body digit
    assert not mod11.is_valid("1")
    assert mod11.compute("0001") == "X"
    assert mod11.is_valid("0001X")
    assert not mod11.is_valid("0001x")  # callers normalise case first
    assert not CHECK_ALGORITHMS[MOD37].is_valid("12345*")


def test_it_lets_another_algorithm_be_plugged_in() -> None:
    class EverythingZero(CheckAlgorithm):
        name = "test-zero"
        body_alphabet = "0123456789"
        check_alphabet = "0"

        def _compute(self, body: str) -> str:
            return "0"

    algorithm = EverythingZero()
    register_check_algorithm(algorithm)
    try:
        assert format_registration_number(2026, "01", "1", 5, "test-zero") == "2026011000000050"
        with pytest.raises(ValueError, match="already registered"):
            register_check_algorithm(EverythingZero())
    finally:
        del CHECK_ALGORITHMS["test-zero"]


# --- code tables ---------------------------------------------------------------------------------


def test_it_keeps_the_code_tables_and_their_labels() -> None:
    assert [c.value for c in DataSourceCode] == ["01", "02", "03", "04", "09"]
    assert [c.value for c in RegistrantTypeCode] == ["1", "2", "3"]
    assert set(DATA_SOURCE_LABELS) == set(DataSourceCode)
    assert set(REGISTRANT_TYPE_LABELS) == set(RegistrantTypeCode)
    assert DataSourceCode.SELF_COLLECTED.label.zh == "自行采集"
    assert DataSourceCode.PUBLIC_AUTHORISED_OPERATION.label.en == (
        "Public data under authorised operation"
    )
    assert RegistrantTypeCode.NATURAL_PERSON.label == ("自然人", "Natural person")
    assert RegistrantTypeCode.UNINCORPORATED_ORGANISATION.label.zh == "非法人组织"


# --- registration number -------------------------------------------------------------------------


def test_it_formats_a_registration_number() -> None:
    number = format_registration_number(
        2026, DataSourceCode.SELF_COLLECTED, RegistrantTypeCode.LEGAL_PERSON, 123, MOD37
    )
    assert number == "202601100000123" + mod_37_36.calc_check_digit("202601100000123")
    assert len(number) == 16
    assert number == "202601100000123F"
    assert format_registration_number(2026, "01", "1", 123, MOD11) == "2026011000001230"


@pytest.mark.parametrize("algorithm", [MOD37, MOD11])
def test_it_round_trips_a_registration_number(algorithm: str) -> None:
    number = format_registration_number(2025, "04", "3", 99_999_999, algorithm)
    parts = parse_registration_number(number, algorithm)
    assert parts == RegistrationNumber(
        2025,
        DataSourceCode.PUBLIC_AUTHORISED_OPERATION,
        RegistrantTypeCode.NATURAL_PERSON,
        99_999_999,
        number[-1],
    )
    assert str(parts) == number


def test_it_accepts_lower_case_and_spaces_in_a_registration_number() -> None:
    number = "202601100000123F"
    assert str(parse_registration_number(f"  {number.lower()}\t", MOD37)) == number


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("202601100000123", "length"),
        ("202601100000123FF", "length"),
        ("2026011000A0123F", "format"),  # a letter in the body
        ("202601100000123*", "format"),  # not a MOD 37-36 check character
        ("202601100000123G", "checksum"),
        ("202601100000132F", "checksum"),  # two digits swapped
    ],
)
def test_it_rejects_a_bad_registration_number(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        parse_registration_number(value, MOD37)
    assert _reason(excinfo) == reason
    assert excinfo.value.field == "registration_number"


def test_it_rejects_a_registration_number_with_a_valid_check_but_unknown_codes() -> None:
    mod37 = CHECK_ALGORITHMS[MOD37]
    for body in ("202605100000123", "202601400000123", "202601100000000", "099901100000001"):
        with pytest.raises(InvalidIdentifier) as excinfo:
            parse_registration_number(body + mod37.compute(body), MOD37)
        assert _reason(excinfo) == "format"


def test_it_rejects_a_mod11_check_letter_other_than_x() -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        parse_registration_number("202601100000123F", MOD11)
    assert _reason(excinfo) == "format"


@pytest.mark.parametrize(
    ("year", "source", "registrant", "sequence", "error"),
    [
        (999, "01", "1", 1, ValueError),
        (10_000, "01", "1", 1, ValueError),
        (2026, "01", "1", 0, ValueError),
        (2026, "01", "1", 100_000_000, ValueError),
        (2026, "05", "1", 1, ValueError),
        (2026, "01", "4", 1, ValueError),
        (2026, "01", "1", True, TypeError),
    ],
)
def test_it_refuses_to_format_out_of_range_parts(
    year: int, source: str, registrant: str, sequence: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        format_registration_number(year, source, registrant, sequence, MOD37)


# --- certificate number --------------------------------------------------------------------------


def test_it_formats_and_parses_a_certificate_number() -> None:
    number = format_certificate_number(2026, 3, "3100", 1234)
    assert number == "20260331000001234"
    assert len(number) == 17
    assert parse_certificate_number(f" {number} ") == CertificateNumber(2026, 3, "3100", 1234)
    assert str(parse_certificate_number("20241244009999999")) == "20241244009999999"
    assert parse_certificate_number("20241200009999999").registry_code == "0000"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("2026033100000123", "length"),
        ("2026033100000123A", "format"),
        ("20261331000001234", "format"),  # month 13
        ("20260031000001234", "format"),  # month 0
        ("20260331000000000", "format"),  # serial 0
    ],
)
def test_it_rejects_a_bad_certificate_number(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        parse_certificate_number(value)
    assert _reason(excinfo) == reason


@pytest.mark.parametrize(
    ("year", "month", "registry_code", "serial"),
    [
        (2026, 0, "3100", 1),
        (2026, 13, "3100", 1),
        (2026, 1, "310", 1),
        (2026, 1, "31a0", 1),
        (2026, 1, "3100", 10_000_000),
        (2026, 1, "3100", 0),
    ],
)
def test_it_refuses_to_format_a_bad_certificate_number(
    year: int, month: int, registry_code: str, serial: int
) -> None:
    with pytest.raises(ValueError, match=r"month|registry code|serial"):
        format_certificate_number(year, month, registry_code, serial)


# --- application number --------------------------------------------------------------------------


def test_it_formats_and_parses_an_application_number() -> None:
    number = format_application_number(2026, "3100", 123)
    assert number == "SQ20263100000123"
    assert parse_application_number(" sq20263100000123 ") == ApplicationNumber(2026, "3100", 123)
    assert str(ApplicationNumber(2026, "0000", 999_999)) == "SQ20260000999999"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("SQ2026310000012", "length"),
        ("XQ20263100000123", "format"),
        ("SQ2026310000012A", "format"),
        ("SQ20263100000000", "format"),
    ],
)
def test_it_rejects_a_bad_application_number(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        parse_application_number(value)
    assert _reason(excinfo) == reason


def test_it_refuses_to_format_a_bad_application_number() -> None:
    with pytest.raises(ValueError, match="serial"):
        format_application_number(2026, "3100", 1_000_000)
    with pytest.raises(ValueError, match="registry code"):
        format_application_number(2026, "31000", 1)
