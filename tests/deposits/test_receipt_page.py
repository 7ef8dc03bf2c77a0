"""The receipt page in plain words, the technical checks folded away; the deposit page's
browser fingerprint and holder tools, in Chinese and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataip.web.views import deposits as views
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.personas import Personas

from .conftest import SignIn

pytestmark = pytest.mark.django_db

PLAIN = {
    "zh-hans": ["这份回执证明什么", "已于", "无法还原出数据", "公开的证据账本"],
    "en": [
        "What this receipt proves",
        "were deposited with the registry at",
        "cannot be rebuilt",
        "public evidence ledger",
    ],
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_receipt_says_what_it_proves_and_folds_the_commands_away(
    personas: Personas, sign_in: SignIn, tmp_path: Path, language: str
) -> None:
    made = deposit(personas.applicant, manifest_of(make_tree(tmp_path / "d", files(2, "f", 3))))
    html = sign_in(personas.applicant, language=language).get(f"/deposits/{made.pk}")
    text = html.content.decode()
    for words in PLAIN[language]:
        assert words in text, words
    assert made.timestamped_at is not None
    folded = re.search(r"<details class=\"technical\">(.*?)</details>", text, re.S)
    assert folded is not None
    for command in ("openssl ts -verify", "base64 -d", "jq -j .statement", "verify-deposit"):
        assert command in folded.group(1)
        assert command not in text.replace(folded.group(1), "")
    assert made.root in text.replace(folded.group(1), "")  # the root stays in view


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["在此浏览器中生成指纹", "下载持有人工具"]),
        ("en", ["Fingerprint in this browser", "Download the holder tools"]),
    ],
)
def test_the_deposit_page_offers_the_browser_and_the_holder_tools(
    personas: Personas,
    sign_in: SignIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    words: list[str],
) -> None:
    client = sign_in(personas.applicant, language=language)
    monkeypatch.setattr(views, "HOLDER_TOOLS", tmp_path)
    without = client.get("/deposits/").content.decode()
    assert words[0] in without
    assert "webkitdirectory" in without
    assert "fingerprint-worker.js" in without
    assert words[1] not in without  # no wheel built: no dead link
    assert "pip install dataip-holder-tools" in without
    (tmp_path / "dataip_holder_tools-0.1.0-py3-none-any.whl").write_bytes(b"PK")
    page = client.get("/deposits/").content.decode()
    address = "http://testserver/static/download/dataip_holder_tools-0.1.0-py3-none-any.whl"
    assert words[1] in page
    assert f'href="{address}"' in page
    assert f"pip install {address}" in page
    assert "dataip-fingerprint DATASET/ --out manifest.json" in page
