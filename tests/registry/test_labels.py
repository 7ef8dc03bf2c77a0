"""Every code the registry shows has a name in Chinese and in English, from one table per kind."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from dataip.certificates.records import KINDS as RECORD_KINDS
from dataip.certificates.verify import EVENT_TYPE as CERTIFICATE_EVENT
from dataip.errors import Message, gettext_noop
from dataip.evidence.deposit_receipt import EVENT_TYPE as DEPOSIT_EVENT
from dataip.evidence.event_types import EVENT_TYPES, event_name
from dataip.registry import labels, reference
from dataip.registry.i18n import render
from dataip.registry.kinds import KIND_NAMES, ProductKind
from dataip.registry.models.products import KIND_CHOICES
from dataip.registry.workflow import TRANSITIONS, Action, Role, Status
from dataip.upkeep.rotation import REPLACEMENT_EVENT, ROTATION_EVENT

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")

LOGGED_ACTIONS = sorted({action.value for (_, action), rule in TRANSITIONS.items() if rule.logged})
OTHER_EVENTS = [
    CERTIFICATE_EVENT,
    DEPOSIT_EVENT,
    ROTATION_EVENT,
    REPLACEMENT_EVENT,
    *(event for event, _, _ in RECORD_KINDS.values()),
]


def _chinese(text: str) -> bool:
    return bool(HAN.search(text)) and not LATIN.search(text)


def _english(text: str) -> bool:
    return bool(text) and text.isascii() and bool(LATIN.search(text))


@pytest.mark.parametrize("event_type", LOGGED_ACTIONS + OTHER_EVENTS)
def test_every_event_type_is_named_in_chinese_and_english(event_type: str) -> None:
    zh, en = EVENT_TYPES[event_type]
    assert _chinese(zh), zh
    assert _english(en), en
    with translation.override("zh-hans"):
        assert labels.event(event_type) == zh
    with translation.override("en"):
        assert labels.event(event_type) == en


def test_the_table_names_no_event_type_the_registry_does_not_write() -> None:
    assert set(EVENT_TYPES) == set(LOGGED_ACTIONS) | set(OTHER_EVENTS)


def test_an_unknown_event_type_is_shown_as_its_code() -> None:
    assert event_name("future_event", "zh") == "future event"
    assert event_name("future_event", "en") == "future event"


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        (labels.ACTION_LABELS, [a.value for a in Action]),
        (labels.ROLE_LABELS, [r.value for r in Role]),
        (labels.STATUS_LABELS, [s.value for s in Status]),
    ],
    ids=["actions", "roles", "statuses"],
)
def test_every_action_role_and_status_has_a_chinese_and_an_english_label(
    table: dict[str, object], codes: list[str]
) -> None:
    assert set(table) == set(codes)
    for code in codes:
        with translation.override("zh-hans"):
            assert _chinese(str(table[code])), code
        with translation.override("en"):
            assert _english(str(table[code])), code


def test_roles_are_named_in_the_active_language() -> None:
    with translation.override("zh-hans"):
        assert labels.role("examiner") == "审查员"
        assert labels.role("applicant") == "申请人"
    with translation.override("en"):
        assert labels.role("examiner") == "examiner"
    assert labels.role("someone_new") == "someone_new"


def test_domain_messages_name_actions_and_statuses_in_the_users_language() -> None:
    message = Message(
        gettext_noop("'%(action)s' is not possible while the application is '%(status)s'."),
        {"action": "submit", "status": "registered"},
    )
    with translation.override("zh-hans"):
        text = render(message)
    assert "提交" in text
    assert "已登记" in text


def test_codes_are_named_for_facets_values_and_fields() -> None:
    with translation.override("zh-hans"):
        assert labels.facet("province", "31") == "上海市"
        assert labels.facet("province_code", "31") == "上海市"
        assert labels.facet("kind", "data_collection") == "数据集合"
        assert labels.facet("year", "2026") == "2026"
        assert labels.value("personal_information", "anonymised") != "anonymised"
        assert labels.value("name", "x") == "x"
        assert labels.field("shares.3") == "权利人及份额"
        assert labels.field("file") == "文件"
        assert labels.field("details.no_such_detail") == "details.no_such_detail"
        assert labels.field("no_such_field") == "no_such_field"
    with translation.override("en"):
        assert labels.industry("63") == reference.industry("63").division_name_en
        assert labels.industry("zz") == "zz"
        assert labels.province("zz") == "zz"
        assert labels.field("materials.samples") == "Data samples"
        assert labels.field("name_en") == "English name"


def test_kinds_are_named_as_their_certificates_print_them() -> None:
    choices = dict(KIND_CHOICES)
    assert set(KIND_NAMES) == {k.value for k in ProductKind}
    for code, (zh, en) in KIND_NAMES.items():
        with translation.override("zh-hans"):
            assert labels.kind(code) == zh
            assert str(choices[code]) == zh, "the catalogue names the kind as the table does"
        with translation.override("en"):
            assert labels.kind(code) == en
            assert str(choices[code]) == en
    assert labels.kind("statue") == "statue"
