"""Organisations and their members (组织与成员): invitations, roles, removal.

An organisation is a registry holder; a person belongs to at most one, through ``User.holder``,
in a role (:class:`~dataip.accounts.models.OrgRole`). Only an administrator invites, changes
roles and removes; the last administrator can be neither demoted nor removed. Removing a member
only detaches the person: what it did stays recorded in its name.

Invitations are single use and expire (``DATAIP_INVITATION_DAYS``); the link carries a secret
of which only a digest is kept. The mail is sent at once with Django's mail, in the language
chosen on the form, inside the transaction: if it cannot be sent, no invitation is left behind.

People are told in the notification centre (and by mail, as they chose, through the outbox) of
what concerns them, in the transaction of the change (:mod:`dataip.accounts.tell`): an invitee
who already has an account of the invitation, a member of a new role or of being removed.
"""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from dataip.accounts.activity import record_activity
from dataip.accounts.models import Invitation, OrgRole, User
from dataip.accounts.tell import tell
from dataip.errors import DomainError, FieldErrors, NotFound, PermissionDenied, gettext_noop

INVITATION_PATH = "/account/invitation/"
"""Where an invitation's link leads (the page ``web:accept-invitation``)."""
LANGUAGES = ("zh-hans", "en")


class MailNotSent(DomainError):
    """The mail server refused or could not be reached; nothing was changed."""

    code = "mail_not_sent"
    http_status = 503


class InvitationClosed(DomainError):
    """The invitation was used, withdrawn or has expired."""

    code = "invitation_closed"
    http_status = 410


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def require_administrator(user: User) -> int:
    """The organisation ``user`` administers (its id), or refuse."""
    if not user.is_active or user.holder_id is None or user.org_role != OrgRole.ADMINISTRATOR:
        raise PermissionDenied(
            gettext_noop("Only an administrator of the organisation can do this.")
        )
    return user.holder_id


def members_of(holder_id: int) -> list[User]:
    """The people who act for the organisation, administrators first."""
    order = {OrgRole.ADMINISTRATOR: 0, OrgRole.MEMBER: 1, OrgRole.READ_ONLY: 2}
    people = User.objects.filter(holder_id=holder_id, is_active=True).order_by("username")
    return sorted(people, key=lambda u: order.get(OrgRole(u.org_role), 3))


def open_invitations_of(holder_id: int) -> list[Invitation]:
    """Invitations neither accepted nor withdrawn (expired ones included, marked by date)."""
    return list(
        Invitation.objects.filter(holder_id=holder_id, accepted_at=None, withdrawn_at=None)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def _clean_role(role: str, errors: FieldErrors) -> None:
    if role not in OrgRole.values:
        errors.add("role", gettext_noop("Choose administrator, member or read-only."))


def invite(by: User, *, email: str, role: str, language: str = "zh-hans") -> Invitation:
    """Invite a person by e-mail to join ``by``'s organisation in ``role``; the mail with the
    single-use link goes out before this returns."""
    holder_id = require_administrator(by)
    errors = FieldErrors()
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors.add("email", gettext_noop("Enter a valid e-mail address."))
    _clean_role(role, errors)
    if language not in LANGUAGES:
        errors.add("language", gettext_noop("Choose Chinese or English."))
    if not errors and User.objects.filter(holder_id=holder_id, email__iexact=email).exists():
        errors.add("email", gettext_noop("This person is already a member."))
    now = timezone.now()
    if (
        not errors
        and Invitation.objects.filter(
            holder_id=holder_id,
            email=email,
            accepted_at=None,
            withdrawn_at=None,
            expires_at__gt=now,
        ).exists()
    ):
        errors.add("email", gettext_noop("This address already has an open invitation."))
    errors.raise_if_any()
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            holder_id=holder_id,
            email=email,
            role=role,
            language=language,
            digest=_digest(secret),
            invited_by=by,
            expires_at=now + timedelta(days=settings.DATAIP_INVITATION_DAYS),
        )
        row = record_activity(holder_id, by, "invitation_sent", {"email": email, "role": role})
        _tell_invitee(invitation, row.pk)
        _send_invitation(invitation, secret)
    return invitation


def _tell_invitee(invitation: Invitation, activity_id: int) -> None:
    """An invitee who has an account (free to join: no organisation, not staff) also finds the
    invitation in the notification centre; the link itself only travels by mail."""
    invitee = (
        User.objects.filter(
            email__iexact=invitation.email,
            is_active=True,
            holder=None,
            is_examiner=False,
            is_registrar=False,
            is_expert=False,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if invitee is None:
        return
    tell(
        "invited",
        recipients=[invitee],
        key=f"activity.{activity_id}.invited",
        params={"organisation": invitation.holder.name, "role": invitation.role},
    )


def _send_invitation(invitation: Invitation, secret: str) -> None:
    link = f"{settings.DATAIP_PUBLIC_URL}{INVITATION_PATH}{secret}"
    holder = invitation.holder
    with translation.override(invitation.language):
        role = OrgRole(invitation.role).label
        subject = gettext("Invitation to join %(organisation)s on the data IP registry") % {
            "organisation": holder.name
        }
        body = gettext(
            "%(person)s invites you to join %(organisation)s on the data intellectual property "
            "registry as %(role)s.\n\nOpen this link to create your account or to join with the "
            "account you have (it works once, until %(until)s):\n\n%(link)s\n\n"
            "If you did not expect this invitation, ignore this mail."
        ) % {
            "person": invitation.invited_by,
            "organisation": holder.name,
            "role": role,
            "until": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
            "link": link,
        }
    try:
        send_mail(subject, body, None, [invitation.email])
    except (smtplib.SMTPException, OSError) as error:
        raise MailNotSent(
            gettext_noop("The invitation could not be sent by mail; try again later.")
        ) from error


def invitation_for(secret: str) -> Invitation:
    """The open invitation of this link; refused if it was used, withdrawn or has expired."""
    invitation = (
        Invitation.objects.select_related("holder", "invited_by")
        .filter(digest=_digest(secret))
        .first()
    )
    if invitation is None:
        raise NotFound(gettext_noop("No such invitation."))
    if invitation.accepted_at is not None:
        raise InvitationClosed(gettext_noop("This invitation has already been used."))
    if invitation.withdrawn_at is not None:
        raise InvitationClosed(gettext_noop("This invitation was withdrawn."))
    if invitation.expires_at <= timezone.now():
        raise InvitationClosed(
            gettext_noop("This invitation has expired; ask the administrator for a new one.")
        )
    return invitation


def accept_invitation(secret: str, user: User) -> User:
    """Join the invitation's organisation with an existing account that has none."""
    with transaction.atomic():
        invitation = invitation_for(secret)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:  # accepted by a concurrent request
            raise InvitationClosed(gettext_noop("This invitation has already been used."))
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.holder_id is not None:
            raise PermissionDenied(
                gettext_noop("Your account already acts for an organisation; use another one.")
            )
        if user.is_examiner or user.is_registrar or user.is_expert:
            raise PermissionDenied(gettext_noop("A staff account cannot join an organisation."))
        user.holder_id = invitation.holder_id
        user.org_role = invitation.role
        if not user.email:
            user.email = invitation.email
        user.save(update_fields=["holder", "org_role", "email"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record_activity(
            invitation.holder_id,
            user,
            "member_joined",
            {"username": user.username, "role": invitation.role},
        )
    return user


def sign_up_by_invitation(secret: str, *, username: str, password: str) -> User:
    """Create an account for the invited person and join the organisation (one transaction)."""
    invitation = invitation_for(secret)
    errors = FieldErrors()
    username = username.strip()
    if not username or len(username) > 150:
        errors.add("username", gettext_noop("Choose a user name of at most 150 characters."))
    elif User.objects.filter(username__iexact=username).exists():
        errors.add("username", gettext_noop("This user name is taken."))
    candidate = User(username=username, email=invitation.email, language=invitation.language)
    try:
        validate_password(password, candidate)
    except ValidationError as refused:
        for message in refused.messages:
            errors.add("password", "%(reason)s", reason=message)
    errors.raise_if_any()
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        return accept_invitation(secret, candidate)


def withdraw_invitation(by: User, invitation_id: int) -> None:
    """Withdraw an open invitation of the administrator's organisation."""
    holder_id = require_administrator(by)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation_id, holder_id=holder_id, accepted_at=None, withdrawn_at=None)
            .first()
        )
        if invitation is None:
            raise NotFound(gettext_noop("No such open invitation of your organisation."))
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
        record_activity(holder_id, by, "invitation_withdrawn", {"email": invitation.email})


def _member(holder_id: int, member_id: int) -> User:
    """Lock the organisation's members (so two administrators cannot both step down at once)
    and return the one asked for."""
    people = {
        u.pk: u
        for u in User.objects.select_for_update().filter(holder_id=holder_id, is_active=True)
    }
    if member_id not in people:
        raise NotFound(gettext_noop("No such member of your organisation."))
    return people[member_id]


def _keep_an_administrator(holder_id: int, member: User) -> None:
    others = User.objects.filter(
        holder_id=holder_id, is_active=True, org_role=OrgRole.ADMINISTRATOR
    ).exclude(pk=member.pk)
    if member.org_role == OrgRole.ADMINISTRATOR and not others.exists():
        raise PermissionDenied(
            gettext_noop("The organisation must keep at least one administrator.")
        )


def change_role(by: User, member_id: int, role: str) -> User:
    """Give a member of the administrator's organisation another role."""
    holder_id = require_administrator(by)
    errors = FieldErrors()
    _clean_role(role, errors)
    errors.raise_if_any()
    with transaction.atomic():
        member = _member(holder_id, member_id)
        if role != OrgRole.ADMINISTRATOR:
            _keep_an_administrator(holder_id, member)
        before = member.org_role
        member.org_role = role
        member.save(update_fields=["org_role"])
        row = record_activity(
            holder_id, by, "role_changed", {"username": member.username, "from": before, "to": role}
        )
        if before != role and member.pk != by.pk:
            tell(
                "role_changed",
                recipients=[member.pk],
                key=f"activity.{row.pk}.role_changed",
                params={"organisation": str(member.holder), "role": role},
            )
    return member


def remove_member(by: User, member_id: int) -> None:
    """Detach a member from the administrator's organisation (its past acts stay recorded)."""
    holder_id = require_administrator(by)
    with transaction.atomic():
        member = _member(holder_id, member_id)
        _keep_an_administrator(holder_id, member)
        organisation = str(member.holder)
        member.holder = None
        member.org_role = OrgRole.ADMINISTRATOR  # of an organisation it may found or join later
        member.save(update_fields=["holder", "org_role"])
        row = record_activity(holder_id, by, "member_removed", {"username": member.username})
        if member.pk != by.pk:
            tell(
                "member_removed",
                recipients=[member.pk],
                key=f"activity.{row.pk}.member_removed",
                params={"organisation": organisation},
            )
