"""What follows a transition, bound in one place (后续处理): each consequence the workflow
declares (``Rule.then`` in :mod:`dataip.registry.workflow`) and the job that does it.

The registry queues the bound job in the transition's transaction (:mod:`dataip.jobs`: the
outbox), and it runs after the commit -- in the same process when ``DATAIP_JOBS_AFTER_COMMIT``
is on, else in a ``dataip worker``; a failure is logged and does not undo the transition, and
``dataip tick`` does what is still due. This sits
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
    """The job of every consequence."""
    from dataip.certificates.issue import issue_certificate

    return {
        Consequence.ISSUE_CERTIFICATE: issue_certificate,
    }


class SubscribersConfig(AppConfig):
    """Binds the consequences of transitions to their jobs when Django starts."""

    name = "dataip.subscribers"
    label = "subscribers"

    def ready(self) -> None:
        from dataip.registry.services.transition import bind_subscribers

        bind_subscribers(subscribers())
