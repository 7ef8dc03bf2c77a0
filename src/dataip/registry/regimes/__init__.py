"""Registration regimes: one TOML file per region, validated strictly when loaded.

A regime holds the settings that differ between registries: announcement (公示) length,
correction (补正) deadline, validity, renewal window, the kinds of object it registers, whether a
deposit (存证) must come first, whether experts review, the required materials and the
check-character algorithm of its registration numbers. Values the domain research could not
confirm carry a note containing "(unconfirmed)" in the file's ``[notes]`` table.

Pure Python (no Django). Files are read with :mod:`importlib.resources`, once per process.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from dataip.registry.calendar import DayUnit, add_days
from dataip.registry.identifiers import CHECK_ALGORITHMS
from dataip.registry.kinds import MaterialKind, ProductKind

__all__ = [
    "DEFAULT_REGIME",
    "Period",
    "Regime",
    "RegimeError",
    "all_regimes",
    "default_regime",
    "load_regime",
    "load_regime_file",
]

#: Code of the regime used when none is configured.
DEFAULT_REGIME: Final = "shanghai"

UNCONFIRMED: Final = "(unconfirmed)"


class RegimeError(Exception):
    """A regime file is missing or invalid. ``source`` is the file name, ``key`` the setting."""

    def __init__(self, source: str, key: str | None, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class Period:
    """A length of time counted in calendar or working days (see :func:`add_days`)."""

    length: int
    unit: DayUnit

    def end(self, start: date) -> date:
        """Return the last day of this period when it follows the day ``start``."""
        return add_days(start, self.length, self.unit)


@dataclass(frozen=True, slots=True)
class Regime:
    """The settings of one registry. Build with :func:`load_regime`, not by hand."""

    code: str
    name_zh: str
    name_en: str
    registry_name_zh: str
    registry_name_en: str
    registry_code: str
    announcement: Period
    correction: Period
    validity_years: int
    validity_capped_by_agreement: bool
    renewal_window_days: int
    allowed_kinds: frozenset[ProductKind]
    deposit_required: bool
    expert_review: bool
    expert_panel_min: int
    materials: frozenset[MaterialKind]
    agent_materials: frozenset[MaterialKind]
    check_algorithm: str
    currencies: tuple[str, ...]
    """Currencies accepted for licence fees, trades, pledges and revenue (ISO 4217)."""
    change_requires_examination: bool
    """Whether a change of registered particulars waits for an examiner's approval."""
    publish_pledge_amount: bool
    """Whether the public sees a pledge's secured amount (pledgee and dates are always public)."""
    sources: str
    notes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    change_decision: Period = Period(20, DayUnit.WORKING_DAYS)
    """How long an examiner has to decide a change request (the staff queue flags it after)."""
    confirmation: Period = Period(30, DayUnit.CALENDAR_DAYS)
    """How long a proposed transfer or pledge may wait for its confirmation before the staff
    queue flags it as overdue."""
    publish_decision_reference: bool = True
    """Whether the public sees the reference of the decision that revoked a registration (the
    fact and the date of the revocation are always public)."""
    objection_decision: Period = Period(60, DayUnit.CALENDAR_DAYS)
    """How long the registry has to decide an objection (异议), counted from its filing; the
    examiners' queues flag it when it is due soon and when it is overdue."""

    def allows(self, kind: ProductKind | str) -> bool:
        """Return whether this regime registers objects of ``kind``."""
        return kind in self.allowed_kinds

    def is_unconfirmed(self, key: str) -> bool:
        """Return whether the note on setting ``key`` marks its value as unconfirmed."""
        return UNCONFIRMED in self.notes.get(key, "")

    def announcement_end(self, start_date: date) -> date:
        """Return the last day of the public announcement (公示) published on ``start_date``."""
        return self.announcement.end(start_date)

    def correction_due(self, requested_date: date) -> date:
        """Return the last day to answer a correction (补正) notice sent on ``requested_date``."""
        return self.correction.end(requested_date)

    def validity_end(self, start_date: date, agreement_end: date | None = None) -> date:
        """Return the last day of validity of a registration that starts on ``start_date``.

        The term runs ``validity_years`` years including the start day, so it ends the day before
        the anniversary: 2026-03-01 + 3 years ends 2029-02-28. A start on 29 February ends on
        28 February. If the regime caps validity by the source agreement and ``agreement_end``
        is given, the earlier date wins; an agreement that ends before ``start_date`` raises
        ValueError.
        """
        year = start_date.year + self.validity_years
        try:
            anniversary = start_date.replace(year=year)
        except ValueError:  # 29 February in a non-leap year
            anniversary = date(year, 3, 1)
        end = anniversary - timedelta(days=1)
        if self.validity_capped_by_agreement and agreement_end is not None:
            if agreement_end < start_date:
                raise ValueError(
                    f"source agreement ended on {agreement_end}, before validity starts"
                    f" on {start_date}"
                )
            end = min(end, agreement_end)
        return end

    def renewal_window(self, valid_until: date) -> tuple[date, date]:
        """Return the first and last day (inclusive) on which renewal may be filed.

        The window opens ``renewal_window_days`` days before ``valid_until`` and closes on it.
        """
        return valid_until - timedelta(days=self.renewal_window_days), valid_until

    def required_materials(self, filed_by_agent: bool) -> frozenset[MaterialKind]:
        """Return the materials an application must include; agents add e.g. a power of attorney."""
        if filed_by_agent:
            return self.materials | self.agent_materials
        return self.materials


# --- loading -------------------------------------------------------------------------------------


class _Table:
    """Reads typed values from a TOML table, naming file and key in every error.

    ``keys`` lists the keys the table may have (``None``: any); others are refused at once, so a
    misspelt key is reported as unknown rather than as a missing one.
    """

    def __init__(
        self,
        source: str,
        data: Mapping[str, Any],
        prefix: str = "",
        keys: Iterable[str] | None = None,
    ) -> None:
        self.source = source
        self.data = data
        self.prefix = prefix
        if keys is not None:
            unknown = sorted(set(data) - set(keys))
            if unknown:
                raise self.error(unknown[0], "unknown key")

    def error(self, key: str, problem: str) -> RegimeError:
        return RegimeError(self.source, f"{self.prefix}{key}", problem)

    def _get(self, key: str) -> object:
        if key not in self.data:
            raise self.error(key, "missing")
        return self.data[key]

    def str_(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {_type_name(value)}")
        if not value.strip():
            raise self.error(key, "must not be empty")
        return value

    def int_(self, key: str, *, minimum: int) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be an integer, not {_type_name(value)}")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}, not {value}")
        return value

    def bool_(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {_type_name(value)}")
        return value

    def str_list(self, key: str, choices: Iterable[str] | None) -> list[str]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"must be a list of strings, not {_type_name(value)}")
        allowed = set(value if choices is None else choices)
        for item in value:
            if item not in allowed:
                raise self.error(
                    key, f"unknown value {item!r} (allowed: {', '.join(sorted(allowed))})"
                )
        if len(set(value)) != len(value):
            raise self.error(key, "lists a value twice")
        return list(value)

    def table(self, key: str, keys: Iterable[str] | None) -> _Table:
        value = self._get(key)
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {_type_name(value)}")
        return _Table(self.source, value, f"{self.prefix}{key}.", keys)


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}.get(
        type(value), type(value).__name__
    )


_PERIOD_KEYS: Final = frozenset({"length", "unit"})
_MATERIALS_KEYS: Final = frozenset({"required", "when_filed_by_agent"})
_RIGHTS_KEYS: Final = frozenset(
    {
        "currencies",
        "change_requires_examination",
        "publish_pledge_amount",
        "change_decision_working_days",
        "confirmation_days",
        "publish_decision_reference",
    }
)
"""``change_decision_working_days``, ``confirmation_days``, ``publish_decision_reference`` and
``objection_decision`` may be left out (defaults: 20 working days, 30 days, published, 60
calendar days)."""
#: Settings a regime file must have; ``[notes]`` may explain any of them.
_SETTINGS: Final = frozenset(
    {
        "name_zh", "name_en", "registry_name_zh", "registry_name_en", "registry_code",
        "announcement", "correction", "validity_years", "validity_capped_by_agreement",
        "renewal_window_days", "allowed_kinds", "deposit_required", "expert_review",
        "expert_panel_min", "materials", "check_algorithm", "rights", "objection_decision",
    }
)  # fmt: skip
_TOP_KEYS: Final = _SETTINGS | {"code", "sources", "notes"}


def _period(table: _Table) -> Period:
    length = table.int_("length", minimum=1)
    unit = table.str_("unit")
    if unit not in set(DayUnit):
        allowed = ", ".join(u.value for u in DayUnit)
        raise table.error("unit", f"unknown unit {unit!r} (allowed: {allowed})")
    return Period(length, DayUnit(unit))


def _build(source: str, stem: str, data: Mapping[str, Any]) -> Regime:
    root = _Table(source, data, keys=_TOP_KEYS)
    code = root.str_("code")
    if code != stem:
        raise root.error("code", f"is {code!r} but the file is named {stem!r}")
    registry_code = root.str_("registry_code")
    if len(registry_code) != 4 or not registry_code.isascii() or not registry_code.isdigit():
        raise root.error("registry_code", f"must be four digits, not {registry_code!r}")
    check_algorithm = root.str_("check_algorithm")
    if check_algorithm not in CHECK_ALGORITHMS:
        known = ", ".join(sorted(CHECK_ALGORITHMS))
        raise root.error(
            "check_algorithm", f"unknown algorithm {check_algorithm!r} (known: {known})"
        )

    kinds = root.str_list("allowed_kinds", (k.value for k in ProductKind))
    if not kinds:
        raise root.error("allowed_kinds", "must list at least one kind")

    expert_review = root.bool_("expert_review")
    expert_panel_min = root.int_("expert_panel_min", minimum=0)
    if expert_review and expert_panel_min < 1:
        raise root.error("expert_panel_min", "must be at least 1 when expert_review is true")
    if not expert_review and expert_panel_min != 0:
        raise root.error("expert_panel_min", "must be 0 when expert_review is false")

    material_names = [m.value for m in MaterialKind]
    materials = root.table("materials", _MATERIALS_KEYS)
    required = materials.str_list("required", material_names)
    by_agent = materials.str_list("when_filed_by_agent", material_names)
    if not required:
        raise materials.error("required", "must list at least one material")
    both = sorted(set(required) & set(by_agent))
    if both:
        raise materials.error("when_filed_by_agent", f"{both[0]!r} is also always required")
    deposit_required = root.bool_("deposit_required")
    if deposit_required and MaterialKind.DEPOSIT_CERTIFICATE not in required:
        raise materials.error(
            "required", "must include 'deposit_certificate' when deposit_required is true"
        )

    rights = root.table("rights", _RIGHTS_KEYS)
    currencies = rights.str_list("currencies", None)
    if not currencies or any(len(c) != 3 or not c.isalpha() or not c.isupper() for c in currencies):
        raise rights.error("currencies", "must list ISO 4217 codes such as 'CNY'")

    notes_table = root.table("notes", _SETTINGS)
    notes = {key: notes_table.str_(key) for key in notes_table.data}

    objection_decision = Period(60, DayUnit.CALENDAR_DAYS)
    if "objection_decision" in root.data:
        objection_decision = _period(root.table("objection_decision", _PERIOD_KEYS))

    return Regime(
        code=code,
        name_zh=root.str_("name_zh"),
        name_en=root.str_("name_en"),
        registry_name_zh=root.str_("registry_name_zh"),
        registry_name_en=root.str_("registry_name_en"),
        registry_code=registry_code,
        announcement=_period(root.table("announcement", _PERIOD_KEYS)),
        correction=_period(root.table("correction", _PERIOD_KEYS)),
        validity_years=root.int_("validity_years", minimum=1),
        validity_capped_by_agreement=root.bool_("validity_capped_by_agreement"),
        renewal_window_days=root.int_("renewal_window_days", minimum=0),
        allowed_kinds=frozenset(ProductKind(k) for k in kinds),
        deposit_required=deposit_required,
        expert_review=expert_review,
        expert_panel_min=expert_panel_min,
        materials=frozenset(MaterialKind(m) for m in required),
        agent_materials=frozenset(MaterialKind(m) for m in by_agent),
        check_algorithm=check_algorithm,
        currencies=tuple(currencies),
        change_requires_examination=rights.bool_("change_requires_examination"),
        publish_pledge_amount=rights.bool_("publish_pledge_amount"),
        sources=root.str_("sources"),
        notes=MappingProxyType(notes),
        change_decision=Period(
            rights.int_("change_decision_working_days", minimum=1)
            if "change_decision_working_days" in rights.data
            else 20,
            DayUnit.WORKING_DAYS,
        ),
        confirmation=Period(
            rights.int_("confirmation_days", minimum=1)
            if "confirmation_days" in rights.data
            else 30,
            DayUnit.CALENDAR_DAYS,
        ),
        publish_decision_reference=rights.bool_("publish_decision_reference")
        if "publish_decision_reference" in rights.data
        else True,
        objection_decision=objection_decision,
    )


def load_regime_file(path: Path | Traversable) -> Regime:
    """Load and validate one regime file; its ``code`` must equal the file name's stem.

    Raise :class:`RegimeError` naming the file and the offending key.
    """
    source = path.name
    stem = source.removesuffix(".toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegimeError(source, None, "file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise RegimeError(source, None, f"invalid TOML: {error}") from error
    return _build(source, stem, data)


def _package_files() -> list[Traversable]:
    folder = resources.files(__name__)
    return sorted(
        (f for f in folder.iterdir() if f.name.endswith(".toml") and f.is_file()),
        key=lambda f: f.name,
    )


@cache
def all_regimes() -> Mapping[str, Regime]:
    """Return every regime shipped with the package, by code (read once, then cached)."""
    regimes: dict[str, Regime] = {}
    for path in _package_files():
        regime = load_regime_file(path)
        regimes[regime.code] = regime
    return MappingProxyType(regimes)


def load_regime(code: str) -> Regime:
    """Return the shipped regime ``code`` (e.g. ``"shanghai"``); raise :class:`RegimeError`."""
    try:
        return all_regimes()[code]
    except KeyError:
        known = ", ".join(sorted(all_regimes()))
        raise RegimeError(f"{code}.toml", None, f"no such regime (known: {known})") from None


def default_regime() -> Regime:
    """Return the default regime (Shanghai)."""
    return load_regime(DEFAULT_REGIME)
