"""Web tests: clients signed in as each persona (staff with a verified TOTP device)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from dataip.accounts.models import User
from tests.ledger._support import use_fresh_keys
from tests.support.personas import Person

SignIn = Callable[..., Client]


@pytest.fixture(autouse=True)
def web_settings(settings: Any, tmp_path: Path) -> None:
    """Own ledger keys, no certificate rendering in plain tests, a clean throttle cache."""
    use_fresh_keys(settings, tmp_path)
    settings.DATAIP_CERTIFICATES_AUTO = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the tests try wrong codes on purpose, back to back
    cache.clear()


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device (made once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def client_for(user: User | None, *, language: str = "en", verified: bool = True) -> Client:
    """A test client in ``language``, signed in as ``user`` (staff: with a verified device)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is None:
        return client
    client.force_login(user)
    if verified and (user.is_examiner or user.is_registrar or user.is_expert):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client


@pytest.fixture
def sign_in() -> SignIn:
    """``sign_in(person_or_user, language="en", verified=True)`` gives a signed-in client."""

    def make(who: Person | User | None, **options: Any) -> Client:
        user = who.user if isinstance(who, Person) else who
        return client_for(user, **options)

    return make


def read_download(response: Any) -> bytes:
    """Read a streamed download to the end, which closes it (and its file).

    The test client closes a streamed response when its content is exhausted, with the
    ``close_old_connections`` receiver unplugged; calling ``close()`` directly would send
    ``request_finished`` with it plugged in, closing the connection that holds the test's
    transaction (it matters on PostgreSQL).
    """
    return b"".join(response.streaming_content)
