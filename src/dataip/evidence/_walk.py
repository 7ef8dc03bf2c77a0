"""List the regular files under the paths a holder names (design note §4.2 step 1).

Naming rule: every argument contributes its own name as the first path
segment. A folder ``/data/corpus`` gives ``corpus/a.csv``, ``corpus/sub/b.csv``;
a file ``/data/readme.txt`` gives ``readme.txt``; ``.`` is named after the
current folder. Two arguments with the same name, or one inside another, are
refused (they would merge or repeat files). Symbolic links are never followed,
not even when named as an argument.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from ._paths import display_name, nfc, segment_problem
from ._problems import FingerprintError, Problem

__all__ = ["Entry", "Listing", "walk"]

#: Classifies one directory entry: ``(fs_path, raw deposit path, lstat result)``.
_Consider = Callable[[str, str, os.stat_result], None]

_KINDS = {
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """A regular file found by :func:`walk`.

    ``fs_path`` is what to open, ``path`` the deposit path (NFC), ``size`` the
    size when listed, ``not_nfc`` whether the name on disk is not in NFC (then
    ``sha256sum -c`` on a normalisation-sensitive file system will not find it
    under the deposit path).
    """

    fs_path: str
    path: str
    size: int
    not_nfc: bool


@dataclass
class Listing:
    """What :func:`walk` found: files, problems, and output files left out on purpose."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), f"file type {stat.S_IFMT(mode):o}")


def _identities(paths: Collection[str | os.PathLike[str]]) -> set[tuple[int, int]]:
    """``(st_dev, st_ino)`` of each existing path (the outputs to leave out)."""
    found: set[tuple[int, int]] = set()
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        found.add((st.st_dev, st.st_ino))
    return found


def _check_arguments(arguments: Sequence[str | os.PathLike[str]]) -> list[tuple[str, str]]:
    """Return ``(fs_path, name)`` per argument; raise for missing, clashing or nested ones."""
    fatal: list[Problem] = []
    named: list[tuple[str, str]] = []
    for argument in arguments:
        fs_path = os.fspath(argument)
        try:
            os.lstat(fs_path)
        except FileNotFoundError:
            fatal.append(Problem(display_name(fs_path), "missing"))
            continue
        except OSError as exc:
            fatal.append(Problem(display_name(fs_path), "unreadable", exc.strerror or str(exc)))
            continue
        name = os.path.basename(os.path.normpath(os.path.abspath(fs_path)))
        if not name:
            detail = "the file-system root has no name; name the folders below it"
            fatal.append(Problem(display_name(fs_path), "arguments", detail))
            continue
        named.append((fs_path, name))
    seen: dict[str, str] = {}
    for fs_path, name in named:
        key = nfc(name)
        if key in seen:
            detail = f"same name as {display_name(seen[key])}: deposit paths would clash"
            fatal.append(Problem(display_name(fs_path), "arguments", detail))
        seen.setdefault(key, fs_path)
    real = [(os.path.realpath(fs_path), fs_path) for fs_path, _ in named]
    for outer, outer_arg in real:
        for inner, inner_arg in real:
            if inner_arg is not outer_arg and inner.startswith(outer.rstrip(os.sep) + os.sep):
                detail = f"inside {display_name(outer_arg)}: its files would be listed twice"
                fatal.append(Problem(display_name(inner_arg), "arguments", detail))
    if fatal:
        raise FingerprintError(fatal)
    return named


def walk(
    arguments: Sequence[str | os.PathLike[str]],
    *,
    exclude: Collection[str | os.PathLike[str]] = (),
) -> Listing:
    """List the regular files under ``arguments`` (files or folders), unsorted.

    Files that are the same file as one of ``exclude`` (the outputs being
    written) are left out and named in :attr:`Listing.excluded`. Every other
    thing that cannot be deposited (symbolic link, device, FIFO, socket,
    forbidden name, unreadable folder, entry gone during the walk) is a
    :class:`Problem`. Raises :class:`FingerprintError` for missing arguments,
    two arguments with one name, or an argument inside another.
    """
    listing = Listing()
    skip_ids = _identities(exclude)
    stack: list[tuple[str, str]] = []

    def consider(fs_path: str, raw: str, st: os.stat_result) -> None:
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            listing.problems.append(Problem(display_name(raw), "symlink"))
        elif stat.S_ISDIR(mode):
            stack.append((fs_path, raw))
        elif stat.S_ISREG(mode):
            if (st.st_dev, st.st_ino) in skip_ids:
                listing.excluded.append(display_name(raw))
                return
            path = nfc(raw)
            listing.entries.append(Entry(fs_path, path, st.st_size, path != raw))
        else:
            listing.problems.append(Problem(display_name(raw), "special", _kind(mode)))

    for fs_path, name in _check_arguments(arguments):
        problem = segment_problem(name)
        if problem is not None:
            listing.problems.append(Problem(display_name(name), "bad_name", problem))
            continue
        try:
            st = os.lstat(fs_path)
        except FileNotFoundError:
            listing.problems.append(Problem(display_name(name), "vanished"))
            continue
        consider(fs_path, name, st)
        while stack:
            _scan(*stack.pop(), listing, consider)
    return listing


def _scan(fs_dir: str, prefix: str, listing: Listing, consider: _Consider) -> None:
    """Look at every entry of one folder."""
    try:
        with os.scandir(fs_dir) as entries:
            for entry in entries:
                raw = f"{prefix}/{entry.name}"
                problem = segment_problem(entry.name)
                if problem is not None:
                    listing.problems.append(Problem(display_name(raw), "bad_name", problem))
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    listing.problems.append(Problem(display_name(raw), "vanished"))
                    continue
                except OSError as exc:
                    detail = exc.strerror or str(exc)
                    listing.problems.append(Problem(display_name(raw), "unreadable", detail))
                    continue
                consider(entry.path, raw, st)
    except FileNotFoundError:
        listing.problems.append(Problem(display_name(prefix), "vanished", "folder"))
    except OSError as exc:
        detail = f"folder: {exc.strerror or exc}"
        listing.problems.append(Problem(display_name(prefix), "unreadable", detail))
