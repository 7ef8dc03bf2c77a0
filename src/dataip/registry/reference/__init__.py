"""Reference code tables: GB/T 4754-2017 industries, GB/T 2260 provinces and prefectures.

The CSV files in ``data/`` are packaged with the code and read with :mod:`importlib.resources`,
once per process. English names are the project's own (unofficial) translations; see the
project's domain notes for the sources of the Chinese names.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "Industry",
    "Prefecture",
    "Province",
    "Section",
    "UnknownCode",
    "industries",
    "industry",
    "prefecture",
    "prefectures",
    "province",
    "provinces",
    "section",
    "sections",
]


class UnknownCode(KeyError):
    """A code is not in the reference table."""

    def __init__(self, table: str, code: str) -> None:
        self.table = table
        self.code = code
        super().__init__(f"unknown {table} code {code!r}")

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; keep the message readable.
        return f"unknown {self.table} code {self.code!r}"


@dataclass(frozen=True, slots=True)
class Industry:
    """A GB/T 4754-2017 division (大类) with the section (门类) it belongs to."""

    section_code: str
    section_name_zh: str
    section_name_en: str
    division_code: str
    division_name_zh: str
    division_name_en: str


@dataclass(frozen=True, slots=True)
class Section:
    """A GB/T 4754-2017 section (门类, A–T) and the codes of its divisions."""

    code: str
    name_zh: str
    name_en: str
    division_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Province:
    """A provincial-level division with its GB/T 2260 code (2-digit and 6-digit forms)."""

    code2: str
    code6: str
    name_zh: str
    short_name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Prefecture:
    """A prefecture-level division (地级行政区: city, prefecture, league, autonomous
    prefecture) with its GB/T 2260 code (4-digit and 6-digit forms) and its province."""

    code4: str
    code6: str
    province_code2: str
    name_zh: str
    name_en: str


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(__name__).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def industries() -> tuple[Industry, ...]:
    """Return the 97 GB/T 4754-2017 divisions in code order."""
    rows = _read_csv("gbt4754-2017-divisions.csv")
    return tuple(sorted((Industry(**row) for row in rows), key=lambda i: i.division_code))


@cache
def _industries_by_code() -> dict[str, Industry]:
    return {i.division_code: i for i in industries()}


def industry(division_code: str) -> Industry:
    """Return the division with the two-digit ``division_code``; raise :class:`UnknownCode`."""
    code = division_code.strip()
    try:
        return _industries_by_code()[code]
    except KeyError:
        raise UnknownCode("GB/T 4754 division", code) from None


@cache
def sections() -> tuple[Section, ...]:
    """Return the 20 GB/T 4754-2017 sections (A–T), each with its division codes."""
    grouped: dict[str, list[Industry]] = {}
    for item in industries():
        grouped.setdefault(item.section_code, []).append(item)
    return tuple(
        Section(
            code=code,
            name_zh=items[0].section_name_zh,
            name_en=items[0].section_name_en,
            division_codes=tuple(i.division_code for i in items),
        )
        for code, items in sorted(grouped.items())
    )


def section(code: str) -> Section:
    """Return the section with letter ``code`` (case-insensitive); raise :class:`UnknownCode`."""
    wanted = code.strip().upper()
    for item in sections():
        if item.code == wanted:
            return item
    raise UnknownCode("GB/T 4754 section", wanted)


@cache
def provinces() -> tuple[Province, ...]:
    """Return the 34 provincial-level divisions in code order."""
    rows = _read_csv("gbt2260-provinces.csv")
    return tuple(sorted((Province(**row) for row in rows), key=lambda p: p.code2))


@cache
def _provinces_by_code() -> dict[str, Province]:
    table: dict[str, Province] = {}
    for item in provinces():
        table[item.code2] = item
        table[item.code6] = item
    return table


def province(code: str) -> Province:
    """Return the province for a 2-digit (``"31"``) or 6-digit (``"310000"``) code.

    Raise :class:`UnknownCode` for anything else, including county-level 6-digit codes.
    """
    wanted = code.strip()
    try:
        return _provinces_by_code()[wanted]
    except KeyError:
        raise UnknownCode("GB/T 2260 province", wanted) from None


@cache
def prefectures() -> tuple[Prefecture, ...]:
    """Return the prefecture-level divisions in code order (see ``data/README.md`` for the
    source and what is left out: the districts of the four municipalities and the county-level
    units directly under a province are reached through their province)."""
    rows = _read_csv("gbt2260-prefectures.csv")
    return tuple(sorted((Prefecture(**row) for row in rows), key=lambda p: p.code4))


@cache
def _prefectures_by_code() -> dict[str, Prefecture]:
    table: dict[str, Prefecture] = {}
    for item in prefectures():
        table[item.code4] = item
        table[item.code6] = item
    return table


def prefecture(code: str) -> Prefecture:
    """Return the prefecture for a 4-digit (``"3205"``) or 6-digit (``"320500"``) code.

    Raise :class:`UnknownCode` for anything else.
    """
    wanted = code.strip()
    try:
        return _prefectures_by_code()[wanted]
    except KeyError:
        raise UnknownCode("GB/T 2260 prefecture", wanted) from None
