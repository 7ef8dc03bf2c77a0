"""gunicorn's configuration for the registry's app servers (应用服务器), ``dataip appserver``.

One master process forks ``DATAIP_APPSERVER_WORKERS`` worker processes of
``DATAIP_APPSERVER_THREADS`` threads each (gunicorn's ``gthread`` worker); any number of such
app servers, all alike, run behind a load balancer against one PostgreSQL. An app server runs
no ``tick`` and no task worker: those are ``dataip worker``'s. Why gunicorn: docs/deployment.md.

``dataip appserver`` reads this module; gunicorn itself reads it too
(``gunicorn -c python:dataip.config.gunicorn``), though then nothing collects the static files
or checks the keys first. Logs go through the registry's own logging configuration (JSON by
default under ``dataip appserver``). Metrics are counted by every worker into the files of
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode): emptied when the master
starts, a dead worker's live gauges dropped, and the folder removed at exit when the master
made it (under the data folder, when the variable is not set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataip.config.settings")

from django.conf import settings

METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def default_workers() -> int:
    """gunicorn's advice: two workers per CPU, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


wsgi_app = "dataip.config.wsgi:application"
bind = [settings.DATAIP_APPSERVER_BIND]
workers = settings.DATAIP_APPSERVER_WORKERS or default_workers()
threads = settings.DATAIP_APPSERVER_THREADS
worker_class = "gthread"
timeout = settings.DATAIP_APPSERVER_TIMEOUT
graceful_timeout = 30  # seconds a stopping worker has to finish the requests it holds
keepalive = 5
max_requests = 0  # never recycled: each new worker would leave its metrics files behind
accesslog = None  # the access line is the registry's own (dataip.access, with the request id)
errorlog = "-"
logconfig_dict = settings.LOGGING
control_socket_disable = True  # no socket under $HOME; run several app servers on one machine
_SHM = "/dev/shm"  # noqa: S108 - the workers' heartbeat files, in memory
if Path(_SHM).is_dir():
    worker_tmp_dir = _SHM

_made_metrics_dir: Path | None = None


def prepare_metrics_dir() -> Path:
    """The multiprocess folder, emptied (counts of an earlier run would add to this one's).

    Made under the data folder, one per master, when ``PROMETHEUS_MULTIPROC_DIR`` is unset: it
    is set here, in the master, before any worker starts and loads prometheus-client."""
    global _made_metrics_dir
    configured = os.environ.get(METRICS_DIR)
    if configured:
        folder = Path(configured)
    else:
        folder = Path(settings.DATA_DIR) / "run" / f"metrics-{os.getpid()}"
        os.environ[METRICS_DIR] = str(folder)
        _made_metrics_dir = folder
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder


def on_starting(server: Any) -> None:
    """gunicorn hook, in the master before the first fork: set up the metrics folder."""
    folder = prepare_metrics_dir()
    server.log.info("metrics of all workers counted in %s", folder)


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook, in the master when a worker has exited: drop its live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(server: Any) -> None:
    """gunicorn hook, when the master stops: remove the metrics folder it made."""
    if _made_metrics_dir is not None:
        shutil.rmtree(_made_metrics_dir, ignore_errors=True)


def run(overrides: dict[str, Any]) -> None:
    """Run gunicorn in this process with this module's settings, then ``overrides`` (the
    command line's); returns when the master stops."""
    import sys

    from gunicorn.app.base import BaseApplication

    module = sys.modules[__name__]

    class AppServer(BaseApplication):  # type: ignore[misc]
        """gunicorn, configured from this module rather than from its own command line."""

        def load_config(self) -> None:
            for name, value in vars(module).items():
                if name in self.cfg.settings and value is not None:
                    self.cfg.set(name, value)
            for name, value in overrides.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            from dataip.config.wsgi import application

            return application

    AppServer().run()
