"""C2SP tlog-tiles: paths (upstream vectors), which files a tree has, bundles, and rebuilding
the tree from the files alone against a signed checkpoint."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from dataip.evidence import Checkpoint, Ed25519Signer, sign_checkpoint
from dataip.evidence.errors import (
    MalformedInput,
    ProofError,
    UnexpectedOrigin,
    UnknownKey,
    VerificationError,
)
from dataip.evidence.merkle import EMPTY_ROOT, leaf_hash, root_from_leaf_hashes
from dataip.evidence.tiles import (
    CHECKPOINT_PATH,
    MissingTile,
    Tile,
    TileError,
    build_tiles,
    decode_bundle,
    decode_index,
    encode_bundle,
    encode_index,
    entry_bundles,
    fetch_from_folder,
    hash_tiles,
    new_files,
    parse_tile_path,
    split_tile,
    verify_tiles,
)

from ._vectors import load

ORIGIN = "tiles.example/log"
SIGNER = Ed25519Signer.generate(ORIGIN)
SIZES = [0, 1, 255, 256, 257, 513]


def _entries(n: int) -> list[bytes]:
    return [b'{"n":%d}' % i for i in range(n)]


def _log(n: int, signer: Ed25519Signer = SIGNER) -> dict[str, bytes]:
    """Every file of a tiled log of ``n`` entries, with its checkpoint signed by ``signer``."""
    entries = _entries(n)
    files = build_tiles(entries)
    root = root_from_leaf_hashes([leaf_hash(e) for e in entries])
    note = sign_checkpoint(Checkpoint(signer.name, n, root), signer)
    files[CHECKPOINT_PATH] = note.encode()
    return files


@pytest.mark.parametrize("row", load("tlog-tiles-paths.json")["tile_index_path"])
def test_it_encodes_tile_indices_as_the_spec_does(row: dict[str, object]) -> None:
    assert encode_index(int(str(row["index"]))) == row["path"]
    assert decode_index(str(row["path"])) == row["index"]


@pytest.mark.parametrize("row", load("tlog-tiles-paths.json")["tiles_for_tree_size"])
def test_a_tree_has_the_tiles_the_spec_lists(row: dict[str, object]) -> None:
    by_level: dict[int, list[Tile]] = defaultdict(list)
    for tile in hash_tiles(int(str(row["tree_size"]))):
        assert tile.level is not None
        by_level[tile.level].append(tile)
    found = [
        {
            "level": level,
            "full_tiles": sum(not t.is_partial for t in tiles),
            "partial_width": next((t.width for t in tiles if t.is_partial), 0),
        }
        for level, tiles in sorted(by_level.items())
    ]
    assert found == row["tiles"]


@pytest.mark.parametrize(
    "text", ["1", "01", "0000", "x000/001", "001/000", "x1/000", "x001", "x001/", "", "abc"]
)
def test_it_refuses_an_index_that_is_not_canonical(text: str) -> None:
    with pytest.raises(MalformedInput):
        decode_index(text)


@pytest.mark.parametrize(
    ("path", "tile"),
    [
        ("tile/0/000", Tile(0, 0)),
        ("tile/0/x001/x234/067.p/8", Tile(0, 1234067, 8)),
        ("tile/63/999.p/255", Tile(63, 999, 255)),
        ("tile/entries/x001/000", Tile(None, 1000)),
        ("tile/entries/002.p/1", Tile(None, 2, 1)),
    ],
)
def test_tile_paths_go_both_ways(path: str, tile: Tile) -> None:
    assert parse_tile_path(path) == tile
    assert tile.path == path


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1",
        "tile/00/000",
        "tile/64/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/017",
        "tile/0/x000/001",
        "tile/entries/../000",
        "/tile/0/000",
        "tile/0/000/",
        "checkpoint",
        "tile/data/000",
    ],
)
def test_it_refuses_other_paths(path: str) -> None:
    with pytest.raises(MalformedInput):
        parse_tile_path(path)


@pytest.mark.parametrize(
    ("old", "new"), [(0, 0), (0, 1), (1, 255), (255, 256), (256, 513), (1, 70000)]
)
def test_new_files_are_what_the_larger_tree_adds(old: int, new: int) -> None:
    before = {*hash_tiles(old), *entry_bundles(old)}
    after = {*hash_tiles(new), *entry_bundles(new)}
    added = list(new_files(old, new))
    assert set(added) == after - before
    assert len(added) == len(set(added))
    assert [t.level is None for t in added] == sorted(
        (t.level is None for t in added), reverse=True
    )


def test_a_full_tile_is_never_new_again() -> None:
    full = {t for t in new_files(0, 600) if not t.is_partial}
    assert not full & set(new_files(600, 70000))


def test_bundles_round_trip_and_refuse_what_does_not_fit() -> None:
    entries = [b"", b"a", b"x" * 0xFFFF]
    assert decode_bundle(encode_bundle(entries), 3) == entries
    with pytest.raises(ValueError, match="does not fit"):
        encode_bundle([b"x" * 0x10000])
    data = encode_bundle(entries)
    for cut in (data[:1], data[:-1], data + b"\x00"):
        with pytest.raises(TileError):
            decode_bundle(cut, 3)
    with pytest.raises(TileError, match="not 2"):
        decode_bundle(data, 2)
    with pytest.raises(TileError):
        split_tile(b"\x00" * 33, 1)


def test_upper_tiles_hold_the_roots_of_full_tiles_beneath() -> None:
    entries = _entries(513)
    leaves = [leaf_hash(e) for e in entries]
    files = build_tiles(entries)
    assert files["tile/1/000.p/2"] == root_from_leaf_hashes(leaves[:256]) + root_from_leaf_hashes(
        leaves[256:512]
    )
    assert files["tile/0/002.p/1"] == leaves[512]
    assert decode_bundle(files["tile/entries/001"], 256) == entries[256:512]
    assert len(files["tile/0/000"]) == 8192


@pytest.mark.parametrize("n", SIZES)
def test_it_rebuilds_the_tree_from_the_files_alone(n: int) -> None:
    files = _log(n)
    seen: list[tuple[int, bytes]] = []
    verified = verify_tiles(
        files.__getitem__, SIGNER.vkey, on_entry=lambda i, e: seen.append((i, e))
    )
    assert verified.checkpoint.size == n
    assert verified.key == SIGNER.vkey
    assert seen == list(enumerate(_entries(n)))
    assert verified.files == len(files)
    assert n or verified.checkpoint.root_hash == EMPTY_ROOT
    assert f"{n} entries" in verified.summary("en")
    assert f"{n} 条记录" in verified.summary("zh")


def test_it_rebuilds_a_tree_with_three_levels() -> None:
    n = 65536 + 257  # a full level-1 tile, and a level-2 tile of width 1
    files = _log(n)
    assert "tile/2/000.p/1" in files
    assert "tile/1/000" in files
    assert verify_tiles(files.__getitem__, [SIGNER.vkey]).checkpoint.size == n


def test_it_reads_a_folder(tmp_path: Path) -> None:
    for path, data in _log(300).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    assert verify_tiles(fetch_from_folder(tmp_path), SIGNER.vkey).checkpoint.size == 300
    (tmp_path / "tile/entries/001.p/44").unlink()
    with pytest.raises(MissingTile, match=r"tile/entries/001\.p/44"):
        verify_tiles(fetch_from_folder(tmp_path), SIGNER.vkey)


def _altered(files: dict[str, bytes], path: str, at: int) -> dict[str, bytes]:
    data = bytearray(files[path])
    data[at] ^= 1
    return {**files, path: bytes(data)}


@pytest.mark.parametrize(
    ("path", "at", "error", "says"),
    [
        ("tile/entries/000", 12, TileError, "entry 1 does not hash"),
        ("tile/0/000", 0, TileError, "entry 0 does not hash"),
        ("tile/1/000.p/2", 40, TileError, "roots of the tiles beneath"),
        ("tile/0/002.p/1", 3, TileError, "entry 512"),
    ],
)
def test_it_finds_an_altered_file(
    path: str, at: int, error: type[VerificationError], says: str
) -> None:
    with pytest.raises(error, match=says):
        verify_tiles(_altered(_log(513), path, at).__getitem__, SIGNER.vkey)


def test_it_finds_tiles_of_another_tree_under_the_checkpoint() -> None:
    files = {**_log(513), CHECKPOINT_PATH: _log(600)[CHECKPOINT_PATH]}
    with pytest.raises(MissingTile, match=r"tile/0/002\.p/88"):  # files the larger tree needs
        verify_tiles(files.__getitem__, SIGNER.vkey)
    smaller = {**_log(513), CHECKPOINT_PATH: _log(512)[CHECKPOINT_PATH]}
    assert verify_tiles(smaller.__getitem__, SIGNER.vkey).checkpoint.size == 512
    other = [b"other", *_entries(513)[1:]]
    forged = {**build_tiles(other), CHECKPOINT_PATH: _log(513)[CHECKPOINT_PATH]}
    with pytest.raises(ProofError, match="the checkpoint says"):
        verify_tiles(forged.__getitem__, SIGNER.vkey)


def test_it_trusts_only_the_given_key_for_its_own_origin() -> None:
    files = _log(3)
    with pytest.raises(UnknownKey):
        verify_tiles(files.__getitem__, Ed25519Signer.generate(ORIGIN).vkey)
    elsewhere = Ed25519Signer.generate("elsewhere.example/log")
    note = sign_checkpoint(Checkpoint(ORIGIN, 3, root_from_leaf_hashes([])), elsewhere)
    with pytest.raises(UnexpectedOrigin):
        verify_tiles({**files, CHECKPOINT_PATH: note.encode()}.__getitem__, elsewhere.vkey)
    with pytest.raises(MalformedInput):
        verify_tiles(files.__getitem__, "not a key")
    with pytest.raises(MalformedInput):
        verify_tiles(files.__getitem__, [])
