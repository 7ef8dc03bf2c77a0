"""A deposit's manifest in the object store: stored once under its hash, downloaded by its
holder through the registry's view."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deposits._data import deposit, encoded, files, make_tree, manifest_of
from tests.deposits.conftest import deposit_settings  # noqa: F401 - autouse: own TSA and keys
from tests.support.personas import Personas
from tests.web.conftest import client_for

from .conftest import Bucket, local_files

pytestmark = pytest.mark.django_db


def test_a_manifest_is_stored_once_and_downloaded(
    personas: Personas, s3: Bucket, tmp_path: Path
) -> None:
    manifest = manifest_of(make_tree(tmp_path / "data", files(7, "f", 2)), minhash=False)
    data = encoded(manifest)
    first = deposit(personas.applicant, manifest)
    again = deposit(personas.applicant, manifest)
    key = f"media/{first.manifest.name}"
    assert first.manifest.name == again.manifest.name, "one object for the same manifest"
    assert s3.keys("media/deposits/") == [key]
    assert s3.read(key) == data
    assert s3.public_grants(key) == []
    response = client_for(personas.applicant.user).get(f"/deposits/{first.pk}/manifest.json")
    assert response.status_code == 200
    assert response.content == data
    refused = client_for(personas.other_applicant.user).get(f"/deposits/{first.pk}/manifest.json")
    assert refused.status_code == 404
    assert local_files() == []
