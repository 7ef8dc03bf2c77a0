"""The user model: one account, the holder it acts for, and its staff roles."""

from __future__ import annotations

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
