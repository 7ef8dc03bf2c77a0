"""Renewal reminders (续展提醒): tell the holders when the renewal window opens.

The reminder is a notice (:data:`~dataip.registry.workflow.Notice.RENEWAL_DUE`,
:mod:`dataip.registry.notices`) to the members of every holder: it is shown in their
notification centre and mailed through the one outbox, in each person's language and as each
chose for the deadlines group; the worker (or the outbox step of ``dataip tick``) sends it and
retries it when the mail server is down. A :class:`RenewalReminder` row records, with the
notices, that the term was reminded, so it is reminded once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from dataip.accounts.models import User
from dataip.registry import clock
from dataip.registry.models import Application, RenewalReminder
from dataip.registry.notices import notify_renewal_open
from dataip.registry.regimes import all_regimes, load_regime
from dataip.registry.workflow import Status


def recipients(application: Application) -> list[str]:
    """The user names of the people acting for the holders (those the reminder goes to)."""
    holder_ids = list(application.holders.values_list("holder_id", flat=True))
    return sorted(
        User.objects.filter(holder_id__in=holder_ids, is_active=True).values_list(
            "username", flat=True
        )
    )


def send_renewal_reminders(at: datetime | None = None) -> int:
    """Remind the holders once per registration and term, once its renewal window is open.

    The notices and their mail are written in one transaction with the
    :class:`RenewalReminder`; a registration whose holders have no member yet is tried again on
    the next tick."""
    when = at or clock.now()
    today = clock.local_date(when)
    sent = 0
    horizon = today + timedelta(days=max(r.renewal_window_days for r in all_regimes().values()))
    due = Application.objects.filter(
        status=Status.REGISTERED, valid_until__gte=today, valid_until__lte=horizon
    ).exclude(reminders__valid_until=F("valid_until"))
    for application in due.select_related("product").iterator():
        regime = load_regime(application.regime_code)
        if application.valid_until is None:
            continue
        opens, closes = regime.renewal_window(application.valid_until)
        if not opens <= today <= closes:
            continue
        to = recipients(application)
        if not to:
            continue  # nobody to tell yet; tried again on the next tick
        try:
            with transaction.atomic():
                RenewalReminder.objects.create(
                    application=application,
                    valid_until=application.valid_until,
                    sent_at=when,
                    recipients=to,
                )
                notify_renewal_open(application, when)
        except IntegrityError:  # another tick recorded it at the same moment
            continue
        sent += 1
    return sent
