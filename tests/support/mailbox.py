"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives; links read from mail."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Keeps every message the server receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        """The messages sent to ``address``, oldest first."""
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text(message: Message) -> str:
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(message.get_content_charset() or "utf-8")

    def link(self, address: str, path: str) -> str:
        """The path of the last link under ``path`` mailed to ``address`` (without the host)."""
        found = re.findall(
            r"https?://[^/\s]+(" + re.escape(path) + r"\S*)", self.text(self.to(address)[-1])
        )
        assert found, f"no {path} link in the mail to {address}"
        return str(found[-1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """Mail goes to a real SMTP server on a free loopback port for the test."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()
