"""Sending the notices' mail (邮件发送): the outbox, drained by a django-tasks worker.

Notices and their ``MailOutbox`` rows are written in the event's transaction
(:mod:`dataip.registry.notices`), and :func:`hand_over` queues the task :func:`deliver_mail` in
that transaction too (:mod:`dataip.jobs`; the ORM backend of django-tasks-db: a row in the same
database, so no broker to run); after the commit the worker (``dataip worker``, or the thread
``dataip serve`` starts) runs it, and ``dataip tick`` runs :func:`deliver_due` too (retries,
and rows written before the queue existed).

:func:`deliver_due` claims due rows (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
SQLite, whose writers queue, a conditional update sets a claim token and a lease), renders each
mail in its recipient's language, sends it unless the person chose in-app only for its group,
and marks it sent. A failed send records the error and waits (doubling backoff) before the next
attempt; a claim whose worker died lapses with its lease. Each mail carries a ``Message-ID``
named after its notice, so a receiver can also drop a copy.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q
from django_tasks import task

from dataip import jobs
from dataip.accounts.models import MailOutbox, MailStatus
from dataip.registry import clock
from dataip.registry.notices import language_of, render, wants_email

logger = logging.getLogger("dataip.mail")

BATCH = 100
"""The most rows one pass claims."""
MAX_BACKOFF = timedelta(hours=6)


@task()
def deliver_mail() -> dict[str, int]:
    """The worker's task: send every mail that is due."""
    return dict(deliver_due())


def hand_over() -> None:
    """Ask the worker to send the new mail: queued once in the transaction that wrote it."""
    jobs.enqueue(deliver_mail)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: doubling, from the configured
    first wait, up to six hours."""
    first = timedelta(seconds=int(settings.DATAIP_MAIL_RETRY_SECONDS))
    wait: timedelta = first * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_BACKOFF)


def _claim(now: datetime, limit: int) -> tuple[str, list[MailOutbox]]:
    """Claim up to ``limit`` due rows for this pass; return the claim token and the rows."""
    token = secrets.token_hex(16)
    lease = now + timedelta(seconds=settings.DATAIP_MAIL_LEASE_SECONDS)
    due = MailOutbox.objects.filter(status=MailStatus.PENDING, next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            picked = due.select_for_update(skip_locked=True).order_by("id")[:limit]
            ids = list(picked.values_list("pk", flat=True))
        else:
            ids = list(due.order_by("id").values_list("pk", flat=True)[:limit])
        # The conditions again: on SQLite another worker may have claimed a row since.
        due.filter(pk__in=ids).update(claim_token=token, claimed_until=lease)
    rows = MailOutbox.objects.filter(claim_token=token).select_related("notification__recipient")
    return token, list(rows.order_by("id"))


def deliver_due(now: datetime | None = None, limit: int = BATCH) -> Counter[str]:
    """Send the mail that is due at ``now``; return counts (sent, failed, skipped)."""
    now = now or clock.now()
    token, rows = _claim(now, limit)
    done: Counter[str] = Counter()
    for row in rows:
        done[_deliver(row, token, now)] += 1
    return done


def _deliver(row: MailOutbox, token: str, now: datetime) -> str:
    notice = row.notification
    user = notice.recipient
    mine = MailOutbox.objects.filter(pk=row.pk, claim_token=token)
    if not user.email or not user.is_active or not wants_email(user.pk, notice.kind):
        mine.update(status=MailStatus.SKIPPED, claim_token="", claimed_until=None)
        return "mail_skipped"
    subject, body = render(notice.kind, notice.params, language_of(user))
    footer = f"{settings.DATAIP_PUBLIC_URL}/notifications/"
    message = EmailMessage(
        subject,
        f"{body}\n\n{footer}\n",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        headers={"Message-ID": row.message_id, "X-Dataip-Notice": notice.kind},
    )
    try:
        message.send()
    except Exception as error:  # SMTP down or refusing: try again later
        attempts = row.attempts + 1
        mine.update(
            attempts=F("attempts") + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=now + backoff(attempts),
            claim_token="",
            claimed_until=None,
        )
        logger.warning("mail %s failed (attempt %s): %s", row.message_id, attempts, error)
        return "mail_failed"
    mine.update(
        status=MailStatus.SENT,
        sent_at=now,
        attempts=F("attempts") + 1,
        last_error="",
        claim_token="",
        claimed_until=None,
    )
    return "mail_sent"
