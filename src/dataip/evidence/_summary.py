"""Plain-words summaries of a verified evidence bundle, in Simplified Chinese and English."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from .commitments import EVENT_SCHEMA_V2
from .event_types import EVENT_TYPES, event_name

if TYPE_CHECKING:  # pragma: no cover
    from .bundle import VerifiedBundle


def _type_label(event_type: str, lang: str) -> str:
    """``grant_licence (licence granted)`` or ``register（予以登记）``; the bare code where its
    name would only repeat it, or where the type is unknown."""
    if event_type not in EVENT_TYPES:
        return event_type
    name = event_name(event_type, lang)
    if name == event_type.replace("_", " "):
        return event_type
    return f"{event_type}（{name}）" if lang == "zh" else f"{event_type} ({name})"


_DETAIL_FIELDS = ("from", "to", "actor_role", "reason_sha256", "payload_sha256", "prev")


def _openings(b: VerifiedBundle, lang: str) -> list[str]:
    """For a ``dip.event/v2`` leaf: the other opened fields, and the ones left sealed."""
    if b.schema != EVENT_SCHEMA_V2:
        return []
    shown = [f"{name}={b.opened.get(name)}" for name in _DETAIL_FIELDS if name in b.opened.fields]
    sealed = ", ".join(b.sealed)
    if lang == "zh":
        lines = [f"- 叶格式 {b.schema}：上述事件字段由加盐承诺的开示值核对得出；"]
        if shown:
            lines.append(f"- 其他已开示字段：{'; '.join(shown)}；")
        lines.append(f"- 未开示（保密）字段：{sealed or '无'}。")
        return lines
    lines = [
        f"- leaf schema {b.schema}: the event fields above were checked against its salted "
        "commitments;"
    ]
    if shown:
        lines.append(f"- other opened fields: {'; '.join(shown)};")
    lines.append(f"- sealed (not opened by this bundle): {sealed or 'none'}.")
    return lines


def _english(b: VerifiedBundle) -> list[str]:
    """The English summary lines."""
    cp = b.checkpoint
    lines = [
        "VALID evidence bundle. It proves that:",
        f"- entry {b.index} of the transparency log {b.origin!r} is the event below; the "
        f"log's checkpoint of {cp.size} entries (root {cp.root_hash.hex()}) is signed by the "
        f"registry key {b.key.split('+')[0]}+{b.key.split('+')[1]};",
        f"- event: {_type_label(b.event_type, 'en')}; application number: "
        f"{b.application or '-'}; registration number: {b.registration or '-'}; "
        f"event time (as recorded by the registry): {b.event_time or '-'};",
        *_openings(b, "en"),
        f"- leaf hash: {b.leaf_hash.hex()}.",
    ]
    ts = b.timestamp
    if ts is None:
        lines.append("- No RFC 3161 timestamp: the bundle proves order and integrity, not time.")
    else:
        when = ts.gen_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        trust = (
            "its certificate chains to the TSA CA you gave"
            if ts.trusted
            else "its certificate was NOT checked against a trusted TSA CA (give --tsa-ca)"
        )
        lines.append(
            f"- The time-stamp authority {ts.signer!r} (RFC 3161, serial {ts.serial_number}) "
            f"states that this checkpoint, and so the entry, existed no later than {when}; "
            f"{trust}."
        )
    lines.append(
        "The registry cannot remove or alter this entry later without its log becoming "
        "inconsistent with this signed checkpoint."
    )
    return lines


def _chinese(b: VerifiedBundle) -> list[str]:
    """The Chinese summary lines."""
    cp = b.checkpoint
    key_id = "+".join(b.key.split("+")[:2])
    lines = [
        "证据包验证通过。它证明：",
        f"- 透明日志“{b.origin}”的第 {b.index} 号条目即下述事件；该日志共 {cp.size} 个条目的"
        f"检查点（根哈希 {cp.root_hash.hex()}）由登记机构密钥 {key_id} 签名；",
        f"- 事件：{_type_label(b.event_type, 'zh')}；申请号：{b.application or '-'}；"
        f"登记号：{b.registration or '-'}；事件时间（登记机构记录）：{b.event_time or '-'}；",
        *_openings(b, "zh"),
        f"- 叶哈希：{b.leaf_hash.hex()}。",
    ]
    ts = b.timestamp
    if ts is None:
        lines.append("- 无 RFC 3161 时间戳：本证据包证明顺序与完整性，不证明时间。")
    else:
        when = ts.gen_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        trust = (
            "其证书链已对照您提供的时间戳机构根证书验证"
            if ts.trusted
            else "其证书链未对照受信任的时间戳机构根证书验证（请提供 --tsa-ca）"
        )
        lines.append(
            f"- 时间戳服务机构“{ts.signer}”（RFC 3161，序列号 {ts.serial_number}）证明该检查点"
            f"（从而该条目）最迟于 {when}（UTC）已存在；{trust}。"
        )
    lines.append("登记机构此后无法删除或篡改该条目，否则其日志将与本签名检查点不一致。")
    return lines


def summarize(bundle: VerifiedBundle, lang: str) -> str:
    """The summary of ``bundle`` in ``lang`` (``"zh"`` or ``"en"``), one line per fact."""
    if lang not in {"zh", "en"}:
        raise ValueError(f"language must be 'zh' or 'en', not {lang!r}")
    lines = _chinese(bundle) if lang == "zh" else _english(bundle)
    return "\n".join(lines) + "\n"


#: Verification steps of :func:`~dataip.evidence.bundle.verify_bundle`: (Chinese, English).
STEP_NAMES: dict[str, tuple[str, str]] = {
    "bundle": ("读取证据包", "reading the bundle"),
    "key": ("读取受信任的公钥", "reading the trusted key"),
    "entry": ("检查事件条目", "checking the event entry"),
    "openings": ("核对事件字段的承诺开示值", "checking the openings of the event's commitments"),
    "proof": ("读取包含证明", "reading the inclusion proof"),
    "signature": ("检查检查点签名", "checking the checkpoint signature"),
    "inclusion": ("检查包含证明", "checking the inclusion proof"),
    "timestamp": ("检查可信时间戳", "checking the trusted timestamp"),
}

#: Error codes of :mod:`dataip.evidence.errors`, in Chinese.
CODE_NAMES: dict[str, str] = {
    "malformed_input": "格式错误或内容不完整",
    "bad_signature": "签名无效",
    "unknown_key": "不是由受信任的密钥签名",
    "proof_error": "默克尔证明不成立",
    "unexpected_origin": "日志来源不符",
    "timestamp_error": "时间戳无效",
    "verification_error": "验证失败",
}


def failure_text(step: str, code: str, message: str, lang: str) -> str:
    """Why verification failed, in ``lang`` (``"zh"`` or ``"en"``); the detail stays English."""
    zh_step, en_step = STEP_NAMES.get(step, (step, step))
    if lang == "zh":
        reason = CODE_NAMES.get(code, CODE_NAMES["verification_error"])
        return f"验证失败：{zh_step}时出错——{reason}。\n  详情（英文）：{message}\n"
    return f"Verification FAILED while {en_step} ({code}): {message}\n"
