from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    from dataip.ledger.append_only import register_sqlite_functions

    register_sqlite_functions(connection)


class LedgerConfig(AppConfig):
    name = "dataip.ledger"
    label = "ledger"
    verbose_name = _("Evidence ledger")

    def ready(self) -> None:
        connection_created.connect(_on_connection, dispatch_uid="dataip-ledger-sqlite")
