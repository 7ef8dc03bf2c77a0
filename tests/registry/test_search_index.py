"""The search index follows the registry: in at announcement, out when refused."""

from __future__ import annotations

import pytest
from django.db import connection

from dataip.registry import clock, search_index
from dataip.registry.models import SearchEntry
from dataip.registry.queries import search
from dataip.registry.services import publicity
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day, draft
from tests.support.personas import Personas


def test_it_indexes_an_application_when_it_is_announced(personas: Personas) -> None:
    app = at_stage(personas, Status.APPROVED)
    assert not SearchEntry.objects.exists()
    publicity.announce(app.pk, actor=personas.examiner.actor, at=day(6))
    entry = SearchEntry.objects.get()
    assert entry.application_id == app.pk
    assert entry.status == Status.UNDER_PUBLICITY
    assert "甲数据科技有限公司" in entry.holders
    publicity.register(app.pk, actor=personas.examiner.actor, at=day(40))
    entry.refresh_from_db()
    assert entry.status == Status.REGISTERED
    assert entry.registration_number


def test_it_drops_an_application_whose_registration_is_refused(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now", lambda: day(8))
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = publicity.file_objection(
        app.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="ownership_dispute",
        statement="属于我方",
        at=day(8),
    )
    publicity.uphold_objection(
        objection.pk, actor=personas.examiner.actor, reason="成立", at=day(9)
    )
    assert not SearchEntry.objects.exists()
    assert search.search(search.Query(text="交通出行")).total == 0


def test_it_rebuilds_the_index(personas: Personas) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    draft(personas)
    SearchEntry.objects.all().delete()
    assert search_index.rebuild_index() == 1
    assert search.search(search.Query(text="交通出行")).total == 1


def test_it_keeps_the_trigram_index_in_step(personas: Personas) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM registry_search_fts WHERE registry_search_fts MATCH %s",
                ['"出行数据"'],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'registry_search_document_trgm'"
            )
        assert cursor.fetchone() == (1,)
