"""``dataip backup`` and ``dataip restore`` (备份与恢复): the database, the keys and the files.

A backup is one ``.tar.gz`` archive (format ``dataip-backup/v1``)::

    manifest.json                      first member: what is inside, with the SHA-256 of each
    database/dataip.sqlite3            SQLite: a copy made with SQLite's online backup API
    database/dataip.pgdump             PostgreSQL: ``pg_dump --format=custom``
    stores/ledger/...                  DATAIP_LOG_KEY_DIR      (log.key, log.vkeys)
    stores/certificates/...            DATAIP_CERT_DIR         (own CA and seal certificate)
    stores/tsa/...                     DATAIP_DEPOSIT_TSA_DIR  (deposits' own TSA)
    media/...                          MEDIA_ROOT              (materials, manifests, PDFs)
    data/secret_key                    the generated SECRET_KEY (unless set in the environment)

``media/`` holds the files of ``STORAGES["default"]`` when that is a folder here. With object
storage (``DATAIP_S3_BUCKET``) the files are objects in the bucket, not on this machine: the
archive then has no ``media/``, its manifest says where the files are (``"media"``), and the
bucket is backed up with the object store's own tools (versioning, replication, ``mc mirror``,
``rclone sync``: docs/operations.md). A restore of such an archive leaves the files alone; a
restore of an archive with ``media/`` into a registry on object storage uploads them there
(moving a registry from local files to a bucket).

The database is copied first and the folders after it, so every file a row names is in the
archive (a file uploaded meanwhile is merely extra). Both database copies are consistent while
the server runs. ``--no-keys`` leaves the ``stores/`` out, for operators who keep the keys
elsewhere (a restore then needs them put back by hand: without ``log.key`` the registry refuses
to sign, see :mod:`dataip.ledger.keys`).

A restore reads the manifest, refuses an archive whose members differ from it (a missing,
extra, altered or unsafe member), refuses to overwrite a registry that has data unless forced,
unpacks everything into a staging folder first, then replaces the database and swaps the
folders in; the audit (:func:`dataip.upkeep.audit.run_audit`) is the caller's next step.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import DatabaseError, connection, connections

from dataip import keystore
from dataip.certificates import pki
from dataip.deposits import tsa
from dataip.ledger import keys
from dataip.ledger.models import Checkpoint, LogEntry
from dataip.registry import search_index
from dataip.registry.storage import local_folder, where

__all__ = [
    "FORMAT",
    "BackupError",
    "BackupReport",
    "RestoreReport",
    "backup",
    "missing_keys",
    "registry_has_data",
    "restore",
]

FORMAT = "dataip-backup/v1"
MANIFEST = "manifest.json"
_STORES = {
    "ledger": keystore.LEDGER,
    "certificates": keystore.CERTIFICATES,
    "tsa": keystore.DEPOSIT_TSA,
}
_SKIP = re.compile(r"^\.(lock|.*\.\d+\.\d+)$|\.lock$")  # lock files and half-written temp files
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done; ``text`` says why in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        """Why, in both languages."""
        self.text = {"zh": zh, "en": en}
        super().__init__(f"{zh}\n{en}")


# ── what refuses to start ──────────────────────────────────────────────────────────────


def missing_keys() -> list[keystore.KeyMissing]:
    """Every key store whose files are missing while data signed by them exists.

    ``dataip serve`` and ``dataip tick`` refuse to start while this is not empty. A database
    that is not migrated yet has nothing signed: nothing is missing.
    """
    found: list[keystore.KeyMissing] = []
    try:
        for check in (keys.missing_key, pki.missing_own_pki, tsa.missing_own_tsa):
            if (refusal := check()) is not None:
                found.append(refusal)
    except DatabaseError:
        return []
    return found


def registry_has_data() -> bool:
    """Whether the database holds a log entry, a checkpoint or a user (False if unmigrated)."""
    from dataip.accounts.models import User

    try:
        return LogEntry.objects.exists() or Checkpoint.objects.exists() or User.objects.exists()
    except DatabaseError:
        return False


# ── backup ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class BackupReport:
    """What :func:`backup` wrote."""

    archive: Path
    vendor: str
    members: int
    log_size: int
    media_elsewhere: str | None = None  # the object store holding the files, not archived


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    return str(connection.vendor)


def _database_settings() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def _pg_env() -> dict[str, str]:
    """libpq's environment for the default database (so no password is on a command line)."""
    db = _database_settings()
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client (found on PATH by :func:`_pg_tool`) with libpq's environment."""
    return subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments


def _pg_tool(name: str) -> str:
    """The path of ``pg_dump`` / ``pg_restore`` / ``psql``, whose major version must not be
    older than the server's (an older one cannot read a newer server)."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}：PostgreSQL 的备份与恢复需要它"
            "（Debian：apt install postgresql-client）。",
            f"{name} was not found: PostgreSQL backups need it "
            "(Debian: apt install postgresql-client).",
        )
    match = re.search(r"(\d+)(?:\.\d+)?", _run([found, "--version"]).stdout)
    tool_major = int(match.group(1)) if match else 0
    connection.ensure_connection()
    server_major = int(getattr(connection, "pg_version", 0)) // 10000
    if tool_major < server_major:
        raise BackupError(
            f"{name} 的版本（{tool_major}）比数据库服务器（{server_major}）旧，"
            "请安装相同或更新的版本。",
            f"{name} is version {tool_major}, older than the database server "
            f"({server_major}): install the same or a newer version.",
        )
    return found


def _dump_database(into: Path) -> str:
    """Copy the database into the folder ``into``; return the member name."""
    vendor = _vendor()
    if vendor == "sqlite":
        target = into / "dataip.sqlite3"
        connection.ensure_connection()
        raw = connection.connection  # the live database, file or in memory
        copy = sqlite3.connect(target)
        try:
            raw.backup(copy)  # online backup API: a consistent copy while others write
        finally:
            copy.close()
        return "database/dataip.sqlite3"
    if vendor == "postgresql":
        target = into / "dataip.pgdump"
        tool = _pg_tool("pg_dump")
        done = _run([tool, "--format=custom", "--no-owner", "--file", str(target)])
        if done.returncode != 0:
            raise BackupError(
                f"pg_dump 失败：{done.stderr.strip()}", f"pg_dump failed: {done.stderr.strip()}"
            )
        return "database/dataip.pgdump"
    raise BackupError(
        f"不支持备份 {vendor} 数据库。", f"Backing up a {vendor} database is not supported."
    )


def _media() -> tuple[Path | None, str]:
    """The folder of the stored files when they are on this machine (else None), and where
    they are, for the manifest and the operator."""
    storage = storages["default"]
    return local_folder(storage), where(storage)


def _folders(*, with_keys: bool) -> dict[str, Path]:
    """The archive's folders and where they live here (``media`` only if on this machine)."""
    found: dict[str, Path] = {}
    if (media := _media()[0]) is not None:
        found["media"] = media
    if with_keys:
        for name, store in _STORES.items():
            found[f"stores/{name}"] = keystore.folder(store)
    return found


def _secret_key_file() -> Path | None:
    """The generated SECRET_KEY file, unless the key comes from the environment."""
    if os.environ.get("DATAIP_SECRET_KEY"):
        return None
    path = Path(settings.DATA_DIR) / "secret_key"
    return path if path.is_file() else None


def _walk(root: Path) -> Iterator[Path]:
    """Regular files under ``root`` (sorted; lock and temporary files left out)."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not _SKIP.search(path.name):
            yield path


def _archive_name(dest: Path) -> Path:
    """``dest`` itself if it names a ``.tar.gz`` / ``.tgz`` file, else a dated file name in
    the folder ``dest`` (made if needed)."""
    if dest.is_dir() or not dest.name.endswith((".tar.gz", ".tgz")):
        return dest / f"dataip-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz"
    return dest


def backup(dest: Path, *, with_keys: bool = True) -> BackupReport:
    """Write a backup archive to ``dest`` (a file, or a folder to put a dated one in)."""
    archive = _archive_name(dest)
    if archive.exists():
        raise BackupError(f"{archive} 已存在，不会覆盖。", f"{archive} exists; it is not replaced.")
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".dataip-backup-", dir=archive.parent) as tmp:
        staging = Path(tmp)
        (staging / "database").mkdir()
        size = LogEntry.objects.count()  # before the copy: the archive holds at least this
        database = _dump_database(staging / "database")
        members: dict[str, Path] = {database: staging / database}
        for prefix, root in _folders(with_keys=with_keys).items():
            for path in _walk(root):
                members[f"{prefix}/{path.relative_to(root).as_posix()}"] = path
        if (secret := _secret_key_file()) is not None:
            members["data/secret_key"] = secret
        files = {name: {"sha256": _sha256(path)} for name, path in members.items()}
        newest = Checkpoint.objects.order_by("-size").values("size", "root_hash").first()
        folder, place = _media()
        media = {"in": "archive" if folder is not None else "object storage", "where": place}
        manifest = {
            "format": FORMAT,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "database": {"vendor": _vendor(), "member": database},
            "keys": with_keys,
            "media": media,
            "log": {"origin": keys.origin(), "size_at_least": size, "checkpoint": newest},
            "files": files,
        }
        partial = archive.with_name(f".{archive.name}.partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name, path in members.items():
                tar.add(path, arcname=name, recursive=False)
        os.chmod(partial, 0o600)  # it holds private keys
        os.replace(partial, archive)
    elsewhere = None if folder is not None else place
    return BackupReport(archive, _vendor(), len(members), size, elsewhere)


# ── restore ────────────────────────────────────────────────────────────────────────────


@dataclass
class RestoreReport:
    """What :func:`restore` put back."""

    vendor: str
    files: int
    keys: bool
    kept: list[Path] = field(default_factory=list)  # key folders that were replaced, kept aside
    media_elsewhere: str | None = None  # the archive's files are in this object store, not in it
    uploaded: int = 0  # the archive's files put into this registry's object store


def _refuse_archive(zh: str, en: str) -> BackupError:
    return BackupError(f"备份文件被拒绝：{zh}", f"The backup archive is refused: {en}")


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _read_manifest(tar: tarfile.TarFile) -> tuple[tarfile.TarInfo, dict[str, Any]]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise _refuse_archive(
            "第一个成员不是 manifest.json。", "its first member is not manifest.json."
        )
    handle = tar.extractfile(first)
    try:
        manifest = json.loads(handle.read() if handle else b"")
    except ValueError:
        raise _refuse_archive("manifest.json 不是 JSON。", "manifest.json is not JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse_archive(f"格式不是 {FORMAT}。", f"its format is not {FORMAT}.")
    return first, manifest


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Check ``archive`` against its manifest while unpacking it into ``staging``."""
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise _refuse_archive(f"无法读取（{exc}）。", f"it cannot be read ({exc}).") from None
    with tar:
        first, manifest = _read_manifest(tar)
        files: dict[str, Any] = manifest.get("files") or {}
        seen: set[str] = set()
        try:
            for member in tar:
                if member is first:
                    continue
                name = member.name
                if name not in files or name in seen or not member.isfile() or not _safe_name(name):
                    raise _refuse_archive(
                        f"成员 {name} 不在清单中、重复或不是普通文件。",
                        f"member {name} is not in the manifest, repeated, or not a plain file.",
                    )
                seen.add(name)
                tar.extract(member, staging, filter="data")
                listed = files[name]
                expected = listed.get("sha256") if isinstance(listed, dict) else None
                if _sha256(staging / name) != expected:
                    raise _refuse_archive(
                        f"成员 {name} 的 SHA-256 与清单不符（文件被改动）。",
                        f"member {name} does not match the SHA-256 in the manifest (altered).",
                    )
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise _refuse_archive(f"已损坏（{exc}）。", f"it is damaged ({exc}).") from None
    if missing := sorted(set(files) - seen):
        raise _refuse_archive(
            f"清单列出的成员缺失：{', '.join(missing[:5])}",
            f"members listed in the manifest are missing: {', '.join(missing[:5])}",
        )
    database = (manifest.get("database") or {}).get("member")
    if database not in seen:
        raise _refuse_archive("其中没有数据库。", "it holds no database.")
    return manifest


def _restore_sqlite(copy: Path) -> None:
    """Replace the live SQLite database, page by page, with ``copy``."""
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_postgresql(dump: Path) -> None:
    """Empty the schema ``public``, then restore the dump into it in one transaction. The
    schema made anew is open to every role as PostgreSQL makes it (``USAGE`` to ``PUBLIC``):
    a dump restores the grants on the tables, not that one, and without it the runtime role
    docs/evidence.md describes (neither owner nor superuser) could not reach its tables."""
    restore_tool, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    connections.close_all()
    wipe = (
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO PUBLIC;"
    )
    done = _run([psql, "--quiet", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--command", wipe])
    if done.returncode != 0:
        detail = done.stderr.strip()
        raise BackupError(f"无法清空数据库：{detail}", f"Cannot empty the database: {detail}")
    name = str(_database_settings().get("NAME") or "")
    args = ["--no-owner", "--exit-on-error", "--single-transaction", "--dbname", name]
    done = _run([restore_tool, *args, str(dump)])
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore 失败：{done.stderr.strip()}", f"pg_restore failed: {done.stderr.strip()}"
        )


def _swap_in(source: Path, target: Path, stamp: str) -> Path | None:
    """Put the folder ``source`` at ``target``; an existing ``target`` is moved aside (and
    its new name returned)."""
    aside = None
    if target.exists():
        aside = target.with_name(f"{target.name}.before-restore-{stamp}")
        os.replace(target, aside)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))
    return aside


@contextmanager
def _staging(near: Path) -> Iterator[Path]:
    near.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".dataip-restore-", dir=near) as tmp:
        yield Path(tmp)


def _archived_media(manifest: dict[str, Any]) -> bool:
    """Whether the archive holds the stored files (every archive made before object storage
    does; one made with it says where they are instead)."""
    media = manifest.get("media")
    return not isinstance(media, dict) or media.get("in", "archive") == "archive"


def _upload_media(source: Path) -> int:
    """Put the archive's files into this registry's object store under their own names (an
    object of the same name is replaced); return how many."""
    storage = storages["default"]
    count = 0
    for path in _walk(source):
        name = path.relative_to(source).as_posix()
        if storage.exists(name):
            storage.delete(name)
        with path.open("rb") as handle:
            stored = storage.save(name, File(handle, name=name))
        if stored != name:
            raise BackupError(
                f"无法以原名存入 {name}（存为 {stored}）。",
                f"{name} could not be stored under its own name (stored as {stored}).",
            )
        count += 1
    return count


def restore(archive: Path, *, force: bool = False) -> RestoreReport:
    """Restore ``archive`` into this registry: database, key folders, uploaded files.

    Refuses (:class:`BackupError`) a damaged or altered archive, one of another database
    vendor, and a registry that has data unless ``force``. Nothing is changed before the whole
    archive is checked. Key folders that are replaced are moved aside and kept
    (``<name>.before-restore-<time>``, listed in the report: a key is never deleted); a
    replaced ``media`` folder is removed at the end. Stop ``dataip serve`` before restoring.
    """
    with _staging(Path(settings.DATA_DIR)) as staging:
        manifest = _unpack(archive, staging)
        vendor = str(manifest["database"].get("vendor"))
        if vendor != _vendor():
            raise BackupError(
                f"备份来自 {vendor} 数据库，而本登记系统使用 {_vendor()}。",
                f"The backup is of a {vendor} database, but this registry uses {_vendor()}.",
            )
        if not force and registry_has_data():
            raise BackupError(
                "本登记系统已有数据；恢复会覆盖它。确需覆盖请加 --force。",
                "This registry already has data, which a restore overwrites; "
                "use --force to overwrite it.",
            )
        database = staging / str(manifest["database"]["member"])
        if vendor == "sqlite":
            _restore_sqlite(database)
        else:
            _restore_postgresql(database)
        # Searches the shared cache keeps (counts, pages' keys) were made of the index just
        # replaced: a new generation of the index leaves them unread.
        search_index.bump_generation()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        report = RestoreReport(vendor, len(manifest["files"]), bool(manifest.get("keys")))
        archived_media = _archived_media(manifest)
        if not archived_media:
            report.media_elsewhere = str((manifest.get("media") or {}).get("where") or "")
        elif _media()[0] is None:
            report.uploaded = _upload_media(staging / "media")
        replaced_media = None
        for prefix, target in _folders(with_keys=report.keys).items():
            if prefix == "media" and not archived_media:
                continue  # the files stayed in the bucket: the local folder is left alone
            source = staging / prefix
            if not source.exists():
                source.mkdir(parents=True)  # the backup had none: restore an empty folder
            aside = _swap_in(source, target, stamp)
            if aside is not None and prefix == "media":
                replaced_media = aside
            elif aside is not None:
                report.kept.append(aside)
        secret = staging / "data" / "secret_key"
        if secret.exists() and not os.environ.get("DATAIP_SECRET_KEY"):
            shutil.move(str(secret), str(Path(settings.DATA_DIR) / "secret_key"))
    keystore.forget()
    if replaced_media is not None:
        shutil.rmtree(replaced_media, ignore_errors=True)
    return report
