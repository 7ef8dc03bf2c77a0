"""Filing: holders, drafts, field validation, materials, holder shares, submission."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation

from dataip.errors import Conflict, GuardFailed, PermissionDenied, ValidationFailed
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.i18n import field_errors
from dataip.registry.models import Application, Event, Material
from dataip.registry.queries import applicants
from dataip.registry.services import applications as filing
from dataip.registry.workflow import Status
from tests.support.builders import PDF, complete_values, day, draft
from tests.support.personas import Personas, make_holder, make_person, valid_uscc


def test_it_refuses_a_holder_with_a_bad_credit_code_and_names_the_field(db: None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        filing.create_holder(
            kind="legal_person", name="甲", identifier="91110000600037341K", province_code="11"
        )
    assert set(caught.value.errors) == {"identifier"}
    assert "check digit" in str(caught.value.errors["identifier"][0])


def test_it_refuses_a_natural_person_with_a_bad_resident_id(db: None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        filing.create_holder(
            kind="natural_person", name="张三", identifier="110101198001011231", province_code="11"
        )
    assert "identifier" in caught.value.errors


def test_it_refuses_the_same_holder_twice(db: None) -> None:
    make_holder(1, "甲")
    with pytest.raises(ValidationFailed, match="already registered"):
        make_holder(1, "甲 again")


def test_it_reports_every_bad_field_at_once_in_the_users_language(personas: Personas) -> None:
    bad: dict[str, Any] = {
        "industry_code": "99",
        "record_count": -5,
        "formation_date": "2999-01-01",
        "details": {"format": "CSV", "task": "not for datasets"},
    }
    with pytest.raises(ValidationFailed) as caught:
        draft(personas, **bad)
    assert set(caught.value.errors) == {
        "industry_code",
        "record_count",
        "formation_date",
        "details.task",
    }
    with translation.override("zh-hans"):
        chinese = field_errors(caught.value)
    with translation.override("en"):
        english = field_errors(caught.value)
    assert english["formation_date"] == ["Must not be in the future."]
    assert chinese["formation_date"] != english["formation_date"]
    assert not Application.objects.exists(), "a refused draft leaves nothing behind"


def test_it_refuses_a_kind_the_regime_does_not_register(personas: Personas) -> None:
    with pytest.raises(ValidationFailed) as caught:
        filing.create_draft(
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            kind="data_algorithm",
            regime_code="beijing",
        )
    assert "kind" in caught.value.errors


def test_only_a_user_acting_for_a_holder_can_file(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        filing.create_draft(
            actor=personas.objector.actor, user=personas.objector.user, kind="data_collection"
        )


def test_it_lists_what_is_missing_before_submission(personas: Personas) -> None:
    app = draft(personas, complete=False, name="只有名称")
    missing = applicants.missing_for_submission(app)
    assert "summary" in missing
    assert "materials.application_form" in missing
    assert "details.format" in missing
    with pytest.raises(GuardFailed, match=r"materials\.application_form"):
        filing.submit(
            app.pk, declaration=DECLARATION_VERSION, actor=personas.applicant.actor, at=day(1)
        )
    app.refresh_from_db()
    assert app.status == Status.DRAFT
    assert app.number is None


def test_licensed_data_needs_the_agreement_end_and_a_source_proof(personas: Personas) -> None:
    app = draft(personas, data_source_type="02")
    missing = applicants.missing_for_submission(app)
    assert "source_agreement_end" in missing
    assert "materials.data_source_proof" in missing


def test_it_submits_a_complete_draft_and_issues_an_application_number(personas: Personas) -> None:
    app = draft(personas)
    app = filing.submit(
        app.pk, declaration=DECLARATION_VERSION, actor=personas.applicant.actor, at=day(1)
    )
    assert app.status == Status.SUBMITTED
    assert app.number is not None
    assert app.number.startswith("SQ20263100")
    event = Event.objects.get(application=app, action="submit")
    assert event.payload["materials"] == sorted(m.sha256 for m in app.materials.all())
    assert event.leaf_index is not None


def test_another_applicant_cannot_touch_the_draft(personas: Personas) -> None:
    app = draft(personas)
    with pytest.raises(PermissionDenied):
        filing.update_draft(app.pk, actor=personas.other_applicant.actor, values={"name": "x"})
    with pytest.raises(PermissionDenied):
        filing.submit(app.pk, declaration=DECLARATION_VERSION, actor=personas.other_applicant.actor)


def test_a_stale_form_is_refused(personas: Personas) -> None:
    app = draft(personas)
    app.refresh_from_db()
    filing.update_draft(
        app.pk, actor=personas.applicant.actor, values={"name": "新名称"}, revision=app.revision
    )
    with pytest.raises(Conflict, match="changed by someone else"):
        filing.update_draft(
            app.pk, actor=personas.applicant.actor, values={"name": "旧表单"}, revision=app.revision
        )


def test_it_hashes_materials_and_refuses_bad_files(personas: Personas) -> None:
    app = draft(personas, complete=False)
    actor, user = personas.applicant.actor, personas.applicant.user
    material = filing.add_material(
        app.pk,
        actor=actor,
        user=user,
        kind="application_form",
        name="form.pdf",
        content=io.BytesIO(PDF),
    )
    import hashlib

    assert material.sha256 == hashlib.sha256(PDF).hexdigest()
    assert material.size == len(PDF)
    with material.file.open("rb") as stored:
        assert stored.read() == PDF
    cases = {
        "empty.pdf": b"",
        "fake.pdf": b"MZ\x90\x00 not a pdf",
        "tool.exe": b"MZ\x90\x00",
        "latin1.csv": "naïve".encode("latin-1") * 10,
    }
    for name, content in cases.items():
        with pytest.raises(ValidationFailed) as caught:
            filing.add_material(
                app.pk,
                actor=actor,
                user=user,
                kind="samples",
                name=name,
                content=io.BytesIO(content),
            )
        assert "file" in caught.value.errors, name
    with pytest.raises(ValidationFailed, match="larger than 20 MiB"):
        filing.add_material(
            app.pk,
            actor=actor,
            user=user,
            kind="application_form",
            name="big.pdf",
            content=io.BytesIO(b"%PDF-" + b"0" * (20 * 2**20)),
        )
    assert Material.objects.count() == 1


def test_removed_materials_no_longer_count(personas: Personas) -> None:
    app = draft(personas)
    form = app.materials.get(kind="application_form")
    filing.remove_material(app.pk, form.pk, actor=personas.applicant.actor)
    assert "materials.application_form" in applicants.missing_for_submission(app)


def test_joint_holders_shares_must_add_up_to_100(personas: Personas) -> None:
    app = draft(personas)
    alpha, beta = personas.applicant.holder.pk, personas.other_applicant.holder.pk
    with pytest.raises(ValidationFailed, match="add up to 100"):
        filing.set_holders(app.pk, actor=personas.applicant.actor, shares={alpha: 60, beta: 30})
    with pytest.raises(ValidationFailed):
        filing.set_holders(app.pk, actor=personas.applicant.actor, shares={alpha: -10, beta: 110})
    filing.set_holders(app.pk, actor=personas.applicant.actor, shares={alpha: "60.5", beta: "39.5"})
    assert sorted(str(h.share) for h in app.holders.all()) == ["39.50", "60.50"]
    # Beta's members are now on the applicant's side too.
    filing.update_draft(app.pk, actor=personas.other_applicant.actor, values={"name": "共有"})


def test_an_agent_needs_a_power_of_attorney(personas: Personas) -> None:
    agency = filing.create_holder(
        kind="legal_person",
        name="代理机构 Agency",
        identifier=valid_uscc(77),
        province_code="31",
        is_agency=True,
    )
    agent = make_person("agent", agency)
    app = filing.create_draft(
        actor=agent.actor,
        user=agent.user,
        kind="data_collection",
        values=complete_values(),
        at=day(0),
    )
    filing.set_holders(app.pk, actor=agent.actor, shares={personas.applicant.holder.pk: 100})
    assert "materials.power_of_attorney" in applicants.missing_for_submission(app)


def test_an_unknown_kind_with_details_is_refused_not_crashed(personas: Personas) -> None:
    app = draft(personas, complete=False)
    with pytest.raises(ValidationFailed) as caught:
        filing.update_draft(
            app.pk,
            actor=personas.applicant.actor,
            values={"kind": "spaceship", "details": {"format": "CSV"}},
        )
    assert set(caught.value.errors) == {"kind"}


@pytest.mark.parametrize("declaration", [None, "", "2020-0"])
def test_submission_without_the_current_declaration_is_refused_and_changes_nothing(
    personas: Personas, declaration: str | None
) -> None:
    app = draft(personas)
    app.refresh_from_db()
    revision, events = app.revision, Event.objects.count()
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        filing.submit(app.pk, declaration=declaration, actor=personas.applicant.actor, at=day(1))
    with translation.override("zh-hans"):
        assert field_errors(refused.value) == {"declaration": ["请接受真实性声明后再提交申请。"]}
    app.refresh_from_db()
    assert (app.status, app.number, app.revision) == (Status.DRAFT, None, revision)
    assert Event.objects.count() == events
