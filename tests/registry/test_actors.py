"""Who acts: the workflow's view of a user, and the holders on the applicant's side."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dataip.errors import PermissionDenied
from dataip.registry.actors import actor_for, applicant_holder_ids, user_id_of
from dataip.registry.services import applications as filing
from dataip.registry.workflow import SYSTEM, Role
from tests.support.builders import draft
from tests.support.personas import Personas, make_person, valid_uscc

pytestmark = pytest.mark.django_db


def test_an_applicant_acts_for_its_holder_in_the_public_role(personas: Personas) -> None:
    person = personas.applicant
    actor = actor_for(person.user)
    assert actor.user_id == person.user.pk
    assert actor.roles == {Role.PUBLIC}
    assert actor.holder_ids == {person.holder.pk}
    assert actor.label == person.user.username
    assert not actor.is_system


@pytest.mark.parametrize(
    ("persona", "roles"),
    [
        ("examiner", {Role.PUBLIC, Role.EXAMINER}),
        ("registrar", {Role.PUBLIC, Role.REGISTRAR}),
    ],
)
def test_staff_act_in_their_roles(personas: Personas, persona: str, roles: set[Role]) -> None:
    assert actor_for(getattr(personas, persona).user).roles == roles


def test_an_expert_acts_as_an_expert_for_the_holder_that_employs_it(personas: Personas) -> None:
    expert = personas.experts[0]
    actor = actor_for(expert.user)
    assert actor.roles == {Role.PUBLIC, Role.EXPERT}
    assert actor.holder_ids == {expert.user.holder_id}


def test_a_user_without_a_holder_acts_for_none(personas: Personas) -> None:
    assert actor_for(personas.examiner.user).holder_ids == frozenset()


def test_a_person_has_a_user_id_the_system_clock_has_none(personas: Personas) -> None:
    assert user_id_of(personas.applicant.actor) == personas.applicant.user.pk
    with pytest.raises(PermissionDenied, match="signed-in person"):
        user_id_of(SYSTEM)


def test_the_applicant_side_is_the_filer_and_every_holder(personas: Personas) -> None:
    app = draft(personas)
    alpha = personas.applicant.holder.pk
    assert applicant_holder_ids(app) == {alpha}
    beta = personas.other_applicant.holder.pk
    filing.set_holders(
        app.pk, actor=personas.applicant.actor, shares={alpha: Decimal(60), beta: Decimal(40)}
    )
    assert applicant_holder_ids(app) == {alpha, beta}


def test_an_agent_that_files_is_on_the_applicant_side_without_holding(
    personas: Personas,
) -> None:
    agency = filing.create_holder(
        kind="legal_person",
        name="代理机构 Agency",
        identifier=valid_uscc(60),
        province_code="31",
        is_agency=True,
    )
    agent = make_person("agent", agency)
    app = filing.create_draft(actor=agent.actor, user=agent.user, kind="data_collection")
    assert app.holders.count() == 0  # an agency is not a holder of what it files
    assert applicant_holder_ids(app) == {agency.pk}
    filing.set_holders(app.pk, actor=agent.actor, shares={personas.applicant.holder.pk: 100})
    assert applicant_holder_ids(app) == {agency.pk, personas.applicant.holder.pk}
