"""The certificate page: bilingual text a machine can read back, one A4 page, embedded font."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from dataip.certificates.content import CertificateContent, HolderEntry
from dataip.certificates.render import TITLE_EN, TITLE_ZH, render_certificate
from dataip.registry import reference
from tests.certificates._support import Capture, issued, pdf_of, pdftotext, run
from tests.support.personas import Personas

SAMPLE = CertificateContent(
    certificate_number="20260431000000001",
    version=1,
    registration_number="2026011000000016",
    application_number="SQ20263100000001",
    product_name="城市交通出行数据集",
    product_name_en="Urban mobility dataset",
    kind="data_collection",
    kind_zh="数据集合",
    kind_en="Data collection",
    holders=(HolderEntry("甲数据科技有限公司", "Alpha Data Co., Ltd.", "100.00"),),
    industry_code="65",
    industry_zh="软件和信息技术服务业",
    industry_en="Software and information technology services",
    registered_on="2026-04-01",
    valid_from="2026-04-01",
    valid_until="2029-03-31",
    issued_on="2026-04-01",
    issued_at="2026-04-01T02:00:00Z",
    registry_code="3100",
    registry_zh="上海市知识产权局",
    registry_en="Shanghai Intellectual Property Administration",
    log_origin="dataip.local/log/v1",
)
QR = "https://registry.example.cn/verify/20260431000000001?v=1#payload"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.django_db
def test_it_prints_the_particulars_in_chinese_and_english(
    personas: Personas, django_capture_on_commit_callbacks: Capture, tmp_path: Path
) -> None:
    application, certificate = issued(personas, django_capture_on_commit_callbacks)
    text = _flat(pdftotext(pdf_of(certificate), tmp_path))
    industry = reference.industry("65")
    for expected in (
        TITLE_ZH,
        TITLE_EN,
        "证书编号",
        "Certificate No.",
        str(application.certificate_number),
        "登记号",
        str(application.registration_number),
        "城市交通出行数据集",
        "Urban mobility dataset",
        "数据集合",
        "Data collection",
        "甲数据科技有限公司 Alpha Data",
        industry.division_name_zh,
        industry.division_name_en,
        "上海市知识产权局",
        "Shanghai Intellectual Property Administration",
        "有效期",
        "Period of validity",
        "扫码验证",
        "Scan to verify",
        "经审查，上述数据知识产权符合登记条件，予以登记，特发此证。",
    ):
        assert expected in text, expected
    assert f"{application.valid_from:%Y-%m-%d} to {application.valid_until:%Y-%m-%d}" in text
    assert "\ufffd" not in text  # no glyph fell back to the replacement character


def test_it_embeds_one_cjk_font_and_fits_one_a4_page(tmp_path: Path) -> None:
    path = tmp_path / "page.pdf"
    path.write_bytes(render_certificate(SAMPLE, QR))
    fonts = run("pdffonts", str(path)).stdout.splitlines()[2:]
    assert len(fonts) == 1
    assert "WenQuanYiZenHei" in fonts[0]
    assert fonts[0].split()[-5:-2] == ["yes", "yes", "yes"]  # embedded, subset, unicode map
    info = run("pdfinfo", str(path)).stdout
    assert re.search(r"Pages:\s+1\n", info)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)


def test_it_shrinks_long_particulars_to_stay_on_one_page(tmp_path: Path) -> None:
    many = tuple(
        HolderEntry(f"第{i}数据科技有限公司" * 3, f"Holder number {i} Limited", "20.00")
        for i in range(5)
    )
    long = replace(SAMPLE, product_name="超长的数据产品名称" * 22, holders=many)
    path = tmp_path / "long.pdf"
    path.write_bytes(render_certificate(long, QR))
    assert re.search(r"Pages:\s+1\n", run("pdfinfo", str(path)).stdout)
    text = _flat(pdftotext(path.read_bytes(), tmp_path))
    assert "第0数据科技有限公司" in text
    assert TITLE_EN in text


def test_it_renders_the_same_bytes_for_the_same_content() -> None:
    assert render_certificate(SAMPLE, QR) == render_certificate(SAMPLE, QR)
    assert render_certificate(SAMPLE, QR) != render_certificate(replace(SAMPLE, version=2), QR)
