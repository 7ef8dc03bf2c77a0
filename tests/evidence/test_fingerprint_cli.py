"""``fingerprint``, ``prove`` and ``verify-possession`` commands: bilingual, no tracebacks."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from dataip.evidence._progress import ProgressBar
from dataip.evidence.cli import app, register
from dataip.evidence.fingerprint import fingerprint

from ._deposit import SAMPLE, make_tree

runner = CliRunner()


def _run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    if result.exit_code not in (0, 1):  # anything else would be a crash or a usage error
        raise AssertionError(result.output)
    return result.exit_code, result.output


def test_it_fingerprints_from_the_command_line_in_both_languages(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    out, sums = tmp_path / "m.json", tmp_path / "SUMS"
    code, output = _run(
        "fingerprint", tmp_path / "data", "--out", out, "--sums", sums, "--sm3", "--workers", "2"
    )
    assert code == 0
    manifest = json.loads(out.read_text(encoding="utf-8"))
    assert manifest["root"] == fingerprint([tmp_path / "data"], sm3=True).root
    assert f"已登记 {len(SAMPLE)} 个文件" in output
    assert f"{len(SAMPLE)} files" in output
    assert f"存证根 / deposit root: {manifest['root']}" in output
    assert "sha256sum -c" in output
    assert "\r" not in output  # no progress bar in a pipe
    assert len(sums.read_text(encoding="utf-8").splitlines()) == len(SAMPLE)


def test_it_exits_with_a_reason_and_no_traceback(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", {"ok.txt": b"ok"})
    (tmp_path / "data" / "link").symlink_to(tmp_path / "data" / "ok.txt")
    out = tmp_path / "m.json"
    code, output = _run("fingerprint", tmp_path / "data", "--out", out)
    assert code == 1
    assert "错误：无法生成可信的指纹" in output
    assert "error: cannot produce a trustworthy fingerprint" in output
    assert "data/link: 符号链接（不跟随） / symbolic link (not followed)" in output
    assert "--on-error skip" in output
    assert not out.exists()
    code, output = _run("fingerprint", tmp_path / "nowhere", "--out", out)
    assert code == 1
    assert "路径不存在 / no such file or directory" in output
    code, output = _run("prove", tmp_path / "data" / "ok.txt", "--manifest", tmp_path / "none.json")
    assert code == 1
    assert "文件读写失败" in output
    assert "file error" in output


def test_it_lists_skipped_files_in_both_languages(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", {"ok.txt": b"ok"})
    os.mkfifo(tmp_path / "data" / "pipe")
    (tmp_path / "data" / "link").symlink_to(tmp_path / "data" / "ok.txt")
    out = tmp_path / "m.json"
    code, output = _run(
        "fingerprint",
        tmp_path / "data",
        "--out",
        out,
        "--sums",
        tmp_path / "S",
        "--on-error",
        "skip",
    )
    assert code == 0
    assert "已跳过 2 个文件 / 2 files skipped" in output
    assert "data/pipe: 不是普通文件" in output
    skipped = json.loads(out.read_text(encoding="utf-8"))["skipped"]
    assert [s["reason"] for s in skipped] == ["symlink", "special"]


def test_it_hides_names_and_reuses_the_salt(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    out = tmp_path / "m.json"
    code, output = _run(
        "fingerprint", tmp_path / "data", "--out", out, "--sums", tmp_path / "S", "--hide-names"
    )
    assert code == 0
    salt = tmp_path / "m.salt"
    assert salt.stat().st_mode & 0o777 == 0o600
    assert "盐值已写入" in output
    assert "salt written" in output
    first = json.loads(out.read_text(encoding="utf-8"))
    assert first["names"] == "hmac-sha256"
    assert json.loads(salt.read_text(encoding="ascii"))["salt"] not in out.read_text("utf-8")
    code, output = _run(
        "fingerprint", tmp_path / "data", "--out", out, "--sums", tmp_path / "S", "--hide-names"
    )
    assert "reusing the salt" in output
    assert json.loads(out.read_text(encoding="utf-8"))["root"] == first["root"]
    code, output = _run(
        "prove",
        tmp_path / "data" / "a.csv",
        "-m",
        out,
        "--path",
        "data/a.csv",
        "-o",
        tmp_path / "p.json",
    )
    assert code == 0, output


def test_it_proves_and_verifies_from_the_command_line(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    out = tmp_path / "m.json"
    assert _run("fingerprint", tmp_path / "data", "--out", out, "--sums", tmp_path / "S")[0] == 0
    proof = tmp_path / "proof.json"
    target = tmp_path / "data" / "b" / "c.json"
    code, output = _run("prove", target, "--manifest", out, "--out", proof)
    assert code == 0
    assert "是存证中第" in output
    assert "is record" in output
    assert json.loads(proof.read_text(encoding="utf-8"))["record"]["path"] == "data/b/c.json"
    printed = runner.invoke(app, ["prove", str(target), "--manifest", str(out)])
    assert json.loads(printed.stdout)["record"]["path"] == "data/b/c.json"
    code, output = _run("verify-possession", proof, target, "--manifest", out)
    assert code == 0
    assert "持有证明有效 / possession proof is valid" in output
    target.write_bytes(b"tampered")
    code, output = _run("verify-possession", proof, target, "--manifest", out)
    assert code == 1
    assert "验证失败（content_mismatch）" in output
    assert "verification failed (content_mismatch)" in output
    code, output = _run("verify-possession", proof, target, "--root", "ab" * 32)
    assert code == 1
    code, output = _run("prove", target, "--manifest", out)
    assert code == 1
    assert "no record in the manifest" in output


def test_it_leaves_its_own_outputs_out_of_the_dataset(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    out, sums = tmp_path / "data" / "manifest.json", tmp_path / "data" / "SHA256SUMS"
    assert _run("fingerprint", tmp_path / "data", "--out", out, "--sums", sums)[0] == 0
    root = json.loads(out.read_text(encoding="utf-8"))["root"]
    code, output = _run("fingerprint", tmp_path / "data", "--out", out, "--sums", sums)
    assert code == 0
    assert "已排除数据中的输出文件" in output
    assert json.loads(out.read_text(encoding="utf-8"))["root"] == root


def test_it_mounts_into_another_command() -> None:
    parent = typer.Typer()

    @parent.command()
    def other() -> None:
        """Another command."""

    register(parent)
    result = CliRunner().invoke(parent, ["--help"])
    for name in ("fingerprint", "prove", "verify-possession", "other"):
        assert name in result.output


def test_it_draws_progress_with_rate_and_time_left() -> None:
    stream = io.StringIO()
    bar = ProgressBar(4 << 20, stream, interval=0)
    bar.advance(1 << 20)
    bar.finish()
    text = stream.getvalue()
    assert "25.0%" in text
    assert "1.0 MiB / 4.0 MiB" in text
    assert "/s" in text
    assert "剩余 / left" in text


def test_it_shows_a_progress_bar_on_a_terminal_without_django(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    main, secondary = pty.openpty()
    code = (
        "import sys; from dataip.evidence.cli import main; sys.argv[0] = 'dataip'; "
        "exit_code = 0\ntry:\n main()\nexcept SystemExit as e:\n exit_code = e.code\n"
        "assert 'django' not in sys.modules, 'the holder command must not import Django'\n"
        "sys.exit(exit_code)"
    )
    try:
        done = subprocess.run(  # noqa: S603 - a fixed local program
            [sys.executable, "-c", code, "fingerprint", "data"],
            cwd=tmp_path,
            stderr=secondary,
            stdout=subprocess.PIPE,
            check=False,
            timeout=60,
        )
        os.close(secondary)
        drawn = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(main)
    assert done.returncode == 0, drawn
    assert b"\r[" in drawn
    assert "剩余 / left".encode() in drawn
    assert (tmp_path / "manifest.json").exists()
    assert (tmp_path / "SHA256SUMS").exists()
