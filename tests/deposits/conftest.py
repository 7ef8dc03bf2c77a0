"""Deposit tests: own ledger keys, own TSA folder, no certificates rendered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.ledger._support import use_fresh_keys
from tests.support.personas import Person
from tests.web.conftest import client_for

SignIn = Callable[..., Client]


@pytest.fixture(autouse=True)
def deposit_settings(settings: Any, tmp_path: Path) -> None:
    use_fresh_keys(settings, tmp_path)
    settings.DATAIP_CERTIFICATES_AUTO = False
    settings.DATAIP_DEPOSIT_TSA = "internal"
    settings.DATAIP_DEPOSIT_TSA_DIR = tmp_path / "tsa"
    settings.DATAIP_DEPOSIT_TSA_KEY_FILE = ""
    settings.DATAIP_DEPOSIT_TSA_CERT_FILE = ""
    settings.DATAIP_DEPOSIT_TSA_CA_FILE = ""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    cache.clear()


@pytest.fixture
def sign_in() -> SignIn:
    """``sign_in(person, language="en")``: a client signed in (staff with a verified device)."""

    def make(who: Person | None, **options: Any) -> Client:
        return client_for(None if who is None else who.user, **options)

    return make
