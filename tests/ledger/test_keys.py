"""The ledger's signing key: made once (0600), published, replaced in steps by a rotation."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from dataip import keystore
from dataip.evidence import Ed25519Verifier
from dataip.ledger import keys

pytestmark = pytest.mark.django_db


def test_it_makes_the_key_on_first_use_readable_only_by_its_owner(key_folder: Path) -> None:
    assert not (key_folder / "log.key").exists()
    vkey = keys.vkey()
    path = key_folder / "log.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("PRIVATE+KEY+dataip.local/log/v1+")
    assert vkey.startswith("dataip.local/log/v1+")
    assert Ed25519Verifier.from_vkey(vkey).name == "dataip.local/log/v1"


def test_it_keeps_the_same_key(key_folder: Path) -> None:
    first = keys.vkey()
    keystore.forget()
    assert keys.vkey() == first
    assert keys.all_vkeys() == [first]
    assert (key_folder / "log.vkeys").read_text() == first + "\n"


def test_it_names_the_key_after_the_configured_origin(settings: Any) -> None:
    settings.DATAIP_LOG_ORIGIN = "registry.example.cn/log/v1"
    assert keys.vkey().startswith("registry.example.cn/log/v1+")


def test_it_refuses_a_key_of_another_log(settings: Any, key_folder: Path) -> None:
    keys.vkey()
    settings.DATAIP_LOG_ORIGIN = "other.example/log"
    with pytest.raises(ImproperlyConfigured, match=re.escape("key of log 'dataip.local/log/v1'")):
        keys.signer()


def test_it_publishes_the_key_at_a_well_known_url(client: Client) -> None:
    response = client.get("/.well-known/dataip-log-key")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == keys.vkey() + "\n"


def test_a_staged_key_signs_nothing_until_it_is_promoted(key_folder: Path) -> None:
    old = keys.vkey()
    with keys.rotation_lock(wait=True):
        staged = keys.stage_next_key()
        assert stat.S_IMODE((key_folder / "log.key.next").stat().st_mode) == 0o600
        next_key = keys.next_key()
        assert next_key is not None
        assert next_key.vkey == staged.vkey
        assert keys.vkey() == old
        keys.promote_next_key()
    assert keys.next_key() is None
    assert keys.vkey() == staged.vkey
    assert keys.all_vkeys() == [old, staged.vkey]


def test_a_dropped_key_leaves_the_current_one(key_folder: Path) -> None:
    old = keys.vkey()
    keys.stage_next_key()
    keys.drop_next_key()
    assert keys.next_key() is None
    assert keys.vkey() == old
    assert keys.all_vkeys() == [old]


def test_the_rotation_lock_is_not_taken_twice(key_folder: Path) -> None:
    with keys.rotation_lock(wait=True) as first:
        assert first
        with keys.rotation_lock(wait=False) as second:
            assert not second
