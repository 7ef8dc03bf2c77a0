"""The user model: one account, the holder it acts for, and its staff roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrgRole(models.TextChoices):
    """A member's role in its organisation (成员角色)."""

    ADMINISTRATOR = "administrator", _("administrator")  # 管理员: members, tokens, audit trail
    MEMBER = "member", _("member")  # 成员: acts for the organisation
    READ_ONLY = "read_only", _("read-only")  # 只读成员: sees the records, never acts


class User(AbstractUser):
    """A person who signs in (用户)."""

    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    holder = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("acts for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("The organisation or person this user represents; for experts, the employer."),
    )
    org_role = models.CharField(
        _("role in the organisation"),
        max_length=20,
        choices=OrgRole.choices,
        default=OrgRole.ADMINISTRATOR,
        help_text=_("What this person may do for the organisation it acts for."),
    )
    is_examiner = models.BooleanField(_("examiner"), default=False)
    is_registrar = models.BooleanField(_("registrar"), default=False)
    is_expert = models.BooleanField(_("expert"), default=False)
    expertise = models.JSONField(
        _("expertise"),
        default=list,
        blank=True,
        help_text=_("For experts: the industry divisions (GB/T 4754 codes) the expert reviews."),
    )
    email_verified_at = models.DateTimeField(
        _("e-mail verified"),
        null=True,
        blank=True,
        help_text=_("When the person followed the verification link sent to this address."),
    )
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
        help_text=_("The language of the registry's e-mails to this person."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """An API token of an organisation (接口令牌): platforms, banks and applicants' systems.

    Only a SHA-256 digest is stored; the token itself is shown once, when it is created.
    A token without a holder is a staff token (员工令牌): it acts for the examiner or registrar
    who created it, in the staff roles that person has when the token is used, on the staff
    routes only.
    """

    holder = models.ForeignKey(
        "registry.Holder",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    """What the token may do: codes of :data:`dataip.accounts.scopes.SCOPES`."""
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class Notification(models.Model):
    """A notice to one person (通知): what happened to which application, shown in the
    notification centre. Written in the transaction of the event it tells about
    (:mod:`dataip.registry.notices`); ``key`` names that event (or the deadline), so one
    event never notifies the same person twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(max_length=120)
    application = models.ForeignKey(
        "registry.Application", on_delete=models.CASCADE, null=True, related_name="+"
    )
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]


class MailStatus(models.TextChoices):
    """Where an outgoing mail stands."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent (in-app only)")


class MailOutbox(models.Model):
    """The e-mail of one notice (发件箱), written with it in the event's transaction and sent by
    the worker: one row per notice (hence per event and recipient), never sent twice.

    A worker claims a row (``claim_token`` until ``claimed_until``), sends it, and marks it
    sent; a failed send records the error and waits until ``next_attempt_at`` (backoff)."""

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="mail")
    status = models.CharField(max_length=10, choices=MailStatus.choices, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class NotificationPreference(models.Model):
    """Whether a person wants the notices of one group by e-mail too (通知设置); without a row,
    they do. Notices are always shown in the notification centre."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    group = models.CharField(max_length=20)
    email = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="one_preference_per_group")
        ]


class Invitation(models.Model):
    """An invitation to join an organisation (邀请成员): single use, expiring; only a digest of
    its link's secret is kept."""

    holder = models.ForeignKey(
        "registry.Holder", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=OrgRole.choices)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"


class OrganisationActivity(models.Model):
    """One change to an organisation's members or API tokens (组织操作记录), for its audit
    trail; the registry's own events are read beside it."""

    holder = models.ForeignKey(
        "registry.Holder", on_delete=models.CASCADE, related_name="activities"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("organisation activity")
        verbose_name_plural = _("organisation activities")
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class SavedView(models.Model):
    """A staff member's named set of queue filters (a query string), shown in the queue's
    sidebar to its owner only."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="uniq_saved_view_name"),
        ]

    def __str__(self) -> str:
        return self.name
