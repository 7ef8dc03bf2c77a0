"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives; links read from mail.

The fixture waits, before stopping the server, until every connection it accepted has been
closed on the server's side: stopping aiosmtpd's loop while a session is still winding down
leaves that session's socket to the garbage collector, whose ResourceWarning then fails
whichever later test happens to be running."""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


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

    def body(self, index: int = -1) -> str:
        """The decoded text of one message (the last by default)."""
        return self.text(self.messages[index])

    def link(self, address: str, path: str) -> str:
        """The path of the last link under ``path`` mailed to ``address`` (without the host)."""
        found = re.findall(
            r"https?://[^/\s]+(" + re.escape(path) + r"\S*)", self.text(self.to(address)[-1])
        )
        assert found, f"no {path} link in the mail to {address}"
        return str(found[-1])


class _Counting(Controller):
    """aiosmtpd's controller, counting the connections its sessions still hold open."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_connections = 0
        self.lock = threading.Lock()

    def factory(self) -> SMTP:
        controller = self

        class Session(SMTP):
            def connection_made(self, transport: Any) -> None:
                with controller.lock:
                    controller.open_connections += 1
                super().connection_made(transport)

            def connection_lost(self, error: Exception | None) -> None:
                try:
                    super().connection_lost(error)
                finally:
                    with controller.lock:
                        controller.open_connections -= 1

        return Session(self.handler, **self.SMTP_kwargs)

    def stop_when_idle(self, wait: float = 5.0) -> None:
        """Stop once every accepted connection is closed (or after ``wait`` seconds)."""
        deadline = time.monotonic() + wait
        while self.open_connections > 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.stop()


def free_port() -> int:
    """A port on loopback nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """Mail goes to a real SMTP server on a free loopback port for the test."""
    inbox = Inbox()
    port = free_port()
    controller = _Counting(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        yield inbox
    finally:
        controller.stop_when_idle()
