"""The deposits' own TSA is not made anew once a receipt depends on it; only explicitly."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dataip.cli import app
from dataip.deposits import tsa
from dataip.keystore import KeyMissing
from dataip.upkeep.backup import missing_keys
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture(autouse=True)
def own_tsa(settings: Any, tmp_path: Path) -> Path:
    settings.DATAIP_CERTIFICATES_AUTO = False
    settings.DATAIP_DEPOSIT_TSA = "internal"
    settings.DATAIP_DEPOSIT_TSA_DIR = tmp_path / "tsa"
    settings.DATAIP_DEPOSIT_TSA_KEY_FILE = ""
    settings.DATAIP_DEPOSIT_TSA_CERT_FILE = ""
    settings.DATAIP_DEPOSIT_TSA_CA_FILE = ""
    return tmp_path / "tsa"


def test_a_lost_tsa_is_refused_then_replaced_explicitly(
    personas: Personas, tmp_path: Path, own_tsa: Path
) -> None:
    manifest = manifest_of(make_tree(tmp_path / "data", files(1, "a", 3)))
    made = deposit(personas.applicant, manifest)
    assert made.tsa == tsa.INTERNAL
    old_ca = (own_tsa / "ca.crt").read_bytes()
    shutil.rmtree(own_tsa)

    with pytest.raises(KeyMissing) as refused:
        tsa.identity()
    assert "1 deposit receipt(s) exist" in refused.value.explain("en")
    assert "存证" in refused.value.explain("zh")
    assert [m.store for m in missing_keys()] == ["DATAIP_DEPOSIT_TSA_DIR"]
    assert not own_tsa.exists()

    result = runner.invoke(app, ["rotate-key", "--after-loss", "--store", "tsa"])
    assert result.exit_code == 0, result.output
    assert "/deposits/tsa-ca.pem" in result.output
    assert (own_tsa / "ca.crt").read_bytes() != old_ca
    assert missing_keys() == []
