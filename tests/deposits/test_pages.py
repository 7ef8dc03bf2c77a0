"""The deposit pages in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataip.deposits import services
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.builders import day, draft
from tests.support.personas import Personas

from .conftest import SignIn

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("zh-hans", ["我的存证", "提交清单存证", "存证根哈希", "回执", "如何验证", "引用存证"]),
        ("en", ["My deposits", "Deposit a manifest", "Deposit root", "Receipt", "How to verify"]),
    ],
)
def test_pages_speak_the_users_language(
    personas: Personas, sign_in: SignIn, tmp_path: Path, language: str, texts: list[str]
) -> None:
    made = deposit(personas.applicant, manifest_of(make_tree(tmp_path / "d", files(1, "f", 2))))
    app = draft(personas)
    client = sign_in(personas.applicant, language=language)
    html = "".join(
        client.get(url).content.decode()
        for url in ("/deposits/", f"/deposits/{made.pk}", f"/deposits/applications/{app.pk}")
    )
    for text in texts:
        assert text in html, text
    assert made.number in html
    services.cite_deposit(app.pk, made.pk, actor=personas.applicant.actor, at=day(0))
    cited = client.get(f"/deposits/applications/{app.pk}").content.decode()
    assert f"/deposits/applications/{app.pk}/uncite/{made.pk}" in cited
