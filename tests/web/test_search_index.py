"""The search index follows the registry: in at announcement, out when refused."""

from __future__ import annotations

import pytest
from django.db import connection

from dataip.registry.services import publicity
from dataip.registry.workflow import Status
from dataip.web import search
from dataip.web.models import SearchEntry
from tests.support.builders import day
from tests.support.personas import Personas
from tests.web._builders import build, freeze


def test_it_indexes_an_application_when_it_is_announced(personas: Personas) -> None:
    app = build(personas, Status.APPROVED)
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
    freeze(monkeypatch)
    app = build(personas, Status.UNDER_PUBLICITY)
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
    build(personas, Status.UNDER_PUBLICITY)
    build(personas, Status.DRAFT)
    SearchEntry.objects.all().delete()
    assert search.rebuild_index() == 1
    assert search.search(search.Query(text="交通出行")).total == 1


def test_it_keeps_the_trigram_index_in_step(personas: Personas) -> None:
    build(personas, Status.UNDER_PUBLICITY)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM web_search_fts WHERE web_search_fts MATCH %s", ['"出行数据"']
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'web_search_document_trgm'"
            )
        assert cursor.fetchone() == (1,)
