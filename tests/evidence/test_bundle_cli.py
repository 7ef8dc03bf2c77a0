"""``dataip verify``: offline, bilingual, and a clear reason (never a traceback) on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.cli import app
from dataip.evidence.timestamp import timestamp_request, token_from_response
from tests.ledger._tsa import shared_tsa

from .test_bundle import BAD, INDEX, LOG, OTHER, _bundle, _proof

runner = CliRunner()


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    path = tmp_path / "entry.bundle.json"
    path.write_bytes(_bundle())
    return path


def test_it_says_what_a_valid_bundle_proves_in_both_languages(bundle_file: Path) -> None:
    result = runner.invoke(app, ["verify", str(bundle_file), "--key", LOG.vkey])
    assert result.exit_code == 0, result.output
    assert "证据包验证通过" in result.stdout
    assert "VALID evidence bundle" in result.stdout
    assert f"entry {INDEX}" in result.stdout
    assert "DJ2026310000001" in result.stdout


@pytest.mark.parametrize(
    ("lang", "present", "absent"), [("zh", "通过", "VALID"), ("en", "VALID", "通过")]
)
def test_it_speaks_one_language_when_asked(
    bundle_file: Path, lang: str, present: str, absent: str
) -> None:
    result = runner.invoke(app, ["verify", str(bundle_file), "--key", LOG.vkey, "--lang", lang])
    assert result.exit_code == 0
    assert present in result.stdout
    assert absent not in result.stdout


def test_it_reads_the_key_from_a_file(bundle_file: Path, tmp_path: Path) -> None:
    keys = tmp_path / "registry.vkeys"
    keys.write_text(f"# registry keys, oldest first\n{OTHER.vkey}\n\n{LOG.vkey}\n")
    result = runner.invoke(app, ["verify", str(bundle_file), "--key", str(keys)])
    assert result.exit_code == 0, result.output


def test_it_checks_the_tsa_token_against_the_given_ca(tmp_path: Path) -> None:
    tsa = shared_tsa()
    query = timestamp_request(_proof().checkpoint_note.encode())
    token = token_from_response(tsa.reply(query), query)
    path = tmp_path / "stamped.json"
    path.write_bytes(_bundle(timestamp_token=token))
    args = ["verify", str(path), "--key", LOG.vkey, "--tsa-ca", str(tsa.ca_file)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "time-stamp authority 'CN=Test TSA'" in result.stdout
    wrong = runner.invoke(app, [*args[:-1], str(shared_tsa("Other").ca_file)])
    assert wrong.exit_code == 1
    assert "checking the trusted timestamp" in wrong.stderr
    assert "检查可信时间戳" in wrong.stderr


def _assert_clear_failure(stderr: str, output: str) -> None:
    assert "Verification FAILED" in stderr
    assert "验证失败" in stderr
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("data", "match"), [pytest.param(case[1], case[4], id=case[0]) for case in BAD]
)
def test_it_fails_with_the_reason(tmp_path: Path, data: object, match: str) -> None:
    path = tmp_path / "bad.json"
    assert callable(data)
    path.write_bytes(data())
    result = runner.invoke(app, ["verify", str(path), "--key", LOG.vkey])
    assert result.exit_code == 1
    _assert_clear_failure(result.stderr, result.output)
    assert match in result.stderr


def test_it_fails_with_the_wrong_key(bundle_file: Path) -> None:
    result = runner.invoke(app, ["verify", str(bundle_file), "--key", OTHER.vkey])
    assert result.exit_code == 1
    _assert_clear_failure(result.stderr, result.output)
    assert "不是由受信任的密钥签名" in result.stderr


def test_it_fails_with_a_key_that_is_no_key(bundle_file: Path) -> None:
    result = runner.invoke(app, ["verify", str(bundle_file), "--key", "PeterNeumann+zz"])
    assert result.exit_code == 1
    _assert_clear_failure(result.stderr, result.output)
    assert "reading the trusted key" in result.stderr


def test_it_fails_on_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", str(tmp_path / "nope.json"), "--key", LOG.vkey])
    assert result.exit_code == 2
    assert "无法读取证据包" in result.stderr
    assert "Cannot read the bundle" in result.stderr


def test_it_needs_no_database_and_no_django(bundle_file: Path) -> None:
    code = (
        "import sys\n"
        "from dataip.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit as exit:\n"
        "    print('django loaded:', 'django' in sys.modules, 'exit:', exit.code)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DATAIP_DATA_DIR": str(bundle_file.parent / "absent")}
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code, "verify", str(bundle_file), "--key", LOG.vkey],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert "django loaded: False exit: 0" in result.stdout, result.stderr
    assert not (bundle_file.parent / "absent").exists()


def test_the_bundle_file_is_readable_json(bundle_file: Path) -> None:
    assert json.loads(bundle_file.read_text(encoding="utf-8"))["entry"]["index"] == INDEX
