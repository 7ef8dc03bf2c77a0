"""A read-only member (只读成员) sees its organisation's records, and every service refuses it."""

from __future__ import annotations

import io

import pytest

from dataip.accounts.models import OrgRole
from dataip.errors import PermissionDenied
from dataip.registry import queries
from dataip.registry.actors import actor_for
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.queries import applicants
from dataip.registry.services import applications as filing
from dataip.registry.services import changes, publicity
from dataip.registry.workflow import Status
from tests.support.builders import PDF, at_stage, draft
from tests.support.personas import Person, Personas, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(personas: Personas) -> Person:
    person = make_person("reader", personas.applicant.holder)
    person.user.org_role = OrgRole.READ_ONLY
    person.user.save()
    return Person(person.user, actor_for(person.user))


def test_it_sees_the_organisations_applications_and_their_confidential_part(
    personas: Personas, reader: Person
) -> None:
    app = draft(personas)
    assert reader.actor.holder_ids == frozenset()
    assert reader.actor.sees_holder_ids == {personas.applicant.holder.pk}
    assert queries.can_see_confidential(reader.actor, app)
    assert applicants.applications_of(personas.applicant.holder.pk)


def test_every_kind_of_act_is_refused(personas: Personas, reader: Person) -> None:
    app = draft(personas)
    with pytest.raises(PermissionDenied):
        filing.create_draft(actor=reader.actor, user=reader.user, kind="data_collection")
    with pytest.raises(PermissionDenied):
        filing.update_draft(app.pk, actor=reader.actor, values={"summary": "改"})
    with pytest.raises(PermissionDenied):
        filing.submit(app.pk, declaration=DECLARATION_VERSION, actor=reader.actor)
    registered = at_stage(personas, Status.REGISTERED)
    with pytest.raises(PermissionDenied):
        changes.propose_transfer(
            registered.pk,
            actor=reader.actor,
            assignee_id=personas.other_applicant.holder.pk,
            contract_date="2026-05-01",
            effective_date="2026-05-01",
        )


def test_it_cannot_object_to_its_own_organisations_application(
    personas: Personas, reader: Person
) -> None:
    """Not acting for the applicant does not make a member of it a third party."""
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    with pytest.raises(PermissionDenied):
        publicity.file_objection(
            app.pk,
            actor=reader.actor,
            user=reader.user,
            ground="other",
            statement="异议",
            evidence=[("proof.pdf", io.BytesIO(PDF))],
        )
