"""Regional regimes: the shipped TOML files, strict loading and the date rules."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from dataip.registry.calendar import DayUnit
from dataip.registry.identifiers import (
    CHECK_ALGORITHMS,
    format_registration_number,
    parse_registration_number,
)
from dataip.registry.kinds import MaterialKind, ProductKind
from dataip.registry.regimes import (
    DEFAULT_REGIME,
    Period,
    Regime,
    RegimeError,
    all_regimes,
    default_regime,
    load_regime,
    load_regime_file,
)

CODES = {"shanghai", "beijing", "zhejiang", "shenzhen", "national"}


def _shipped_text(code: str) -> str:
    return resources.files("dataip.registry.regimes").joinpath(f"{code}.toml").read_text("utf-8")


# --- shipped files -------------------------------------------------------------------------------


def test_it_loads_every_shipped_regime() -> None:
    regimes = all_regimes()
    assert set(regimes) == CODES
    for code, regime in regimes.items():
        assert isinstance(regime, Regime)
        assert regime.code == code
        assert load_regime(code) is regime
        assert regime.check_algorithm in CHECK_ALGORITHMS
        assert ProductKind.DATA_COLLECTION in regime.allowed_kinds
        assert MaterialKind.APPLICATION_FORM in regime.materials
        assert regime.validity_years == 3


def test_it_caches_the_regimes() -> None:
    assert all_regimes() is all_regimes()


def test_it_uses_shanghai_as_the_default() -> None:
    assert DEFAULT_REGIME == "shanghai"
    assert default_regime() is load_regime("shanghai")


def test_it_encodes_the_shanghai_rules_of_the_project_brief() -> None:
    sh = load_regime("shanghai")
    assert (sh.name_zh, sh.name_en) == ("上海市", "Shanghai")
    assert sh.registry_name_zh == "上海市知识产权局"
    assert sh.registry_name_en == "Shanghai Intellectual Property Administration"
    assert sh.announcement == Period(15, DayUnit.CALENDAR_DAYS)
    assert sh.validity_years == 3
    assert sh.allowed_kinds == frozenset(ProductKind)
    assert sh.allows("data_algorithm")
    assert sh.expert_review
    assert sh.expert_panel_min >= 1
    assert sh.deposit_required
    assert {
        MaterialKind.APPLICATION_FORM,
        MaterialKind.PRODUCT_SUMMARY,
        MaterialKind.INNOVATION_EXPLANATION,
        MaterialKind.SCENARIO_DESCRIPTION,
    } <= sh.materials


def test_it_lets_only_shanghai_register_products_and_algorithms() -> None:
    for code, regime in all_regimes().items():
        if code != "shanghai":
            assert regime.allowed_kinds == {ProductKind.DATA_COLLECTION}, code
            assert not regime.allows(ProductKind.DATA_ALGORITHM)


def test_it_encodes_the_other_regions() -> None:
    bj, zj, sz, cn = (load_regime(c) for c in ("beijing", "zhejiang", "shenzhen", "national"))
    assert bj.validity_capped_by_agreement
    assert not bj.expert_review
    assert not bj.deposit_required
    assert zj.deposit_required
    assert MaterialKind.DEPOSIT_CERTIFICATE in zj.materials
    assert not zj.expert_review
    for regime in (bj, zj, sz, cn):
        assert regime.announcement == Period(10, DayUnit.WORKING_DAYS)
    assert {r.code: r.registry_code for r in all_regimes().values()} == {
        "shanghai": "3100",
        "beijing": "1100",
        "zhejiang": "3300",
        "shenzhen": "4403",
        "national": "0000",
    }
    assert cn.registry_name_zh == "国家知识产权局"


def test_it_marks_unconfirmed_values_as_the_research_does() -> None:
    sh, bj, zj, sz = (load_regime(c) for c in ("shanghai", "beijing", "zhejiang", "shenzhen"))
    # Fixed by the project brief or confirmed by a text.
    assert not sh.is_unconfirmed("announcement")
    assert not sh.is_unconfirmed("validity_years")
    assert not sh.is_unconfirmed("allowed_kinds")
    assert not bj.is_unconfirmed("validity_capped_by_agreement")
    assert not bj.is_unconfirmed("validity_years")
    assert not zj.is_unconfirmed("deposit_required")
    # Widely reported but unchecked.
    for regime in (bj, zj, sz):
        assert regime.is_unconfirmed("announcement")
    assert bj.is_unconfirmed("deposit_required")
    assert zj.is_unconfirmed("validity_years")
    for regime in all_regimes().values():
        assert regime.is_unconfirmed("correction"), regime.code
        assert regime.is_unconfirmed("renewal_window_days"), regime.code
        assert regime.is_unconfirmed("check_algorithm"), regime.code
        assert regime.is_unconfirmed("registry_code"), regime.code
        assert regime.correction == Period(30, DayUnit.CALENDAR_DAYS)
        assert regime.renewal_window_days == 90
        assert regime.sources


def test_it_marks_every_national_default_as_unconfirmed() -> None:
    cn = load_regime("national")
    for key in ("announcement", "validity_years", "allowed_kinds", "deposit_required"):
        assert cn.is_unconfirmed(key), key


def test_it_numbers_registrations_with_the_regimes_algorithm() -> None:
    for regime in all_regimes().values():
        number = format_registration_number(2026, "02", "1", 42, regime.check_algorithm)
        assert parse_registration_number(number, regime.check_algorithm).sequence == 42


def test_it_refuses_an_unknown_regime() -> None:
    with pytest.raises(RegimeError, match=r"atlantis\.toml: no such regime"):
        load_regime("atlantis")


# --- date rules ----------------------------------------------------------------------------------


def test_it_ends_the_announcement_per_regime() -> None:
    assert load_regime("shanghai").announcement_end(date(2026, 1, 1)) == date(2026, 1, 16)
    # Beijing: 10 working days over National Day 2025.
    assert load_regime("beijing").announcement_end(date(2025, 9, 26)) == date(2025, 10, 16)


def test_it_computes_the_correction_deadline() -> None:
    assert load_regime("shanghai").correction_due(date(2026, 1, 1)) == date(2026, 1, 31)
    assert load_regime("zhejiang").correction_due(date(2026, 2, 10)) == date(2026, 3, 12)


def test_it_ends_validity_the_day_before_the_anniversary() -> None:
    sh = load_regime("shanghai")
    assert sh.validity_end(date(2026, 3, 1)) == date(2029, 2, 28)
    assert sh.validity_end(date(2026, 1, 1)) == date(2028, 12, 31)
    assert sh.validity_end(date(2025, 3, 1)) == date(2028, 2, 29)


def test_it_handles_a_start_on_29_february() -> None:
    sh = load_regime("shanghai")
    assert sh.validity_end(date(2024, 2, 29)) == date(2027, 2, 28)
    assert sh.validity_end(date(2028, 2, 29)) == date(2031, 2, 28)


def test_it_caps_validity_by_the_source_agreement_where_the_regime_says_so() -> None:
    bj, sh = load_regime("beijing"), load_regime("shanghai")
    start = date(2026, 3, 1)
    assert bj.validity_end(start, date(2027, 6, 30)) == date(2027, 6, 30)
    assert bj.validity_end(start, date(2030, 1, 1)) == date(2029, 2, 28)
    assert bj.validity_end(start, None) == date(2029, 2, 28)
    assert bj.validity_end(start, start) == start
    assert sh.validity_end(start, date(2027, 6, 30)) == date(2029, 2, 28)
    with pytest.raises(ValueError, match="before validity starts"):
        bj.validity_end(start, date(2026, 2, 28))


def test_it_opens_the_renewal_window_before_expiry() -> None:
    assert load_regime("shanghai").renewal_window(date(2029, 2, 28)) == (
        date(2028, 11, 30),
        date(2029, 2, 28),
    )


def test_it_adds_the_power_of_attorney_only_when_an_agent_files() -> None:
    sh = load_regime("shanghai")
    own = sh.required_materials(filed_by_agent=False)
    by_agent = sh.required_materials(filed_by_agent=True)
    assert MaterialKind.POWER_OF_ATTORNEY not in own
    assert by_agent == own | {MaterialKind.POWER_OF_ATTORNEY}
    assert own == {
        MaterialKind.APPLICATION_FORM,
        MaterialKind.PRODUCT_SUMMARY,
        MaterialKind.INNOVATION_EXPLANATION,
        MaterialKind.SCENARIO_DESCRIPTION,
        MaterialKind.DEPOSIT_CERTIFICATE,
    }


def test_it_is_immutable() -> None:
    sh = load_regime("shanghai")
    with pytest.raises(AttributeError):
        sh.validity_years = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        sh.notes["announcement"] = "changed"  # type: ignore[index]
    assert hash(sh) == hash(load_regime("shanghai"))


# --- strict loading ------------------------------------------------------------------------------


def test_it_loads_a_copy_of_a_shipped_file(tmp_path: Path) -> None:
    path = tmp_path / "shanghai.toml"
    path.write_text(_shipped_text("shanghai"), encoding="utf-8")
    assert load_regime_file(path) == load_regime("shanghai")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('code = "shanghai"\n', 'code = "shanghai"\ncolour = "red"\n', "colour"),
        ("validity_years = 3\n", 'validity_years = "3"\n', "validity_years"),
        ("validity_years = 3\n", "validity_years = 0\n", "validity_years"),
        ("validity_years = 3\n", "", "validity_years"),
        ("deposit_required = true\n", "deposit_required = 1\n", "deposit_required"),
        ("expert_panel_min = 3\n", "expert_panel_min = true\n", "expert_panel_min"),
        ("expert_panel_min = 3\n", "expert_panel_min = 0\n", "expert_panel_min"),
        ('"data_algorithm"]', '"data_algorithm", "data_poem"]', "allowed_kinds"),
        ('"data_algorithm"]', '"data_algorithm", "data_product"]', "allowed_kinds"),
        ('    "application_form",\n', '    "application_fax",\n', "materials.required"),
        (
            '    "application_form",\n',
            '    "application_form",\n    "power_of_attorney",\n',
            "materials.when_filed_by_agent",
        ),
        ('    "deposit_certificate",\n', "", "materials.required"),
        ('when_filed_by_agent = ["power_of_attorney"]\n', "", "materials.when_filed_by_agent"),
        ('"iso7064-mod-37-36"', '"luhn"', "check_algorithm"),
        ('registry_code = "3100"', 'registry_code = "31000"', "registry_code"),
        ('registry_code = "3100"', "registry_code = 3100", "registry_code"),
        ("length = 15\n", "length = 15\nlenght = 16\n", "announcement.lenght"),
        (
            'length = 15\nunit = "calendar_days"',
            'length = 15\nunit = "fortnights"',
            "announcement.unit",
        ),
        ("length = 15\n", "length = 15.5\n", "announcement.length"),
        ("[notes]\n", '[notes]\nfavourite_colour = "red"\n', "notes.favourite_colour"),
        ("[notes]\n", "[notes]\nname_en = 1\n", "notes.name_en"),
        ('name_en = "Shanghai"\n', 'name_en = ""\n', "name_en"),
        ('name_zh = "上海市"', 'name_zh = ["上海市"]', "name_zh"),
    ],
)
def test_it_refuses_a_broken_regime_naming_file_and_key(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    text = _shipped_text("shanghai")
    assert old in text
    path = tmp_path / "shanghai.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RegimeError) as excinfo:
        load_regime_file(path)
    assert excinfo.value.source == "shanghai.toml"
    assert excinfo.value.key == key
    assert str(excinfo.value).startswith(f"shanghai.toml: {key}: ")


def test_it_refuses_a_code_that_does_not_match_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "hainan.toml"
    path.write_text(_shipped_text("shanghai"), encoding="utf-8")
    with pytest.raises(RegimeError, match=r"hainan\.toml: code: .*'shanghai'") as excinfo:
        load_regime_file(path)
    assert excinfo.value.key == "code"


def test_it_refuses_a_file_that_is_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('code = "broken"\nvalidity_years = \n', encoding="utf-8")
    with pytest.raises(RegimeError, match=r"broken\.toml: invalid TOML") as excinfo:
        load_regime_file(path)
    assert excinfo.value.key is None


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegimeError, match=r"nowhere\.toml: file not found"):
        load_regime_file(tmp_path / "nowhere.toml")
