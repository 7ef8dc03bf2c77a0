"""Submissions at once add to the same new statistics cells: every one is counted (the second
insert of a cell turns into an update). Needs PostgreSQL's row locks."""

from __future__ import annotations

import pytest
from django.db import connection

from dataip.registry import rollup
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import StatisticsCell
from dataip.registry.services import applications as filing
from tests.registry.test_concurrency import run_together
from tests.support.builders import draft
from tests.support.personas import Personas

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_concurrent_submissions_are_all_counted(personas: Personas) -> None:
    drafts = [draft(personas) for _ in range(4)]
    assert not StatisticsCell.objects.exists()
    results = run_together(
        *[
            lambda pk=d.pk: filing.submit(
                pk, declaration=DECLARATION_VERSION, actor=personas.applicant.actor
            )
            for d in drafts
        ]
    )
    assert results == ["ok"] * 4
    accepted = StatisticsCell.objects.filter(measure=rollup.ACCEPTED)
    assert sorted(accepted.values_list("monthly", "records")) == [(False, 4), (True, 4)]
    assert rollup.differences() == []
