"""The benchmarks' own jobs (imported after the bench database is set up: declaring a task
reads the settings)."""

from __future__ import annotations

from django_tasks import task


@task()
def echo(n: int) -> int:
    """The trivial job: returns its argument."""
    return n
