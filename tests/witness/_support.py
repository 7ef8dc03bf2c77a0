"""Helpers for witness tests: the C2SP vectors, a witness in-process, one in its own process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.evidence._vectors import load


def derived() -> dict[str, Any]:
    """``signed-note.json`` → ``derived``: a checkpoint and one Ed25519 cosignature/v1."""
    return dict(load("signed-note.json")["derived"])


def go_seed_skey() -> str:
    """The golang.org/x/mod test key (PeterNeumann), which signed the derived checkpoint."""
    return str(load("signed-note.json")["upstream"][0]["signer_skey"])


def tree() -> dict[str, Any]:
    """The 8-leaf reference tree (transparency-dev/merkle)."""
    return dict(load("merkle-tree-8leaves.json"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, body: bytes) -> tuple[int, str, bytes]:
    """POST ``body``; return status, content type and body (errors included)."""
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 - loopback
            return reply.status, reply.headers.get("Content-Type", ""), reply.read()
    except urllib.error.HTTPError as exc:
        with exc:  # closed, or it leaks the socket
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()


@contextmanager
def witness_process(folder: Path, logs: Path, port: int) -> Iterator[str]:
    """Run ``dataip witness serve`` as its own process on loopback; yield its URL prefix."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    command = [sys.executable, "-m", "dataip.cli", "witness", "serve", "--dir", str(folder)]
    command += ["--logs", str(logs), "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our own command
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else b""
                    raise RuntimeError(f"the witness did not start: {output!r}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
