"""Why a file could not be fingerprinted: stable reason codes with Chinese and English text."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REASONS", "SKIPPABLE", "FingerprintError", "Problem"]

#: reason code -> (Chinese, English). Codes are stable: they are written into manifests.
REASONS: dict[str, tuple[str, str]] = {
    "symlink": ("符号链接（不跟随）", "symbolic link (not followed)"),
    "special": (
        "不是普通文件（设备、管道或套接字）",
        "not a regular file (device, FIFO or socket)",
    ),
    "bad_name": ("文件名不合规", "file name not allowed"),
    "duplicate": ("Unicode 规范化（NFC）后路径重复", "duplicate path after Unicode NFC"),
    "unreadable": ("无法读取", "cannot be read"),
    "vanished": ("列出后已消失", "disappeared after listing"),
    "changed": ("读取期间文件被修改", "file changed while being read"),
    "missing": ("路径不存在", "no such file or directory"),
    "arguments": ("参数有误", "invalid arguments"),
}

#: Problems that ``on_error="skip"`` may list instead of failing on.
SKIPPABLE = frozenset(
    {"symlink", "special", "bad_name", "duplicate", "unreadable", "vanished", "changed"}
)


@dataclass(frozen=True)
class Problem:
    """One file or folder that could not be fingerprinted.

    ``path`` is the display form of its deposit path (control characters and
    non-UTF-8 bytes escaped), ``reason`` a code of :data:`REASONS`, ``detail``
    an English detail (for example the operating system's error text).
    """

    path: str
    reason: str
    detail: str = ""

    def english(self) -> str:
        """One line in English: path, reason and detail."""
        text = f"{self.path}: {REASONS[self.reason][1]}"
        return f"{text} ({self.detail})" if self.detail else text

    def chinese(self) -> str:
        """One line in Simplified Chinese: path and reason (the detail stays in English)."""
        text = f"{self.path}：{REASONS[self.reason][0]}"
        return f"{text}（{self.detail}）" if self.detail else text

    def bilingual(self) -> str:
        """One line in both languages: ``path: 中文 / English (detail)``."""
        zh, en = REASONS[self.reason]
        text = f"{self.path}: {zh} / {en}"
        return f"{text} ({self.detail})" if self.detail else text

    def as_json(self) -> dict[str, str]:
        """The skip-list entry written into a manifest."""
        return {"path": self.path, "reason": self.reason, "detail": self.detail}


class FingerprintError(Exception):
    """A dataset could not be fingerprinted; ``problems`` says which paths and why.

    Raised instead of ever producing a root that silently leaves files out.
    ``str(exc)`` is English; :meth:`chinese` gives the same in Chinese.
    """

    def __init__(self, problems: list[Problem]) -> None:
        """Create the error from at least one :class:`Problem`."""
        self.problems = list(problems)
        super().__init__(self._summary(english=True))

    def _summary(self, *, english: bool) -> str:
        """First problems, one per line, with a count of the rest."""
        shown = [p.english() if english else p.chinese() for p in self.problems[:20]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more" if english else f"……另有 {rest} 项")
        return "\n".join(shown)

    def chinese(self) -> str:
        """The problems in Simplified Chinese, one per line."""
        return self._summary(english=False)
