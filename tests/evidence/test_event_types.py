"""The offline verifier names every event type in both languages, without Django."""

from __future__ import annotations

import subprocess
import sys

from dataip.evidence._summary import _type_label
from dataip.evidence.event_types import EVENT_TYPES


def test_a_summary_names_the_event_in_either_language() -> None:
    assert _type_label("certificate_issued", "zh") == "certificate_issued（证书已签发）"
    assert _type_label("grant_licence", "en") == "grant_licence (licence granted)"
    assert _type_label("ledger_key_rotation", "zh") == "ledger_key_rotation（更换日志签名密钥）"


def test_a_name_that_only_repeats_the_code_is_not_repeated() -> None:
    assert _type_label("certificate_issued", "en") == "certificate_issued"
    assert _type_label("close_publicity", "en") == "close_publicity (announcement closed)"


def test_the_steps_of_the_procedure_are_described_as_what_was_done() -> None:
    assert _type_label("submit", "en") == "submit (Submitted the application)"
    assert _type_label("submit", "zh") == "submit（提交了申请）"


def test_an_unknown_type_is_shown_as_it_is() -> None:
    assert "something_else" not in EVENT_TYPES
    assert _type_label("something_else", "zh") == "something_else"


def test_the_table_needs_no_django() -> None:
    code = (
        "import sys, dataip.evidence.event_types, dataip.evidence.bundle; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - our own code
