"""The page of a sealed record (encumbrance statement, pledge registration certificate): one A4
page, Simplified Chinese with English, every printed fact taken from ``record.json``.
Deterministic for a given record (reportlab's invariant mode). Pure Python: no Django."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from .records import RecordContent
from .render import DEFAULT_FONT, FRAME, INK, MUTED, SEAL_BOX, _font, _wrap

__all__ = ["render_record"]

WIDTH, HEIGHT = A4
MARGIN = 56.0
LABEL_W = 150.0
BOTTOM = SEAL_BOX[3] + 14  # the rows stop above the seal area


def _rows(c: Canvas, font: str, content: RecordContent, y: float) -> float:
    value_x, value_w = MARGIN + LABEL_W, WIDTH - 2 * MARGIN - LABEL_W
    rows = [
        ("编号", "Number", content.number),
        ("登记号", "Registration number", content.registration_number),
        ("出具时间", "Issued at (UTC)", content.issued_at),
        *content.rows,
    ]
    for zh, en, value in rows:
        lines = _wrap(value or "—", font, 9.5, value_w)
        height = max(24.0, 12.0 * len(lines) + 8)
        if y - height < BOTTOM:
            c.setFillColor(MUTED)
            c.setFont(font, 8)
            c.drawString(MARGIN, y, "…（完整内容见内嵌 record.json / full content in record.json）")
            return y - 14
        c.setFillColor(INK)
        c.setFont(font, 10)
        c.drawString(MARGIN, y, zh)
        c.setFillColor(MUTED)
        c.setFont(font, 7.5)
        c.drawString(MARGIN, y - 10, en)
        c.setFillColor(INK)
        c.setFont(font, 9.5)
        for i, line in enumerate(lines):
            c.drawString(value_x, y - i * 12, line)
        y -= height
    return y


def _footer(c: Canvas, font: str, content: RecordContent, ledger: str) -> None:
    c.setFillColor(MUTED)
    c.setFont(font, 6.5)
    lines = [
        f"记录数据摘要 Record data SHA-256: {content.sha256()}",
        f"截至账本条目 As of ledger entry {content.as_of_index} · {content.as_of_leaf_hash}",
        ledger,
        "本证明经数字签名，内嵌证明数据（record.json）与账本证据包，可离线验证：",
        "Digitally signed; embeds its data (record.json) and ledger evidence. Verify offline:",
        "dataip verify THIS.pdf --key registry.vkeys --ca ca.pem   (pdfsig / pyHanko: signature)",
    ]
    y = 66.0
    for line in [line for line in lines if line]:
        c.drawString(MARGIN, y, line)
        y -= 7


def render_record(
    content: RecordContent, *, ledger: str = "", font_path: str = DEFAULT_FONT
) -> bytes:
    """Render the unsigned page for ``content``; ``ledger`` is a footer line naming the
    issuing event's ledger entry and checkpoint."""
    font = _font(font_path)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1, initialFontName=font)
    c.setTitle(f"{content.title_zh} {content.number}")
    c.setAuthor(f"{content.registry_zh} / {content.registry_en}")
    c.setSubject(f"{content.title_en} {content.number}")
    c.setCreator("dataip")
    c.setKeywords([content.registration_number, content.number])
    c.setStrokeColor(FRAME)
    c.setLineWidth(2)
    c.rect(28, 28, WIDTH - 56, HEIGHT - 56)
    y = HEIGHT - MARGIN - 18
    c.setFillColor(INK)
    c.setFont(font, 19)
    c.drawCentredString(WIDTH / 2, y, content.title_zh)
    y -= 20
    c.setFont(font, 11)
    c.drawCentredString(WIDTH / 2, y, content.title_en)
    y -= 15
    c.setFillColor(MUTED)
    c.setFont(font, 9)
    c.drawCentredString(WIDTH / 2, y, f"{content.registry_zh} · {content.registry_en}")
    y -= 12
    c.setStrokeColor(FRAME)
    c.setLineWidth(1)
    c.line(MARGIN, y, WIDTH - MARGIN, y)
    _rows(c, font, content, y - 20)
    x1, y1, x2, y2 = SEAL_BOX
    c.setFillColor(INK)
    c.setFont(font, 10)
    c.drawCentredString((x1 + x2) / 2, (y1 + y2) / 2, content.registry_zh)
    c.setFillColor(MUTED)
    c.setFont(font, 7)
    c.drawCentredString(
        (x1 + x2) / 2, y1 + 12, "电子印章 · 数字签名  Electronic seal · digital signature"
    )
    _footer(c, font, content, ledger)
    c.showPage()
    c.save()
    return buffer.getvalue()
