"""Renewal reminders go through the one outbox: a notice to each member of the holder, mailed
in the person's language as the person chose, by ``dataip tick`` through a real SMTP server
(aiosmtpd on loopback); a mail server that is down delays the reminder, never loses it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dataip.accounts.models import MailOutbox, MailStatus, Notification, User
from dataip.registry import notices
from dataip.registry.models import RenewalReminder
from dataip.registry.workflow import Notice, Status
from dataip.upkeep.tick import tick
from tests.support.builders import at_stage, day
from tests.support.mailbox import Inbox, smtp  # noqa: F401 - the fixture
from tests.support.personas import Personas, make_person

pytestmark = pytest.mark.django_db

OPEN = 30 + 3 * 365 - 89
"""The day the renewal window of a registration made by ``at_stage`` is open (valid until
2029-03-31, window opens 2028-12-31)."""


def test_each_member_is_reminded_once_in_their_language_through_the_outbox(
    personas: Personas,
    smtp: Inbox,  # noqa: F811
) -> None:
    holder = personas.applicant.holder
    holder.contact_email = "ip@alpha.example"  # not an account: the outbox mails people
    holder.save()
    applicant = personas.applicant.user
    applicant.email, applicant.language = "legal@alpha.example", "en"
    applicant.save()
    colleague = make_person("bai", holder).user
    colleague.email, colleague.language = "bai@alpha.example", "zh-hans"
    colleague.save()
    quiet = make_person("quiet", holder).user
    quiet.email = "quiet@alpha.example"
    quiet.save()
    notices.set_email_preferences(quiet.pk, [])  # in the centre only
    app = at_stage(personas, Status.REGISTERED)
    number = app.registration_number or "?"

    assert tick(at=day(OPEN - 3))["renewal_reminder"] == 0
    done = tick(at=day(OPEN))
    assert done["renewal_reminder"] == 1
    assert done["mail_sent"] == 2
    assert done["mail_skipped"] == 1
    assert tick(at=day(OPEN + 9))["renewal_reminder"] == 0, "one reminder per term"

    members = sorted(User.objects.filter(holder=holder).values_list("username", flat=True))
    assert {applicant.username, "bai", "quiet"} <= set(members)
    reminded = Notification.objects.filter(kind=Notice.RENEWAL_DUE, application=app)
    assert sorted(reminded.values_list("recipient__username", flat=True)) == members
    assert RenewalReminder.objects.get(application=app).recipients == members
    by_address = {m["To"]: m for m in smtp.messages}
    assert set(by_address) == {"legal@alpha.example", "bai@alpha.example"}
    english = by_address["legal@alpha.example"]
    assert english["Subject"].startswith("Renewal open until 2029-03-31")
    chinese = by_address["bai@alpha.example"]
    assert "续展" in str(chinese["Subject"]) or "续展" in _body(chinese)
    assert number in _body(english)
    assert number in _body(chinese)
    assert "renewal is open" in _body(english)


def test_a_reminder_written_while_the_mail_server_is_down_is_sent_later(
    personas: Personas,
    smtp: Inbox,  # noqa: F811
    settings: object,
) -> None:
    at_stage(personas, Status.REGISTERED)
    user = personas.applicant.user
    user.email = "legal@alpha.example"  # from now on: the reminder is its only mail
    user.save()
    port = settings.EMAIL_PORT  # type: ignore[attr-defined]
    settings.EMAIL_PORT = 1  # type: ignore[attr-defined]  # nobody listens there
    done = tick(at=day(OPEN))  # the certificate issued by this tick is mailed too
    assert done["renewal_reminder"] == 1
    assert done["mail_failed"] >= 1
    reminder = MailOutbox.objects.get(notification__kind=Notice.RENEWAL_DUE)
    assert reminder.status == MailStatus.PENDING
    assert reminder.attempts == 1
    assert smtp.messages == []
    settings.EMAIL_PORT = port  # type: ignore[attr-defined]
    later = tick(at=day(OPEN) + timedelta(hours=7))
    assert later["renewal_reminder"] == 0
    assert later["mail_sent"] >= 1
    sent = [m for m in smtp.messages if m["X-Dataip-Notice"] == Notice.RENEWAL_DUE]
    assert [m["To"] for m in sent] == ["legal@alpha.example"]
    reminder.refresh_from_db()
    assert reminder.status == MailStatus.SENT
    assert tick(at=day(OPEN) + timedelta(hours=8))["mail_sent"] == 0, "sent once"


def _body(message: object) -> str:
    payload = message.get_payload(decode=True)  # type: ignore[attr-defined]
    assert isinstance(payload, bytes)
    return payload.decode()
