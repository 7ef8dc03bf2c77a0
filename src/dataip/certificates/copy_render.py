"""The applicant's copy of a submitted application (申请书副本): A4 pages, Simplified Chinese
with English, every declared field (confidential ones marked), the holders, the materials with
their SHA-256, the deposits and the declaration accepted. Set in the same embedded CJK font
as the certificate; deterministic for a given content (reportlab's invariant mode). It is a
copy for the applicant's records, not a certificate: it is not sealed. Pure Python: no Django.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from .render import DEFAULT_FONT, FRAME, INK, MUTED, _font, _wrap

__all__ = ["TITLE_EN", "TITLE_ZH", "CopyContent", "CopyRow", "CopySection", "render_copy"]

TITLE_ZH = "数据知识产权登记申请书（申请人存档副本）"
TITLE_EN = "Application for data intellectual property registration (applicant's copy)"
WIDTH, HEIGHT = A4
MARGIN = 50.0
LABEL_W = 160.0
BOTTOM = 60.0
CONFIDENTIAL = "保密 Confidential"


@dataclass(frozen=True)
class CopyRow:
    """One labelled value; ``confidential``: the public never sees it."""

    label_zh: str
    label_en: str
    value: str
    confidential: bool = False


@dataclass(frozen=True)
class CopySection:
    """A titled group of rows."""

    title_zh: str
    title_en: str
    rows: tuple[CopyRow, ...]


@dataclass(frozen=True)
class CopyContent:
    """Everything the copy prints."""

    number: str
    name: str
    registry_zh: str
    registry_en: str
    sections: tuple[CopySection, ...]
    note_zh: str = (
        "本副本供申请人存档，包括不公开的事项，请妥善保管；不是登记证书。"
        "标注“保密”的事项仅登记机构及其专家可见。"
    )
    note_en: str = (
        "This copy is for the applicant's records and includes confidential particulars: keep "
        "it safe. It is not a certificate. Particulars marked confidential are seen only by the "
        "registry and its experts."
    )


class _Pages:
    """A canvas that starts a new page when the next block does not fit."""

    def __init__(self, canvas: Canvas, font: str, content: CopyContent) -> None:
        self.c, self.font, self.content = canvas, font, content
        self.page = 1
        self.y = HEIGHT - MARGIN

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self._footer()
            self.c.showPage()
            self.page += 1
            self.y = HEIGHT - MARGIN

    def _footer(self) -> None:
        c = self.c
        c.setFillColor(MUTED)
        c.setFont(self.font, 7)
        c.drawString(MARGIN, 36, f"{self.content.number} · {self.content.name}"[:110])
        c.drawRightString(WIDTH - MARGIN, 36, f"第 {self.page} 页 / page {self.page}")

    def finish(self) -> None:
        self._footer()
        self.c.showPage()


def _heading(pages: _Pages, content: CopyContent) -> None:
    c, font = pages.c, pages.font
    c.setFillColor(INK)
    c.setFont(font, 16)
    c.drawCentredString(WIDTH / 2, pages.y, TITLE_ZH)
    pages.y -= 18
    c.setFont(font, 10)
    c.drawCentredString(WIDTH / 2, pages.y, TITLE_EN)
    pages.y -= 14
    c.setFillColor(MUTED)
    c.setFont(font, 8.5)
    c.drawCentredString(WIDTH / 2, pages.y, f"{content.registry_zh} · {content.registry_en}")
    pages.y -= 10
    c.setStrokeColor(FRAME)
    c.setLineWidth(1)
    c.line(MARGIN, pages.y, WIDTH - MARGIN, pages.y)
    pages.y -= 16
    for text, size in ((content.note_zh, 8.0), (content.note_en, 7.5)):
        for line in _wrap(text, font, size, WIDTH - 2 * MARGIN):
            c.setFont(font, size)
            c.drawString(MARGIN, pages.y, line)
            pages.y -= size + 3
    pages.y -= 6


def _row(pages: _Pages, row: CopyRow) -> None:
    c, font = pages.c, pages.font
    value_x, value_w = MARGIN + LABEL_W, WIDTH - 2 * MARGIN - LABEL_W
    lines = [
        line for part in (row.value or "—").splitlines() for line in _wrap(part, font, 9, value_w)
    ]
    label_lines = _wrap(row.label_en, font, 7, LABEL_W - 8)
    extra = 9.0 if row.confidential else 0.0
    height = max(12.0 + 9 * len(label_lines) + extra, 11.5 * len(lines)) + 6
    pages.need(min(height, HEIGHT - 2 * MARGIN))
    top = pages.y
    c.setFillColor(INK)
    c.setFont(font, 9.5)
    c.drawString(MARGIN, top, row.label_zh)
    c.setFillColor(MUTED)
    c.setFont(font, 7)
    y = top - 10
    for line in label_lines:
        c.drawString(MARGIN, y, line)
        y -= 9
    if row.confidential:
        c.setFillColor(FRAME)
        c.drawString(MARGIN, y, CONFIDENTIAL)
    c.setFillColor(INK)
    c.setFont(font, 9)
    y = top
    for line in lines:
        if y < BOTTOM:  # a very long value continues on the next page
            pages.y = y
            pages.need(HEIGHT)
            y = pages.y
            c.setFillColor(INK)
            c.setFont(font, 9)
        c.drawString(value_x, y, line)
        y -= 11.5
    pages.y = min(top - height, y - 6)


def render_copy(content: CopyContent, *, font_path: str = DEFAULT_FONT) -> bytes:
    """Render the applicant's copy of the submitted application as a PDF."""
    font = _font(font_path)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1, initialFontName=font)
    c.setTitle(f"{content.number} {content.name}")
    c.setAuthor(f"{content.registry_zh} / {content.registry_en}")
    c.setSubject(f"{TITLE_EN} {content.number}")
    c.setCreator("dataip")
    c.setKeywords([content.number])
    pages = _Pages(c, font, content)
    _heading(pages, content)
    for section in content.sections:
        pages.need(60)
        c.setFillColor(FRAME)
        c.setFont(font, 11.5)
        c.drawString(MARGIN, pages.y, f"{section.title_zh}  {section.title_en}")
        pages.y -= 6
        c.setStrokeColor(FRAME)
        c.setLineWidth(0.5)
        c.line(MARGIN, pages.y, WIDTH - MARGIN, pages.y)
        pages.y -= 14
        for row in section.rows:
            _row(pages, row)
        pages.y -= 6
    pages.finish()
    c.save()
    return buffer.getvalue()
