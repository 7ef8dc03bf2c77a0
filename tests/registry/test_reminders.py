"""Renewal reminders reach the holder through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dataip.registry.services.schedule import tick
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Personas


class Inbox:
    """Keeps every message the server receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def test_the_holder_is_reminded_once_when_the_renewal_window_opens(
    personas: Personas, smtp: Inbox
) -> None:
    holder = personas.applicant.holder
    holder.contact_email = "ip@alpha.example"
    holder.save()
    personas.applicant.user.email = "legal@alpha.example"
    personas.applicant.user.save()
    app = at_stage(personas, Status.REGISTERED)  # valid until 2029-03-31, window opens 2028-12-31
    assert tick(at=day(30 + 3 * 365 - 92)) == {}
    assert tick(at=day(30 + 3 * 365 - 89)) == {"renewal_reminder": 1}
    assert tick(at=day(30 + 3 * 365 - 80)) == {}, "one reminder per term"
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert sorted(message["To"].split(", ")) == ["ip@alpha.example", "legal@alpha.example"]
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert (app.registration_number or "?") in body
    assert "续展" in body
    assert "renewal" in body
