"""The holder's side of a data deposit (存证): fingerprint a dataset where it lies.

Implements design note §4.2 exactly. The data never leaves the holder's
machine; only the manifest (or just the deposit statement) does.

1. :func:`fingerprint` walks files and folders (see :mod:`._walk` for how
   deposit paths are formed: each argument's own name is the first segment),
   hashes every regular file once by streaming (SHA-256 always, SM3 and
   BLAKE3 on request) on every core, and builds one record
   ``{"path", "size", "sha256"[, "sm3", "blake3"]}`` per file with ``path``
   relative, ``/``-separated, Unicode NFC. Symbolic links, devices, FIFOs,
   sockets, names with control characters, backslashes, ``..`` or empty
   segments, duplicates after NFC, unreadable files and files that change
   while being read are refused, or, with ``on_error="skip"``, left out and
   listed in the manifest's ``skipped`` list. Never a silent wrong root.
2. Records are sorted by the UTF-8 bytes of ``path``.
3. Leaf ``i`` = RFC 8785 canonical JSON of record ``i``; the deposit root is
   the RFC 6962 Merkle tree hash over the leaves (empty dataset:
   SHA-256 of the empty string).
4. :meth:`Fingerprint.sums_text` gives ``SHA256SUMS`` for ``sha256sum -c``.
5. :func:`statement` is the canonical deposit statement to timestamp and log.
6. :func:`prove` / :func:`verify_possession`: a proof that one file is in a
   deposit, disclosing only that file's record and O(log N) hashes.

With hidden names (``salt=``), every ``path`` in the manifest is replaced by
hex HMAC-SHA256(salt, path); the records are then sorted by, and the root is
computed over, the hidden names. The salt stays with the holder, never in the
manifest (:func:`write_salt`); ``SHA256SUMS`` keeps the real names so that it
still works locally, and must then be kept private too.

Privacy (§4.3): SHA-256 of a file whose content can be guessed lets anyone
holding the manifest confirm the guess, and so does a MinHash signature for
guessable chunks. Share the manifest only with the registry, or deposit only
the statement (root, counts, holder commitment).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeGuard

from ._filehash import Options, hash_entries, hash_file, new_hashers
from ._hashing import split_point
from ._minhash import (
    DEFAULT_AVG_CHUNK,
    MinHasher,
    chunk_ids,
    chunker,
    estimate_cardinality,
    estimate_containment,
    estimate_similarity,
    minhash_signature,
)
from ._paths import HIDDEN_NAME, hide_name, nfc, path_problem, sort_key
from ._problems import REASONS, FingerprintError, Problem
from ._walk import Entry, walk
from .canonical import canonical_json
from .errors import MalformedInput, VerificationError
from .merkle import EMPTY_ROOT, MerkleAppender, leaf_hash, verify_inclusion

__all__ = [
    "DEFAULT_AVG_CHUNK",
    "DEPOSIT_SCHEMA",
    "MANIFEST_SCHEMA",
    "PROOF_SCHEMA",
    "REASONS",
    "SALT_SCHEMA",
    "ContentMismatch",
    "Fingerprint",
    "FingerprintError",
    "Notice",
    "Problem",
    "RootMismatch",
    "check_manifest",
    "chunk_ids",
    "deposit_root",
    "estimate_cardinality",
    "estimate_containment",
    "estimate_similarity",
    "fingerprint",
    "load_manifest",
    "minhash_signature",
    "new_salt",
    "prove",
    "read_salt",
    "statement",
    "verify_possession",
    "write_manifest",
    "write_salt",
    "write_sums",
]

MANIFEST_SCHEMA = "dip.manifest/v1"
DEPOSIT_SCHEMA = "dip.deposit/v1"
PROOF_SCHEMA = "dip.possession/v1"
SALT_SCHEMA = "dip.name-salt/v1"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_EXTRA_DIGESTS = ("sm3", "blake3")
_RECORD_KEYS = frozenset({"path", "size", "sha256", *_EXTRA_DIGESTS})

Progress = Callable[[int, int], None]


class ContentMismatch(VerificationError):
    """The file's bytes do not match the deposited record (size or a digest differs)."""

    code = "content_mismatch"


class RootMismatch(VerificationError):
    """A root is not the one expected (proof vs deposit, or records vs stated root)."""

    code = "root_mismatch"


@dataclass(frozen=True)
class Notice:
    """Something the holder should know that does not stop the deposit (both languages)."""

    chinese: str
    english: str


@dataclass(frozen=True)
class Fingerprint:
    """The result of :func:`fingerprint`.

    ``manifest`` is the JSON-ready manifest; ``local_paths`` are the real
    deposit paths in record order (equal to the record paths unless names are
    hidden); ``skipped`` the problems left out under ``on_error="skip"``;
    ``excluded`` the output files that were inside the dataset and left out;
    ``notices`` warnings such as case-insensitive collisions.
    """

    manifest: dict[str, Any]
    local_paths: tuple[str, ...]
    skipped: tuple[Problem, ...] = ()
    excluded: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = field(default=())

    @property
    def root(self) -> str:
        """The deposit root, hex."""
        root: str = self.manifest["root"]
        return root

    def sums_text(self) -> str:
        """``SHA256SUMS`` content: ``<hex>  <path>`` per line, in record order, real names."""
        return "".join(
            f"{record['sha256']}  {path}\n"
            for record, path in zip(self.manifest["records"], self.local_paths, strict=True)
        )


# --- fingerprinting ----------------------------------------------------------------------------


def _check_options(sm3: bool, blake3: bool, minhash: bool, chunk_size: int) -> None:
    problems = []
    if sm3:
        try:
            hashlib.new("sm3")
        except ValueError:
            problems.append(Problem("--sm3", "arguments", "SM3 is not in this Python's OpenSSL"))
    if blake3:
        try:
            import blake3 as _blake3  # noqa: F401
        except ImportError:
            problems.append(Problem("--blake3", "arguments", "the blake3 package is missing"))
    if minhash:
        try:
            chunker(chunk_size)
        except ImportError:
            problems.append(Problem("--minhash", "arguments", "the pyfastcdc package is missing"))
        except ValueError as exc:
            problems.append(Problem("--chunk-size", "arguments", str(exc)))
    if problems:
        raise FingerprintError(problems)


def _created(created: datetime | None) -> str:
    moment = created if created is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("created time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else "(none)"


def _duplicates(entries: list[Entry]) -> tuple[list[Entry], list[Problem]]:
    """Drop every entry whose NFC path occurs twice (entries sorted by path)."""
    kept: list[Entry] = []
    problems: list[Problem] = []
    i = 0
    while i < len(entries):
        j = i + 1
        while j < len(entries) and entries[j].path == entries[i].path:
            j += 1
        if j - i == 1:
            kept.append(entries[i])
        else:
            detail = f"{j - i} names on disk normalise to this path"
            problems.extend(Problem(entries[i].path, "duplicate", detail) for _ in range(i, j))
        i = j
    return kept, problems


def _case_notices(entries: Sequence[Entry]) -> list[Notice]:
    groups: dict[str, list[str]] = {}
    for entry in entries:
        groups.setdefault(nfc(entry.path.casefold()), []).append(entry.path)
    notices = []
    for paths in groups.values():
        if len(paths) > 1:
            shown = ", ".join(paths[:5])
            notices.append(
                Notice(
                    f"以下路径仅大小写不同，在不区分大小写的系统上会冲突：{shown}",
                    f"paths differ only in case and clash on case-insensitive systems: {shown}",
                )
            )
    return notices


def _nfc_notice(entries: Sequence[Entry]) -> list[Notice]:
    count = sum(entry.not_nfc for entry in entries)
    if not count:
        return []
    return [
        Notice(
            f"{count} 个文件名在磁盘上不是 NFC 形式；清单和 SHA256SUMS 使用 NFC，"
            "在区分规范化形式的文件系统上 sha256sum -c 可能找不到这些文件",
            f"{count} file names are not in NFC on disk; the manifest and SHA256SUMS use NFC, "
            "so sha256sum -c may not find them on normalisation-sensitive file systems",
        )
    ]


def fingerprint(
    paths: Sequence[str | os.PathLike[str]],
    *,
    sm3: bool = False,
    blake3: bool = False,
    minhash: bool = False,
    chunk_size: int = DEFAULT_AVG_CHUNK,
    salt: bytes | None = None,
    workers: int | None = None,
    on_error: Literal["fail", "skip"] = "fail",
    exclude: Iterable[str | os.PathLike[str]] = (),
    progress: Progress | None = None,
    created: datetime | None = None,
) -> Fingerprint:
    """Fingerprint the files and folders ``paths`` and build the manifest (§4.2).

    ``sm3``/``blake3`` add those digests to every record; ``minhash`` adds a
    ``dip.minhash/v1`` signature over content-defined chunks of average size
    ``chunk_size``; ``salt`` hides the names (HMAC-SHA256); ``workers``
    processes hash in parallel (default: one per CPU); ``on_error="skip"``
    lists unusable files instead of failing; ``exclude`` names files (the
    outputs) to leave out if found in the dataset; ``progress(done, total)``
    is called with byte counts; ``created`` fixes the manifest time.

    Raises :class:`FingerprintError` naming every problem (or the first one
    met while hashing) unless skipping, and for bad arguments always.
    """
    if on_error not in ("fail", "skip"):
        raise ValueError(f"on_error must be 'fail' or 'skip' (got {on_error!r})")
    if salt is not None and (not isinstance(salt, bytes) or len(salt) < 16):
        raise ValueError("the name salt must be at least 16 bytes")
    _check_options(sm3, blake3, minhash, chunk_size)
    created_text = _created(created)
    workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    listing = walk(paths, exclude=list(exclude))
    entries = sorted(listing.entries, key=lambda e: sort_key(e.path))
    entries, duplicates = _duplicates(entries)
    problems = listing.problems + duplicates
    if problems and on_error == "fail":
        raise FingerprintError(problems)
    notices = _case_notices(entries) + _nfc_notice(entries)

    total = sum(entry.size for entry in entries)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    options = Options(sm3=sm3, blake3=blake3, minhash_avg=chunk_size if minhash else None)
    results: list[dict[str, Any] | None] = [None] * len(entries)
    minhasher = MinHasher(chunk_size) if minhash else None
    outcomes = hash_entries(entries, options, workers=workers, progress=advance)
    try:
        for index, outcome in outcomes:
            if isinstance(outcome, Problem):
                if on_error == "fail":
                    raise FingerprintError([outcome])
                problems.append(outcome)
                continue
            entry = entries[index]
            record: dict[str, Any] = {
                "path": hide_name(salt, entry.path) if salt is not None else entry.path,
                "size": outcome.size,
                "sha256": outcome.sha256,
            }
            if outcome.sm3 is not None:
                record["sm3"] = outcome.sm3
            if outcome.blake3 is not None:
                record["blake3"] = outcome.blake3
            results[index] = record
            if minhasher is not None and outcome.mins is not None:
                minhasher.merge(outcome.mins, outcome.chunks)
    finally:
        outcomes.close()  # stops the process pool at once after a failure

    pairs = [
        (record, entry.path)
        for entry, record in zip(entries, results, strict=True)
        if record is not None
    ]
    del results
    if salt is not None:
        pairs.sort(key=lambda pair: sort_key(pair[0]["path"]))
    records = [record for record, _ in pairs]
    formats = Counter(_extension(path) for _, path in pairs)

    manifest: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "hash": "sha256",
        "tree": "rfc6962",
        "root": deposit_root(records).hex(),
        "files": len(records),
        "bytes": sum(record["size"] for record in records),
        "digests": ["sha256", *(["sm3"] if sm3 else []), *(["blake3"] if blake3 else [])],
        "names": "hmac-sha256" if salt is not None else "plain",
        "formats": dict(sorted(formats.items())),
        "created": created_text,
        "records": records,
    }
    skipped = sorted(problems, key=lambda p: (sort_key(p.path), p.reason))
    if on_error == "skip":
        manifest["skipped"] = [
            {**p.as_json(), "path": hide_name(salt, p.path) if salt is not None else p.path}
            for p in skipped
        ]
    if minhasher is not None:
        manifest["minhash"] = minhasher.signature()
    return Fingerprint(
        manifest=manifest,
        local_paths=tuple(path for _, path in pairs),
        skipped=tuple(skipped),
        excluded=tuple(listing.excluded),
        notices=tuple(notices),
    )


def deposit_root(records: Iterable[Mapping[str, Any]]) -> bytes:
    """RFC 6962 root over ``JCS(record)`` leaves, in the given order (§4.2 step 3)."""
    appender = MerkleAppender()
    for record in records:
        appender.append(leaf_hash(canonical_json(record)))
    return appender.root() if appender.size else EMPTY_ROOT


# --- files ---------------------------------------------------------------------------------------


def _write_atomically(path: str | os.PathLike[str], data: bytes, mode: int = 0o644) -> None:
    """Write to a fresh file beside ``path``, then rename it over ``path``."""
    target = os.fspath(path)
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def write_manifest(manifest: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write ``manifest`` as indented UTF-8 JSON (atomically: a crash leaves no half file)."""
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    _write_atomically(path, text.encode("utf-8"))


def write_sums(result: Fingerprint, path: str | os.PathLike[str]) -> None:
    """Write ``SHA256SUMS`` (see :meth:`Fingerprint.sums_text`)."""
    _write_atomically(path, result.sums_text().encode("utf-8"))


def load_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a manifest file and check it with :func:`check_manifest`."""
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedInput(f"manifest is not UTF-8 JSON: {exc}") from None
    check_manifest(manifest)
    if not isinstance(manifest, dict):  # pragma: no cover - check_manifest ensures it
        raise MalformedInput("manifest is not a JSON object")
    return manifest


def new_salt() -> bytes:
    """32 random bytes for hiding names."""
    return secrets.token_bytes(32)


def write_salt(path: str | os.PathLike[str], salt: bytes) -> None:
    """Write the name salt to a private file (mode 0600). Keep it: it reveals nothing alone."""
    text = json.dumps({"schema": SALT_SCHEMA, "salt": salt.hex()}) + "\n"
    _write_atomically(path, text.encode("ascii"), mode=0o600)


def read_salt(path: str | os.PathLike[str]) -> bytes:
    """Read a salt written by :func:`write_salt`; ``MalformedInput`` if it is not one."""
    try:
        with open(path, encoding="ascii") as f:
            data = json.load(f)
        if data.get("schema") != SALT_SCHEMA:
            raise ValueError("wrong schema")
        salt = bytes.fromhex(data["salt"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MalformedInput(f"{os.fspath(path)} is not a {SALT_SCHEMA} file ({exc})") from None
    if len(salt) < 16:
        raise MalformedInput(f"{os.fspath(path)}: salt shorter than 16 bytes")
    return salt


# --- checking manifests --------------------------------------------------------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_record(record: object, where: str, hidden: bool) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise MalformedInput(f"{where} is not an object")
    keys = set(record)
    if not {"path", "size", "sha256"} <= keys or not keys <= _RECORD_KEYS:
        raise MalformedInput(f"{where} must have path, size, sha256 (and optionally sm3, blake3)")
    path = record["path"]
    problem = path_problem(path)
    if problem is not None:
        raise MalformedInput(f"{where}.path: {problem}")
    if hidden and not HIDDEN_NAME.fullmatch(path):
        raise MalformedInput(f"{where}.path is not a hidden name (64 hex digits)")
    if not _is_int(record["size"]) or record["size"] < 0:
        raise MalformedInput(f"{where}.size is not a non-negative integer")
    for name in ("sha256", *_EXTRA_DIGESTS):
        value = record.get(name)
        if name in record and not (isinstance(value, str) and _HEX64.fullmatch(value)):
            raise MalformedInput(f"{where}.{name} is not 64 lowercase hex digits")
    return record


def check_manifest(manifest: object) -> None:
    """Check a manifest's structure, order, counts and root; raise on any inconsistency.

    Raises :class:`MalformedInput` for a structural problem and
    :class:`RootMismatch` if the records do not hash to the stated root.
    """
    if not isinstance(manifest, dict):
        raise MalformedInput("manifest is not a JSON object")
    expected = {"schema": MANIFEST_SCHEMA, "hash": "sha256", "tree": "rfc6962"}
    for key, value in expected.items():
        if manifest.get(key) != value:
            raise MalformedInput(f"manifest {key} must be {value!r} (got {manifest.get(key)!r})")
    names = manifest.get("names", "plain")
    if names not in ("plain", "hmac-sha256"):
        raise MalformedInput(f"manifest names must be 'plain' or 'hmac-sha256' (got {names!r})")
    records = manifest.get("records")
    if not isinstance(records, list):
        raise MalformedInput("manifest records is not a list")
    previous: bytes | None = None
    total = 0
    for i, item in enumerate(records):
        record = _check_record(item, f"records[{i}]", names == "hmac-sha256")
        order = sort_key(record["path"])
        if previous is not None and order <= previous:
            raise MalformedInput(f"records[{i}] is out of order or a duplicate path")
        previous = order
        total += record["size"]
    if manifest.get("files") != len(records) or not _is_int(manifest.get("files")):
        raise MalformedInput(f"manifest files is not the record count {len(records)}")
    if manifest.get("bytes") != total or not _is_int(manifest.get("bytes")):
        raise MalformedInput(f"manifest bytes is not the sum of record sizes {total}")
    root = manifest.get("root")
    if not isinstance(root, str) or not _HEX64.fullmatch(root):
        raise MalformedInput("manifest root is not 64 lowercase hex digits")
    if deposit_root(records).hex() != root:
        raise RootMismatch("the manifest's records do not hash to its root")
    created = manifest.get("created")
    if not isinstance(created, str) or not created.endswith("Z"):
        raise MalformedInput("manifest created is not an RFC 3339 UTC time")


def statement(manifest: Mapping[str, Any], holder_commitment: str) -> bytes:
    """The deposit statement of §4.2 step 5: canonical JSON bytes to timestamp and log.

    ``holder_commitment`` identifies the holder without personal data (for
    example a salted hash of the holder record). The manifest is checked first.
    """
    if not isinstance(holder_commitment, str) or not holder_commitment.strip():
        raise ValueError("holder commitment must be a non-empty string")
    check_manifest(dict(manifest))
    return canonical_json(
        {
            "schema": DEPOSIT_SCHEMA,
            "hash": "sha256",
            "root": manifest["root"],
            "files": manifest["files"],
            "bytes": manifest["bytes"],
            "holder": holder_commitment,
            "created": manifest["created"],
        }
    )


# --- proof of possession -------------------------------------------------------------------------


def _subtree_root(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    appender = MerkleAppender()
    for i in range(start, end):
        appender.append(leaves[i])
    return appender.root()


def _audit_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, leaves) of RFC 9162 §2.1.3.1, leaf side first, in O(N) hashing."""
    top_down: list[bytes] = []
    start, end = 0, len(leaves)
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            top_down.append(_subtree_root(leaves, start + k, end))
            end = start + k
        else:
            top_down.append(_subtree_root(leaves, start, start + k))
            start += k
    top_down.reverse()
    return top_down


def _digest_file(path: str | os.PathLike[str], extras: Iterable[str]) -> dict[str, Any]:
    """Hash one file (following a link the caller named); ``{"size", "sha256", ...}``."""
    real = os.path.realpath(path)
    try:
        size = os.stat(real).st_size
    except OSError as exc:
        reason = "missing" if isinstance(exc, FileNotFoundError) else "unreadable"
        problem = Problem(os.fspath(path), reason, exc.strerror or "")
        raise FingerprintError([problem]) from None
    wanted = set(extras)
    options = Options(sm3="sm3" in wanted, blake3="blake3" in wanted)
    outcome = hash_file(real, size, options, display=os.fspath(path))
    if isinstance(outcome, Problem):
        raise FingerprintError([outcome])
    found = {"size": outcome.size, "sha256": outcome.sha256}
    if outcome.sm3 is not None:
        found["sm3"] = outcome.sm3
    if outcome.blake3 is not None:
        found["blake3"] = outcome.blake3
    return found


def _digest_bytes(data: bytes, extras: Iterable[str]) -> dict[str, Any]:
    wanted = set(extras)
    hashers = new_hashers(Options(sm3="sm3" in wanted, blake3="blake3" in wanted))
    found: dict[str, Any] = {"size": len(data)}
    for name, hasher in hashers.items():
        hasher.update(data)
        found[name] = hasher.hexdigest()
    return found


def _available(extras: Iterable[str]) -> list[str]:
    """The extra digests this Python can compute (SM3 needs OpenSSL support)."""
    usable = []
    for name in extras:
        try:
            new_hashers(Options(sm3=name == "sm3", blake3=name == "blake3"))
        except (ValueError, ImportError):
            continue
        usable.append(name)
    return usable


def _mismatch(record: Mapping[str, Any], found: Mapping[str, Any]) -> str | None:
    for key in ("size", "sha256", *_EXTRA_DIGESTS):
        if key in record and key in found and record[key] != found[key]:
            return f"{key} is {found[key]}, the record says {record[key]}"
    return None


def prove(
    file_path: str | os.PathLike[str],
    manifest: Mapping[str, Any],
    *,
    record_path: str | None = None,
    salt: bytes | None = None,
) -> dict[str, Any]:
    """Prove that ``file_path``'s content is one of the deposited records (§4.2 step 6).

    The manifest is checked, the file is hashed, and the record is found by
    ``record_path`` (the deposit path; with hidden names give ``salt`` too) or
    else by SHA-256 and size (preferring a record whose path ends with the
    file's name). Returns ``{"schema", "record", "index", "tree_size",
    "audit_path": [hex, ...], "root"}``. Raises :class:`ContentMismatch` if
    the file does not match the record or no record has its digest.
    """
    check_manifest(dict(manifest))
    records: list[dict[str, Any]] = manifest["records"]
    hidden = manifest.get("names") == "hmac-sha256"
    extras = _available(name for name in _EXTRA_DIGESTS if name in manifest.get("digests", []))
    found = _digest_file(file_path, extras)
    index: int | None = None
    if record_path is not None:
        key = nfc(record_path)
        if hidden:
            if salt is None:
                raise ValueError("names are hidden in this manifest: the salt is needed")
            key = hide_name(salt, key)
        index = next((i for i, r in enumerate(records) if r["path"] == key), None)
        if index is None:
            raise ContentMismatch(f"the manifest has no record for {record_path}")
        reason = _mismatch(records[index], found)
        if reason is not None:
            raise ContentMismatch(f"{os.fspath(file_path)} does not match {record_path}: {reason}")
    else:
        matches = [i for i, r in enumerate(records) if _mismatch(r, found) is None]
        if not matches:
            raise ContentMismatch(
                f"no record in the manifest has the SHA-256 {found['sha256']} of "
                f"{os.fspath(file_path)} (size {found['size']})"
            )
        name = os.path.basename(os.fspath(file_path))
        named = [i for i in matches if not hidden and f"/{records[i]['path']}".endswith(f"/{name}")]
        index = (named or matches)[0]
    leaves = [leaf_hash(canonical_json(record)) for record in records]
    return {
        "schema": PROOF_SCHEMA,
        "record": records[index],
        "index": index,
        "tree_size": len(records),
        "audit_path": [h.hex() for h in _audit_path(leaves, index)],
        "root": manifest["root"],
    }


def _root_bytes(value: object, what: str) -> bytes:
    if isinstance(value, bytes | bytearray) and len(value) == 32:
        return bytes(value)
    if isinstance(value, str) and _HEX64.fullmatch(value.lower()):
        return bytes.fromhex(value)
    raise MalformedInput(f"{what} is not a SHA-256 hash (32 bytes or 64 hex digits)")


def verify_possession(
    proof: Mapping[str, Any],
    file: bytes | str | os.PathLike[str],
    expected_root: bytes | str,
) -> dict[str, Any]:
    """Check a :func:`prove` proof against the file and the deposited root; return the record.

    ``file`` is the content (bytes) or a path to it. Raises
    :class:`MalformedInput` for a malformed proof or an unreadable file,
    :class:`RootMismatch` if the proof is for another root,
    :class:`ContentMismatch` if the file does not match the record, and
    :class:`~dataip.evidence.errors.ProofError` if the audit path fails.
    """
    if not isinstance(proof, Mapping) or proof.get("schema") != PROOF_SCHEMA:
        raise MalformedInput(f"not a {PROOF_SCHEMA} proof")
    expected = _root_bytes(expected_root, "expected root")
    root = _root_bytes(proof.get("root"), "proof root")
    index, size, path = proof.get("index"), proof.get("tree_size"), proof.get("audit_path")
    if not _is_int(index) or not _is_int(size) or not isinstance(path, list):
        raise MalformedInput("proof index, tree_size and audit_path are missing or mistyped")
    audit = [_root_bytes(h, f"audit_path[{i}]") for i, h in enumerate(path)]
    record = _check_record(proof.get("record"), "proof record", hidden=False)
    if root != expected:
        raise RootMismatch(f"the proof is for root {root.hex()}, not {expected.hex()}")
    extras = _available(name for name in _EXTRA_DIGESTS if name in record)
    if isinstance(file, bytes):
        found = _digest_bytes(file, extras)
    else:
        try:
            found = _digest_file(file, extras)
        except FingerprintError as exc:
            raise MalformedInput(f"cannot read the file: {exc}") from None
    reason = _mismatch(record, found)
    if reason is not None:
        raise ContentMismatch(f"the file does not match the proven record: {reason}")
    verify_inclusion(index, size, leaf_hash(canonical_json(record)), audit, root)
    return dict(record)
