from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "dataip.web"
    label = "web"
    verbose_name = _("Web portal")

    def ready(self) -> None:
        """Keep the search index in step; staff must pass two-factor sign-in for the admin."""
        from django.contrib import admin
        from django.db.models.signals import post_save
        from django_otp.admin import OTPAdminSite

        from dataip.registry.models import Application
        from dataip.web.search import on_application_saved

        post_save.connect(on_application_saved, sender=Application, dispatch_uid="web-search")
        # The documented way to protect the default admin site with django-otp: every admin
        # page then needs a session verified with a TOTP device (see web/views/account.py).
        admin.site.__class__ = OTPAdminSite
