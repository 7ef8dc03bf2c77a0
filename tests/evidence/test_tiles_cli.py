"""``verify-tiles``: a mirror rebuilds the log from a folder or a URL prefix, in both languages."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from dataip.evidence import Checkpoint, Ed25519Signer, sign_checkpoint
from dataip.evidence.cli import app
from dataip.evidence.merkle import leaf_hash, root_from_leaf_hashes
from dataip.evidence.tiles import CHECKPOINT_PATH, build_tiles, fetch_from_url

SIGNER = Ed25519Signer.generate("mirror.example/log")


def _publish(folder: Path, n: int) -> None:
    """A tiled log of ``n`` entries in ``folder``, checkpoint signed by SIGNER."""
    entries = [b"entry %d" % i for i in range(n)]
    files = build_tiles(entries)
    root = root_from_leaf_hashes([leaf_hash(e) for e in entries])
    files[CHECKPOINT_PATH] = sign_checkpoint(Checkpoint(SIGNER.name, n, root), SIGNER).encode()
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


class _Quiet(SimpleHTTPRequestHandler):
    """A static file server, like a CDN in front of the storage; bundles gzipped."""

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing."""

    def do_GET(self) -> None:
        """Serve entry bundles gzipped, as tlog-tiles recommends; the rest as files."""
        if "/entries/" not in self.path:
            super().do_GET()
            return
        data = gzip.compress(Path(self.translate_path(self.path)).read_bytes())
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def _served(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.output


def test_it_verifies_a_folder_in_both_languages(tmp_path: Path) -> None:
    _publish(tmp_path, 300)
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# the log\n{SIGNER.vkey}\n", encoding="utf-8")
    code, output = _run("verify-tiles", str(tmp_path), "--key", str(keys))
    assert code == 0
    assert "日志瓦片验证通过：账本 mirror.example/log 的 300 条记录" in output
    assert "Tiles verified: 300 entries of log mirror.example/log" in output


def test_it_verifies_a_url_prefix(tmp_path: Path) -> None:
    _publish(tmp_path, 513)
    with _served(tmp_path) as url:
        code, output = _run("verify-tiles", url, "--key", SIGNER.vkey)
        assert fetch_from_url(url)("tile/entries/001")[2:9] == b"entry 2"
        (tmp_path / "tile/1/000.p/2").unlink()
        failed, why = _run("verify-tiles", url.rstrip("/"), "--key", SIGNER.vkey)
    assert code == 0, output
    assert "513 entries" in output
    assert failed == 1
    assert "tile_missing" in why
    assert "tile/1/000.p/2" in why


def test_it_fails_with_the_reason(tmp_path: Path) -> None:
    _publish(tmp_path, 3)
    other = Ed25519Signer.generate("mirror.example/log")
    code, output = _run("verify-tiles", str(tmp_path), "--key", other.vkey)
    assert code == 1
    assert "验证失败（unknown_key）" in output
    assert "verification failed (unknown_key)" in output
    code, output = _run("verify-tiles", str(tmp_path / "nowhere"), "--key", SIGNER.vkey)
    assert code == 1
    assert "neither an http(s) URL nor a folder" in output
