"""The full audit replays transfers confirmed by several parties, declined or withdrawn, and
licences to parties outside the registry: built through the services they audit clean, and a
row edited behind the services' back is named."""

from __future__ import annotations

import pytest

from dataip.registry.models import Application, Licence, Transfer
from dataip.registry.services import applications as filing
from dataip.registry.services import changes, licensing
from dataip.registry.workflow import Status
from tests.support.builders import day, draft
from tests.support.personas import Person, Personas, make_holder, make_person, valid_uscc
from tests.upkeep.test_replay import audit
from tests.web._builders import advance

pytestmark = pytest.mark.django_db


def joint_registration(personas: Personas) -> Application:
    app = draft(personas)
    alpha, beta = personas.applicant, personas.other_applicant
    filing.set_holders(
        app.pk, actor=alpha.actor, shares={alpha.holder.pk: 50, beta.holder.pk: 50}, at=day(0)
    )
    return advance(personas, app, Status.REGISTERED)


def propose(app: Application, personas: Personas, gamma: Person) -> Transfer:
    return changes.propose_transfer(
        app.pk,
        actor=personas.applicant.actor,
        assignee_id=gamma.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-01",
        at=day(40),
    )


def test_transfers_and_free_text_licences_audit_clean_and_edits_are_named(
    personas: Personas,
) -> None:
    app = joint_registration(personas)
    gamma = make_person("gamma", make_holder(3, "Gamma"))
    declined = propose(app, personas, gamma)
    changes.decline_transfer(
        declined.pk, actor=personas.other_applicant.actor, reason="不同意", at=day(41)
    )
    withdrawn = propose(app, personas, gamma)
    changes.cancel_transfer(withdrawn.pk, actor=personas.applicant.actor, at=day(42))
    licence = licensing.grant_licence(
        app.pk,
        actor=personas.applicant.actor,
        licensee_identifier=valid_uscc(70),
        licensee_name="己公司",
        kind="ordinary",
        scope="分析",
        territory="全国",
        starts="2026-05-01",
        ends="2026-12-31",
        at=day(43),
    )
    done = propose(app, personas, gamma)
    changes.confirm_transfer(done.pk, actor=gamma.actor, at=day(44))
    changes.confirm_transfer(done.pk, actor=personas.other_applicant.actor, at=day(45))
    clean = audit()
    assert [f.message("en") for f in clean.findings] == []
    assert clean.notes == []

    Transfer.objects.filter(pk=declined.pk).update(reason="改过")
    Licence.objects.filter(pk=licence.pk).update(licensee_name="别的公司")
    assert audit().named() == {
        ("registry_transfer", declined.pk, "reason"),
        ("registry_licence", licence.pk, "licensee_name"),
    }
