"""What follows a transition, bound in one place (后续处理): each consequence the workflow
declares (``Rule.then`` in :mod:`dataip.registry.workflow`) and the handler that does it.

The registry runs the bound handler after the transition's transaction commits; a failure is
logged and does not undo the transition, and ``dataip tick`` does what is still due. This sits
above the registry and the parts it calls (the registry imports none of them), and is
installed at start-up by :class:`SubscribersConfig` (last of our apps in ``INSTALLED_APPS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.apps import AppConfig

from dataip.registry.workflow import Consequence

if TYPE_CHECKING:  # the registry's services import models, not ready while apps load
    from dataip.registry.services.transition import Subscriber


def subscribers() -> Mapping[Consequence, Subscriber]:
    """The handler of every consequence."""
    from dataip.certificates.issue import issue_after_transition

    return {
        Consequence.ISSUE_CERTIFICATE: issue_after_transition,
    }


class SubscribersConfig(AppConfig):
    """Binds the consequences of transitions to their handlers when Django starts."""

    name = "dataip.subscribers"
    label = "subscribers"

    def ready(self) -> None:
        from dataip.registry.services.transition import bind_subscribers

        bind_subscribers(subscribers())
