"""The rules and reference data page: staff see every regime and table, nobody else does."""

from __future__ import annotations

import pytest

from tests.support.personas import Personas
from tests.web.conftest import SignIn


def test_it_shows_every_regime_and_the_reference_tables(
    personas: Personas, sign_in: SignIn
) -> None:
    page = sign_in(personas.registrar, language="en").get("/staff/rules")
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("Shanghai", "Beijing", "Zhejiang", "Shenzhen"):
        assert name in text
    assert "iso7064-mod-37-36" in text
    assert len(page.context["industries"]) == 97
    assert len(page.context["provinces"]) == 34
    chinese = sign_in(personas.examiner, language="zh-hans").get("/staff/rules").content.decode()
    assert "上海市知识产权局" in chinese
    assert "登记规则与参考数据" in chinese


@pytest.mark.parametrize("who", ["applicant", "objector", "experts"])
def test_others_cannot_see_the_staff_page(personas: Personas, sign_in: SignIn, who: str) -> None:
    person = getattr(personas, who)
    person = person[0] if isinstance(person, list) else person
    assert sign_in(person, language="en").get("/staff/rules").status_code in {403, 404}
