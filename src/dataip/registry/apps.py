from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "dataip.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from dataip.accounts import tell
        from dataip.registry.mail import hand_over
        from dataip.registry.notices import bind_delivery, notify_account

        # New notices' mail goes to the task worker once their transaction commits.
        bind_delivery(hand_over)
        # The organisation's services (accounts, a floor below) tell people through the notices.
        tell.bind(notify_account)
