"""Applications cite deposits of their own applicant side, only while they may be edited."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dataip.deposits import services
from dataip.deposits.models import ApplicationDeposit, Deposit
from dataip.errors import NotFound, PermissionDenied, TransitionNotAllowed
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.services import applications as filing
from dataip.registry.workflow import Status
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.builders import at_stage, day, draft
from tests.support.personas import Personas

from .conftest import SignIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def manifest(tmp_path: Path) -> dict[str, Any]:
    return manifest_of(make_tree(tmp_path / "data", files(4, "f", 2)), minhash=False)


def test_an_application_cites_and_uncites_a_deposit_of_its_holder(
    personas: Personas, manifest: dict[str, Any]
) -> None:
    app = draft(personas)
    own = deposit(personas.applicant, manifest)
    app.refresh_from_db()
    revision = app.revision
    citation = services.cite_deposit(app.pk, own.pk, actor=personas.applicant.actor, at=day(0))
    assert (citation.application_id, citation.deposit_id) == (app.pk, own.pk)
    assert citation.cited_by_id == personas.applicant.user.pk
    app.refresh_from_db()
    assert app.revision == revision + 1  # an edit, through the workflow
    assert list(app.deposit_citations.values_list("deposit_id", flat=True)) == [own.pk]
    again = services.cite_deposit(app.pk, own.pk, actor=personas.applicant.actor, at=day(0))
    assert again.pk == citation.pk
    services.uncite_deposit(app.pk, own.pk, actor=personas.applicant.actor, at=day(0))
    assert not ApplicationDeposit.objects.exists()
    with pytest.raises(NotFound):
        services.uncite_deposit(app.pk, own.pk, actor=personas.applicant.actor, at=day(0))
    assert Deposit.objects.filter(pk=own.pk).exists()  # the deposit itself stays


def test_another_holders_deposit_cannot_be_cited(
    personas: Personas, manifest: dict[str, Any]
) -> None:
    app = draft(personas)
    theirs = deposit(personas.other_applicant, manifest)
    with pytest.raises(NotFound, match="No such deposit of this application's holders"):
        services.cite_deposit(app.pk, theirs.pk, actor=personas.applicant.actor, at=day(0))
    with pytest.raises(NotFound):
        services.cite_deposit(app.pk, 999_999, actor=personas.applicant.actor, at=day(0))
    assert not ApplicationDeposit.objects.exists()


def test_a_co_holders_deposit_can_be_cited(personas: Personas, manifest: dict[str, Any]) -> None:
    app = draft(personas)
    filing.set_holders(
        app.pk,
        actor=personas.applicant.actor,
        shares={
            personas.applicant.holder.pk: Decimal("60"),
            personas.other_applicant.holder.pk: Decimal("40"),
        },
        at=day(0),
    )
    theirs = deposit(personas.other_applicant, manifest)
    services.cite_deposit(app.pk, theirs.pk, actor=personas.applicant.actor, at=day(0))
    assert app.deposit_citations.count() == 1


def test_only_the_applicant_side_may_cite(personas: Personas, manifest: dict[str, Any]) -> None:
    app = draft(personas)
    own = deposit(personas.applicant, manifest)
    for outsider in (personas.other_applicant, personas.examiner, personas.objector):
        with pytest.raises(PermissionDenied):
            services.cite_deposit(app.pk, own.pk, actor=outsider.actor, at=day(0))


def test_after_submission_citations_cannot_change(
    personas: Personas, manifest: dict[str, Any]
) -> None:
    app = draft(personas)
    own = deposit(personas.applicant, manifest)
    services.cite_deposit(app.pk, own.pk, actor=personas.applicant.actor, at=day(0))
    filing.submit(
        app.pk, declaration=DECLARATION_VERSION, actor=personas.applicant.actor, at=day(1)
    )
    later = deposit(personas.applicant, manifest)
    with pytest.raises(TransitionNotAllowed):
        services.cite_deposit(app.pk, later.pk, actor=personas.applicant.actor, at=day(1))
    with pytest.raises(TransitionNotAllowed):
        services.uncite_deposit(app.pk, own.pk, actor=personas.applicant.actor, at=day(1))
    assert app.deposit_citations.count() == 1


def test_a_correction_request_opens_citing_again(
    personas: Personas, manifest: dict[str, Any]
) -> None:
    from dataip.registry.services import examination

    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(
        app.pk, actor=personas.examiner.actor, reason="请补充存证", at=day(3)
    )
    own = deposit(personas.applicant, manifest)
    services.cite_deposit(app.pk, own.pk, actor=personas.applicant.actor, at=day(4))
    assert app.deposit_citations.count() == 1


def test_the_page_cites_and_uncites(
    personas: Personas, manifest: dict[str, Any], sign_in: SignIn
) -> None:
    app = draft(personas)
    own = deposit(personas.applicant, manifest)
    theirs = deposit(personas.other_applicant, manifest)
    client = sign_in(personas.applicant)
    page = client.get(f"/deposits/applications/{app.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert own.number in html
    assert theirs.number not in html
    answer = client.post(f"/deposits/applications/{app.pk}/cite", {"deposit": own.pk})
    assert answer.status_code == 302
    assert app.deposit_citations.count() == 1
    refused = client.post(
        f"/deposits/applications/{app.pk}/cite", {"deposit": theirs.pk}, follow=True
    )
    assert "Choose one of your deposits." in refused.content.decode()
    client.post(f"/deposits/applications/{app.pk}/uncite/{own.pk}")
    assert app.deposit_citations.count() == 0
    other = sign_in(personas.other_applicant)
    assert other.get(f"/deposits/applications/{app.pk}").status_code == 404
    assert (
        other.post(f"/deposits/applications/{app.pk}/cite", {"deposit": theirs.pk}).status_code
        == 404
    )
