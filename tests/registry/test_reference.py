"""GB/T 4754-2017 industries and GB/T 2260 provinces shipped with the package."""

from __future__ import annotations

import dataclasses
from importlib import resources

import pytest

from dataip.registry.reference import (
    Industry,
    Province,
    UnknownCode,
    industries,
    industry,
    province,
    provinces,
    section,
    sections,
)


def test_it_loads_all_97_divisions_in_code_order() -> None:
    codes = [i.division_code for i in industries()]
    assert len(codes) == 97
    assert codes == [f"{n:02d}" for n in range(1, 98)]


def test_it_loads_the_20_sections_with_the_documented_ranges() -> None:
    assert [s.code for s in sections()] == list("ABCDEFGHIJKLMNOPQRST")
    ranges = {s.code: (s.division_codes[0], s.division_codes[-1]) for s in sections()}
    assert ranges["A"] == ("01", "05")
    assert ranges["C"] == ("13", "43")
    assert ranges["I"] == ("63", "65")
    assert ranges["K"] == ("70", "70")
    assert ranges["S"] == ("91", "96")
    assert ranges["T"] == ("97", "97")
    assert sum(len(s.division_codes) for s in sections()) == 97


def test_it_finds_known_divisions() -> None:
    software = industry("65")
    assert software == Industry(
        section_code="I",
        section_name_zh="信息传输、软件和信息技术服务业",
        section_name_en="Information Transmission, Software and Information Technology Services",
        division_code="65",
        division_name_zh="软件和信息技术服务业",
        division_name_en="Software and Information Technology Services",
    )
    # Names that changed in the 2017 edition, and the division new in 2017.
    assert industry("05").division_name_zh == "农、林、牧、渔专业及辅助性活动"
    assert industry("96").division_name_zh == "基层群众自治组织及其他组织"
    assert industry("79").division_name_zh == "土地管理业"
    assert industry(" 13 ").section_code == "C"


def test_it_keeps_quoted_english_names_with_commas() -> None:
    assert industry("01").section_name_en == "Agriculture, Forestry, Animal Husbandry and Fishery"


def test_it_finds_a_section_by_letter() -> None:
    manufacturing = section("c")
    assert manufacturing.name_zh == "制造业"
    assert len(manufacturing.division_codes) == 31


@pytest.mark.parametrize("code", ["98", "00", "1", "", "AA"])
def test_it_raises_unknown_code_for_an_unknown_division(code: str) -> None:
    with pytest.raises(UnknownCode) as excinfo:
        industry(code)
    assert isinstance(excinfo.value, KeyError)
    assert "GB/T 4754 division" in str(excinfo.value)
    assert repr(code.strip()) in str(excinfo.value)


def test_it_raises_unknown_code_for_an_unknown_section() -> None:
    with pytest.raises(UnknownCode, match="section"):
        section("U")


def test_it_loads_34_provinces() -> None:
    items = provinces()
    assert len(items) == 34
    assert len({p.code2 for p in items}) == 34
    assert all(p.code6 == p.code2 + "0000" for p in items)


def test_it_finds_provinces_by_two_or_six_digit_code() -> None:
    shanghai = Province("31", "310000", "上海市", "沪", "Shanghai")
    assert province("31") == shanghai
    assert province("310000") == shanghai
    assert province("11").name_zh == "北京市"
    assert province("44").short_name_zh == "粤"
    assert province("61").name_en == "Shaanxi"
    assert province("14").name_en == "Shanxi"
    assert province("54").name_en == "Xizang"
    assert province("71").name_zh == "台湾省"
    assert province("82").name_en == "Macao"


@pytest.mark.parametrize("code", ["00", "440300", "99", "3100"])
def test_it_raises_unknown_code_for_an_unknown_province(code: str) -> None:
    with pytest.raises(UnknownCode, match="GB/T 2260 province"):
        province(code)


def test_it_returns_immutable_cached_records() -> None:
    assert industries() is industries()
    assert provinces() is provinces()
    with pytest.raises(dataclasses.FrozenInstanceError):
        industry("65").division_code = "66"  # type: ignore[misc]


def test_it_ships_the_csv_files_inside_the_package() -> None:
    folder = resources.files("dataip.registry.reference").joinpath("data")
    for name in ("gbt4754-2017-divisions.csv", "gbt2260-provinces.csv"):
        assert folder.joinpath(name).is_file()
