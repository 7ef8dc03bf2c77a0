"""The user model: one account, the holder it acts for, and its staff roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    is_examiner = models.BooleanField(_("examiner"), default=False)
    is_registrar = models.BooleanField(_("registrar"), default=False)
    is_expert = models.BooleanField(_("expert"), default=False)
    email_verified_at = models.DateTimeField(
        _("e-mail verified"),
        null=True,
        blank=True,
        help_text=_("When the person followed the verification link sent to this address."),
    )
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
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

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
