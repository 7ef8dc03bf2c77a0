"""``dataip appserver``: gunicorn with two worker processes over a file database, answering the
probes and pages, counting every worker's requests into one ``/metrics``, and stopping cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.witness._support import free_port

pytestmark = pytest.mark.slow


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 - loopback
        return reply.status, dict(reply.headers), reply.read()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the app server stopped: {log.read_text()}")
        try:
            _get(base + "/healthz")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    pytest.fail(f"the app server did not answer: {log.read_text()}")


def _environment(data: Path) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATAIP_DATABASE_URL", "DATAIP_CACHE_URL", "DJANGO_SETTINGS_MODULE"}
        and not name.startswith(("PYTEST_", "DATAIP_LOG_", "DATAIP_ACCESS_LOG"))
    }
    environment.update(
        DATAIP_DATA_DIR=str(data),
        PROMETHEUS_MULTIPROC_DIR=str(data / "metrics"),
        DATAIP_APPSERVER_THREADS="2",
    )
    return environment


def test_two_workers_serve_and_count_together(tmp_path: Path) -> None:
    data = tmp_path / "data"
    environment = _environment(data)
    command = [sys.executable, "-m", "dataip.cli"]
    subprocess.run(  # noqa: S603 - this interpreter, our own command
        [*command, "migrate"], env=environment, check=True, capture_output=True, timeout=300
    )
    (data / "metrics").mkdir()
    (data / "metrics" / "counter_1.db").write_bytes(b"left by an earlier run")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "appserver.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
            [*command, "appserver", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(base, server, log)
            status, headers, body = _get(base + "/healthz", **{"X-Request-ID": "appserver-42"})
            assert (status, json.loads(body)) == (200, {"status": "alive"})
            assert headers["X-Request-ID"] == "appserver-42"
            status, _, body = _get(base + "/readyz")
            assert status == 200
            assert json.loads(body)["checks"]["database"]["vendor"] == "sqlite"
            for _ in range(4):
                status, _, body = _get(base + "/account/login")
                assert status == 200
                assert b"<form" in body
            _, _, exposition = _get(base + "/metrics")
            text = exposition.decode()
            login = 'dataip_http_requests_total{method="GET",status="200",view="web:login"} 4.0'
            assert login in text.splitlines(), "both workers' counts, summed"
            assert "dataip_log_entries 0.0" in text.splitlines()
            assert "dataip_task_queue_depth 0.0" in text.splitlines()
            counted_by = {path.stem.split("_")[-1] for path in (data / "metrics").glob("*.db")}
            assert "1" not in counted_by, "the files of an earlier run were removed at start"
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            finally:
                if server.poll() is None:
                    server.kill()
                    server.wait()
    assert server.returncode == 0, log.read_text()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("request_id") == "appserver-42"]
    assert [(line["logger"], line["path"]) for line in access] == [("dataip.access", "/healthz")]
    workers = {line["process"] for line in lines if line["logger"] == "dataip.access"}
    booted = [line for line in lines if line["message"].startswith("Booting worker")]
    assert len(booted) == 2
    assert workers <= {line["process"] for line in booted}
    assert any(line["message"] == "Shutting down: Master" for line in lines)
