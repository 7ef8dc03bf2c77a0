"""The log as C2SP tlog-tiles in the ``tiles`` storage (日志瓦片): files a CDN or mirror serves.

:func:`write_tiles` writes, up to the newest *published* checkpoint (the one the log API
serves), every entry bundle and hash tile that a tree of its size has and the tree of the
previously written checkpoint had not, and then the ``checkpoint`` file, last: a reader never
finds a checkpoint whose tiles are not there yet. Tiles and bundles are immutable (a path fixes
its content), so one that exists is never written again; only ``checkpoint`` is replaced. Once
a full tile is written, the partial tiles it supersedes are deleted, as the spec allows
(clients fall back to the full tile).

Entries are the leaves exactly as ``GET /api/v1/log/entries`` serves them to anyone:
``dip.event/v2`` commitments, never their openings (docs/evidence.md §3a), and only those a
published checkpoint covers. Hash tiles are read from the stored complete-subtree hashes:
level L of the tiles is level 8·L of ``ledger_lognode`` (level 0: the entries' leaf hashes).

``storages["tiles"]`` is a folder under the data folder by default, S3-compatible object
storage in a deployment. ``dataip tick`` writes (:func:`tick_step`), and ``dataip tiles
write``; the site serves the files under ``/log/v1/`` (``dataip.web.tiles``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from dataip.evidence import Checkpoint as CheckpointBody
from dataip.evidence import MalformedInput, parse_note
from dataip.evidence.tiles import CHECKPOINT_PATH, Tile, encode_bundle, new_files, tile_hashes
from dataip.ledger import checkpoints, log
from dataip.ledger.models import LogEntry, LogNode

logger = logging.getLogger("dataip.ledger")
#: Entry bundles (with their level-0 tiles) read from the database in one query.
BUNDLES_PER_QUERY = 16


class TilesDisagree(RuntimeError):
    """The storage holds tiles of another tree than the database's log: the database is older
    than the storage (restored from a backup and carried on?), or the storage belongs to
    another registry. Nothing is written: tiles are immutable, and a mirror may hold them."""


@dataclass(frozen=True)
class Written:
    """What :func:`write_tiles` did: the size of the checkpoint now in the storage (0: none),
    the tile and bundle files it wrote, the partial tiles it deleted."""

    size: int
    files: int
    pruned: int


def storage() -> Storage:
    """The storage the tiles are written to and served from (``STORAGES["tiles"]``)."""
    return storages["tiles"]


def stored_checkpoint(target: Storage) -> tuple[CheckpointBody, str] | None:
    """The checkpoint file in the storage, parsed (not verified: it is our own), and its text."""
    if not target.exists(CHECKPOINT_PATH):
        return None
    with target.open(CHECKPOINT_PATH, "rb") as file:
        note = file.read().decode("utf-8")
    try:
        text, _ = parse_note(note)
        return CheckpointBody.from_text(text), note
    except MalformedInput as exc:
        raise TilesDisagree(f"the stored checkpoint does not parse: {exc.message}") from None


def _check_same_tree(stored: CheckpointBody, size: int) -> None:
    """The stored checkpoint must be of a prefix of the log (TilesDisagree otherwise)."""
    if stored.size > size:
        raise TilesDisagree(
            f"the storage holds tiles of {stored.size} entries, the newest published checkpoint "
            f"covers {size}: the database is older than the tiles"
        )
    if stored.size and log.root(stored.size) != stored.root_hash:
        raise TilesDisagree(
            f"the stored checkpoint's root of {stored.size} entries is not the log's: "
            "the tiles are of another tree"
        )


def _put(target: Storage, path: str, data: bytes) -> bool:
    """Write an immutable file unless it exists; whether it was written."""
    if target.exists(path):
        return False
    name = target.save(path, ContentFile(data))
    if name != path:  # another writer saved it meanwhile; the content is the same by its path
        target.delete(name)
    return True


def _replace(target: Storage, path: str, data: bytes) -> None:
    """Write the one mutable file, replacing the old one."""
    if target.exists(path):
        target.delete(path)
    name = target.save(path, ContentFile(data))
    if name != path:  # a concurrent writer's file won; the next write replaces it
        target.delete(name)


def _batched(tiles: Iterable[Tile], size: int) -> Iterator[list[Tile]]:
    """Lists of at most ``size`` tiles, in order."""
    it = iter(tiles)
    while batch := list(islice(it, size)):
        yield batch


def _write_bundles(target: Storage, bundles: list[Tile]) -> int:
    """Write entry bundles and their level-0 tiles (the entries' leaf hashes), one query."""
    start, end = bundles[0].first, bundles[-1].first + bundles[-1].width
    rows = list(
        LogEntry.objects.filter(index__gte=start, index__lt=end)
        .order_by("index")
        .values_list("leaf_hash", "body")
    )
    if len(rows) != end - start:
        raise LookupError(f"the log lacks entries in [{start}, {end})")
    written = 0
    for bundle in bundles:
        mine = rows[bundle.first - start : bundle.first - start + bundle.width]
        leaves = b"".join(bytes.fromhex(leaf) for leaf, _ in mine)
        written += _put(target, bundle.path, encode_bundle(body.encode() for _, body in mine))
        written += _put(target, Tile(0, bundle.index, bundle.width).path, leaves)
    return written


def _write_upper(target: Storage, tile: Tile) -> int:
    """Write a hash tile above level 0 from the stored complete-subtree hashes, one query."""
    if not tile.level:
        raise ValueError("level-0 tiles are written with their bundles")
    found = dict(
        LogNode.objects.filter(
            level=8 * tile.level, index__gte=tile.first, index__lt=tile.first + tile.width
        ).values_list("index", "hash")
    )
    return int(_put(target, tile.path, tile_hashes(tile, lambda _, i: bytes.fromhex(found[i]))))


def _prune(target: Storage, full: Tile) -> int:
    """Delete the partial tiles that the full tile ``full`` supersedes."""
    folder = f"{full.path}.p"
    try:
        _, names = target.listdir(folder)
    except FileNotFoundError:
        return 0
    for name in names:
        target.delete(f"{folder}/{name}")
    return len(names)


def write_tiles(target: Storage | None = None) -> Written:
    """Write the tiles of the newest published checkpoint (idempotent; see the module).

    Raises :class:`TilesDisagree` if the storage holds tiles of another tree.
    """
    store = storage() if target is None else target
    published = checkpoints.published()
    if published is None:
        return Written(size=0, files=0, pruned=0)
    note = checkpoints.published_note(published)
    previous = stored_checkpoint(store)
    old = 0
    if previous is not None:
        _check_same_tree(previous[0], published.size)
        if previous[1] == note:
            return Written(size=published.size, files=0, pruned=0)
        old = previous[0].size
    added = list(new_files(old, published.size))
    files = 0
    for batch in _batched((t for t in added if t.is_bundle), BUNDLES_PER_QUERY):
        files += _write_bundles(store, batch)
    for tile in added:
        if tile.level:
            files += _write_upper(store, tile)
    _replace(store, CHECKPOINT_PATH, note.encode())
    pruned = sum(_prune(store, t) for t in added if not t.is_partial)
    return Written(size=published.size, files=files, pruned=pruned)


def tick_step(at: datetime | None = None) -> Counter[str]:
    """``dataip tick``'s step (unless ``DATAIP_LOG_TILES`` is off): write the newest tiles.

    A failure is logged and counted (``log_tiles_failed``); it never stops the other steps.
    """
    if not settings.DATAIP_LOG_TILES:
        return Counter()
    try:
        written = write_tiles()
    except Exception:  # storage unreachable, or TilesDisagree: the operator must look
        logger.exception("could not write the log's tiles; tick will retry")
        return Counter({"log_tiles_failed": 1})
    return Counter({"log_tiles_written": written.files})
