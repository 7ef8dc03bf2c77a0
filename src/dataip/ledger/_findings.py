"""What ``dataip audit`` can find, in English and Simplified Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

#: code -> (English, Chinese) message templates (``str.format`` fields from ``params``).
MESSAGES: dict[str, tuple[str, str]] = {
    "entry_missing": (
        "entry {entry} is missing from the log table",
        "日志表中缺少第 {entry} 号条目",
    ),
    "leaf_hash": (
        "entry {entry}: its body does not hash to its stored leaf hash",
        "第 {entry} 号条目：正文的哈希与所存叶哈希不符",
    ),
    "leaf_node": (
        "entry {entry}: the tree's stored leaf node differs from the entry's leaf hash",
        "第 {entry} 号条目：树中所存叶节点与该条目的叶哈希不符",
    ),
    "bad_body": (
        "entry {entry}: its body is not a JSON object",
        "第 {entry} 号条目：正文不是 JSON 对象",
    ),
    "node_mismatch": (
        "stored node (level {level}, index {index}) over entries {first}..{last} differs "
        "from the hash recomputed from the entries",
        "所存节点（层 {level}，序号 {index}，覆盖条目 {first}..{last}）与由条目重新计算的哈希不符",
    ),
    "node_missing": (
        "node (level {level}, index {index}) over entries {first}..{last} is missing",
        "缺少节点（层 {level}，序号 {index}，覆盖条目 {first}..{last}）",
    ),
    "node_extra": (
        "{count} stored node(s) at level {level} lie beyond the log's {size} entries",
        "第 {level} 层有 {count} 个所存节点超出日志的 {size} 个条目",
    ),
    "checkpoint_signature": (
        "checkpoint {checkpoint}: {detail}",
        "检查点 {checkpoint}：签名或格式无效（{detail}）",
    ),
    "checkpoint_columns": (
        "checkpoint {checkpoint}: the stored size or root differs from the signed note",
        "检查点 {checkpoint}：所存大小或根哈希与签名内容不符",
    ),
    "checkpoint_origin": (
        "checkpoint {checkpoint}: origin {origin!r} is not this log's {expected!r}",
        "检查点 {checkpoint}：来源 {origin!r} 不是本日志 {expected!r}",
    ),
    "checkpoint_root": (
        "checkpoint {checkpoint}: its signed root is not the root of the first {checkpoint} "
        "entries",
        "检查点 {checkpoint}：签名的根哈希不是前 {checkpoint} 个条目的根哈希",
    ),
    "checkpoint_beyond": (
        "checkpoint {checkpoint} is beyond the log's {size} entries",
        "检查点 {checkpoint} 超出日志的 {size} 个条目",
    ),
    "checkpoint_key_early": (
        "checkpoint {checkpoint} is signed by key {key}, introduced only at entry {since}",
        "检查点 {checkpoint} 由密钥 {key} 签名，但该密钥在第 {since} 号条目才启用",
    ),
    "checkpoint_key_unlogged": (
        "checkpoint {checkpoint} is signed by key {key}, which no logged rotation introduced",
        "检查点 {checkpoint} 由密钥 {key} 签名，但日志中没有启用该密钥的记录",
    ),
    "timestamp": (
        "checkpoint {checkpoint}: its RFC 3161 token does not verify: {detail}",
        "检查点 {checkpoint}：其 RFC 3161 时间戳无效（{detail}）",
    ),
    "rotation": (
        "entry {entry}: key rotation {detail}",
        "第 {entry} 号条目：密钥轮换记录有误（{detail}）",
    ),
}


@dataclass(frozen=True)
class Finding:
    """One thing the audit found wrong, naming the entry, node, checkpoint or record."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    #: code -> (English, Chinese) templates; an application's checker brings its own.
    messages: ClassVar[Mapping[str, tuple[str, str]]] = MESSAGES

    @property
    def entry(self) -> int | None:
        """The log entry concerned, if any."""
        value = self.params.get("entry")
        return value if isinstance(value, int) else None

    @property
    def checkpoint(self) -> int | None:
        """The checkpoint (tree size) concerned, if any."""
        value = self.params.get("checkpoint")
        return value if isinstance(value, int) else None

    def message(self, lang: str = "en") -> str:
        """The finding in plain words: ``lang`` is ``"en"`` or ``"zh"``."""
        english, chinese = self.messages[self.code]
        return (chinese if lang == "zh" else english).format(**self.params)
