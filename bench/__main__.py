"""Run every benchmark module ``bench/bench_*.py`` (or those named on the command line).

Each module has ``run() -> list[str]`` and prints lines of the form
``<what>: <figure> vs <baseline> = <ratio> (aim: ...)``. No timing is asserted anywhere.
Each module runs in its own process with its own fresh database, so one benchmark's
baseline rows never disturb the next one.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path


def run_one(name: str) -> int:
    """Run one benchmark module in this process and print its figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataip.config.settings")
    module = importlib.import_module(f"bench.{name}")
    print(f"== {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
    started = time.perf_counter()
    for line in module.run():
        print(f"   {line}", flush=True)
    print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


def main(names: list[str]) -> int:
    """Run the named benchmarks (default: all), each in a fresh process."""
    if names[:1] == ["--one"]:
        return run_one(names[1])
    here = Path(__file__).parent
    modules = names or sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    )
    failed = 0
    for name in modules:
        failed += (
            subprocess.run([sys.executable, "-m", "bench", "--one", name], check=False).returncode
            != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
