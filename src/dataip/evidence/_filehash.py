"""Hash files by streaming, once each, on every core, and notice files that change.

Each file is opened without following links, read once through a fixed 1 MiB
buffer (``readinto``), and every requested digest (SHA-256 always, SM3 and
BLAKE3 on request, MinHash over content-defined chunks on request) is fed from
that single read. Memory per worker is the buffer plus the chunker's window,
whatever the file size.

A file is reported as *changed* unless its size when listed, its size and
modification/change times when opened, the bytes actually read, and its size
and times after the last read all agree and the path still names the same
inode. This is best effort (a rewrite within one timestamp tick that keeps the
size is invisible); freeze the dataset (read-only mount, snapshot) for a
guarantee.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import stat
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ._minhash import MinHasher
from ._paths import display_name
from ._problems import Problem
from ._walk import Entry

__all__ = ["BUFFER_SIZE", "Digests", "Options", "hash_entries", "hash_file", "new_hashers"]

BUFFER_SIZE = 1 << 20
_PROGRESS_STEP = 8 << 20
_BATCH_FILES = 32
_BATCH_BYTES = 8 << 20
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)

Report = Callable[[int], None]


@dataclass(frozen=True)
class Options:
    """What to compute for every file."""

    sm3: bool = False
    blake3: bool = False
    minhash_avg: int | None = None  #: average chunk size, or None for no MinHash


@dataclass(frozen=True, slots=True)
class Digests:
    """The digests of one file (hex), its size, and its MinHash minima if asked for."""

    size: int
    sha256: str
    sm3: str | None = None
    blake3: str | None = None
    mins: tuple[int, ...] | None = None
    chunks: int = 0


def new_hashers(options: Options) -> dict[str, Any]:
    """Fresh hash objects: ``sha256`` always, ``sm3`` and ``blake3`` as asked."""
    hashers: dict[str, Any] = {"sha256": hashlib.sha256()}
    if options.sm3:
        hashers["sm3"] = hashlib.new("sm3")
    if options.blake3:
        from blake3 import blake3

        hashers["blake3"] = blake3()
    return hashers


def _read_into(f: Any, view: memoryview) -> int:
    """One read into ``view`` (a seam for tests that simulate a file changing)."""
    n: int | None = f.readinto(view)
    return n or 0


class _Tee:
    """``readinto`` that feeds every digest and the progress report on the way."""

    def __init__(self, f: Any, hashers: dict[str, Any], report: Report | None) -> None:
        self._f = f
        self._updates = [h.update for h in hashers.values()]
        self._report = report
        self._unreported = 0
        self.total = 0

    def readinto(self, view: memoryview) -> int:
        n = _read_into(self._f, view)
        if n:
            data = view[:n]
            for update in self._updates:
                update(data)
            self.total += n
            if self._report is not None:
                self._unreported += n
                if self._unreported >= _PROGRESS_STEP:
                    self._report(self._unreported)
                    self._unreported = 0
        return n

    def flush_report(self) -> None:
        if self._report is not None and self._unreported:
            self._report(self._unreported)
            self._unreported = 0


def _is_link(fs_path: str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(fs_path).st_mode)
    except OSError:
        return False


def _changed(listed: int, before: os.stat_result, after: os.stat_result, read: int) -> str | None:
    if before.st_size != listed:
        return f"size {listed} when listed, {before.st_size} when opened"
    if read != before.st_size:
        return f"read {read} bytes of {before.st_size}"
    if after.st_size != before.st_size:
        return f"size {before.st_size} when opened, {after.st_size} after reading"
    if (after.st_mtime_ns, after.st_ctime_ns) != (before.st_mtime_ns, before.st_ctime_ns):
        return "modification time changed during reading"
    return None


def hash_file(
    fs_path: str,
    listed_size: int,
    options: Options,
    *,
    display: str | None = None,
    report: Report | None = None,
    buffer: memoryview | None = None,
) -> Digests | Problem:
    """Hash one regular file in one pass; a :class:`Problem` if it cannot be trusted.

    ``listed_size`` is the size seen when the folder was listed. ``report`` is
    called with byte counts as reading progresses. ``buffer`` (``BUFFER_SIZE``
    bytes) is reused if given: small files are common.
    """
    shown = display if display is not None else display_name(fs_path)
    try:
        fd = os.open(fs_path, _OPEN_FLAGS)
    except FileNotFoundError:
        return Problem(shown, "vanished")
    except OSError as exc:
        if _is_link(fs_path):
            return Problem(shown, "symlink", "replaced by a symbolic link after listing")
        return Problem(shown, "unreadable", exc.strerror or str(exc))
    try:
        with open(fd, "rb", buffering=0, closefd=True) as f:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                return Problem(shown, "special", "no longer a regular file")
            if before.st_size != listed_size:
                return Problem(shown, "changed", _changed(listed_size, before, before, 0) or "")
            if before.st_size > BUFFER_SIZE and hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            hashers = new_hashers(options)
            tee = _Tee(f, hashers, report)
            minhasher = None
            if options.minhash_avg is not None:
                minhasher = MinHasher(options.minhash_avg)
                minhasher.add_stream(tee)
            else:
                view = buffer if buffer is not None else memoryview(bytearray(BUFFER_SIZE))
                while tee.readinto(view):
                    pass
            tee.flush_report()
            after = os.fstat(fd)
            reason = _changed(listed_size, before, after, tee.total)
            if reason is None:
                try:
                    now = os.lstat(fs_path)
                except FileNotFoundError:
                    now = None
                if now is None or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
                    reason = "removed or replaced while being read"
            if reason is not None:
                return Problem(shown, "changed", reason)
    except OSError as exc:
        return Problem(shown, "unreadable", exc.strerror or str(exc))
    hexes = {name: h.hexdigest() for name, h in hashers.items()}
    return Digests(
        size=tee.total,
        sha256=hexes["sha256"],
        sm3=hexes.get("sm3"),
        blake3=hexes.get("blake3"),
        mins=tuple(minhasher.mins) if minhasher is not None else None,
        chunks=minhasher.chunks if minhasher is not None else 0,
    )


# --- process pool ------------------------------------------------------------------------------

Task = tuple[int, str, int, str]  # index, fs_path, listed size, display path
Outcome = tuple[int, Digests | Problem]

_worker_options = Options()
_worker_counter: Any = None
_worker_buffer = memoryview(b"")


def _init_worker(counter: Any, options: Options) -> None:
    """Pool initializer: keep the options, the shared byte counter, a buffer; ignore Ctrl-C."""
    global _worker_buffer, _worker_counter, _worker_options
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_counter = counter
    _worker_options = options
    _worker_buffer = memoryview(bytearray(BUFFER_SIZE))


def _add_progress(n: int) -> None:
    with _worker_counter.get_lock():
        _worker_counter.value += n


def _work(batch: list[Task]) -> list[Outcome]:
    """Pool task: hash a batch of files."""
    return [
        (
            index,
            hash_file(
                path,
                size,
                _worker_options,
                display=shown,
                report=_add_progress,
                buffer=_worker_buffer,
            ),
        )
        for index, path, size, shown in batch
    ]


def _batches(entries: Sequence[Entry]) -> Iterator[list[Task]]:
    """Group small files so that per-task overhead stays small; big files go alone."""
    batch: list[Task] = []
    size = 0
    for index, entry in enumerate(entries):
        batch.append((index, entry.fs_path, entry.size, entry.path))
        size += entry.size
        if len(batch) >= _BATCH_FILES or size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def hash_entries(
    entries: Sequence[Entry],
    options: Options,
    *,
    workers: int,
    progress: Report | None = None,
) -> Generator[Outcome, None, None]:
    """Hash every entry; yield ``(index into entries, Digests or Problem)`` in any order.

    ``workers <= 1`` (or a single file) hashes in this process; otherwise a
    process pool of ``workers`` processes does; batches are handed out only as
    fast as the pool's task pipe takes them. Closing the generator early (for
    example after the first problem) terminates the pool at once. ``progress``
    receives byte increments.
    """
    if workers <= 1 or len(entries) <= 1:
        buffer = memoryview(bytearray(BUFFER_SIZE))
        for index, entry in enumerate(entries):
            # A listed path passed every name check: it prints as it is.
            outcome = hash_file(
                entry.fs_path,
                entry.size,
                options,
                display=entry.path,
                report=progress,
                buffer=buffer,
            )
            yield index, outcome
        return
    yield from _pooled(entries, options, workers, progress)


def _pooled(
    entries: Sequence[Entry], options: Options, workers: int, progress: Report | None
) -> Generator[Outcome, None, None]:
    ctx = multiprocessing.get_context()
    counter = ctx.Value("q", 0)
    pool = ctx.Pool(workers, initializer=_init_worker, initargs=(counter, options))
    reported = 0

    def tick() -> None:
        nonlocal reported
        if progress is not None:
            done = counter.value
            if done > reported:
                progress(done - reported)
                reported = done

    clean = False
    try:
        # The pool's feeder thread takes batches only as fast as the task pipe accepts them.
        results = pool.imap_unordered(_work, _batches(entries))
        while True:
            try:
                outcomes: list[Outcome] = results.next(timeout=0.2)
            except multiprocessing.TimeoutError:
                tick()
                continue
            except StopIteration:
                break
            tick()
            yield from outcomes
        pool.close()
        pool.join()
        tick()
        clean = True
    finally:
        if not clean:
            pool.terminate()
            pool.join()
