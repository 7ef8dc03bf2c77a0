"""The certificate page (证书版面): one A4 page, Simplified Chinese with English, as a PDF.

Laid out like the unified CNIPA certificate: a border, the title, the registration
particulars, the QR code at the bottom left and the registry's seal at the bottom right.
Text is set in a TrueType CJK font that is embedded as a subset (WenQuanYi Zen Hei from the
Debian package ``fonts-wqy-zenhei`` by default), so no viewer substitutes glyphs. The output is
deterministic for a given input (reportlab's invariant mode). Pure Python: no Django.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from reportlab.lib.colors import Color, HexColor  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from .content import CertificateContent

__all__ = ["DEFAULT_FONT", "SEAL_BOX", "TITLE_EN", "TITLE_ZH", "render_certificate"]

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
TITLE_ZH = "数据知识产权登记证书"
TITLE_EN = "Data Intellectual Property Registration Certificate"
STATEMENT_ZH = "经审查，上述数据知识产权符合登记条件，予以登记，特发此证。"
STATEMENT_EN = (
    "The data intellectual property above has been examined and meets the conditions for "
    "registration. It is registered and this certificate is issued."
)
#: Where the seal is drawn (x1, y1, x2, y2 in points): the PDF signature field goes on top.
SEAL_BOX = (385.0, 70.0, 525.0, 210.0)

WIDTH, HEIGHT = A4
INK = HexColor("#1f2933")
MUTED = HexColor("#52606d")
FRAME = HexColor("#8c1d18")
GOLD = HexColor("#b08d3c")
SEAL_RED = HexColor("#d0021b")
LABEL_X, VALUE_X, RIGHT_X = 78.0, 200.0, WIDTH - 78.0
FIELDS_TOP, FIELDS_BOTTOM = 640.0, 300.0

_fonts: dict[str, str] = {}
_fonts_lock = threading.Lock()


def _font(path: str) -> str:
    """Register the TrueType font (``.ttf`` or the first face of a ``.ttc``) once per process."""
    with _fonts_lock:
        name = _fonts.get(path)
        if name is None:
            name = f"DataipCJK{len(_fonts)}"
            index = 0 if Path(path).suffix.lower() == ".ttc" else None
            font = TTFont(name, path) if index is None else TTFont(name, path, subfontIndex=index)
            pdfmetrics.registerFont(font)
            _fonts[path] = name
        return name


def _zh_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class _Row:
    """One particular: Chinese and English label, Chinese (main) and English value lines."""

    label_zh: str
    label_en: str
    value: str
    value_en: str = ""


def _rows(content: CertificateContent) -> list[_Row]:
    if len(content.holders) == 1:
        holders = content.holders[0].name
        holders_en = content.holders[0].name_en
    else:
        holders = "；".join(f"{h.name}（{h.share}%）" for h in content.holders)
        holders_en = "; ".join(f"{h.name_en or h.name} ({h.share}%)" for h in content.holders)
    if holders_en == holders:
        holders_en = ""
    return [
        _Row("登记号", "Registration No.", content.registration_number),
        _Row("数据名称", "Name", content.product_name, content.product_name_en),
        _Row("登记对象类型", "Kind", content.kind_zh, content.kind_en),
        _Row("权利人", "Holder(s)", holders, holders_en),
        _Row(
            "所属行业",
            "Industry (GB/T 4754)",
            f"{content.industry_code} {content.industry_zh}".strip(),
            content.industry_en,
        ),
        _Row(
            "登记日期",
            "Date of registration",
            _zh_date(content.registered_on),
            content.registered_on,
        ),
        _Row(
            "有效期",
            "Period of validity",
            f"{_zh_date(content.valid_from)}至{_zh_date(content.valid_until)}",
            f"{content.valid_from} to {content.valid_until}",
        ),
        _Row("发证机关", "Issuing registry", content.registry_zh, content.registry_en),
        _Row(
            "发证日期",
            "Date of issue",
            f"{_zh_date(content.issued_on)}（第{content.version}版）",
            f"{content.issued_on} (version {content.version})",
        ),
    ]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``: anywhere between CJK characters,
    at a space inside Latin words when there is one."""
    lines: list[str] = []
    line = ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, font, size) <= width or not line:
            line += char
            continue
        cut = line.rfind(" ")
        if char != " " and char.isascii() and cut > 0:
            lines.append(line[:cut])
            line = line[cut + 1 :] + char
        else:
            lines.append(line)
            line = char.lstrip()
    if line:
        lines.append(line)
    return lines or [""]


@dataclass(frozen=True)
class _Block:
    row: _Row
    value: list[str]
    value_en: list[str]
    size: float

    @property
    def height(self) -> float:
        lines = len(self.value) * self.size * 1.35 + len(self.value_en) * self.size * 1.05
        return max(lines, self.size * 2.3) + self.size * 0.9


def _layout(content: CertificateContent, font: str) -> list[_Block]:
    """Fit the particulars between the title and the statement: shrink the type until they
    fit, and as a last resort cut very long values (the full text is in certificate.json)."""
    width = RIGHT_X - VALUE_X
    blocks: list[_Block] = []
    for size in (12.0, 11.0, 10.0, 9.0, 8.0):
        blocks = [
            _Block(
                row,
                _wrap(row.value, font, size, width),
                _wrap(row.value_en, font, size * 0.78, width) if row.value_en else [],
                size,
            )
            for row in _rows(content)
        ]
        if sum(b.height for b in blocks) <= FIELDS_TOP - FIELDS_BOTTOM:
            return blocks
    return [_Block(b.row, _cut(b.value, 3), _cut(b.value_en, 2), b.size) for b in blocks]


def _cut(lines: list[str], keep: int) -> list[str]:
    if len(lines) <= keep:
        return lines
    return [*lines[: keep - 1], lines[keep - 1][:-1] + "…"]


def _frame(c: Canvas) -> None:
    c.setStrokeColor(FRAME)
    c.setLineWidth(3)
    c.rect(22, 22, WIDTH - 44, HEIGHT - 44)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(30, 30, WIDTH - 60, HEIGHT - 60)
    c.rect(34, 34, WIDTH - 68, HEIGHT - 68)
    c.setFillColor(GOLD)
    for x, y in ((34, 34), (WIDTH - 34, 34), (34, HEIGHT - 34), (WIDTH - 34, HEIGHT - 34)):
        c.saveState()
        c.translate(x, y)
        c.rotate(45)
        c.rect(-5, -5, 10, 10, stroke=0, fill=1)
        c.restoreState()


def _heading(c: Canvas, font: str, content: CertificateContent) -> None:
    c.saveState()  # the text render mode is graphics state: keep the bold title to itself
    c.setFillColor(FRAME)
    c.setStrokeColor(FRAME)
    c.setLineWidth(0.6)
    text = c.beginText()
    text.setTextRenderMode(2)  # fill and stroke: a bolder title from a single-weight font
    text.setFont(font, 30)
    text.setTextOrigin(WIDTH / 2 - pdfmetrics.stringWidth(TITLE_ZH, font, 30) / 2, 752)
    text.textOut(TITLE_ZH)
    c.drawText(text)
    c.restoreState()
    c.setFillColor(INK)
    c.setFont(font, 13)
    c.drawCentredString(WIDTH / 2, 726, TITLE_EN)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1)
    c.line(LABEL_X, 712, RIGHT_X, 712)
    c.setFont(font, 10.5)
    c.drawString(LABEL_X, 690, f"证书编号  Certificate No.  {content.certificate_number}")
    label = f"第{content.version}版  Version {content.version}"
    c.drawRightString(RIGHT_X, 690, label)


def _particulars(c: Canvas, font: str, blocks: Sequence[_Block]) -> None:
    y = FIELDS_TOP
    for block in blocks:
        size = block.size
        c.setFillColor(INK)
        c.setFont(font, size * 0.95)
        c.drawString(LABEL_X, y, block.row.label_zh)
        c.setFillColor(MUTED)
        c.setFont(font, size * 0.66)
        c.drawString(LABEL_X, y - size * 1.2, block.row.label_en)
        line_y = y
        c.setFillColor(INK)
        c.setFont(font, size)
        for line in block.value:
            c.drawString(VALUE_X, line_y, line)
            line_y -= size * 1.35
        c.setFillColor(MUTED)
        c.setFont(font, size * 0.78)
        for line in block.value_en:
            c.drawString(VALUE_X, line_y + size * 0.3, line)
            line_y -= size * 1.05
        y -= block.height
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.5)
    c.line(LABEL_X, FIELDS_BOTTOM - 6, RIGHT_X, FIELDS_BOTTOM - 6)


def _statement(c: Canvas, font: str) -> None:
    c.setFillColor(INK)
    c.setFont(font, 11)
    c.drawCentredString(WIDTH / 2, FIELDS_BOTTOM - 28, STATEMENT_ZH)
    c.setFillColor(MUTED)
    c.setFont(font, 8)
    for i, line in enumerate(_wrap(STATEMENT_EN, font, 8, RIGHT_X - LABEL_X)):
        c.drawCentredString(WIDTH / 2, FIELDS_BOTTOM - 44 - i * 10, line)


def _qr(c: Canvas, font: str, text: str) -> None:
    """The QR code at the bottom left, with its quiet zone and caption."""
    code = segno.make_qr(text, error="m")
    rows = list(code.matrix_iter(scale=1, border=0))
    x0, y0, size = 62.0, 104.0, 118.0
    module = size / len(rows)
    c.setFillColor(HexColor("#ffffff"))
    c.rect(x0 - 4 * module, y0 - 4 * module, size + 8 * module, size + 8 * module, 0, 1)
    c.setFillColor(HexColor("#000000"))
    path = c.beginPath()
    for r, row in enumerate(rows):
        y = y0 + size - (r + 1) * module
        start = None
        for col, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x0 + start * module, y, (col - start) * module, module)
                start = None
    c.drawPath(path, stroke=0, fill=1)
    c.setFillColor(INK)
    c.setFont(font, 8.5)
    c.drawCentredString(x0 + size / 2, y0 - 15, "扫码验证  Scan to verify")
    url = text.partition("#")[0]
    c.setFillColor(MUTED)
    c.setFont(font, 5.5)
    for i, line in enumerate(_wrap(url, font, 5.5, 170)):
        c.drawString(x0 - 4 * module, y0 - 24 - i * 7, line)


def _star(c: Canvas, cx: float, cy: float, radius: float) -> None:
    path = c.beginPath()
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = math.radians(90 + i * 36)
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if i == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    c.drawPath(path, stroke=0, fill=1)


def _seal(c: Canvas, font: str, content: CertificateContent) -> None:
    """The registry's name and issue date, and over them the round seal (电子印章)."""
    x1, y1, x2, y2 = SEAL_BOX
    cx, cy, radius = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / 2 - 8
    c.setFillColor(INK)
    c.setFont(font, 10)
    c.drawCentredString(cx, cy - 14, content.registry_zh)
    c.setFont(font, 9)
    c.drawCentredString(cx, cy - 28, _zh_date(content.issued_on))
    c.saveState()
    red = Color(SEAL_RED.red, SEAL_RED.green, SEAL_RED.blue, alpha=0.82)
    c.setStrokeColor(red)
    c.setFillColor(red)
    c.setLineWidth(2.6)
    c.circle(cx, cy, radius)
    _star(c, cx, cy, radius * 0.26)
    name = content.registry_zh
    size = min(12.0, 2 * math.pi * radius * 0.55 / max(len(name), 1))
    c.setFont(font, size)
    span = min(250.0, 22.0 * len(name))
    step = span / max(len(name) - 1, 1)
    for i, char in enumerate(name):
        angle = 90 + span / 2 - i * step if len(name) > 1 else 90.0
        rad = math.radians(angle)
        ring = radius - size * 1.25
        c.saveState()
        c.translate(cx + ring * math.cos(rad), cy + ring * math.sin(rad))
        c.rotate(angle - 90)
        c.drawCentredString(0, 0, char)
        c.restoreState()
    c.setFont(font, 6)
    c.drawCentredString(cx, cy - radius * 0.78, "数据知识产权登记专用章")
    c.restoreState()
    c.setFillColor(MUTED)
    c.setFont(font, 7)
    c.drawCentredString(cx, y1 + 2, "电子印章 · 数字签名  Electronic seal · digital signature")


def _footer(c: Canvas, font: str, content: CertificateContent, ledger: str) -> None:
    c.setFillColor(MUTED)
    c.setFont(font, 6)
    lines = [
        f"证书数据摘要 Certificate data SHA-256: {content.sha256()}",
        ledger,
        "本证书经数字签名，并内嵌证书数据与账本证据包，"
        "可离线验证（pdfsig、pyHanko、dataip verify）。",
        "Digitally signed; embeds the certificate data and its ledger evidence bundle. "
        "Verify offline with pdfsig, pyHanko or `dataip verify`.",
    ]
    y = 62.0
    for line in [line for line in lines if line]:
        c.drawString(LABEL_X - 20, y, line)
        y -= 7.5


def render_certificate(
    content: CertificateContent,
    qr: str,
    *,
    ledger: str = "",
    font_path: str = DEFAULT_FONT,
) -> bytes:
    """Render the unsigned certificate page for ``content``; ``qr`` is the QR code's text and
    ``ledger`` an optional footer line naming the ledger entry and checkpoint."""
    font = _font(font_path)
    buffer = io.BytesIO()
    c = Canvas(
        buffer,
        pagesize=A4,
        invariant=True,
        pageCompression=1,
        initialFontName=font,
        initialFontSize=10,
    )
    c.setTitle(f"{TITLE_ZH} {content.certificate_number}")
    c.setAuthor(f"{content.registry_zh} / {content.registry_en}")
    c.setSubject(f"{TITLE_EN} {content.certificate_number}, version {content.version}")
    c.setCreator("dataip")
    c.setKeywords([content.registration_number, content.certificate_number])
    _frame(c)
    _heading(c, font, content)
    _particulars(c, font, _layout(content, font))
    _statement(c, font)
    _qr(c, font, qr)
    _seal(c, font, content)
    _footer(c, font, content, ledger)
    c.showPage()
    c.save()
    return buffer.getvalue()
