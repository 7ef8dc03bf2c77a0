from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "dataip.web"
    label = "web"
    verbose_name = _("Web portal")

    def ready(self) -> None:
        """Staff must pass two-factor sign-in for the admin."""
        from django.contrib import admin
        from django_otp.admin import OTPAdminSite

        # The documented way to protect the default admin site with django-otp: every admin
        # page then needs a session verified with a TOTP device (see web/views/account.py).
        admin.site.__class__ = OTPAdminSite
