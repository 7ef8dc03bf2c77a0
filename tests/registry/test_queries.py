"""The one read side: lookups the pages and the API share, each with its access check."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataip.errors import NotFound
from dataip.registry.queries import applicants, files, rights, search, staff, statistics
from dataip.registry.queries.public import certificates_issued, public_application
from dataip.registry.regimes import load_regime
from dataip.registry.services import publicity
from dataip.registry.workflow import Status
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Personas


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_a_registration_is_found_by_either_number_in_any_case(personas: Personas) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    assert registered.registration_number
    assert registered.number
    for number in (
        registered.registration_number,
        registered.number,
        f" {registered.registration_number.lower()} ",
        registered.number.lower(),
    ):
        assert public_application(number).pk == registered.pk


def test_an_application_under_examination_is_found_by_neither_number(
    personas: Personas,
) -> None:
    examined = at_stage(personas, Status.EXPERT_REVIEW)
    with pytest.raises(NotFound):
        public_application(examined.number or "")
    with pytest.raises(NotFound):
        public_application("")


def test_the_pages_and_the_api_share_one_cache_of_facet_counts(personas: Personas) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    page = search.search(search.Query(text="交通出行", filters={"province_code": "31"}))
    with CaptureQueriesContext(connection) as counted:
        found = search.find_all("交通出行", {"province": "31", "kind": ""})
    assert len(counted.captured_queries) == 0  # the counts the page asked for, from the cache
    assert found.total == page.total == 1
    assert found.facets["province"] == page.facets["province_code"] == [("31", 1)]
    assert found.facets["kind"] == [("data_collection", 1)]
    assert [entry.number for entry in found.entries] == [entry.number for entry in page.entries]


def test_cached_facet_counts_go_stale_when_the_index_changes(personas: Personas) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    assert search.find_all("交通出行", {}).total == 1
    approved = at_stage(personas, Status.APPROVED)
    publicity.announce(approved.pk, actor=personas.examiner.actor, at=day(6))
    assert search.find_all("交通出行", {}).total == 2
    assert search.search(search.Query(text="交通出行")).total == 2


def test_an_applicants_list_is_empty_for_a_user_of_no_holder(personas: Personas) -> None:
    mine = at_stage(personas, Status.SUBMITTED)
    assert list(applicants.applications_of(None)) == []
    assert list(applicants.applications_of(personas.applicant.holder.pk)) == [mine]
    assert list(applicants.applications_of(personas.applicant.holder.pk, "draft")) == []
    assert list(applicants.applications_of(personas.other_applicant.holder.pk)) == []


def test_someone_elses_application_is_not_ones_own_even_when_public(
    personas: Personas,
) -> None:
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    with pytest.raises(NotFound):
        applicants.get_own_application_for(personas.other_applicant.actor, announced.pk)
    assert applicants.get_own_application_for(personas.applicant.actor, announced.pk) == announced


def test_materials_are_for_the_applicants_side_and_the_registry(personas: Personas) -> None:
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    material = announced.materials.order_by("id").first()
    assert material is not None
    for person in (personas.applicant, personas.examiner):
        assert files.get_material_for(person.actor, announced.pk, material.pk) == material
    with pytest.raises(NotFound, match="material"):
        files.get_material_for(personas.other_applicant.actor, announced.pk, material.pk)
    with pytest.raises(NotFound, match="material"):
        files.get_material_for(personas.applicant.actor, announced.pk, material.pk + 10_000)


def test_objection_evidence_is_for_examiners_and_registrars_only(personas: Personas) -> None:
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = publicity.file_objection(
        announced.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="ownership_dispute",
        statement="属于我方",
        evidence=[("contract.pdf", io.BytesIO(PDF))],
        at=day(8),
    )
    item = objection.evidence.get()
    for person in (personas.examiner, personas.registrar):
        assert files.get_evidence_for(person.actor, objection.pk, item.pk) == item
    for person in (personas.objector, personas.applicant, personas.experts[0]):
        with pytest.raises(NotFound):
            files.get_evidence_for(person.actor, objection.pk, item.pk)
    with pytest.raises(NotFound):
        files.get_evidence_for(personas.examiner.actor, objection.pk + 1, item.pk)


def test_a_certificate_not_yet_signed_is_not_found(personas: Personas) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    assert files.certificates_of(registered) == []
    assert certificates_issued() == 0
    with pytest.raises(NotFound, match="certificate"):
        files.get_certificate_for(personas.applicant.actor, registered.pk, 1)
    with pytest.raises(NotFound):
        files.get_certificate_for(personas.other_applicant.actor, registered.pk, 1)


def test_public_counts_are_by_a_column_of_the_public_index_only(personas: Personas) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    at_stage(personas, Status.EXPERT_REVIEW)
    assert statistics.public_counts_by("status") == [("under_publicity", 1)]
    assert statistics.registrations_by("kind") == []
    with pytest.raises(ValueError, match="document"):
        statistics.public_counts_by("document")


def test_an_expert_finds_only_the_seats_it_holds(personas: Personas) -> None:
    approved = at_stage(personas, Status.APPROVED)
    seat = staff.get_seat_for(personas.experts[0].actor, approved.pk)
    assert (seat.application.pk, seat.expert_id) == (approved.pk, personas.experts[0].user.pk)
    for person in (personas.conflicted_expert, personas.examiner, personas.applicant):
        with pytest.raises(NotFound):
            staff.get_seat_for(person.actor, approved.pk)


def test_the_registrar_assigns_a_user_that_exists(personas: Personas) -> None:
    expert = personas.experts[1].user
    assert staff.user_to_assign(str(expert.pk)) == expert
    for chosen in ("", "x", str(expert.pk + 10_000)):
        with pytest.raises(NotFound, match="expert"):
            staff.user_to_assign(chosen)


def test_pledge_amounts_are_published_by_the_regimes_that_say_so(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    number = registered.registration_number or ""
    assert rights.pledge_amounts_published([number]) == set()  # Shanghai does not publish them
    shanghai = load_regime(registered.regime_code)
    publishing = dataclasses.replace(shanghai, publish_pledge_amount=True)
    monkeypatch.setattr(rights, "load_regime", lambda code: publishing)
    assert rights.pledge_amounts_published([number, "NO-SUCH-NUMBER"]) == {number}
    assert rights.pledge_amounts_published([]) == set()
