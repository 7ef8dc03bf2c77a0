"""Renewal reminders (续展提醒): e-mail the holders when the renewal window opens."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F

from dataip.accounts.models import User
from dataip.registry import clock
from dataip.registry.models import Application, RenewalReminder
from dataip.registry.notices import notify_renewal_open
from dataip.registry.regimes import all_regimes, load_regime
from dataip.registry.workflow import Status

log = logging.getLogger(__name__)

SUBJECT = "数据知识产权登记续展提醒 / Renewal reminder: {number}"
BODY = """您好：

您持有的数据知识产权登记 {number}（{name}）有效期至 {until}。
续展申请可在 {opens} 至 {until} 期间提交，逾期未续展的，登记将于有效期届满后失效。

Hello,

Your data IP registration {number} ({name_en}) is valid until {until}.
You can apply for renewal from {opens} until {until}; without renewal the registration
expires when its validity ends.

— {registry_zh} / {registry_en}
"""


def recipients(application: Application) -> list[str]:
    """The holders' contact addresses and the addresses of the people acting for them."""
    holder_ids = list(application.holders.values_list("holder_id", flat=True))
    addresses = set(
        application.holders.exclude(holder__contact_email="").values_list(
            "holder__contact_email", flat=True
        )
    )
    addresses.update(
        User.objects.filter(holder_id__in=holder_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(addresses)


def send_renewal_reminders(at: datetime | None = None) -> int:
    """Send one reminder per registration and term once its renewal window is open.

    The mail goes out first and the reminder is recorded after, so a mail server that is down
    means the reminder is tried again on the next tick rather than forgotten.
    """
    today = clock.local_date(at or clock.now())
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
        if RenewalReminder.objects.filter(
            application=application, valid_until=application.valid_until
        ).exists():
            continue
        to = recipients(application)
        if not to:
            continue  # nobody to tell yet; tried again on the next tick
        EmailMessage(
            SUBJECT.format(number=application.registration_number),
            BODY.format(
                number=application.registration_number,
                name=application.product.name,
                name_en=application.product.name_en or application.product.name,
                until=application.valid_until.isoformat(),
                opens=opens.isoformat(),
                registry_zh=regime.registry_name_zh,
                registry_en=regime.registry_name_en,
            ),
            settings.DEFAULT_FROM_EMAIL,
            to,
        ).send()
        try:
            with transaction.atomic():
                RenewalReminder.objects.create(
                    application=application,
                    valid_until=application.valid_until,
                    sent_at=at or clock.now(),
                    recipients=to,
                )
                notify_renewal_open(application, at or clock.now())
        except IntegrityError:  # another tick recorded it at the same moment
            continue
        sent += 1
    return sent
