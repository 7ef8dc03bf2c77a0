"""The offline verifier is a library: it imports nothing from Django (``dataip verify`` and
third parties use it without a registry)."""

from __future__ import annotations

import subprocess
import sys

PURE = ("content", "errors", "qr", "render", "seal", "verify", "_x509")


def test_it_imports_nothing_from_django() -> None:
    code = (
        "import sys; sys.modules['django'] = None\n"  # any import of django now fails
        + "".join(f"import dataip.certificates.{name}\n" for name in PURE)
        + "assert not any(m.startswith('django') for m in sys.modules if sys.modules[m])\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
