"""Backup and restore: every row, file and key comes back, the audit passes, and a damaged
archive or a missing key is refused (SQLite here; PostgreSQL with DATAIP_DATABASE_URL)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from typer.testing import CliRunner

from dataip import keystore
from dataip.certificates.models import Certificate
from dataip.cli import app
from dataip.keystore import KeyMissing
from dataip.ledger import checkpoints, keys
from dataip.ledger.audit import AuditReport
from dataip.ledger.models import Checkpoint, LogEntry
from dataip.registry import search_index
from dataip.registry.models import Application
from dataip.registry.workflow import Status
from dataip.upkeep.audit import run_audit
from dataip.upkeep.backup import BackupError, backup, missing_keys, registry_has_data, restore
from tests.support.builders import at_stage
from tests.support.personas import Personas
from tests.support.purge import behind_the_triggers

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


@pytest.fixture(autouse=True)
def own_folders(settings: Any, tmp_path: Path, key_folder: Path) -> dict[str, Path]:
    """Every folder a backup holds, under this test's own temporary folder."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "secret_key").write_text("test-secret\n")
    settings.DATAIP_CERT_DIR = tmp_path / "certificates"
    settings.DATAIP_DEPOSIT_TSA_DIR = tmp_path / "tsa"
    return {
        "media": Path(settings.MEDIA_ROOT),
        "ledger": key_folder,
        "certificates": tmp_path / "certificates",
        "tsa": tmp_path / "tsa",
    }


def _rows() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in primary key order."""
    return {
        model._meta.db_table: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


def _files(folders: dict[str, Path]) -> dict[str, tuple[str, int]]:
    """SHA-256 and mode of every file in the folders a backup holds."""
    found: dict[str, tuple[str, int]] = {}
    for name, root in folders.items():
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file() and not path.name.endswith(".lock"):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[f"{name}/{path.relative_to(root)}"] = (digest, path.stat().st_mode & 0o777)
    return found


def _wipe(folders: dict[str, Path]) -> None:
    """Lose everything: every row (behind the append-only triggers) and every folder."""
    with behind_the_triggers(connection):
        call_command("flush", interactive=False, verbosity=0)
    for root in folders.values():
        shutil.rmtree(root, ignore_errors=True)
    keystore.forget()


def _audit() -> AuditReport:
    *findings, report = list(run_audit())
    assert findings == []
    assert isinstance(report, AuditReport)
    return report


def _registered(personas: Personas) -> Application:
    """A registered application: materials on disk, a signed certificate PDF, checkpoints."""
    application = at_stage(personas, Status.REGISTERED)
    assert Certificate.objects.exclude(pdf="").exists()
    checkpoints.sign_latest()
    return application


def test_a_backup_restores_every_row_file_and_key_and_the_audit_passes(
    personas: Personas, tmp_path: Path, own_folders: dict[str, Path]
) -> None:
    _registered(personas)
    rows, files, vkey = _rows(), _files(own_folders), keys.vkey()
    assert any(name.startswith("media/materials/") for name in files)
    assert any(name.startswith("media/certificates/") for name in files)
    assert {"ledger/log.key", "certificates/ca.key"} <= set(files)

    made = backup(tmp_path / "backups")
    assert made.archive.parent == tmp_path / "backups"
    assert made.archive.stat().st_mode & 0o777 == 0o600
    assert made.log_size == LogEntry.objects.count() > 0
    _wipe(own_folders)
    assert not registry_has_data()

    searched = search_index.generation()
    report = restore(made.archive)
    assert search_index.generation() > searched  # searches cached before are not read again
    assert report.keys
    assert report.kept == []  # nothing was there to keep aside
    assert report.vendor == connection.vendor
    assert _rows() == rows
    assert _files(own_folders) == files
    assert keys.vkey() == vkey
    assert _audit().entries == len(rows["ledger_logentry"])
    assert (Path(own_folders["media"]).parent / "data").exists()
    if connection.vendor == "postgresql":  # the schema made anew is open as PostgreSQL makes it
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_namespace n, aclexplode(n.nspacl) a WHERE"
                " n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'USAGE'"
            )
            assert cursor.fetchone() == (1,)


def test_the_manifest_names_the_sha256_of_every_member(personas: Personas, tmp_path: Path) -> None:
    _registered(personas)
    made = backup(tmp_path / "b.tar.gz")
    with tarfile.open(made.archive) as tar:
        names = tar.getnames()
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        manifest = json.loads(handle.read())
        for name in names[1:]:
            member = tar.extractfile(name)
            assert member is not None
            assert hashlib.sha256(member.read()).hexdigest() == manifest["files"][name]["sha256"]
    assert names[0] == "manifest.json"
    assert sorted(names[1:]) == sorted(manifest["files"])
    assert manifest["format"] == "dataip-backup/v1"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["log"]["checkpoint"]["size"] == Checkpoint.objects.order_by("-size")[0].size


def _rewrite(archive: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of ``archive`` with members replaced (bytes) or left out (None); the manifest
    is kept as it was."""
    altered = archive.with_name("altered.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(altered, "w:gz") as target:
        for member in source.getmembers():
            handle = source.extractfile(member)
            data = handle.read() if handle else b""
            if member.name in change:
                replacement = change[member.name]
                if replacement is None:
                    continue
                data = replacement
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return altered


@pytest.mark.parametrize("how", ["altered", "missing", "extra"])
def test_a_tampered_archive_is_refused_and_nothing_changes(
    personas: Personas, tmp_path: Path, own_folders: dict[str, Path], how: str
) -> None:
    _registered(personas)
    made = backup(tmp_path / "b.tar.gz")
    with tarfile.open(made.archive) as tar:
        material = next(n for n in tar.getnames() if n.startswith("media/materials/"))
    if how == "extra":
        altered = made.archive.with_name("altered.tar.gz")
        shutil.copy(made.archive, tmp_path / "plain.tar.gz")
        with tarfile.open(tmp_path / "plain.tar.gz") as source, tarfile.open(altered, "w:gz") as t:
            for member in source.getmembers():
                t.addfile(member, source.extractfile(member))
            smuggled = tarfile.TarInfo("stores/ledger/log.key.next")
            smuggled.size = 4
            t.addfile(smuggled, io.BytesIO(b"evil"))
    else:
        altered = _rewrite(made.archive, {material: b"forged" if how == "altered" else None})
    rows, files = _rows(), _files(own_folders)

    with pytest.raises(BackupError) as refused:
        restore(altered, force=True)
    assert "refused" in refused.value.text["en"]
    assert "拒绝" in refused.value.text["zh"]
    assert _rows() == rows
    assert _files(own_folders) == files


def test_it_refuses_to_overwrite_a_registry_with_data_unless_forced(
    personas: Personas, tmp_path: Path, own_folders: dict[str, Path]
) -> None:
    _registered(personas)
    made = backup(tmp_path / "b.tar.gz")
    rows = _rows()
    with pytest.raises(BackupError, match="--force"):
        restore(made.archive)

    result = runner.invoke(app, ["restore", str(made.archive), "--force"])
    assert result.exit_code == 2
    assert "--yes" in result.output
    assert "确认" in result.output
    assert _rows() == rows

    at_stage(personas, Status.SUBMITTED)  # a later change, undone by the restore
    assert _rows() != rows
    result = runner.invoke(app, ["restore", str(made.archive), "--force", "--yes"])
    assert result.exit_code == 0, result.output
    kept = own_folders["ledger"].parent.glob(f"{own_folders['ledger'].name}.before-restore-*")
    assert [(folder / "log.key").exists() for folder in kept] == [True]  # never deleted
    assert "kept as" in result.output
    assert "Audit done" in result.output
    assert "审计完成" in result.output
    assert _rows() == rows


def test_a_restore_without_the_key_folders_refuses_to_sign_serve_or_tick(
    personas: Personas, tmp_path: Path, own_folders: dict[str, Path]
) -> None:
    _registered(personas)
    made = backup(tmp_path / "b.tar.gz", with_keys=False)
    _wipe(own_folders)

    result = runner.invoke(app, ["restore", str(made.archive)])
    assert result.exit_code == 1
    assert "log.key" in result.output
    assert "不存在" in result.output
    assert "is missing" in result.output
    assert "rotate-key --after-loss" in result.output

    with pytest.raises(KeyMissing) as refused:
        keys.signer()
    assert refused.value.path == own_folders["ledger"] / "log.key"
    assert not (own_folders["ledger"] / "log.key").exists()
    assert {m.store for m in missing_keys()} == {"DATAIP_LOG_KEY_DIR", "DATAIP_CERT_DIR"}
    for command in (["serve", "--port", "1"], ["tick"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "日志签名密钥" in result.output
        assert "The log signing key file" in result.output
        assert "certificate PDF(s) were signed" in result.output
    assert not (own_folders["ledger"] / "log.key").exists()
    assert not (own_folders["certificates"] / "ca.key").exists()


def test_a_lost_ca_is_replaced_only_explicitly(
    personas: Personas, own_folders: dict[str, Path]
) -> None:
    _registered(personas)
    old_ca = (own_folders["certificates"] / "ca.crt").read_bytes()
    shutil.rmtree(own_folders["certificates"])
    result = runner.invoke(app, ["rotate-key", "--after-loss", "--store", "tsa"])
    assert result.exit_code == 2  # nothing depends on the deposits' TSA here
    result = runner.invoke(app, ["rotate-key", "--after-loss", "--store", "certificates"])
    assert result.exit_code == 0, result.output
    assert "/verify/ca.pem" in result.output
    assert "新的 CA" in result.output
    assert (own_folders["certificates"] / "ca.crt").read_bytes() != old_ca
    assert missing_keys() == []
