"""Licence territories (许可地域) as structured regions: nationwide (全国), or a set of GB/T 2260
codes of provinces and prefectures (``registry.reference``).

A territory is kept as the sorted tuple of its 6-digit codes; the empty tuple is nationwide.
Two territories overlap when either is nationwide, or a code of one equals or contains a code
of the other (a province ``32xxxx`` contains its prefectures ``3205xx``). A licence recorded
before territories were structured keeps its free text for reading and counts as nationwide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from dataip.errors import FieldErrors, gettext_noop
from dataip.registry import reference

NATIONWIDE = "nationwide"
"""How forms and the API name the whole country."""
NATIONWIDE_WORDS = frozenset(
    {
        NATIONWIDE,
        "全国",
        "中国",
        "中国大陆",
        "中华人民共和国",
        "china",
        "mainland china",
        "prc",
        "中国 china",
        "全国 nationwide",
    }
)
"""Free text that means the whole country (for old licences and lenient input)."""

Territory = tuple[str, ...]


@cache
def _names() -> dict[str, str]:
    """Unambiguous names of provinces and prefectures (Chinese, with or without the suffix
    省/市/自治区...; English, any case) and their 6-digit codes."""
    found: dict[str, set[str]] = {}
    regions: list[tuple[str, str, str]] = [
        (p.code6, p.name_zh, p.name_en) for p in reference.provinces()
    ] + [(p.code6, p.name_zh, p.name_en) for p in reference.prefectures()]
    for code, zh, en in regions:
        short = re.sub(r"(省|市|自治区|特别行政区|地区|盟|自治州)$", "", zh)
        for key in {zh, short, en.casefold()}:
            found.setdefault(key, set()).add(code)
    return {key: codes.pop() for key, codes in found.items() if len(codes) == 1}


def _code6(code: str) -> str | None:
    """The 6-digit code of a known province or prefecture (by code or unambiguous name)."""
    for lookup in (reference.province, reference.prefecture):
        try:
            return lookup(code).code6
        except reference.UnknownCode:
            continue
    return _names().get(code) or _names().get(code.casefold())


def contains(outer: str, inner: str) -> bool:
    """Whether region ``outer`` is ``inner`` or contains it (both 6-digit codes)."""
    if outer == inner:
        return True
    if outer.endswith("0000"):
        return inner[:2] == outer[:2]
    return outer.endswith("00") and inner[:4] == outer[:4]


def normalise(codes: Iterable[str]) -> Territory:
    """Sorted, without duplicates, and without a code another code of the set contains."""
    unique = set(codes)
    return tuple(sorted(c for c in unique if not any(o != c and contains(o, c) for o in unique)))


def parse(errors: FieldErrors, field: str, value: object) -> Territory:
    """The territory from a form or the API: ``"nationwide"``, a list of GB/T 2260 codes
    (2, 4 or 6 digits) or unambiguous names, or the same as one string separated by commas.
    Unknown codes are named on ``field``."""
    if isinstance(value, str):
        if value.strip().casefold() in NATIONWIDE_WORDS:
            return ()
        items: list[str] = []
        for item in re.split(r"[,，、;；\n]+", value):
            item = item.strip()
            # "110000 320500": codes separated by spaces; names may contain spaces.
            known = not item or _code6(item) is not None
            items.extend([item] if known else item.split())
    elif isinstance(value, Iterable):
        items = [str(item).strip() for item in value]
    else:
        items = []
    if any(item.casefold() in NATIONWIDE_WORDS for item in items):
        if len(items) > 1:
            errors.add(field, gettext_noop("Either nationwide or a list of regions, not both."))
        return ()
    if not items:
        errors.add(field, gettext_noop("Choose nationwide or at least one region."))
        return ()
    unknown = [item for item in items if _code6(item) is None]
    if unknown:
        errors.add(
            field,
            gettext_noop("Not a GB/T 2260 province or prefecture code: %(codes)s"),
            codes=", ".join(unknown[:5]),
        )
        return ()
    return normalise(code for item in items if (code := _code6(item)) is not None)


def overlaps(first: Iterable[str], second: Iterable[str]) -> bool:
    """Whether two territories share any ground (nationwide overlaps everything)."""
    a, b = tuple(first), tuple(second)
    if not a or not b:
        return True
    return any(contains(x, y) or contains(y, x) for x in a for y in b)


def name(code: str, english: bool) -> str:
    """The name of a province or prefecture, with its province for a prefecture."""
    try:
        prefecture = reference.prefecture(code)
    except reference.UnknownCode:
        try:
            province = reference.province(code)
        except reference.UnknownCode:
            return code
        return province.name_en if english else province.name_zh
    province = reference.province(prefecture.province_code2)
    if english:
        return f"{prefecture.name_en}, {province.name_en}"
    return f"{province.name_zh}{prefecture.name_zh}"


def choices(english: bool) -> list[tuple[str, str]]:
    """Every province, each followed by its prefectures: (6-digit code, "code name")."""
    by_province: dict[str, list[reference.Prefecture]] = {}
    for prefecture in reference.prefectures():
        by_province.setdefault(prefecture.province_code2, []).append(prefecture)
    result = []
    for province in reference.provinces():
        result.append((province.code6, f"{province.code6} {name(province.code6, english)}"))
        for prefecture in by_province.get(province.code2, []):
            label = prefecture.name_en if english else prefecture.name_zh
            result.append((prefecture.code6, f"{prefecture.code6} — {label}"))
    return result
