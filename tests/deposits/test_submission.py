"""Where the regime requires a deposit (Shanghai), a cited deposit of the applicant side takes
the place of an uploaded deposit certificate. Needs the change in
``registry.queries.applicants.missing_for_submission`` described in docs/deposit.md §14."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataip.deposits import services
from dataip.errors import GuardFailed
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.kinds import MaterialKind
from dataip.registry.queries import applicants
from dataip.registry.regimes import load_regime
from dataip.registry.services import applications as filing
from dataip.registry.workflow import Status
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.builders import day, draft
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


def _without_certificate(p: Personas) -> int:
    app = draft(p)
    assert load_regime(app.regime_code).deposit_required
    certificate = app.materials.get(kind=MaterialKind.DEPOSIT_CERTIFICATE)
    filing.remove_material(app.pk, certificate.pk, actor=p.applicant.actor, at=day(0))
    assert "materials.deposit_certificate" in applicants.missing_for_submission(app)
    return app.pk


def test_a_cited_deposit_stands_for_the_deposit_certificate(
    personas: Personas, tmp_path: Path
) -> None:
    app_id = _without_certificate(personas)
    made = deposit(personas.applicant, manifest_of(make_tree(tmp_path / "d", files(1, "f", 1))))
    services.cite_deposit(app_id, made.pk, actor=personas.applicant.actor, at=day(0))
    submitted = filing.submit(
        app_id, declaration=DECLARATION_VERSION, actor=personas.applicant.actor, at=day(1)
    )
    assert submitted.status == Status.SUBMITTED


def test_without_a_deposit_or_certificate_submission_is_refused(personas: Personas) -> None:
    app_id = _without_certificate(personas)
    with pytest.raises(GuardFailed):
        filing.submit(
            app_id, declaration=DECLARATION_VERSION, actor=personas.applicant.actor, at=day(1)
        )
