"""Let ``pytest -p no:django tests/evidence`` run: these tests never need Django.

The project's pytest configuration sets ``DJANGO_SETTINGS_MODULE``, an ini key
owned by pytest-django; with that plugin disabled pytest would warn about an
unknown key, and the project turns warnings into errors. Register the key
only when pytest-django is not active.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """Declare ``DJANGO_SETTINGS_MODULE`` when pytest-django is disabled."""
    if not pluginmanager.has_plugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "unused by tests/evidence (pytest-django off)")
