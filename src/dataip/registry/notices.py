"""Who is told what (通知): for every notice a transition declares (``Rule.notify`` in
:mod:`dataip.registry.workflow`) and every deadline ``dataip tick`` warns of, who receives it
and its text in both languages -- one table, :data:`NOTICES`.

Notices are written in the transaction of the event they tell about (:func:`notify_event`,
called by :func:`dataip.registry.services.transition.transition`): one
:class:`~dataip.accounts.models.Notification` per recipient for the notification centre, and
one :class:`~dataip.accounts.models.MailOutbox` row beside it for the person's e-mail. A
rolled-back transition leaves neither. The delivery bound at start-up (:func:`bind_delivery`,
:mod:`dataip.registry.mail`) queues the job that sends the mail in the same transaction, and
``dataip tick`` sends whatever is still due (retries included).
The text is rendered when it is read or sent, in the reader's language (:func:`render`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from dataip.accounts.models import (
    MailOutbox,
    Notification,
    NotificationPreference,
    OrgRole,
    User,
)
from dataip.errors import FieldErrors, gettext_noop
from dataip.registry import clock
from dataip.registry.models import Application, Event, Objection, Pledge, Transfer
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.workflow import Actor, Notice, Status

logger = logging.getLogger("dataip.notices")

N = Notice


class Audience(StrEnum):
    """Who a notice is for."""

    HOLDERS = "holders"
    """The members of every holder of the application (and of the filer)."""
    OBJECTOR = "objector"
    """The person who filed the objection the event is about."""
    LICENSEE = "licensee"
    """The members of the licensee, when the licensee is a known organisation."""
    PLEDGEE = "pledgee"
    """The members of the pledgee (the bank) of the pledge the event is about."""
    TRANSFER_PARTIES = "transfer_parties"
    """The members of the assignee and of every other joint holder asked to confirm."""
    EXAMINERS = "examiners"
    """The examiner who has the application (or every examiner while nobody has it)."""
    MEMBERS = "members"
    """The members of the organisation the notice is about (account notices: the identity and
    organisation services name them)."""
    CLAIMANT = "claimant"
    """The person who claimed a registered organisation's identifier (an identity dispute)."""
    REGISTRARS = "registrars"
    """Every active registrar (a case waiting on /examine/organisations)."""
    PERSON = "person"
    """The one person concerned (an invitee, a member whose role changed or who was removed)."""
    EXCHANGE = "exchange"
    """The members of the data exchange that reported the trade the event is about."""


class Group(StrEnum):
    """Groups of notices a person chooses e-mail for (通知分组)."""

    EXAMINATION = "examination"
    OBJECTIONS = "objections"
    RIGHTS = "rights"
    DEADLINES = "deadlines"
    ACCOUNT = "account"


GROUP_LABELS: dict[Group, str] = {
    Group.EXAMINATION: gettext_noop("Examination and registration"),
    Group.OBJECTIONS: gettext_noop("Objections"),
    Group.RIGHTS: gettext_noop("Transfers, licences, pledges and consents"),
    Group.DEADLINES: gettext_noop("Deadlines approaching"),
    Group.ACCOUNT: gettext_noop("Your account and organisation"),
}


@dataclass(frozen=True)
class NoticeText:
    """One kind of notice: its group, who receives it, and its subject and text (msgids with
    ``%(name)s`` parameters: number, product, reason, due, reference, decision)."""

    group: Group
    to: tuple[Audience, ...]
    subject: str
    body: str
    email: bool = True
    """Whether it is e-mailed too (when the person wants the group by e-mail)."""


H, OB, L, P, T, E = (
    Audience.HOLDERS,
    Audience.OBJECTOR,
    Audience.LICENSEE,
    Audience.PLEDGEE,
    Audience.TRANSFER_PARTIES,
    Audience.EXAMINERS,
)
EXAM, OBJ, RIGHTS, DUE = Group.EXAMINATION, Group.OBJECTIONS, Group.RIGHTS, Group.DEADLINES
ACCOUNT = Group.ACCOUNT

#: THE table: every notice, who receives it, and what it says.
NOTICES: dict[Notice, NoticeText] = {
    N.CORRECTION_REQUESTED: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Correction requested: %(number)s"),
        gettext_noop(
            "The examiner asks for a correction of application %(number)s (%(product)s) by "
            "%(due)s; without it the application is deemed withdrawn. What to correct: %(reason)s"
        ),
    ),
    N.FORMAL_EXAMINATION_PASSED: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Formal examination passed: %(number)s"),
        gettext_noop(
            "Application %(number)s (%(product)s) passed formal examination and goes to the "
            "expert panel."
        ),
    ),
    N.EXAMINATION_PASSED: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Examination passed: %(number)s"),
        gettext_noop(
            "Application %(number)s (%(product)s) passed examination; it will be announced."
        ),
    ),
    N.APPLICATION_REFUSED: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Registration refused: %(number)s"),
        gettext_noop("Registration of %(number)s (%(product)s) was refused. Reason: %(reason)s"),
    ),
    N.DEEMED_WITHDRAWN: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Deemed withdrawn: %(number)s"),
        gettext_noop(
            "Application %(number)s (%(product)s) is deemed withdrawn: the correction deadline "
            "passed."
        ),
    ),
    N.ANNOUNCED: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Announcement started: %(number)s"),
        gettext_noop(
            "Application %(number)s (%(product)s) is announced until %(due)s; anyone may "
            "object meanwhile."
        ),
    ),
    N.REGISTERED: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Registered: %(number)s"),
        gettext_noop("%(product)s is registered under number %(number)s."),
    ),
    N.CERTIFICATE_ISSUED: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Certificate issued: %(number)s"),
        gettext_noop(
            "A new certificate (version %(version)s) of registration %(number)s (%(product)s) "
            "was issued; download it from the registration's page."
        ),
    ),
    N.OBJECTION_FILED: NoticeText(
        OBJ,
        (H,),
        gettext_noop("Objection filed: %(number)s"),
        gettext_noop(
            "Objection %(reference)s was filed against %(number)s (%(product)s). You may answer "
            "it in writing before the examiner decides it (by %(due)s)."
        ),
    ),
    N.OBJECTION_DECIDED: NoticeText(
        OBJ,
        (H, OB),
        gettext_noop("Objection decided: %(reference)s"),
        gettext_noop(
            "Objection %(reference)s against %(number)s (%(product)s) was %(decision)s. "
            "Reason: %(reason)s"
        ),
    ),
    N.CHANGE_DECIDED: NoticeText(
        RIGHTS,
        (H,),
        gettext_noop("Change request decided: %(number)s"),
        gettext_noop("The change request on %(number)s (%(product)s) was %(decision)s."),
    ),
    N.TRANSFER_TO_CONFIRM: NoticeText(
        RIGHTS,
        (T,),
        gettext_noop("A transfer waits for your confirmation: %(number)s"),
        gettext_noop(
            "A transfer of %(number)s (%(product)s) was proposed; it takes effect once every "
            "party has confirmed it. Confirm or decline it on the registration's page."
        ),
    ),
    N.TRANSFER_RECORDED: NoticeText(
        RIGHTS,
        (H, T),
        gettext_noop("Transfer recorded: %(number)s"),
        gettext_noop("The transfer of %(number)s (%(product)s) has taken effect."),
    ),
    N.LICENCE_RECORDED: NoticeText(
        RIGHTS,
        (L,),
        gettext_noop("Licence recorded: %(number)s"),
        gettext_noop("A licence of %(number)s (%(product)s) to your organisation was recorded."),
    ),
    N.PLEDGE_TO_CONFIRM: NoticeText(
        RIGHTS,
        (H,),
        gettext_noop("A pledge waits for your confirmation: %(number)s"),
        gettext_noop(
            "A pledge of %(number)s (%(product)s) was proposed; confirm or decline it on the "
            "registration's page."
        ),
    ),
    N.PLEDGE_REGISTERED: NoticeText(
        RIGHTS,
        (H, P),
        gettext_noop("Pledge registered: %(number)s"),
        gettext_noop("A pledge of %(number)s (%(product)s) is registered."),
    ),
    N.PLEDGE_RELEASED: NoticeText(
        RIGHTS,
        (H, P),
        gettext_noop("Pledge released: %(number)s"),
        gettext_noop("The pledge of %(number)s (%(product)s) was released. Reason: %(reason)s"),
    ),
    N.CONSENT_REQUESTED: NoticeText(
        RIGHTS,
        (P,),
        gettext_noop("Your consent is asked: %(number)s"),
        gettext_noop(
            "The holder of %(number)s (%(product)s), pledged to your organisation, asks for "
            "your consent. Give or refuse it on the consents page."
        ),
    ),
    N.CONSENT_ANSWERED: NoticeText(
        RIGHTS,
        (H,),
        gettext_noop("The pledgee answered: %(number)s"),
        gettext_noop("The pledgee of %(number)s (%(product)s) %(decision)s."),
    ),
    N.REVOKED: NoticeText(
        EXAM,
        (H,),
        gettext_noop("Registration revoked: %(number)s"),
        gettext_noop("Registration %(number)s (%(product)s) was revoked. Reason: %(reason)s"),
    ),
    N.CORRECTION_DUE_SOON: NoticeText(
        DUE,
        (H,),
        gettext_noop("Correction due on %(due)s: %(number)s"),
        gettext_noop(
            "The correction of application %(number)s (%(product)s) is due on %(due)s; "
            "without it the application is deemed withdrawn."
        ),
    ),
    N.RENEWAL_DUE: NoticeText(
        DUE,
        (H,),
        gettext_noop("Renewal open until %(due)s: %(number)s"),
        gettext_noop(
            "Registration %(number)s (%(product)s) is valid until %(due)s; renewal is open now."
        ),
    ),
    N.OBJECTION_DECISION_DUE: NoticeText(
        DUE,
        (E,),
        gettext_noop("Objection decision due on %(due)s: %(reference)s"),
        gettext_noop(
            "Objection %(reference)s against %(number)s (%(product)s) must be decided by %(due)s."
        ),
    ),
    # The account and the organisation (written by registry/services/identity.py and, through
    # accounts/tell.py, by accounts/organisation.py; parameters: organisation, reason, role).
    N.ORGANISATION_VERIFIED: NoticeText(
        ACCOUNT,
        (Audience.MEMBERS,),
        gettext_noop("Organisation verified: %(organisation)s"),
        gettext_noop(
            "The registrar verified the identity of %(organisation)s; it may now submit "
            "applications."
        ),
    ),
    N.ORGANISATION_REFUSED: NoticeText(
        ACCOUNT,
        (Audience.MEMBERS,),
        gettext_noop("Organisation not verified: %(organisation)s"),
        gettext_noop(
            "The registrar refused to verify the identity of %(organisation)s. Reason: "
            "%(reason)s. You may upload the documents again on the verification page."
        ),
    ),
    N.DISPUTE_GRANTED: NoticeText(
        ACCOUNT,
        (Audience.CLAIMANT,),
        gettext_noop("Your claim was granted: %(organisation)s"),
        gettext_noop(
            "The registrar granted your claim: you act for %(organisation)s now, as its "
            "administrator."
        ),
    ),
    N.DISPUTE_REFUSED: NoticeText(
        ACCOUNT,
        (Audience.CLAIMANT,),
        gettext_noop("Your claim was refused: %(organisation)s"),
        gettext_noop(
            "The registrar refused your claim to act for %(organisation)s. Reason: %(reason)s"
        ),
    ),
    N.ORGANISATION_WAITING: NoticeText(
        ACCOUNT,
        (Audience.REGISTRARS,),
        gettext_noop("An organisation waits for verification: %(organisation)s"),
        gettext_noop(
            "%(organisation)s waits for the verification of its identity; decide it on the "
            "organisations to verify page."
        ),
    ),
    N.DISPUTE_WAITING: NoticeText(
        ACCOUNT,
        (Audience.REGISTRARS,),
        gettext_noop("A claim on an organisation waits: %(organisation)s"),
        gettext_noop(
            "Someone claims to act for %(organisation)s, which is registered already; decide "
            "the dispute on the organisations to verify page."
        ),
    ),
    N.INVITED: NoticeText(
        ACCOUNT,
        (Audience.PERSON,),
        gettext_noop("Invitation to join %(organisation)s"),
        gettext_noop(
            "You are invited to join %(organisation)s as %(role)s. Open the link in the "
            "invitation mail to join."
        ),
        # The invitation mail with its link is sent by accounts/organisation.py itself.
        email=False,
    ),
    N.ROLE_CHANGED: NoticeText(
        ACCOUNT,
        (Audience.PERSON,),
        gettext_noop("Your role changed: %(organisation)s"),
        gettext_noop("Your role in %(organisation)s is now %(role)s."),
    ),
    N.MEMBER_REMOVED: NoticeText(
        ACCOUNT,
        (Audience.PERSON,),
        gettext_noop("You left %(organisation)s"),
        gettext_noop(
            "An administrator removed you from %(organisation)s; you no longer act for it. "
            "What you did for it stays recorded."
        ),
    ),
    # A data exchange's listings (挂牌) and fast-lane referrals (快速通道)
    N.LISTED: NoticeText(
        RIGHTS,
        (H,),
        gettext_noop("Listed on a data exchange: %(number)s"),
        gettext_noop(
            "%(number)s (%(product)s) was listed on a data exchange under the listing "
            "%(reference)s; the public page shows where it is listed."
        ),
    ),
    N.DELISTED: NoticeText(
        RIGHTS,
        (H,),
        gettext_noop("Delisted from a data exchange: %(number)s"),
        gettext_noop(
            "The listing %(reference)s of %(number)s (%(product)s) on a data exchange has ended."
        ),
    ),
    N.REFERRAL_RECEIVED: NoticeText(
        EXAM,
        (Audience.MEMBERS,),
        gettext_noop("A data exchange pre-filled an application: %(number)s"),
        gettext_noop(
            "A data exchange pre-filled an application for %(product)s (its listing "
            "%(number)s). Start a draft from it or decline it on My applications."
        ),
    ),
}

# Trade reports by a data exchange (交易所交易报送)
NOTICES.update(
    {
        N.TRADE_REPORTED: NoticeText(
            RIGHTS,
            (H,),
            gettext_noop("A trade was reported: %(number)s"),
            gettext_noop(
                "%(exchange)s reported a trade of %(number)s (%(product)s), contract "
                "%(reference)s. If it is wrong, dispute it on the registration's rights page."
            ),
        ),
        N.TRADE_DISPUTED: NoticeText(
            RIGHTS,
            (Audience.EXCHANGE,),
            gettext_noop("A trade report is disputed: %(reference)s"),
            gettext_noop(
                "The holder of %(number)s (%(product)s) disputes your report of contract "
                "%(reference)s. Reason: %(reason)s. You may withdraw it and report it again."
            ),
        ),
        N.TRADE_REPORT_WITHDRAWN: NoticeText(
            RIGHTS,
            (H,),
            gettext_noop("A trade report was withdrawn: %(number)s"),
            gettext_noop(
                "%(exchange)s withdrew its report of contract %(reference)s on %(number)s "
                "(%(product)s)."
            ),
        ),
    }
)

#: Words put into a text in the reader's language (the ``decision`` parameter).
DECISIONS: dict[str, str] = {
    "dismissed": gettext_noop("dismissed"),
    "upheld": gettext_noop("upheld"),
    "approved": gettext_noop("approved"),
    "refused": gettext_noop("refused"),
    "consented": gettext_noop("consented"),
    "refused_consent": gettext_noop("refused its consent"),
}

#: The decision each action stands for, where a notice names it.
_ACTION_DECISIONS = {
    "approve_change": "approved",
    "refuse_change": "refused",
    "consent": "consented",
    "refuse_consent": "refused_consent",
}

CORRECTION_WARNING_DAYS = 7
"""How many days before the correction deadline the holder is reminded."""
OBJECTION_WARNING_DAYS = 7
"""How many days before an objection's decision is due the examiners are reminded."""


# ── rendering ──────────────────────────────────────────────────────────────────────────


class _Params(dict[str, Any]):
    """Parameters of a text; a missing one reads as empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def render(kind: str, params: dict[str, Any], language: str | None = None) -> tuple[str, str]:
    """The subject and text of a notice, in ``language`` (default: the active language)."""
    text = NOTICES[Notice(kind)]
    with translation.override(language or translation.get_language()):
        english = (translation.get_language() or "").startswith("en")
        values = _Params(params)
        if english and params.get("product_en"):
            values["product"] = params["product_en"]
        if params.get("decision") in DECISIONS:
            values["decision"] = gettext(DECISIONS[params["decision"]])
        if params.get("role") in OrgRole.values:
            values["role"] = str(OrgRole(params["role"]).label)
        return gettext(text.subject) % values, gettext(text.body) % values


def language_of(user: User) -> str:
    """The language a person reads notices in."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def wants_email(user_id: int, kind: str) -> bool:
    """Whether the person wants this kind of notice by e-mail (default: yes)."""
    group = NOTICES[Notice(kind)].group
    choice = NotificationPreference.objects.filter(user_id=user_id, group=group).first()
    return True if choice is None else choice.email


# ── who receives it ────────────────────────────────────────────────────────────────────


def _members(holder_ids: Iterable[int | None]) -> set[int]:
    ids = {h for h in holder_ids if h is not None}
    if not ids:
        return set()
    return set(User.objects.filter(holder_id__in=ids, is_active=True).values_list("pk", flat=True))


def _holder_ids(application: Application) -> set[int]:
    ids = {application.filed_by_id}
    ids.update(application.holders.values_list("holder_id", flat=True))
    return ids


def _transfer_parties(payload: dict[str, Any]) -> set[int]:
    transfer = Transfer.objects.filter(pk=int(payload.get("transfer") or 0)).first()
    if transfer is None:
        return set()
    return set(transfer.parties()) | {transfer.assignee_id}


def _pledgee(payload: dict[str, Any]) -> set[int]:
    if payload.get("pledgee"):
        return {int(payload["pledgee"])}
    found = Pledge.objects.filter(pk=int(payload.get("pledge") or 0)).values_list(
        "pledgee_id", flat=True
    )
    return set(found)


def _objector(payload: dict[str, Any]) -> set[int]:
    found = Objection.objects.filter(pk=int(payload.get("objection") or 0)).values_list(
        "objector_id", flat=True
    )
    return set(found)


def registrars() -> set[int]:
    """Every active registrar (who decides the organisations waiting for verification)."""
    return set(User.objects.filter(is_active=True, is_registrar=True).values_list("pk", flat=True))


def members_of(holder_id: int) -> set[int]:
    """The active members of an organisation."""
    return _members([holder_id])


def _examiners(application: Application) -> set[int]:
    if application.examiner_id is not None:
        return {application.examiner_id}
    return set(User.objects.filter(is_active=True, is_examiner=True).values_list("pk", flat=True))


def recipients(kind: Notice, application: Application, payload: dict[str, Any]) -> set[int]:
    """The users a notice of ``kind`` about ``application`` goes to."""
    found: set[int] = set()
    for audience in NOTICES[kind].to:
        if audience is Audience.HOLDERS:
            found |= _members(_holder_ids(application))
        elif audience is Audience.OBJECTOR:
            found |= _objector(payload)
        elif audience is Audience.LICENSEE:
            found |= _members([payload.get("licensee")])
        elif audience is Audience.PLEDGEE:
            found |= _members(_pledgee(payload))
        elif audience is Audience.TRANSFER_PARTIES:
            found |= _members(_transfer_parties(payload))
        elif audience is Audience.EXAMINERS:
            found |= _examiners(application)
        elif audience is Audience.EXCHANGE:
            found |= _members([payload.get("exchange")])
    return found


# ── writing ────────────────────────────────────────────────────────────────────────────

_delivery: list[Callable[[], object]] = []


def bind_delivery(kick: Callable[[], object]) -> None:
    """Bind what hands new mail to the worker: it queues the job in the transaction that wrote
    the mail (once, at start-up)."""
    _delivery[:] = [kick]


def _kick() -> None:
    """Queue the job that sends the mail, with the rows (a failure fails the transaction, as
    a failed insert of the rows would)."""
    for kick in _delivery:
        kick()


def _message_id(key: str, user_id: int) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "dataip.local"
    return f"<notice.{re.sub(r'[^A-Za-z0-9.-]', '.', key)}.{user_id}@{domain}>"


def application_params(application: Application) -> dict[str, Any]:
    """The parameters every notice about an application has: its number and product."""
    product = application.product
    return {
        "number": application.registration_number or application.number or "",
        "product": product.name,
        "product_en": product.name_en,
    }


def notify(
    kind: Notice,
    *,
    recipients: Iterable[int],
    key: str,
    params: dict[str, Any],
    at: datetime,
    application: Application | None = None,
) -> int:
    """Write one notice of ``kind`` to each recipient who does not have it yet (``key`` names
    the event or deadline), with its e-mail in the outbox; in the caller's transaction.
    Returns how many were written."""
    wanted = set(recipients)
    if not wanted:
        return 0
    already = set(
        Notification.objects.filter(key=key, recipient_id__in=wanted).values_list(
            "recipient_id", flat=True
        )
    )
    new = [
        Notification(
            recipient_id=user_id,
            kind=kind.value,
            key=key,
            application=application,
            params=params,
            created_at=at,
        )
        for user_id in sorted(wanted - already)
    ]
    if not new:
        return 0
    for notice in new:
        notice.save()
    with_mail = set()
    if NOTICES[kind].email:
        with_mail = set(
            User.objects.filter(pk__in=[n.recipient_id for n in new])
            .exclude(email="")
            .values_list("pk", flat=True)
        )
    MailOutbox.objects.bulk_create(
        MailOutbox(
            notification=notice,
            next_attempt_at=at,
            message_id=_message_id(key, notice.recipient_id),
        )
        for notice in new
        if notice.recipient_id in with_mail
    )
    if with_mail:
        _kick()  # the job is queued with the rows (the outbox), run after the commit
    return len(new)


def notify_account(
    kind: str,
    *,
    recipients: Iterable[int],
    key: str,
    params: dict[str, Any],
    at: datetime | None = None,
) -> int:
    """Write a notice about a person's account or organisation (no application), in the
    caller's transaction; bound for :mod:`dataip.accounts.tell` at start-up."""
    notice = Notice(kind)
    assert NOTICES[notice].group is Group.ACCOUNT, kind  # noqa: S101 - a programming error
    return notify(notice, recipients=recipients, key=key, params=params, at=at or clock.now())


def _event_params(kind: Notice, application: Application, event: Event) -> dict[str, Any]:
    payload = event.payload or {}
    params = application_params(application)
    params["reason"] = event.reason
    if kind is N.CORRECTION_REQUESTED and application.correction_due:
        params["due"] = application.correction_due.isoformat()
    if kind is N.ANNOUNCED and application.announcement_ends:
        params["due"] = application.announcement_ends.isoformat()
    if "reference" in payload:
        params["reference"] = payload["reference"]
    if "exchange_name" in payload:
        params["exchange"] = payload["exchange_name"]
    if "decision_due" in payload:
        params["due"] = payload["decision_due"]
    if payload.get("objection") and "reference" not in params:
        found = Objection.objects.filter(pk=payload["objection"]).values_list(
            "reference", flat=True
        )
        params["reference"] = found.first() or ""
    decision = payload.get("decision") or _ACTION_DECISIONS.get(event.action)
    if decision:
        params["decision"] = decision
    return params


def notify_event(
    application: Application, notices: tuple[Notice, ...], event: Event, actor: Actor
) -> int:
    """Write the notices a transition declares, for the event just recorded (same
    transaction). The person who acted is not told of their own action."""
    written = 0
    for kind in notices:
        to = recipients(kind, application, event.payload or {})
        if actor.user_id is not None:
            to.discard(actor.user_id)
        written += notify(
            kind,
            recipients=to,
            key=f"event.{event.pk}.{kind.value}",
            params=_event_params(kind, application, event),
            at=event.occurred_at,
            application=application,
        )
    return written


def notify_certificate_issued(application: Application, version: int, event: Event) -> int:
    """Tell the holders that a certificate version was issued (same transaction)."""
    params = {**application_params(application), "version": version}
    return notify(
        N.CERTIFICATE_ISSUED,
        recipients=recipients(N.CERTIFICATE_ISSUED, application, {}),
        key=f"event.{event.pk}.{N.CERTIFICATE_ISSUED.value}",
        params=params,
        at=event.occurred_at,
        application=application,
    )


# ── deadlines approaching (dataip tick) ────────────────────────────────────────────────


def notify_deadlines(at: datetime | None = None) -> Counter[str]:
    """Warn of the deadlines that come close: a correction due within a week (the holders),
    an objection to decide within a week (the examiners), a renewal window that is open (the
    holders). Each deadline is told once (its key names it)."""
    at = at or clock.now()
    today = clock.local_date(at)
    done: Counter[str] = Counter()
    correcting = Application.objects.filter(
        status=Status.CORRECTION_REQUESTED,
        correction_due__gte=today,
        correction_due__lte=today + timedelta(days=CORRECTION_WARNING_DAYS),
    ).select_related("product")
    for application in correcting:
        due = application.correction_due.isoformat() if application.correction_due else ""
        done[N.CORRECTION_DUE_SOON] += _notify_deadline(
            N.CORRECTION_DUE_SOON, application, f"due.correction.{application.pk}.{due}", at, due
        )
    deciding = Objection.objects.filter(
        status=ObjectionStatus.PENDING,
        decision_due__gte=today,
        decision_due__lte=today + timedelta(days=OBJECTION_WARNING_DAYS),
    ).select_related("application__product")
    for objection in deciding:
        due = objection.decision_due.isoformat() if objection.decision_due else ""
        done[N.OBJECTION_DECISION_DUE] += _notify_deadline(
            N.OBJECTION_DECISION_DUE,
            objection.application,
            f"due.objection.{objection.pk}",
            at,
            due,
            reference=objection.reference or "",
        )
    return +done


def notify_renewal_open(application: Application, at: datetime) -> int:
    """Tell the holders that the renewal window of ``application`` is open (once per term)."""
    due = application.valid_until.isoformat() if application.valid_until else ""
    return _notify_deadline(
        N.RENEWAL_DUE, application, f"due.renewal.{application.pk}.{due}", at, due
    )


def _notify_deadline(
    kind: Notice, application: Application, key: str, at: datetime, due: str, **extra: str
) -> int:
    with transaction.atomic():
        return notify(
            kind,
            recipients=recipients(kind, application, {}),
            key=key,
            params={**application_params(application), "due": due, **extra},
            at=at,
            application=application,
        )


# ── the reader's side: read marks and preferences ──────────────────────────────────────


def mark_read(
    user_id: int, notice_ids: Iterable[int] | None = None, at: datetime | None = None
) -> int:
    """Mark the person's notices read (the given ones, or all); return how many changed.
    Another person's notice is left alone (and not counted)."""
    found = Notification.objects.filter(recipient_id=user_id, read_at=None)
    if notice_ids is not None:
        found = found.filter(pk__in=list(notice_ids))
    return found.update(read_at=at or clock.now())


def set_email_preferences(user_id: int, email_groups: Iterable[str]) -> None:
    """Save which groups of notices the person wants by e-mail (the others: in-app only)."""
    wanted = set(email_groups)
    unknown = wanted - {g.value for g in Group}
    if unknown:
        FieldErrors.raise_one("email", gettext_noop("Choose among the groups offered."))
    with transaction.atomic():
        for group in Group:
            NotificationPreference.objects.update_or_create(
                user_id=user_id, group=group.value, defaults={"email": group.value in wanted}
            )
