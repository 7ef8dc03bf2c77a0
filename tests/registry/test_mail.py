"""The notices' mail: a real SMTP server (aiosmtpd on loopback), stopped mid-run; the real
django-tasks database worker; each mail in its recipient's language, exactly once."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django_tasks_db.models import DBTaskResult

from dataip.accounts.models import MailOutbox, Notification
from dataip.registry import clock, notices
from dataip.registry.mail import deliver_due
from dataip.registry.services import examination
from dataip.registry.workflow import Notice, Status
from dataip.upkeep.tick import outbox
from tests.support.builders import at_stage, day
from tests.support.jobs import run_jobs
from tests.support.personas import Person, Personas, make_person


class Inbox:
    """Keeps every message the server receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def ids(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)


class Server:
    """An SMTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings: Any) -> Iterator[Server]:
    server = Server()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.DATAIP_MAIL_RETRY_SECONDS = 60
    yield server
    server.stop()


def member(personas: Personas, name: str, language: str) -> Person:
    """Another member of the applicant's organisation, with an address and a language."""
    person = make_person(name, personas.applicant.holder)
    person.user.email = f"{name}@alpha.example"
    person.user.language = language
    person.user.save()
    return person


def correction_requested(personas: Personas, at: Any = None) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(
        app.pk, actor=personas.examiner.actor, reason="请补充数据来源协议", at=at or day(3)
    )


@pytest.mark.django_db
def test_each_person_gets_the_mail_in_their_language(personas: Personas, smtp: Server) -> None:
    member(personas, "alice", "en")
    member(personas, "bai", "zh-hans")
    correction_requested(personas)
    assert deliver_due(day(3)) == {"mail_sent": 2}
    (english,) = smtp.inbox.to("alice@alpha.example")
    (chinese,) = smtp.inbox.to("bai@alpha.example")
    assert english["Subject"].startswith("Correction requested: ")
    assert "deemed withdrawn" in english.get_content()
    assert chinese["Subject"].startswith("补正通知：")
    assert "视为撤回" in chinese.get_content()
    assert "请补充数据来源协议" in chinese.get_content()
    assert english["Message-ID"] != chinese["Message-ID"]
    assert english["X-Dataip-Notice"] == Notice.CORRECTION_REQUESTED
    assert deliver_due(day(4)) == {}, "sent is sent"


@pytest.mark.django_db
def test_mail_failed_while_the_server_is_down_arrives_once_when_it_is_back(
    personas: Personas, smtp: Server
) -> None:
    people = [member(personas, f"m{i}", "en" if i % 2 else "zh-hans") for i in range(5)]
    correction_requested(personas)
    assert MailOutbox.objects.count() == 5
    now = day(3)
    assert deliver_due(now, limit=2) == {"mail_sent": 2}  # the run is cut off here...
    smtp.stop()  # ...and the mail server goes away
    assert deliver_due(now) == {"mail_failed": 3}
    failed = list(MailOutbox.objects.filter(status="pending"))
    assert [row.attempts for row in failed] == [1, 1, 1]
    assert all(row.last_error for row in failed)
    assert all(row.next_attempt_at == now + timedelta(seconds=60) for row in failed)
    assert deliver_due(now + timedelta(seconds=30)) == {}, "not before the backoff"
    assert deliver_due(now + timedelta(seconds=61)) == {"mail_failed": 3}, "still down"
    failed = list(MailOutbox.objects.filter(status="pending"))
    assert {row.attempts for row in failed} == {2}
    later = now + timedelta(seconds=61 + 120)
    assert all(row.next_attempt_at == later for row in failed), "the wait doubles"
    smtp.start()
    assert outbox(later) == {"mail_sent": 3}, "dataip tick sweeps what is due"
    assert deliver_due(later + timedelta(hours=1)) == {}
    assert len(smtp.inbox.messages) == 5
    assert set(smtp.inbox.ids().values()) == {1}, "each mail exactly once"
    for person in people:
        assert len(smtp.inbox.to(person.user.email)) == 1
    assert MailOutbox.objects.filter(status="sent").count() == 5


@pytest.mark.django_db
def test_a_person_who_chose_in_app_only_gets_no_mail_but_the_notice(
    personas: Personas, smtp: Server
) -> None:
    quiet = member(personas, "quiet", "en")
    loud = member(personas, "loud", "en")
    notices.set_email_preferences(quiet.user.pk, [notices.Group.OBJECTIONS])
    correction_requested(personas)
    assert deliver_due(day(3)) == {"mail_sent": 1, "mail_skipped": 1}
    assert [m["To"] for m in smtp.inbox.messages] == [loud.user.email]
    assert Notification.objects.filter(recipient=quiet.user).count() == 1, "still in the centre"


@pytest.mark.django_db
def test_a_claimed_row_is_not_sent_by_a_second_worker_until_its_lease_lapses(
    personas: Personas, smtp: Server, settings: Any
) -> None:
    member(personas, "alice", "en")
    correction_requested(personas)
    row = MailOutbox.objects.get()
    lease = day(3) + timedelta(seconds=settings.DATAIP_MAIL_LEASE_SECONDS)
    MailOutbox.objects.filter(pk=row.pk).update(claim_token="a-dead-worker", claimed_until=lease)
    assert deliver_due(day(3)) == {}, "claimed by another worker"
    assert deliver_due(lease + timedelta(seconds=1)) == {"mail_sent": 1}, "its lease lapsed"
    assert len(smtp.inbox.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_the_django_tasks_worker_sends_the_mail_after_the_commit(
    personas: Personas, smtp: Server
) -> None:
    member(personas, "alice", "en")
    correction_requested(personas, at=clock.now())
    mail = DBTaskResult.objects.filter(task_path="dataip.registry.mail.deliver_mail")
    assert mail.count() == 1, "the transaction handed the mail to the worker"
    assert smtp.inbox.messages == []
    assert run_jobs() >= 1
    assert [m["To"] for m in smtp.inbox.messages] == ["alice@alpha.example"]
    assert mail.get().status == "SUCCESSFUL"
    assert MailOutbox.objects.get().status == "sent"
