from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "dataip.web"
    label = "web"
    verbose_name = _("Web portal")

    def ready(self) -> None:
        """Staff must pass two-factor sign-in for the admin."""
        from typing import Any

        from django.contrib import admin
        from django.http import HttpRequest, HttpResponse
        from django_otp.admin import OTPAdminSite

        class RegistryAdminSite(OTPAdminSite):  # type: ignore[misc]
            """django-otp's admin site (every page needs a session verified with a TOTP
            device), whose ``/admin/login/`` is the portal's throttled, non-revealing sign-in
            followed by the second factor (web/views/account.py)."""

            def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
                from dataip.web.views.account import admin_sign_in

                return admin_sign_in(request)

        # The documented way to protect the default admin site with django-otp.
        admin.site.__class__ = RegistryAdminSite
