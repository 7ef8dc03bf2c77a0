"""The ``dataip`` command: run, fill and look after a registry.

Start here: ``dataip migrate``, ``dataip demo``, ``dataip serve``. Every command reads the same
``DATAIP_*`` environment variables as the web server (see the README).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Annotated

import typer

app = typer.Typer(
    help="dataip — an open registry for data intellectual property (数据知识产权登记平台).\n\n"
    "Typical first run: `dataip migrate`, `dataip demo`, `dataip serve`.",
    no_args_is_help=True,
    add_completion=False,
)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataip.config.settings")
    import django

    django.setup()


@app.command()
def migrate() -> None:
    """Create or upgrade the database tables (safe to run any time)."""
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@app.command()
def demo(
    applications: Annotated[int, typer.Option(help="How many applications to create.")] = 1200,
    seed: Annotated[
        int, typer.Option(help="Random seed, for the same registry every time.")
    ] = 2026,
    force: Annotated[
        bool, typer.Option(help="Add demo data even if the registry has data.")
    ] = False,
) -> None:
    """Fill an empty registry with demo data, through the real workflow (runs once)."""
    _setup()
    from dataip.registry.demo import build_demo, registry_is_empty

    if not force and not registry_is_empty():
        typer.echo("The registry already has data; demo data is loaded only once (use --force).")
        return
    summary = build_demo(applications=applications, seed=seed, progress=typer.echo)
    typer.echo(summary)


@app.command()
def tick() -> None:
    """Apply time-driven transitions now: deadlines, announcement ends, expiry. Idempotent."""
    _setup()
    from dataip.registry.services.schedule import tick as run_tick

    done = run_tick()
    if not done:
        typer.echo("Nothing was due.")
    for action, count in sorted(done.items()):
        typer.echo(f"{action}: {count}")


@app.command()
def createadmin(
    username: Annotated[str, typer.Option(prompt=True, help="Login name.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ],
) -> None:
    """Create a registrar account that can also use the admin site (/admin/)."""
    _setup()
    from dataip.accounts.models import User

    if User.objects.filter(username=username).exists():
        typer.echo(f"User {username!r} already exists.", err=True)
        raise typer.Exit(1)
    User.objects.create_superuser(
        username=username, password=password, is_registrar=True, is_examiner=True
    )
    typer.echo(f"Registrar {username!r} created; sign in at /admin/.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 8,
) -> None:
    """Serve the registry over HTTP, and run `tick` on a schedule in the background."""
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    from dataip.config.wsgi import application

    call_command("collectstatic", interactive=False, verbosity=0)
    ticker = threading.Thread(
        target=_tick_forever, args=(settings.DATAIP_TICK_SECONDS,), daemon=True
    )
    ticker.start()
    typer.echo(f"dataip serving on http://{host}:{port}/ (Ctrl-C to stop)")
    waitress_serve(application, host=host, port=port, threads=threads)


def _tick_forever(seconds: int) -> None:
    """Run the scheduled transitions every ``seconds`` until the process ends."""
    import logging

    from django.db import close_old_connections

    from dataip.registry.services.schedule import tick as run_tick

    log = logging.getLogger("dataip.tick")
    while True:
        try:
            done = run_tick()
            if done:
                log.info("tick: %s", dict(done))
        except Exception:  # the schedule must survive a bad run; the error is logged
            log.exception("tick failed")
        finally:
            close_old_connections()
        time.sleep(seconds)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (e.g. `dataip manage check`)."""
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dataip manage", *ctx.args])


def main() -> None:
    """Entry point of the ``dataip`` console script."""
    app()


if __name__ == "__main__":
    main()
