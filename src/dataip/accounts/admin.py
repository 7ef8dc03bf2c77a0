from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from dataip.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Registry roles"),
            {
                "fields": (
                    "display_name",
                    "holder",
                    "org_role",
                    "is_examiner",
                    "is_registrar",
                    "is_expert",
                )
            },
        ),
    )
    list_display = (
        "username",
        "display_name",
        "holder",
        "org_role",
        "is_examiner",
        "is_registrar",
        "is_expert",
    )
    list_filter = ("is_examiner", "is_registrar", "is_expert", "is_staff")
