"""A one-line progress bar for a terminal: bytes done, rate and time left."""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["ProgressBar", "human_bytes"]


def human_bytes(n: float) -> str:
    """``1536`` → ``"1.5 KiB"`` (binary units)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressBar:
    """Redraws at most every ``interval`` seconds on ``stream`` (meant for a terminal)."""

    def __init__(
        self, total: int, stream: TextIO, *, interval: float = 0.2, width: int = 24
    ) -> None:
        """Track ``total`` bytes, drawing on ``stream``."""
        self.total = max(total, 0)
        self.done = 0
        self._stream = stream
        self._interval = interval
        self._width = width
        self._started = time.monotonic()
        self._drawn = 0.0

    def advance(self, n: int) -> None:
        """Count ``n`` more bytes done; redraw if it is time."""
        self.done += n
        now = time.monotonic()
        if now - self._drawn >= self._interval:
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        share = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = int(share * self._width)
        bar = "#" * filled + "-" * (self._width - filled)
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        line = (
            f"\r[{bar}] {share * 100:5.1f}%  {human_bytes(self.done)} / {human_bytes(self.total)}"
            f"  {human_bytes(rate)}/s  剩余 / left {_clock(left)} "
        )
        self._stream.write(line)
        self._stream.flush()

    def finish(self) -> None:
        """Draw the final state and end the line."""
        self._draw(time.monotonic())
        self._stream.write("\n")
        self._stream.flush()
