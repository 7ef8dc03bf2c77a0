"""The one table binding the workflow's consequences to their jobs, installed at start-up."""

from __future__ import annotations

from dataip import subscribers
from dataip.certificates.issue import issue_certificate
from dataip.registry.services.transition import bound_subscribers
from dataip.registry.workflow import Consequence


def test_every_consequence_has_its_job() -> None:
    table = subscribers.subscribers()
    assert set(table) == set(Consequence)
    assert table[Consequence.ISSUE_CERTIFICATE] is issue_certificate


def test_the_table_is_installed_when_django_starts() -> None:
    assert bound_subscribers() == subscribers.subscribers()
