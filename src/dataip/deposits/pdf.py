"""The printable deposit receipt (存证回执): one A4 page, Simplified Chinese with English.

It lists the facts of the receipt JSON and how to verify them. The JSON receipt is the
evidence; this page is for reading and filing. Text is set in an embedded TrueType CJK font
(WenQuanYi Zen Hei by default); the output is deterministic for a given receipt (reportlab's
invariant mode). Pure Python: no Django.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from reportlab.lib.colors import HexColor  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

__all__ = ["DEFAULT_FONT", "TITLE_EN", "TITLE_ZH", "ReceiptPage", "render_receipt"]

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
TITLE_ZH = "数据存证回执"
TITLE_EN = "Data Deposit Receipt"
WIDTH, HEIGHT = A4
MARGIN = 48.0
LABEL_W = 150.0
INK = HexColor("#1f2933")
MUTED = HexColor("#52606d")
RULE = HexColor("#8c1d18")
SHANGHAI = timezone(timedelta(hours=8))

_fonts: dict[str, str] = {}
_fonts_lock = threading.Lock()


def _font(path: str) -> str:
    """Register the TrueType font (``.ttf`` or the first face of a ``.ttc``) once per process."""
    with _fonts_lock:
        name = _fonts.get(path)
        if name is None:
            name = f"DataipReceipt{len(_fonts)}"
            if Path(path).suffix.lower() == ".ttc":
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            else:
                pdfmetrics.registerFont(TTFont(name, path))
            _fonts[path] = name
        return name


@dataclass(frozen=True)
class ReceiptPage:
    """What the page shows besides the receipt JSON: the registry and where to get keys."""

    registry_zh: str
    registry_en: str
    tsa_ca_url: str
    log_keys_url: str


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines no wider than ``width``: between CJK characters, at spaces in Latin text, and
    anywhere inside a long word (hashes)."""
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


def _time(value: str) -> str:
    """An RFC 3339 UTC time as Beijing time and UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    local = moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    return f"{local} (UTC+8)   {moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _formats(formats: Mapping[str, Any]) -> str:
    items = sorted(formats.items(), key=lambda kv: (-int(kv[1]), kv[0]))
    shown = ", ".join(f"{name} {count}" for name, count in items[:10])
    return shown + (f", … (+{len(items) - 10})" if len(items) > 10 else "") if shown else "—"


def _rows(receipt: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    deposit, stamp, ledger = receipt["deposit"], receipt["timestamp"], receipt["ledger"]
    hidden = deposit.get("names") == "hmac-sha256"
    return [
        ("存证编号", "Deposit number", deposit["number"]),
        ("登记机构接收时间", "Deposited at (registry)", _time(deposit["registered_at"])),
        ("可信时间戳时间", "Time-stamp time (TSA)", _time(stamp.get("time", ""))),
        ("时间戳机构", "Time-stamp authority", stamp.get("tsa_name") or stamp.get("tsa", "")),
        ("存证根哈希", "Deposit root (SHA-256, RFC 6962)", deposit["root"]),
        ("文件数 / 字节数", "Files / bytes", f"{deposit['files']:,} / {deposit['bytes']:,}"),
        ("文件格式", "Formats", _formats(deposit.get("formats") or {})),
        (
            "文件名",
            "File names",
            "已隐藏（HMAC-SHA256）/ hidden (HMAC-SHA256)" if hidden else "明文 / plain",
        ),
        ("持有人承诺值", "Holder commitment (salted)", receipt.get("holder_commitment", "")),
        ("存证声明 SHA-256", "Statement SHA-256", receipt["statement_sha256"]),
        (
            "时间戳序列号 / 策略",
            "Token serial / policy",
            f"{stamp.get('serial', '')} / {stamp.get('policy', '')}",
        ),
        (
            "证据账本条目",
            "Ledger entry",
            f"#{ledger['index']}  {ledger.get('origin', '')}",
        ),
    ]


def _steps(receipt: Mapping[str, Any], page: ReceiptPage) -> list[tuple[str, str]]:
    root = receipt["deposit"]["root"]
    return [
        (
            "1. 用 dataip 一次检查全部内容（清单、时间戳、证据账本）："
            "/ Check everything with dataip (manifest, time-stamp, ledger):",
            "dataip verify-deposit receipt.json --manifest manifest.json "
            "--tsa-ca tsa-ca.pem --key registry.vkeys",
        ),
        (
            "2. 仅用 OpenSSL 检查时间戳 / Check the time-stamp with OpenSSL alone:",
            "jq -j .statement receipt.json > statement.json ; "
            "jq -r .timestamp.token receipt.json | base64 -d > token.tsr ; "
            "openssl ts -verify -data statement.json -in token.tsr -token_in "
            "-CAfile tsa-ca.pem   → Verification: OK",
        ),
        (
            "3. 证明持有某一文件（只披露该文件）/ Prove one file is in the deposit "
            "(only that file is disclosed):",
            f"dataip prove FILE --manifest manifest.json --out proof.json ; "
            f"dataip verify-possession proof.json FILE --root {root}",
        ),
        (
            "时间戳根证书 / TSA CA certificate:",
            page.tsa_ca_url,
        ),
        (
            "登记机构公钥 / Registry log keys:",
            page.log_keys_url,
        ),
    ]


def render_receipt(
    receipt: Mapping[str, Any], page: ReceiptPage, *, font_path: str = DEFAULT_FONT
) -> bytes:
    """Render the one-page printable receipt for a ``dataip.deposit-receipt/v1`` document."""
    font = _font(font_path)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1, initialFontName=font)
    number = receipt["deposit"]["number"]
    c.setTitle(f"{TITLE_ZH} {number}")
    c.setAuthor(f"{page.registry_zh} / {page.registry_en}")
    c.setSubject(f"{TITLE_EN} {number}")
    c.setCreator("dataip")
    c.setKeywords([number, receipt["deposit"]["root"]])
    y = HEIGHT - MARGIN - 10
    c.setFillColor(INK)
    c.setFont(font, 22)
    c.drawCentredString(WIDTH / 2, y, TITLE_ZH)
    y -= 20
    c.setFont(font, 12)
    c.drawCentredString(WIDTH / 2, y, TITLE_EN)
    y -= 16
    c.setFillColor(MUTED)
    c.setFont(font, 9)
    c.drawCentredString(WIDTH / 2, y, f"{page.registry_zh} · {page.registry_en}")
    y -= 12
    c.setStrokeColor(RULE)
    c.setLineWidth(1.2)
    c.line(MARGIN, y, WIDTH - MARGIN, y)
    y -= 18
    value_x, value_w = MARGIN + LABEL_W, WIDTH - 2 * MARGIN - LABEL_W
    for zh, en, value in _rows(receipt):
        lines = _wrap(value, font, 9.5, value_w)
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
        y -= max(24.0, 12.0 * len(lines) + 8)
    y -= 2
    c.setStrokeColor(RULE)
    c.setLineWidth(0.6)
    c.line(MARGIN, y, WIDTH - MARGIN, y)
    y -= 18
    c.setFillColor(INK)
    c.setFont(font, 12)
    c.drawString(MARGIN, y, "如何验证 / How to verify")
    y -= 16
    width = WIDTH - 2 * MARGIN
    for title, command in _steps(receipt, page):
        c.setFillColor(INK)
        for line in _wrap(title, font, 8.5, width):
            c.setFont(font, 8.5)
            c.drawString(MARGIN, y, line)
            y -= 11
        c.setFillColor(MUTED)
        for line in _wrap(command, font, 8, width - 12):
            c.setFont(font, 8)
            c.drawString(MARGIN + 12, y, line)
            y -= 10.5
        y -= 4
    c.setFillColor(MUTED)
    c.setFont(font, 7.5)
    notes = [
        "本页供打印存档；证据以 receipt.json 为准。登记机构不接收数据本身，只接收清单（各文件的 "
        "SHA-256）。",
        "This page is for printing and filing; the evidence is receipt.json. The registry never "
        "received the data, only its manifest (a SHA-256 per file).",
    ]
    y = max(y, MARGIN + 24)
    for note in notes:
        for line in _wrap(note, font, 7.5, width):
            c.drawString(MARGIN, y, line)
            y -= 9.5
    c.showPage()
    c.save()
    return buffer.getvalue()
