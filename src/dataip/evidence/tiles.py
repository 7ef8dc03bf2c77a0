"""C2SP tlog-tiles (c2sp.org/tlog-tiles): the log as static, immutable files (日志瓦片).

A tiled log is a set of plain files under a URL prefix, so that a CDN, a mirror or a plain
web server can serve every read of the log:

* ``checkpoint``: the signed checkpoint (C2SP tlog-checkpoint), the one file that changes;
* ``tile/<L>/<N>[.p/<W>]``: hash tiles. Tile N of level L holds the 256 Merkle tree hashes
  ``MTH(D[(N·256+i)·256^L : (N·256+i+1)·256^L])``, i = 0..255, 32 bytes each (8,192 bytes):
  level 0 holds leaf hashes, level L+1 the roots of level L's full tiles. The rightmost tile of
  a level is partial, ``W = floor(size / 256^L) mod 256`` hashes, and is never hashed into the
  level above;
* ``tile/entries/<N>[.p/<W>]``: entry bundles, the entries of level-0 tile N, each as a
  big-endian uint16 length followed by the entry's bytes.

``<N>`` is written in zero-padded 3-digit path elements, all but the last prefixed ``x``
(1234067 is ``x001/x234/067``), so files never collide with folders. A tile file's content is
fixed by its path, partial ones included (the partial tile of width W holds the first W hashes
of the full tile), so every tile and bundle is written once and never changes.

This module is pure: path encoding, which files a tree has, tile contents from the stored
complete-subtree hashes, entry bundles, and :func:`verify_tiles`, which rebuilds the tree from
any ``fetch(path) -> bytes`` (a folder, a URL prefix) and checks it against the signed
checkpoint with the log's public key. No Django.
"""

from __future__ import annotations

import gzip
import io
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._appender import MerkleAppender
from ._generate import NodeReader
from ._hashing import HASH_SIZE, leaf_hash, node_hash
from .checkpoint import Checkpoint
from .errors import MalformedInput, ProofError, UnexpectedOrigin, UnknownKey, VerificationError
from .note import Ed25519Verifier, open_note, parse_note

__all__ = [
    "CHECKPOINT_PATH",
    "MAX_ENTRY_BYTES",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Fetch",
    "MissingTile",
    "Tile",
    "TileError",
    "VerifiedTiles",
    "build_tiles",
    "decode_bundle",
    "decode_index",
    "encode_bundle",
    "encode_index",
    "entry_bundles",
    "fetch_from_folder",
    "fetch_from_url",
    "hash_tiles",
    "new_files",
    "parse_tile_path",
    "split_tile",
    "tile_hashes",
    "tile_root",
    "verify_tiles",
]

TILE_HEIGHT = 8
#: Hashes in a full tile (and entries in a full bundle): 2^8.
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_LEVEL = 63
#: An entry bundle prefixes each entry with a uint16 length: no entry may be longer.
MAX_ENTRY_BYTES = 0xFFFF
CHECKPOINT_PATH = "checkpoint"
#: The largest file a reader accepts: a full bundle of entries of the maximum length.
MAX_FILE_BYTES = TILE_WIDTH * (2 + MAX_ENTRY_BYTES)

#: Reads one file of the tiled log by its path under the prefix (``"tile/0/000"``).
Fetch = Callable[[str], bytes]

_ELEMENT = re.compile(r"[0-9]{3}")
_TILE_PATH = re.compile(
    r"tile/(entries|0|[1-9][0-9]?)/((?:x[0-9]{3}/)*[0-9]{3})(?:\.p/([1-9][0-9]{0,2}))?"
)


class TileError(VerificationError):
    """A tile or entry bundle does not match the checkpoint or the files it is built from."""

    code = "tile_error"
    plain = ("日志瓦片与签名检查点不一致。", "The log's tiles do not match its signed checkpoint.")


class MissingTile(TileError):
    """A file the checkpoint's tree needs could not be read."""

    code = "tile_missing"
    plain = ("缺少日志瓦片文件。", "A file of the log's tiles is missing.")


def encode_index(index: int) -> str:
    """``<N>`` of a tile path: 3-digit elements, all but the last prefixed ``x`` (索引编码)."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"tile index must be a non-negative integer, not {index!r}")
    elements = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        elements.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(elements))


def decode_index(text: str) -> int:
    """The tile index of an encoded ``<N>``; only the canonical form is accepted."""
    *upper, last = text.split("/")
    if not all(e[:1] == "x" and _ELEMENT.fullmatch(e[1:]) for e in upper):
        raise MalformedInput(f"tile index {text[:60]!r}: elements above the last need an 'x'")
    if not _ELEMENT.fullmatch(last):
        raise MalformedInput(f"tile index {text[:60]!r}: the last element needs three digits")
    index = 0
    for element in [*(e[1:] for e in upper), last]:
        index = index * 1000 + int(element)
    if encode_index(index) != text:  # "x000/001": a leading zero element
        raise MalformedInput(f"tile index {text[:60]!r} is not in its canonical form")
    return index


@dataclass(frozen=True)
class Tile:
    """One file of a tiled log: a hash tile (``level`` 0..63) or an entry bundle (``level``
    None), its index within the level and its width (256 when full)."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        """Refuse a level, index or width the spec does not allow (ValueError)."""
        if self.level is not None and not 0 <= self.level <= MAX_LEVEL:
            raise ValueError(f"tile level {self.level} is outside 0..{MAX_LEVEL}")
        if self.index < 0 or not 1 <= self.width <= TILE_WIDTH:
            raise ValueError(f"invalid tile index {self.index} or width {self.width}")

    @property
    def is_bundle(self) -> bool:
        """An entry bundle rather than a hash tile."""
        return self.level is None

    @property
    def is_partial(self) -> bool:
        """Fewer than 256 hashes or entries: the rightmost file of its level."""
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``."""
        level = "entries" if self.level is None else str(self.level)
        partial = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{level}/{encode_index(self.index)}{partial}"

    @property
    def first(self) -> int:
        """Index of the first hash this tile holds, counted in its level (tree level 8·L)."""
        return self.index * TILE_WIDTH


def parse_tile_path(path: str) -> Tile:
    """The tile or bundle a path names; only canonical paths are accepted (MalformedInput),
    so a path is safe to use as a storage name."""
    found = _TILE_PATH.fullmatch(path)
    if found is None:
        raise MalformedInput(f"not a tile path: {path[:80]!r}")
    level_text, index_text, width_text = found.groups()
    index = decode_index(index_text)
    level = None if level_text == "entries" else int(level_text)
    width = TILE_WIDTH if width_text is None else int(width_text)
    if width_text is not None and width >= TILE_WIDTH:
        raise MalformedInput(f"tile path {path[:80]!r}: a partial width is 1..255")
    try:
        return Tile(level, index, width)
    except ValueError as exc:
        raise MalformedInput(f"tile path {path[:80]!r}: {exc}") from None


def _levels(size: int) -> Iterator[tuple[int, int, int]]:
    """(level, full tiles, partial width) of every level that holds at least one hash."""
    if size < 0:
        raise ValueError(f"negative tree size {size}")
    level = 0
    while size >> (TILE_HEIGHT * level):
        hashes = size >> (TILE_HEIGHT * level)
        yield level, hashes // TILE_WIDTH, hashes % TILE_WIDTH
        level += 1


def _level_tiles(level: int | None, start: int, full: int, width: int) -> Iterator[Tile]:
    """Full tiles ``start..full-1`` of a level, then its partial tile if ``width``."""
    for index in range(start, full):
        yield Tile(level, index)
    if width:
        yield Tile(level, full, width)


def hash_tiles(size: int) -> Iterator[Tile]:
    """Every hash tile of a tree of ``size`` entries, level by level from 0, left to right.

    A tree of 70,000 entries has 273 full level-0 tiles and one of width 112, one full
    level-1 tile and one of width 17, and one level-2 tile of width 1 (tlog-tiles' example).
    """
    for level, full, width in _levels(size):
        yield from _level_tiles(level, 0, full, width)


def entry_bundles(size: int) -> Iterator[Tile]:
    """Every entry bundle of a tree of ``size`` entries, left to right."""
    yield from _level_tiles(None, 0, size // TILE_WIDTH, size % TILE_WIDTH)


def new_files(old_size: int, new_size: int) -> Iterator[Tile]:
    """The bundles and hash tiles a tree of ``new_size`` entries has and one of ``old_size``
    had not: full tiles completed since, and the partial tiles of the new size. Bundles
    first, then hash tiles level by level (the order a writer should follow)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"tree sizes must grow: {old_size} -> {new_size}")
    old = {level: (full, width) for level, full, width in _levels(old_size)}
    old_bundles = (old_size // TILE_WIDTH, old_size % TILE_WIDTH)
    full, width = new_size // TILE_WIDTH, new_size % TILE_WIDTH
    yield from _level_tiles(
        None, old_bundles[0], full, 0 if old_bundles == (full, width) else width
    )
    for level, full, width in _levels(new_size):
        was = old.get(level, (0, 0))
        yield from _level_tiles(level, was[0], full, 0 if was == (full, width) else width)


def tile_hashes(tile: Tile, node: NodeReader) -> bytes:
    """The content of a hash tile: the stored complete-subtree hashes it is made of.

    Hash i of tile N at level L is the complete subtree of tree level 8·L at index N·256+i,
    which the log stores (``node(level, index)``, as for proofs).
    """
    if tile.level is None:
        raise ValueError("an entry bundle holds entries, not hashes")
    level = TILE_HEIGHT * tile.level
    return b"".join(node(level, tile.first + i) for i in range(tile.width))


def split_tile(data: bytes, width: int) -> list[bytes]:
    """The hashes of a tile's bytes, which must be exactly ``width`` hashes (TileError)."""
    if len(data) != width * HASH_SIZE:
        raise TileError(f"a tile of {width} hashes has {len(data)} bytes, not {width * HASH_SIZE}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def tile_root(hashes: Sequence[bytes]) -> bytes:
    """The root of a full tile: its 256 hashes folded pairwise (RFC 9162 interior nodes),
    i.e. the hash the level above holds for it."""
    if len(hashes) != TILE_WIDTH:
        raise ValueError(f"only a full tile of {TILE_WIDTH} hashes has a root in the level above")
    layer = list(hashes)
    while len(layer) > 1:
        layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
    return layer[0]


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length and its bytes."""
    parts: list[bytes] = []
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise ValueError(f"an entry of {len(entry)} bytes does not fit a tlog-tiles bundle")
        parts += [len(entry).to_bytes(2, "big"), entry]
    return b"".join(parts)


def decode_bundle(data: bytes, width: int) -> list[bytes]:
    """The entries of a bundle that must hold exactly ``width`` of them (TileError)."""
    entries: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TileError(f"entry bundle is cut inside the length of entry {len(entries)}")
        end = pos + 2 + int.from_bytes(data[pos : pos + 2], "big")
        if end > len(data):
            raise TileError(f"entry bundle is cut inside entry {len(entries)}")
        entries.append(data[pos + 2 : end])
        pos = end
    if len(entries) != width:
        raise TileError(f"entry bundle holds {len(entries)} entries, not {width}")
    return entries


def build_tiles(entries: Sequence[bytes]) -> dict[str, bytes]:
    """Every bundle and hash tile of a log of ``entries`` (not the checkpoint), by path.

    In memory, from the entries alone: for tests, small logs and benchmarks. The registry
    writes its tiles from the hashes it stores (:func:`tile_hashes`).
    """
    appender = MerkleAppender()
    nodes: dict[tuple[int, int], bytes] = {}
    for entry in entries:
        for level, index, h in appender.append(leaf_hash(entry)):
            if level % TILE_HEIGHT == 0:
                nodes[(level, index)] = h
    files = {
        t.path: encode_bundle(entries[t.first : t.first + t.width])
        for t in entry_bundles(len(entries))
    }
    for tile in hash_tiles(len(entries)):
        files[tile.path] = tile_hashes(tile, lambda level, index: nodes[(level, index)])
    return files


@dataclass(frozen=True)
class VerifiedTiles:
    """What :func:`verify_tiles` checked: the checkpoint, the key that signed it, the files."""

    checkpoint: Checkpoint
    note: str
    key: str
    files: int

    def summary(self, lang: str = "en") -> str:
        """One line saying what was verified, in Chinese (``zh``) or English."""
        cp = self.checkpoint
        if lang == "zh":
            return (
                f"日志瓦片验证通过：账本 {cp.origin} 的 {cp.size} 条记录，根哈希 "
                f"{cp.root_hash.hex()}，共核对 {self.files} 个文件\n"
            )
        return (
            f"Tiles verified: {cp.size} entries of log {cp.origin}, root {cp.root_hash.hex()}, "
            f"{self.files} files checked\n"
        )


def _trusted(keys: Sequence[str]) -> list[Ed25519Verifier]:
    """The log's trusted public keys (vkeys)."""
    if not keys:
        raise MalformedInput("no trusted key given")
    try:
        return [Ed25519Verifier.from_vkey(k.strip()) for k in keys]
    except VerificationError as exc:
        raise MalformedInput(f"trusted key is not a valid Ed25519 vkey: {exc.message}") from None


def _open_checkpoint(note: str, trusted: Sequence[Ed25519Verifier]) -> tuple[str, Checkpoint]:
    """Check the checkpoint's signature by a trusted key and its origin; return the key's
    vkey and the checkpoint (witness cosignatures are left to a witness policy)."""
    try:
        opened = open_note(note, trusted)
    except UnknownKey:
        _, signatures = parse_note(note)
        found = ", ".join(f"{s.name}+{s.key_id_hex}" for s in signatures) or "none"
        raise UnknownKey(
            f"checkpoint is not signed by a trusted key (signed by: {found})"
        ) from None
    first = opened.signatures[0]
    key = next(v for v in trusted if (v.name, v.key_id) == (first.name, first.key_id))
    checkpoint = Checkpoint.from_text(opened.text)
    if checkpoint.origin != key.name:
        raise UnexpectedOrigin(f"checkpoint origin {checkpoint.origin!r} is not {key.name!r}")
    return key.vkey, checkpoint


def _read(fetch: Fetch, path: str) -> bytes:
    """One file, or MissingTile naming it."""
    try:
        data = fetch(path)
    except (OSError, LookupError) as exc:
        raise MissingTile(f"cannot read {path}: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise TileError(f"{path} has {len(data)} bytes, more than any tile or bundle")
    return data


def _level_zero(
    fetch: Fetch, size: int, on_entry: Callable[[int, bytes], None] | None
) -> tuple[bytes, list[bytes], int]:
    """Read every level-0 tile and its bundle; check each entry against its leaf hash.

    Returns the root of the leaves, the roots of the full tiles (what level 1 must hold) and
    the number of files read.
    """
    appender = MerkleAppender()
    roots: list[bytes] = []
    files = 0
    for bundle in entry_bundles(size):
        tile = Tile(0, bundle.index, bundle.width)
        hashes = split_tile(_read(fetch, tile.path), tile.width)
        entries = decode_bundle(_read(fetch, bundle.path), bundle.width)
        files += 2
        for offset, (entry, h) in enumerate(zip(entries, hashes, strict=True)):
            if leaf_hash(entry) != h:
                raise TileError(f"entry {bundle.first + offset} does not hash to {tile.path}")
            if on_entry is not None:
                on_entry(bundle.first + offset, entry)
            appender.append(h)
        if not tile.is_partial:
            roots.append(tile_root(hashes))
    return appender.root(), roots, files


def _upper_levels(fetch: Fetch, size: int, below: list[bytes]) -> int:
    """Check every tile above level 0 against the roots of the full tiles beneath it."""
    files = 0
    tiles = [t for t in hash_tiles(size) if t.level]
    for level in sorted({t.level for t in tiles if t.level}):
        roots: list[bytes] = []
        for tile in (t for t in tiles if t.level == level):
            hashes = split_tile(_read(fetch, tile.path), tile.width)
            files += 1
            if hashes != below[tile.first : tile.first + tile.width]:
                raise TileError(f"{tile.path} does not hold the roots of the tiles beneath it")
            if not tile.is_partial:
                roots.append(tile_root(hashes))
        below = roots
    return files


def verify_tiles(
    fetch: Fetch,
    trusted_vkey: str | Sequence[str],
    *,
    on_entry: Callable[[int, bytes], None] | None = None,
) -> VerifiedTiles:
    """Rebuild a tiled log from its files alone and check it against its signed checkpoint.

    Reads ``checkpoint`` and checks its signature by one of the trusted keys (its origin must
    be that key's name); reads every level-0 tile and entry bundle of its size, checks that
    each entry hashes to its leaf hash and that the leaves' RFC 9162 root is the
    checkpoint's; then checks every tile above against the roots of the full tiles beneath
    it. ``on_entry(index, entry)`` sees each entry once checked (a mirror keeps them).
    Raises a :class:`VerificationError` subclass naming the first thing that is wrong.
    """
    trusted = _trusted([trusted_vkey] if isinstance(trusted_vkey, str) else list(trusted_vkey))
    try:
        note = _read(fetch, CHECKPOINT_PATH).decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInput("the checkpoint is not UTF-8 text") from None
    vkey, checkpoint = _open_checkpoint(note, trusted)
    root, full_roots, files = _level_zero(fetch, checkpoint.size, on_entry)
    if root != checkpoint.root_hash:
        raise ProofError(
            f"the tiles' {checkpoint.size} leaves have root {root.hex()}, "
            f"the checkpoint says {checkpoint.root_hash.hex()}"
        )
    files += _upper_levels(fetch, checkpoint.size, full_roots)
    return VerifiedTiles(checkpoint=checkpoint, note=note, key=vkey, files=files + 1)


def fetch_from_folder(folder: str | Path) -> Fetch:
    """Read a tiled log from a folder (a copy of the storage, a mirror)."""
    base = Path(folder)

    def fetch(path: str) -> bytes:
        return (base / path).read_bytes()

    return fetch


def fetch_from_url(prefix: str, *, timeout: float = 30.0) -> Fetch:
    """Read a tiled log over HTTP(S) from its URL prefix (``https://host/log/v1/``); gzip
    answers (``Content-Encoding: gzip``, which entry bundles should get) are unpacked."""
    if not prefix.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {prefix!r}")
    base = prefix.rstrip("/") + "/"

    def fetch(path: str) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            base + path,
            headers={"Accept-Encoding": "gzip, identity", "User-Agent": "dataip-verify-tiles"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                data: bytes = response.read(MAX_FILE_BYTES + 1)
                encoding = response.headers.get("Content-Encoding", "identity")
        except urllib.error.HTTPError as exc:
            exc.close()  # the error is the response: close its connection
            raise OSError(f"HTTP {exc.code} for {base + path}") from None
        if encoding != "gzip":
            return data
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:  # read no more than a bundle
            return unpacked.read(MAX_FILE_BYTES + 1)

    return fetch
