"""Holder commands: ``fingerprint`` a dataset where it lies, ``prove`` one file was deposited;
and ``verify-tiles``, a mirror's check of the log's C2SP tiles.

Mount into another Typer app with :func:`register`, or run on its own:
``python -m dataip.evidence.cli fingerprint DATA --out manifest.json``. Every
message is printed in Simplified Chinese and English. Any failure exits with
status 1 and a reason, never a traceback (Ctrl-C exits with 130). No Django.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from ._progress import ProgressBar, human_bytes
from .errors import VerificationError
from .fingerprint import (
    DEFAULT_AVG_CHUNK,
    Fingerprint,
    FingerprintError,
    check_manifest,
    load_manifest,
    new_salt,
    read_salt,
    verify_possession,
    write_manifest,
    write_salt,
    write_sums,
)
from .fingerprint import fingerprint as make_fingerprint
from .fingerprint import prove as make_proof
from .tiles import fetch_from_folder, fetch_from_url, verify_tiles

__all__ = [
    "app",
    "fingerprint",
    "fingerprint_main",
    "main",
    "prove",
    "register",
    "verify_possession_command",
    "verify_tiles_command",
]

app = typer.Typer(
    help="Data deposit on the holder's machine (数据存证：在持有人本机生成指纹，数据不出本机).",
    no_args_is_help=True,
    add_completion=False,
)

_SHOWN = 20


class OnError(StrEnum):
    """What to do with a file that cannot be fingerprinted."""

    fail = "fail"
    skip = "skip"


def _say(chinese: str, english: str, *, err: bool = False) -> None:
    typer.echo(f"{chinese} / {english}", err=err)


def _fail(chinese: str, english: str, lines: list[str] | None = None) -> NoReturn:
    typer.echo(f"错误：{chinese}\nerror: {english}", err=True)
    for line in lines or []:
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(1)


def _problem_lines(exc: FingerprintError) -> list[str]:
    lines = [p.bilingual() for p in exc.problems[:_SHOWN]]
    if len(exc.problems) > _SHOWN:
        rest = len(exc.problems) - _SHOWN
        lines.append(f"……另有 {rest} 项 / ... and {rest} more")
    return lines


@contextmanager
def _reported() -> Iterator[None]:
    """Turn every failure into a bilingual message and exit status 1."""
    try:
        yield
    except typer.Exit:
        raise
    except FingerprintError as exc:
        lines = _problem_lines(exc)
        from ._problems import SKIPPABLE

        if all(p.reason in SKIPPABLE for p in exc.problems):
            lines.append(
                "可用 --on-error skip 跳过这些文件并在清单中列出 / "
                "use --on-error skip to leave them out and list them in the manifest"
            )
        _fail("无法生成可信的指纹", "cannot produce a trustworthy fingerprint", lines)
    except VerificationError as exc:
        _fail(f"验证失败（{exc.code}）", f"verification failed ({exc.code})", [exc.message])
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _fail("文件读写失败", "file error", [f"{where}{exc.strerror or exc}"])
    except ValueError as exc:
        _fail("参数或数据有误", "invalid argument or data", [str(exc)])
    except KeyboardInterrupt:
        typer.echo("已中断 / interrupted", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:
        _fail("意外错误", "unexpected error", [f"{type(exc).__name__}: {exc}"])


def _check_hint(paths: list[Path], sums: Path) -> str:
    parents = {os.path.dirname(os.path.abspath(p)) for p in paths}
    command = f"sha256sum -c {os.path.abspath(sums)}"
    if len(parents) == 1:
        return f"cd {parents.pop()} && {command}"
    return f"{command}  (在各参数的上级目录中 / from each argument's parent folder)"


def _report(result: Fingerprint, paths: list[Path], out: Path, sums: Path) -> None:
    manifest = result.manifest
    for notice in result.notices:
        typer.echo(f"注意：{notice.chinese}\nnote: {notice.english}", err=True)
    if result.excluded:
        shown = ", ".join(result.excluded)
        _say(f"已排除数据中的输出文件：{shown}", f"output files inside the data left out: {shown}")
    if "skipped" in manifest:
        count = len(result.skipped)
        _say(f"已跳过 {count} 个文件", f"{count} files skipped", err=bool(count))
        for problem in result.skipped[:_SHOWN]:
            typer.echo(f"  {problem.bilingual()}", err=True)
        if count > _SHOWN:
            _say("  完整列表见清单中的 skipped", "  full list in the manifest's skipped", err=True)
    files, size = manifest["files"], manifest["bytes"]
    _say(
        f"已登记 {files} 个文件，共 {size} 字节（{human_bytes(size)}）",
        f"{files} files, {size} bytes ({human_bytes(size)})",
    )
    _say("存证根", f"deposit root: {manifest['root']}")
    _say("清单已写入", f"manifest written: {out}")
    _say("校验和已写入", f"checksums written: {sums}")
    _say("核对命令", f"check with: {_check_hint(paths, sums)}")
    if manifest["names"] != "plain":
        _say(
            "文件名已隐藏；SHA256SUMS 含真实文件名，请勿外发",
            "names are hidden; SHA256SUMS has the real names: keep it private",
        )
    if "minhash" in manifest:
        _say(
            "清单含 MinHash 签名：可被用于确认可猜测的内容，请勿公开",
            "the manifest has a MinHash signature: it can confirm guessable content; "
            "keep it private",
        )


@app.command("fingerprint")
def fingerprint(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files and folders to deposit; each one's own name is the first path segment "
            "(要存证的文件和文件夹；各自的名称作为路径第一段).",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Manifest to write (清单文件).")] = Path(
        "manifest.json"
    ),
    sums: Annotated[
        Path, typer.Option("--sums", help="SHA256SUMS file to write (校验和文件).")
    ] = Path("SHA256SUMS"),
    sm3: Annotated[bool, typer.Option("--sm3", help="Add SM3 digests (附加 SM3 摘要).")] = False,
    blake3: Annotated[
        bool, typer.Option("--blake3", help="Add BLAKE3 digests (附加 BLAKE3 摘要).")
    ] = False,
    minhash: Annotated[
        bool,
        typer.Option(
            "--minhash", help="Add a MinHash signature for overlap detection (重合度检测签名)."
        ),
    ] = False,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Average chunk size for --minhash, bytes.")
    ] = DEFAULT_AVG_CHUNK,
    hide_names: Annotated[
        bool,
        typer.Option(
            "--hide-names", help="Replace names by salted HMAC-SHA256 (隐藏文件名，加盐哈希)."
        ),
    ] = False,
    salt_file: Annotated[
        Path | None,
        typer.Option(
            "--salt-file",
            help="Salt for --hide-names; reused if it exists (default: the --out name with .salt).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes, default one per CPU (并行进程数).",
            show_default=False,
        ),
    ] = None,
    on_error: Annotated[
        OnError,
        typer.Option(
            "--on-error",
            case_sensitive=False,
            help="fail: stop on any unusable file; skip: leave it out and list it "
            "(fail 出错即停止；skip 跳过并在清单中列出).",
        ),
    ] = OnError.fail,
) -> None:
    """Fingerprint a dataset for deposit: manifest + SHA256SUMS (为存证生成数据指纹)."""
    with _reported():
        salt_path = salt_file or out.with_suffix(".salt")
        salt: bytes | None = None
        fresh_salt = False
        if hide_names:
            if salt_path.exists():
                salt = read_salt(salt_path)
                _say(f"沿用已有盐值文件 {salt_path}", f"reusing the salt in {salt_path}")
            else:
                salt, fresh_salt = new_salt(), True
        bar: ProgressBar | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = ProgressBar(total, sys.stderr)
            bar.advance(done - bar.done)

        result = make_fingerprint(
            paths,
            sm3=sm3,
            blake3=blake3,
            minhash=minhash,
            chunk_size=chunk_size,
            salt=salt,
            workers=workers,
            on_error=on_error.value,
            exclude=[out, sums, salt_path],
            progress=progress if sys.stderr.isatty() else None,
        )
        if bar is not None:
            bar.finish()
        if salt is not None and fresh_salt:
            write_salt(salt_path, salt)
            _say(
                f"盐值已写入 {salt_path}（请保管，勿外发；证明持有时需要）",
                f"salt written to {salt_path} (keep it private; needed to prove by name later)",
            )
        write_manifest(result.manifest, out)
        write_sums(result, sums)
        _report(result, paths, out, sums)


def _write_json(data: dict[str, Any], out: Path | None) -> None:
    if out is None:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        write_manifest(data, out)


@app.command("prove")
def prove(
    file: Annotated[
        Path, typer.Argument(help="The file to prove (要证明的文件).", show_default=False)
    ],
    manifest: Annotated[
        Path, typer.Option("--manifest", "-m", help="The deposit's manifest (存证清单).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Proof file, default: print it (证明文件).", show_default=False
        ),
    ] = None,
    path: Annotated[
        str | None,
        typer.Option(
            "--path",
            help="Deposit path of the file, if its content occurs twice.",
            show_default=False,
        ),
    ] = None,
    salt_file: Annotated[
        Path | None,
        typer.Option(
            "--salt-file", help="Salt of a --hide-names manifest (for --path).", show_default=False
        ),
    ] = None,
) -> None:
    """Prove that a file is in a deposit: record + audit path (证明持有某文件)."""
    with _reported():
        loaded = load_manifest(manifest)
        salt = None
        if path is not None and loaded.get("names") == "hmac-sha256":
            salt = read_salt(salt_file or manifest.with_suffix(".salt"))
        proof = make_proof(file, loaded, record_path=path, salt=salt)
        _write_json(proof, out)
        message = (
            f"{file} 是存证中第 {proof['index']} 条记录（共 {proof['tree_size']} 条）",
            f"{file} is record {proof['index']} of {proof['tree_size']} in the deposit",
        )
        _say(*message, err=out is None)
        _say("存证根", f"deposit root: {proof['root']}", err=out is None)
        if out is not None:
            _say("证明已写入", f"proof written: {out}")


@app.command("verify-possession")
def verify_possession_command(
    proof: Annotated[Path, typer.Argument(help="Proof file from `prove` (持有证明).")],
    file: Annotated[Path, typer.Argument(help="The file (文件).")],
    root: Annotated[
        str | None,
        typer.Option("--root", help="Expected deposit root, hex (存证根).", show_default=False),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", "-m", help="Take the expected root from this manifest."),
    ] = None,
) -> None:
    """Check a possession proof against a file and the deposit root (验证持有证明)."""
    with _reported():
        if (root is None) == (manifest is None):
            raise ValueError("give exactly one of --root and --manifest")
        if manifest is not None:
            with open(manifest, encoding="utf-8") as f:
                loaded = json.load(f)
            check_manifest(loaded)
            root = loaded["root"]
        with open(proof, encoding="utf-8") as f:
            data = json.load(f)
        assert root is not None  # noqa: S101 - narrowing for mypy
        record = verify_possession(data, file, root)
        _say("持有证明有效", f"possession proof is valid: {record['path']} in {root}")


def _vkeys(values: list[str]) -> list[str]:
    """Each --key is a vkey, or a file with one vkey a line ('#' starts a comment)."""
    found: list[str] = []
    for value in values:
        path = Path(value)
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            found += [line.strip() for line in lines if line.strip() and line[0] != "#"]
        else:
            found.append(value.strip())
    return found


@app.command("verify-tiles")
def verify_tiles_command(
    source: Annotated[
        str,
        typer.Argument(
            help="The tiles' URL prefix (https://host/log/v1/) or a folder holding a copy "
            "(日志瓦片的网址前缀或本地目录).",
            show_default=False,
        ),
    ],
    key: Annotated[
        list[str],
        typer.Option(
            "--key",
            help="The log's public key (vkey), or a file of vkeys; repeatable (账本公钥).",
            show_default=False,
        ),
    ],
) -> None:
    """Rebuild the log from its C2SP tiles alone and check it against the signed checkpoint
    (仅凭日志瓦片重建账本并核验签名检查点)."""
    with _reported():
        if source.startswith(("http://", "https://")):
            fetch = fetch_from_url(source)
        elif Path(source).is_dir():
            fetch = fetch_from_folder(source)
        else:
            raise ValueError(f"neither an http(s) URL nor a folder: {source}")
        verified = verify_tiles(fetch, _vkeys(key))
        typer.echo(verified.summary("zh") + verified.summary("en"), nl=False)


def register(parent: typer.Typer) -> None:
    """Add ``fingerprint``, ``prove``, ``verify-possession`` and ``verify-tiles`` to
    ``parent`` (top level)."""
    parent.command("fingerprint")(fingerprint)
    parent.command("prove")(prove)
    parent.command("verify-possession")(verify_possession_command)
    parent.command("verify-tiles")(verify_tiles_command)


def main() -> None:
    """Run this command group on its own (``python -m dataip.evidence.cli``)."""
    app()


def fingerprint_main() -> None:
    """``dataip-fingerprint`` of the holder tools wheel: the ``fingerprint`` command alone."""
    single = typer.Typer(add_completion=False)
    single.command()(fingerprint)
    single()


if __name__ == "__main__":
    main()
