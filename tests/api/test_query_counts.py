"""List endpoints read a constant number of queries, however long the page (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataip.registry import clock
from dataip.registry.services import pledges, publicity
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens
from tests.support.builders import at_stage, draft
from tests.support.personas import Person, Personas

pytestmark = pytest.mark.django_db


def _queries(api: Api, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def _grows(api: Api, url: str, add: Callable[[], object]) -> tuple[int, int]:
    add()
    before = _queries(api, url)
    for _ in range(3):
        add()
    return before, _queries(api, url)


def test_search(api: Api, personas: Personas) -> None:
    before, after = _grows(api, "registrations", lambda: at_stage(personas, Status.UNDER_PUBLICITY))
    assert before == after


def test_announcements(api: Api, personas: Personas) -> None:
    def announce() -> object:
        approved = at_stage(personas, Status.APPROVED)
        return publicity.announce(approved.pk, actor=personas.examiner.actor, at=clock.now())

    before, after = _grows(api, "announcements", announce)
    assert before == after


def test_own_applications(api: Api, tokens: Tokens, personas: Personas) -> None:
    before, after = _grows(api.as_(tokens.own), "applications", lambda: draft(personas))
    assert before == after


def test_materials_and_events(api: Api, tokens: Tokens, personas: Personas) -> None:
    application = at_stage(personas, Status.REGISTERED)
    own = api.as_(tokens.own)
    assert _queries(own, f"applications/{application.pk}/materials") <= 8
    assert _queries(own, f"applications/{application.pk}/events") <= 8


def test_pledges_held(api: Api, tokens: Tokens, personas: Personas, bank: Person) -> None:
    def pledge() -> object:
        registered = at_stage(personas, Status.REGISTERED)
        return pledges.pledge(
            registered.pk,
            actor=personas.applicant.actor,
            pledgee_id=bank.holder.pk,
            amount="1",
            starts="2026-05-01",
            ends="2027-05-01",
            contract_reference="ZY",
        )

    before, after = _grows(api.as_(tokens.bank), "pledges", pledge)
    assert before == after
