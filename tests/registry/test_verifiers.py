"""The identity verifiers that ship (no network): the registrar for everything, or the structure
of the unified social credit code (GB 32100-2015) checked first."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from dataip.registry.verifiers import (
    CodeStructureCheck,
    IdentityClaim,
    ManualReview,
    Outcome,
)
from tests.support.personas import valid_uscc


def claim(code: str, kind: str = "legal_person") -> IdentityClaim:
    return IdentityClaim(
        kind=kind,
        org_type="holder",
        name="某公司",
        identifier=code,
        province_code="31",
        documents=(("authorisation", "image/png", "0" * 64),),
    )


def with_check(body: str) -> str:
    return body + uscc.calc_check_digit(body)


@pytest.mark.parametrize(
    ("code", "outcome", "why"),
    [
        (valid_uscc(1), Outcome.MANUAL, None),  # plausible: the registrar still decides
        (with_check("91100000000000000"), Outcome.MANUAL, None),  # national level (10)
        (valid_uscc(1)[:-1] + ("0" if valid_uscc(1)[-1] != "0" else "1"), Outcome.REFUSED, "check"),
        (with_check("98310000000000000"), Outcome.REFUSED, "category"),  # 9 has no category 8
        (with_check("01310000000000000"), Outcome.REFUSED, "authority"),  # no authority 0
        (with_check("91990000000000000"), Outcome.REFUSED, "region"),  # no province 99
    ],
)
def test_the_structure_check(code: str, outcome: Outcome, why: str | None) -> None:
    verdict = CodeStructureCheck().check(claim(code))
    assert verdict.outcome == outcome
    if why is None:
        assert verdict.reason is None
    else:
        assert verdict.reason is not None
        assert why in verdict.reason.msgid


def test_natural_persons_and_the_default_go_to_the_registrar() -> None:
    assert CodeStructureCheck().check(claim("x", "natural_person")).outcome == Outcome.MANUAL
    assert ManualReview().check(claim(valid_uscc(1))).outcome == Outcome.MANUAL
