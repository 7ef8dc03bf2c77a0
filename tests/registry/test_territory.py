"""Licence territories as GB/T 2260 regions: parsing, overlap, and exclusive licences refused
only where territory and term overlap; old free-text territories count as nationwide."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps

from dataip.errors import FieldErrors, ValidationFailed
from dataip.registry import reference
from dataip.registry import territory as t
from dataip.registry.models import Application, Event, Licence
from dataip.registry.services import licensing
from dataip.registry.workflow import Status
from tests.support.builders import at_stage
from tests.support.personas import Personas

NATIONWIDE: tuple[str, ...] = ()
BEIJING, SHANGHAI, JIANGSU = ("110000",), ("310000",), ("320000",)
SUZHOU, NANJING, HANGZHOU = ("320500",), ("320100",), ("330100",)


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        (NATIONWIDE, NATIONWIDE, True),
        (NATIONWIDE, SUZHOU, True),
        (SHANGHAI, NATIONWIDE, True),
        (JIANGSU, JIANGSU, True),
        (JIANGSU, SUZHOU, True),  # a province contains its prefectures
        (SUZHOU, JIANGSU, True),
        (SUZHOU, SUZHOU, True),
        (SUZHOU, NANJING, False),  # two cities of one province
        (JIANGSU, SHANGHAI, False),
        (SUZHOU, HANGZHOU, False),
        (BEIJING, SHANGHAI, False),
        (SHANGHAI + HANGZHOU, JIANGSU, False),
        (SHANGHAI + HANGZHOU, (*SUZHOU, "330000"), True),  # Zhejiang contains Hangzhou
    ],
)
def test_overlap_matrix(first: t.Territory, second: t.Territory, overlap: bool) -> None:
    assert t.overlaps(first, second) is overlap
    assert t.overlaps(second, first) is overlap


@pytest.mark.parametrize(
    ("given", "parsed"),
    [
        ("nationwide", ()),
        ("全国", ()),
        ("中国大陆", ()),
        (["nationwide"], ()),
        (["31"], SHANGHAI),
        (["3205", "110000"], ("110000", "320500")),
        ("320000, 3205", JIANGSU),  # the province already contains Suzhou
        ("上海市、杭州市", ("310000", "330100")),
        ("上海", SHANGHAI),
        ("Hangzhou", HANGZHOU),
        ("110000 320500", ("110000", "320500")),
        ("Yanbian Korean Autonomous Prefecture", ("222400",)),
    ],
)
def test_territories_are_read_from_codes_or_unambiguous_names(
    given: object, parsed: t.Territory
) -> None:
    errors = FieldErrors()
    assert t.parse(errors, "territory", given) == parsed
    assert not errors


@pytest.mark.parametrize(
    "given",
    ["", [], ["999999"], "Suzhou", ["nationwide", "31"], "3101", "火星", None],
)
def test_unknown_or_ambiguous_territories_are_named_on_the_field(given: object) -> None:
    errors = FieldErrors()
    t.parse(errors, "territory", given)
    assert list(errors.errors) == ["territory"]


def test_the_prefecture_table_is_complete_and_consistent() -> None:
    prefectures = reference.prefectures()
    assert len(prefectures) == 333
    provinces = {p.code2 for p in reference.provinces()}
    for p in prefectures:
        assert p.code6 == p.code4 + "00"
        assert p.code4[:2] == p.province_code2
        assert p.province_code2 in provinces
        assert p.name_zh
        assert p.name_en
    assert reference.prefecture("3205").name_zh == "苏州市"
    assert t.name("320500", english=True) == "Suzhou, Jiangsu"
    assert t.name("320500", english=False) == "江苏省苏州市"
    codes = [code for code, _ in t.choices(english=False)]
    assert len(codes) == len(set(codes)) == 333 + 34


# ── licences ───────────────────────────────────────────────────────────────────────────


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def _grant(personas: Personas, app: Application, kind: str, territory: Any) -> Licence:
    return licensing.grant_licence(
        app.pk,
        actor=personas.applicant.actor,
        licensee_id=personas.other_applicant.holder.pk,
        kind=kind,
        scope="模型训练",
        territory=territory,
        starts="2026-05-01",
        ends="2026-12-31",
    )


@pytest.mark.django_db
def test_exclusive_licences_over_other_regions_are_allowed(
    personas: Personas, registered: Application
) -> None:
    first = _grant(personas, registered, "exclusive", ["310000"])
    assert first.regions == ["310000"]
    assert first.territory == ""
    _grant(personas, registered, "sole", ["320500", "330100"])
    _grant(personas, registered, "ordinary", ["110000"])
    assert Licence.objects.count() == 3
    event = Event.objects.filter(action="grant_licence").order_by("id").first()
    assert event is not None
    assert event.payload["territory"] == ["310000"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "territory"),
    [
        ("ordinary", ["320500"]),  # inside Jiangsu, under an exclusive licence
        ("sole", "nationwide"),
        ("exclusive", ["32"]),
    ],
)
def test_overlapping_licences_are_refused_on_the_territory(
    personas: Personas, registered: Application, kind: str, territory: Any
) -> None:
    _grant(personas, registered, "exclusive", ["320000"])
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _grant(personas, registered, kind, territory)
    assert list(refused.value.errors) == ["territory"]
    assert Licence.objects.count() == 1
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_an_old_free_text_territory_counts_as_nationwide(
    personas: Personas, registered: Application
) -> None:
    old = _grant(personas, registered, "exclusive", ["310000"])
    Licence.objects.filter(pk=old.pk).update(territory="长三角地区", regions=[])
    with pytest.raises(ValidationFailed):
        _grant(personas, registered, "sole", ["440300"])


@pytest.mark.django_db
def test_the_migration_structures_nationwide_words_and_keeps_other_text(
    personas: Personas, registered: Application
) -> None:
    texts = ["全国", "China", " nationwide ", "中国 China", "长三角地区", "上海"]
    licences = []
    for text in texts:
        licence = _grant(personas, registered, "ordinary", "nationwide")
        Licence.objects.filter(pk=licence.pk).update(territory=text)
        licences.append(licence)
    migration = import_module("dataip.registry.migrations.0011_licence_territory_regions")
    migration.structure_territories(apps, None)
    after = [Licence.objects.get(pk=licence.pk) for licence in licences]
    assert [(lic.territory, lic.regions) for lic in after] == [
        ("", []),
        ("", []),
        ("", []),
        ("", []),
        ("长三角地区", []),
        ("上海", []),  # left as written: counted as nationwide, shown as recorded
    ]
