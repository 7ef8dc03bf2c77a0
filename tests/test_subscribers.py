"""The one table binding the workflow's consequences to their handlers, installed at start-up."""

from __future__ import annotations

from dataip import subscribers
from dataip.certificates.issue import issue_after_transition
from dataip.registry.services.transition import bound_subscribers
from dataip.registry.workflow import Consequence


def test_every_consequence_has_its_handler() -> None:
    table = subscribers.subscribers()
    assert set(table) == set(Consequence)
    assert table[Consequence.ISSUE_CERTIFICATE] is issue_after_transition


def test_the_table_is_installed_when_django_starts() -> None:
    assert bound_subscribers() == subscribers.subscribers()
