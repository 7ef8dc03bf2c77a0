"""Identifiers: party IDs (USCC, resident ID) and the registry's own numbers.

Pure Python. Validation failures raise :class:`InvalidIdentifier` with a stable ``reason`` code
(see :data:`REASONS`); the caller turns the reason into a translated message.

The registry keeps three numbers per registration (domain notes, section 7):

* application number (申请号), used while the application is pending:
  ``"SQ"`` + year (4) + registry code (4) + serial (6), e.g. ``SQ20263100000123``;
* registration number (登记号), 16 characters: application year (4) + data-source code (2) +
  registrant-type code (1) + sequence (8) + check character (1). The check character is computed
  over the first 15 characters with the regime's pluggable algorithm (:data:`CHECK_ALGORITHMS`);
* certificate number (证书编号), 17 digits: year (4) + month (2) + registry code (4) + serial (7).

The widths, code tables and check algorithm are not published in text form (unconfirmed); they
are the project's defaults, kept in one place so they can be changed.

Parsers accept surrounding spaces, lower case and full-width characters (NFKC), and return the
parts of the normalised number.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Final, NamedTuple
from zoneinfo import ZoneInfo

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_2, mod_37_36

__all__ = [
    "CHECK_ALGORITHMS",
    "DATA_SOURCE_LABELS",
    "REASONS",
    "REGISTRANT_TYPE_LABELS",
    "ApplicationNumber",
    "CertificateNumber",
    "CheckAlgorithm",
    "DataSourceCode",
    "InvalidIdentifier",
    "Label",
    "Mod11_2",
    "Mod37_36",
    "ObjectionReference",
    "RegistrantTypeCode",
    "RegistrationNumber",
    "format_application_number",
    "format_certificate_number",
    "format_objection_reference",
    "format_registration_number",
    "get_check_algorithm",
    "parse_application_number",
    "parse_certificate_number",
    "parse_objection_reference",
    "parse_registration_number",
    "register_check_algorithm",
    "validate_resident_id",
    "validate_uscc",
]

#: Every reason :class:`InvalidIdentifier` may carry.
REASONS: Final = ("empty", "length", "format", "checksum", "birth_date")

_CHINA_TZ: Final = ZoneInfo("Asia/Shanghai")


class InvalidIdentifier(ValueError):
    """An identifier was refused: ``field`` names the input, ``reason`` is in :data:`REASONS`."""

    def __init__(self, field: str, reason: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        self.field = field
        self.reason = reason
        super().__init__(f"invalid {field}: {reason}")


def _normalise(value: str) -> str:
    """NFKC (full-width to ASCII), strip surrounding whitespace, upper-case."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def _reason_for(error: stdnum_exceptions.ValidationError) -> str:
    if isinstance(error, stdnum_exceptions.InvalidLength):
        return "length"
    if isinstance(error, stdnum_exceptions.InvalidChecksum):
        return "checksum"
    if isinstance(error, stdnum_exceptions.InvalidComponent):
        return "birth_date"
    return "format"


# --- party identifiers ---------------------------------------------------------------------------


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    """Return the normalised 18-character Unified Social Credit Code (统一社会信用代码).

    Spaces and hyphens are removed and letters upper-cased. Raise :class:`InvalidIdentifier`
    with reason ``empty``, ``length``, ``format`` or ``checksum``.
    """
    text = _normalise(value)
    if not text:
        raise InvalidIdentifier(field, "empty")
    try:
        return str(uscc.validate(text))
    except stdnum_exceptions.ValidationError as error:
        raise InvalidIdentifier(field, _reason_for(error)) from error


def validate_resident_id(
    value: str, *, field: str = "resident_id", today: date | None = None
) -> str:
    """Return the normalised 18-character resident identity card number (居民身份证号码).

    A final ``x`` is upper-cased. Raise :class:`InvalidIdentifier` with reason ``empty``,
    ``length``, ``format``, ``checksum`` or ``birth_date`` (an impossible date, or one after
    ``today``, which defaults to the current date in China). An unknown region code (the first
    six digits) is reported as ``format``.
    """
    text = _normalise(value)
    if not text:
        raise InvalidIdentifier(field, "empty")
    try:
        number = str(ric.validate(text))
    except stdnum_exceptions.InvalidComponent as error:
        try:
            ric.get_birth_date(text)
        except stdnum_exceptions.InvalidComponent:
            raise InvalidIdentifier(field, "birth_date") from error
        raise InvalidIdentifier(field, "format") from error  # unknown region code
    except stdnum_exceptions.ValidationError as error:
        raise InvalidIdentifier(field, _reason_for(error)) from error
    except (KeyError, ValueError) as error:  # python-stdnum trips on some region-table entries
        raise InvalidIdentifier(field, "format") from error
    if today is None:
        today = datetime.now(_CHINA_TZ).date()
    if ric.get_birth_date(number) > today:
        raise InvalidIdentifier(field, "birth_date")
    return number


# --- check characters ----------------------------------------------------------------------------


class CheckAlgorithm(ABC):
    """A check-character algorithm, looked up by :attr:`name` in :data:`CHECK_ALGORITHMS`.

    ``body_alphabet`` lists the characters the checked body may contain and ``check_alphabet``
    the characters the check may take. Both methods expect normalised (upper-case) input.
    """

    name: str
    body_alphabet: str
    check_alphabet: str

    @abstractmethod
    def _compute(self, body: str) -> str: ...

    def compute(self, body: str) -> str:
        """Return the check character for ``body``; raise ValueError for a character outside the
        body alphabet or an empty body."""
        if not body:
            raise ValueError("empty body")
        bad = sorted({c for c in body if c not in self.body_alphabet})
        if bad:
            raise ValueError(f"{self.name}: characters not allowed in the body: {''.join(bad)!r}")
        return self._compute(body)

    def is_valid(self, full: str) -> bool:
        """Return whether the last character of ``full`` is the check character of the rest."""
        if len(full) < 2 or full[-1] not in self.check_alphabet:
            return False
        try:
            return self.compute(full[:-1]) == full[-1]
        except ValueError:
            return False

    def __repr__(self) -> str:
        return f"<CheckAlgorithm {self.name}>"


_DIGITS: Final = "0123456789"
_ALPHANUMERIC: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Mod37_36(CheckAlgorithm):
    """ISO 7064 MOD 37,36 (GB/T 17710): alphanumeric body, alphanumeric check character."""

    name = "iso7064-mod-37-36"
    body_alphabet = _ALPHANUMERIC
    check_alphabet = _ALPHANUMERIC

    def _compute(self, body: str) -> str:
        return str(mod_37_36.calc_check_digit(body))

    def is_valid(self, full: str) -> bool:
        """Return whether ``full`` carries a correct MOD 37,36 check character."""
        return super().is_valid(full) and bool(mod_37_36.is_valid(full))


class Mod11_2(CheckAlgorithm):
    """ISO 7064 MOD 11-2 (GB/T 17710): digit body, check character 0–9 or X."""

    name = "iso7064-mod-11-2"
    body_alphabet = _DIGITS
    check_alphabet = _DIGITS + "X"

    def _compute(self, body: str) -> str:
        return str(mod_11_2.calc_check_digit(body))

    def is_valid(self, full: str) -> bool:
        """Return whether ``full`` carries a correct MOD 11-2 check character."""
        return super().is_valid(full) and bool(mod_11_2.is_valid(full))


#: Check algorithms by name. Add more with :func:`register_check_algorithm`.
CHECK_ALGORITHMS: dict[str, CheckAlgorithm] = {a.name: a for a in (Mod37_36(), Mod11_2())}


def register_check_algorithm(algorithm: CheckAlgorithm) -> None:
    """Make ``algorithm`` available under its name; refuse to replace a different one."""
    existing = CHECK_ALGORITHMS.get(algorithm.name)
    if existing is not None and existing is not algorithm:
        raise ValueError(f"check algorithm {algorithm.name!r} is already registered")
    CHECK_ALGORITHMS[algorithm.name] = algorithm


def get_check_algorithm(algorithm: CheckAlgorithm | str) -> CheckAlgorithm:
    """Return the algorithm itself, or the registered one with that name (KeyError if none)."""
    if isinstance(algorithm, CheckAlgorithm):
        return algorithm
    try:
        return CHECK_ALGORITHMS[algorithm]
    except KeyError:
        known = ", ".join(sorted(CHECK_ALGORITHMS))
        raise KeyError(f"unknown check algorithm {algorithm!r} (known: {known})") from None


# --- code tables ---------------------------------------------------------------------------------


class Label(NamedTuple):
    """A display label in Chinese and English."""

    zh: str
    en: str


class DataSourceCode(StrEnum):
    """Data-source code (数据来源代码): two digits of the registration number (unconfirmed)."""

    SELF_COLLECTED = "01"
    LICENSED = "02"
    PURCHASED = "03"
    PUBLIC_AUTHORISED_OPERATION = "04"
    OTHER = "09"

    @property
    def label(self) -> Label:
        """The Chinese and English labels."""
        return DATA_SOURCE_LABELS[self]


class RegistrantTypeCode(StrEnum):
    """Registrant-type code (登记主体类型代码): one digit of the registration number."""

    LEGAL_PERSON = "1"
    UNINCORPORATED_ORGANISATION = "2"
    NATURAL_PERSON = "3"

    @property
    def label(self) -> Label:
        """The Chinese and English labels."""
        return REGISTRANT_TYPE_LABELS[self]


DATA_SOURCE_LABELS: Final[dict[DataSourceCode, Label]] = {
    DataSourceCode.SELF_COLLECTED: Label("自行采集", "Self-collected"),
    DataSourceCode.LICENSED: Label("授权许可取得", "Obtained under licence"),
    DataSourceCode.PURCHASED: Label("购买取得", "Purchased"),
    DataSourceCode.PUBLIC_AUTHORISED_OPERATION: Label(
        "公共数据授权运营", "Public data under authorised operation"
    ),
    DataSourceCode.OTHER: Label("其他", "Other"),
}

REGISTRANT_TYPE_LABELS: Final[dict[RegistrantTypeCode, Label]] = {
    RegistrantTypeCode.LEGAL_PERSON: Label("法人", "Legal person"),
    RegistrantTypeCode.UNINCORPORATED_ORGANISATION: Label(
        "非法人组织", "Unincorporated organisation"
    ),
    RegistrantTypeCode.NATURAL_PERSON: Label("自然人", "Natural person"),
}


# --- number formats ------------------------------------------------------------------------------

_REGISTRY_CODE = re.compile(r"[0-9]{4}")
_SEQUENCE_MAX: Final = 10**8 - 1
_CERT_SERIAL_MAX: Final = 10**7 - 1
_APP_SERIAL_MAX: Final = 10**6 - 1


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    if not low <= value <= high:
        raise ValueError(f"{name} {value} is outside {low}..{high}")


def _check_registry_code(registry_code: str) -> None:
    if not _REGISTRY_CODE.fullmatch(registry_code):
        raise ValueError(f"registry code must be four digits, not {registry_code!r}")


def _prepare(value: str, field: str, length: int) -> str:
    text = _normalise(value)
    if not text:
        raise InvalidIdentifier(field, "empty")
    if len(text) != length:
        raise InvalidIdentifier(field, "length")
    return text


@dataclass(frozen=True, slots=True)
class RegistrationNumber:
    """The parts of a registration number (登记号); ``str()`` gives the 16 characters."""

    year: int
    source: DataSourceCode
    registrant_type: RegistrantTypeCode
    sequence: int
    check: str

    def __str__(self) -> str:
        return f"{self.year:04d}{self.source}{self.registrant_type}{self.sequence:08d}{self.check}"


def format_registration_number(
    year: int,
    source_code: DataSourceCode | str,
    registrant_type_code: RegistrantTypeCode | str,
    sequence: int,
    algorithm: CheckAlgorithm | str,
) -> str:
    """Return the 16-character registration number (登记号).

    ``year`` is the application year (1000–9999), ``sequence`` 1–99,999,999, the codes members
    (or values) of :class:`DataSourceCode` and :class:`RegistrantTypeCode`, and ``algorithm`` a
    :class:`CheckAlgorithm` or its registered name. Raise ValueError for an out-of-range part.
    """
    _check_range("year", year, 1000, 9999)
    _check_range("sequence", sequence, 1, _SEQUENCE_MAX)
    source = DataSourceCode(source_code)
    registrant_type = RegistrantTypeCode(registrant_type_code)
    body = f"{year:04d}{source}{registrant_type}{sequence:08d}"
    return body + get_check_algorithm(algorithm).compute(body)


def parse_registration_number(
    value: str, algorithm: CheckAlgorithm | str, *, field: str = "registration_number"
) -> RegistrationNumber:
    """Split and verify a registration number; the check character is verified first.

    Raise :class:`InvalidIdentifier` with reason ``empty``, ``length``, ``format`` (a non-digit
    in the first 15 characters, an unknown code, a zero sequence or a character the algorithm
    never produces) or ``checksum``.
    """
    checker = get_check_algorithm(algorithm)
    text = _prepare(value, field, 16)
    body, check = text[:15], text[15]
    if not body.isascii() or not body.isdigit() or check not in checker.check_alphabet:
        raise InvalidIdentifier(field, "format")
    if not checker.is_valid(text):
        raise InvalidIdentifier(field, "checksum")
    year, sequence = int(body[:4]), int(body[7:15])
    try:
        source = DataSourceCode(body[4:6])
        registrant_type = RegistrantTypeCode(body[6])
    except ValueError:
        raise InvalidIdentifier(field, "format") from None
    if year < 1000 or sequence == 0:
        raise InvalidIdentifier(field, "format")
    return RegistrationNumber(year, source, registrant_type, sequence, check)


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    """The parts of a certificate number (证书编号); ``str()`` gives the 17 digits."""

    year: int
    month: int
    registry_code: str
    serial: int

    def __str__(self) -> str:
        return f"{self.year:04d}{self.month:02d}{self.registry_code}{self.serial:07d}"


def format_certificate_number(year: int, month: int, registry_code: str, serial: int) -> str:
    """Return the 17-digit certificate number: year, month, registry code (4 digits), serial (7).

    Raise ValueError for a year outside 1000–9999, a month outside 1–12, a registry code that is
    not four digits or a serial outside 1–9,999,999.
    """
    _check_range("year", year, 1000, 9999)
    _check_range("month", month, 1, 12)
    _check_registry_code(registry_code)
    _check_range("serial", serial, 1, _CERT_SERIAL_MAX)
    return str(CertificateNumber(year, month, registry_code, serial))


def parse_certificate_number(value: str, *, field: str = "certificate_number") -> CertificateNumber:
    """Split a 17-digit certificate number; raise :class:`InvalidIdentifier` (``empty``,
    ``length`` or ``format``: a non-digit, month outside 1–12, zero serial)."""
    text = _prepare(value, field, 17)
    if not text.isascii() or not text.isdigit():
        raise InvalidIdentifier(field, "format")
    parts = CertificateNumber(int(text[:4]), int(text[4:6]), text[6:10], int(text[10:]))
    if parts.year < 1000 or not 1 <= parts.month <= 12 or parts.serial == 0:
        raise InvalidIdentifier(field, "format")
    return parts


@dataclass(frozen=True, slots=True)
class ApplicationNumber:
    """The parts of an application number (申请号); ``str()`` gives e.g. ``SQ20263100000123``."""

    year: int
    registry_code: str
    serial: int

    PREFIX: ClassVar[str] = "SQ"

    def __str__(self) -> str:
        return f"{self.PREFIX}{self.year:04d}{self.registry_code}{self.serial:06d}"


def format_application_number(year: int, registry_code: str, serial: int) -> str:
    """Return ``"SQ"`` + year (4) + registry code (4) + serial (6), e.g. ``SQ20263100000123``.

    Raise ValueError for a year outside 1000–9999, a registry code that is not four digits or a
    serial outside 1–999,999.
    """
    _check_range("year", year, 1000, 9999)
    _check_registry_code(registry_code)
    _check_range("serial", serial, 1, _APP_SERIAL_MAX)
    return str(ApplicationNumber(year, registry_code, serial))


def parse_application_number(value: str, *, field: str = "application_number") -> ApplicationNumber:
    """Split an application number; raise :class:`InvalidIdentifier` (``empty``, ``length`` or
    ``format``: a wrong prefix, a non-digit, zero serial)."""
    text = _prepare(value, field, 16)
    digits = text[2:]
    if (
        not text.startswith(ApplicationNumber.PREFIX)
        or not digits.isascii()
        or not digits.isdigit()
    ):
        raise InvalidIdentifier(field, "format")
    parts = ApplicationNumber(int(digits[:4]), digits[4:8], int(digits[8:]))
    if parts.year < 1000 or parts.serial == 0:
        raise InvalidIdentifier(field, "format")
    return parts


@dataclass(frozen=True, slots=True)
class ObjectionReference:
    """The parts of an objection's reference number (异议编号); ``str()`` gives e.g.
    ``YY20263100000007``: the objector quotes it, and the decision names it."""

    year: int
    registry_code: str
    serial: int

    PREFIX: ClassVar[str] = "YY"

    def __str__(self) -> str:
        return f"{self.PREFIX}{self.year:04d}{self.registry_code}{self.serial:06d}"


def format_objection_reference(year: int, registry_code: str, serial: int) -> str:
    """Return ``"YY"`` + year (4) + registry code (4) + serial (6), e.g. ``YY20263100000007``,
    the same layout as an application number. Raise ValueError like
    :func:`format_application_number`."""
    _check_range("year", year, 1000, 9999)
    _check_registry_code(registry_code)
    _check_range("serial", serial, 1, _APP_SERIAL_MAX)
    return str(ObjectionReference(year, registry_code, serial))


def parse_objection_reference(value: str, *, field: str = "reference") -> ObjectionReference:
    """Split an objection reference; raise :class:`InvalidIdentifier` (``empty``, ``length`` or
    ``format``)."""
    text = _prepare(value, field, 16)
    digits = text[2:]
    if (
        not text.startswith(ObjectionReference.PREFIX)
        or not digits.isascii()
        or not digits.isdigit()
    ):
        raise InvalidIdentifier(field, "format")
    parts = ObjectionReference(int(digits[:4]), digits[4:8], int(digits[8:]))
    if parts.year < 1000 or parts.serial == 0:
        raise InvalidIdentifier(field, "format")
    return parts
