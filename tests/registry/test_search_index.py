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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored order")
def test_a_rebuilt_index_is_stored_in_the_order_the_entries_went_public(
    personas: Personas,
) -> None:
    # Announced on days 9, 3 and 6: rebuilt, they are stored as follow() would have added
    # them, so a walk of the newest reads the last pages of the table.
    apps = [at_stage(personas, Status.UNDER_PUBLICITY) for _ in range(3)]
    for app, starts in zip(apps, (9, 3, 6), strict=True):
        type(app).objects.filter(pk=app.pk).update(announcement_starts=day(starts).date())
    assert search_index.rebuild_index() == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT application_id FROM registry_searchentry ORDER BY ctid")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored == [apps[1].pk, apps[2].pk, apps[0].pk]


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


# ── actions after registration: the index stays in step, skipped only where it may be ──


def _in_step(application_id: int) -> dict[str, object]:
    """The stored index row, asserted equal to the one the registry would build now."""
    from dataip.registry.models import Application

    app = Application.objects.select_related("product").get(pk=application_id)
    holders = app.holders.values_list("holder__name", "holder__name_en").order_by("id")
    expected = search_index.entry_values(app, holders)
    stored: dict[str, object] = (
        SearchEntry.objects.filter(application_id=application_id).values(*expected).get()
    )
    assert stored == expected
    return stored


def test_the_index_follows_changes_and_transfers_and_skips_plain_records(
    personas: Personas,
) -> None:
    from dataip.registry.models import Event
    from dataip.registry.services import changes, licensing, lifecycle, pledges

    app = at_stage(personas, Status.REGISTERED)
    holder, beta = personas.applicant.actor, personas.other_applicant
    first = _in_step(app.pk)
    licensing.record_trade(
        app.pk,
        actor=holder,
        exchange="上海数据交易所",
        contract_reference="T-1",
        traded_on="2026-06-01",
        amount="10",
    )
    pledge = pledges.pledge(
        app.pk,
        actor=holder,
        pledgee_id=personas.experts[0].holder.pk,
        amount="5000",
        starts="2026-05-01",
        ends="2026-12-31",
        contract_reference="P-1",
    )
    pledges.release_pledge(pledge.pk, actor=personas.experts[0].actor, reason="已清偿")
    assert _in_step(app.pk) == first
    change = changes.request_change(app.pk, actor=holder, values={"summary": "更新后的摘要。"})
    changes.approve_change(change.pk, actor=personas.examiner.actor)
    assert _in_step(app.pk)["summary"] == "更新后的摘要。"
    transfer = changes.propose_transfer(
        app.pk,
        actor=holder,
        assignee_id=beta.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-10",
    )
    assert _in_step(app.pk)["holders"] == first["holders"]
    changes.confirm_transfer(transfer.pk, actor=beta.actor)
    assert _in_step(app.pk)["holders"] == beta.holder.name
    before_renewal = _in_step(app.pk)
    lifecycle.renew(app.pk, actor=beta.actor, at=day(30 + 3 * 365 - 30))
    assert _in_step(app.pk) == before_renewal
    actions = set(Event.objects.filter(application=app).values_list("action", flat=True))
    assert {"record_trade", "pledge", "release_pledge", "approve_change", "renew"} <= actions


def test_the_actions_that_skip_the_index_leave_its_fields_alone() -> None:
    from dataip.registry.workflow import Action

    # Whatever changes a number, the product, the holders or the status is not in the set.
    for action in (
        Action.REQUEST_CHANGE,
        Action.APPROVE_CHANGE,
        Action.CONFIRM_TRANSFER,
        Action.CORRECT_PARTICULARS,
        Action.REGISTER,
        Action.CANCEL,
        Action.REVOKE,
        Action.EXPIRE,
    ):
        assert action not in search_index.UNINDEXED_ACTIONS
