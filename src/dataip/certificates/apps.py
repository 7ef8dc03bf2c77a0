from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "dataip.certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        """Listen for the registry events that make a certificate due."""
        from django.db.models.signals import post_save

        from dataip.certificates.issue import on_event_saved
        from dataip.registry.models import Event

        post_save.connect(on_event_saved, sender=Event, dispatch_uid="certificates-issue")
