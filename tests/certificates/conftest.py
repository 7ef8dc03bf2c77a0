"""Certificate tests: own ledger keys per test, one registry CA per run, auto-issuing on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ledger._support import use_fresh_keys

PUBLIC_URL = "https://registry.example.cn"


@pytest.fixture(scope="session")
def pki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry's own CA and signing certificate, made once per test run."""
    return tmp_path_factory.mktemp("certificate-pki")


@pytest.fixture(autouse=True)
def certificate_settings(settings: Any, tmp_path: Path, pki_folder: Path) -> None:
    use_fresh_keys(settings, tmp_path)
    settings.DATAIP_CERT_DIR = pki_folder
    settings.DATAIP_CERT_PKCS12_FILE = ""
    settings.DATAIP_CERT_PKCS12_PASSPHRASE_FILE = ""
    settings.DATAIP_CERT_CA_FILE = ""
    settings.DATAIP_CERTIFICATES_AUTO = True
    settings.DATAIP_PUBLIC_URL = PUBLIC_URL
