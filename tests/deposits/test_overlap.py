"""Overlap warnings from real MinHash signatures of generated data, found through LSH bands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataip.deposits import lsh, queries, services
from dataip.deposits.models import Deposit, DepositBand
from dataip.evidence.fingerprint import estimate_similarity
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application
from dataip.registry.workflow import Status
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.builders import day, draft
from tests.support.personas import Personas, make_holder, make_person
from tests.web._builders import advance

from .conftest import SignIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(tmp_path: Path) -> dict[str, bytes]:
    return files(2026, "shared", 35)


def _manifest(tmp_path: Path, name: str, content: dict[str, bytes]) -> dict[str, Any]:
    return manifest_of(make_tree(tmp_path / name / "data", content))


def test_seventy_percent_shared_content_warns_examiners(
    personas: Personas, shared: dict[str, bytes], tmp_path: Path, sign_in: SignIn
) -> None:
    ours = deposit(
        personas.applicant, _manifest(tmp_path, "a", {**shared, **files(1, "only-a", 8)})
    )
    theirs = deposit(
        personas.other_applicant, _manifest(tmp_path, "b", {**shared, **files(2, "only-b", 7)})
    )
    similarity = estimate_similarity(ours.minhash or {}, theirs.minhash or {})
    assert 0.55 < similarity < 0.85
    # Beta's pending application cites its deposit.
    beta_app = _beta_application(personas, theirs, Status.SUBMITTED)
    our_app = draft(personas)
    services.cite_deposit(our_app.pk, ours.pk, actor=personas.applicant.actor, at=day(0))

    warnings = queries.overlap_warnings(our_app)

    assert len(warnings) == 1
    warning = warnings[0]
    assert (warning.deposit, warning.other) == (ours, theirs)
    assert warning.applications == [beta_app]
    assert warning.similarity == pytest.approx(similarity)
    assert warning.overlap >= 0.5
    # Examiners see it on the application's deposit page, with links; the applicant does not.
    advance(personas, our_app, Status.SUBMITTED)
    page = sign_in(personas.examiner).get(f"/deposits/applications/{our_app.pk}")
    html = page.content.decode()
    assert "Possible overlap with another holder" in html, html
    assert theirs.number in html
    assert f"/examine/{beta_app.pk}" in html
    assert f"/deposits/{theirs.pk}" in html
    applicant_page = sign_in(personas.applicant).get(f"/deposits/applications/{our_app.pk}")
    assert "Possible overlap" not in applicant_page.content.decode()
    zh = sign_in(personas.examiner, language="zh-hans").get(f"/deposits/applications/{our_app.pk}")
    assert "可能与其他持有人的数据重合" in zh.content.decode()
    # The examiner may open the other deposit (cited by an application they examine).
    assert sign_in(personas.examiner).get(f"/deposits/{theirs.pk}").status_code == 200


def _beta_application(p: Personas, made: Deposit, stage: Status) -> Application:
    """An application of Beta (filed by other_applicant) citing ``made``, at ``stage``."""
    import io

    from dataip.registry.regimes import load_regime
    from dataip.registry.services import applications as filing
    from tests.support.builders import PDF, complete_values

    person = p.other_applicant
    app = filing.create_draft(
        actor=person.actor, user=person.user, kind="data_collection",
        values=complete_values(name="另一数据集"), at=day(0),
    )  # fmt: skip
    regime = load_regime(app.regime_code)
    for material in sorted(regime.required_materials(filed_by_agent=False)):
        filing.add_material(
            app.pk, actor=person.actor, user=person.user, kind=material,
            name=f"{material}.pdf", content=io.BytesIO(PDF + material.encode()), at=day(0),
        )  # fmt: skip
    services.cite_deposit(app.pk, made.pk, actor=person.actor, at=day(0))
    if stage != Status.DRAFT:
        filing.submit(app.pk, declaration=DECLARATION_VERSION, actor=person.actor, at=day(1))
    app.refresh_from_db()
    return app


def test_unrelated_data_gives_no_warning(
    personas: Personas, shared: dict[str, bytes], tmp_path: Path
) -> None:
    ours = deposit(personas.applicant, _manifest(tmp_path, "a", shared))
    theirs = deposit(personas.other_applicant, _manifest(tmp_path, "b", files(77, "x", 30)))
    assert estimate_similarity(ours.minhash or {}, theirs.minhash or {}) < 0.05
    _beta_application(personas, theirs, Status.SUBMITTED)
    our_app = draft(personas)
    services.cite_deposit(our_app.pk, ours.pk, actor=personas.applicant.actor, at=day(0))
    assert queries.overlap_warnings(our_app) == []
    # Not even a candidate: no band is shared.
    ours_bands = set(ours.bands.values_list("hash", flat=True))
    assert not DepositBand.objects.filter(deposit=theirs, hash__in=ours_bands).exists()


def test_the_same_holder_or_a_draft_gives_no_warning(
    personas: Personas, shared: dict[str, bytes], tmp_path: Path
) -> None:
    first = deposit(personas.applicant, _manifest(tmp_path, "a", shared))
    second = deposit(personas.applicant, _manifest(tmp_path, "b", shared))
    earlier = draft(personas)
    services.cite_deposit(earlier.pk, second.pk, actor=personas.applicant.actor, at=day(0))
    advance(personas, earlier, Status.SUBMITTED)
    our_app = draft(personas)
    services.cite_deposit(our_app.pk, first.pk, actor=personas.applicant.actor, at=day(0))
    assert queries.overlap_warnings(our_app) == []  # the same holder's own data
    # Another holder's identical data, cited only by a draft or a withdrawn application.
    theirs = deposit(personas.other_applicant, _manifest(tmp_path, "c", shared))
    beta_draft = _beta_application(personas, theirs, Status.DRAFT)
    assert queries.overlap_warnings(our_app) == []
    from dataip.registry.services import applications as filing

    filing.submit(
        beta_draft.pk,
        declaration=DECLARATION_VERSION,
        actor=personas.other_applicant.actor,
        at=day(1),
    )
    assert [w.other for w in queries.overlap_warnings(our_app)] == [theirs]
    filing.withdraw(beta_draft.pk, actor=personas.other_applicant.actor, at=day(2))
    assert queries.overlap_warnings(our_app) == []


def test_containment_of_a_smaller_dataset_warns(
    personas: Personas, shared: dict[str, bytes], tmp_path: Path
) -> None:
    """A copy of half of another holder's data: Jaccard ≈ 0.5, containment ≈ 1."""
    half = dict(list(shared.items())[:18])
    ours = deposit(personas.applicant, _manifest(tmp_path, "a", half))
    theirs = deposit(personas.other_applicant, _manifest(tmp_path, "b", shared))
    _beta_application(personas, theirs, Status.SUBMITTED)
    our_app = draft(personas)
    services.cite_deposit(our_app.pk, ours.pk, actor=personas.applicant.actor, at=day(0))
    (warning,) = queries.overlap_warnings(our_app)
    assert warning.containment > 0.8
    assert warning.containment > warning.contained
    assert warning.similarity < 0.6  # Jaccard alone would say little: containment warns


def test_candidates_come_from_the_band_index_in_a_constant_number_of_queries(
    personas: Personas, shared: dict[str, bytes], tmp_path: Path
) -> None:
    ours = deposit(personas.applicant, _manifest(tmp_path, "a", shared))
    theirs = deposit(personas.other_applicant, _manifest(tmp_path, "b", shared))
    _beta_application(personas, theirs, Status.SUBMITTED)
    # Many unrelated deposits of other holders, each cited by a live application.
    for i in range(6):
        holder = make_holder(100 + i, f"Holder {i}")
        person = make_person(f"holder{i}", holder)
        other = deposit(person, _manifest(tmp_path, f"u{i}", files(300 + i, "u", 3)))
        assert other.bands.count() == lsh.BANDS
    our_app = draft(personas)
    services.cite_deposit(our_app.pk, ours.pk, actor=personas.applicant.actor, at=day(0))
    with CaptureQueriesContext(connection) as captured:
        warnings = queries.overlap_warnings(our_app)
    assert [w.other for w in warnings] == [theirs]
    assert len(captured.captured_queries) <= 8
    for query in captured.captured_queries:  # never a scan of every deposit
        assert "WHERE" in query["sql"], query["sql"]


def test_a_deposit_without_a_signature_is_not_compared(
    personas: Personas, shared: dict[str, bytes], tmp_path: Path
) -> None:
    ours = deposit(
        personas.applicant, manifest_of(make_tree(tmp_path / "a", shared), minhash=False)
    )
    assert ours.minhash is None
    assert not ours.bands.exists()
    our_app = draft(personas)
    services.cite_deposit(our_app.pk, ours.pk, actor=personas.applicant.actor, at=day(0))
    assert queries.overlap_warnings(our_app) == []


def test_band_hashes_depend_on_the_signature_parameters() -> None:
    values = [f"{i:016x}" for i in range(128)]
    base: dict[str, Any] = {
        "scheme": "dip.minhash/v1",
        "chunker": "fastcdc-2020",
        "avg_size": 4096,
        "min_size": 1024,
        "max_size": 16384,
        "num_perm": 128,
        "chunks": 10,
        "values": values,
    }
    other = {**base, "avg_size": 65536, "min_size": 16384, "max_size": 262144}
    lsh.check_signature(base)
    assert len(lsh.band_hashes(base)) == 64
    assert not set(lsh.band_hashes(base)) & set(lsh.band_hashes(other))
    bad: object
    for bad in ({**base, "num_perm": 64}, {**base, "values": values[:-1]},
                {**base, "values": ["XYZ"] * 128}, {**base, "extra": 1}, []):  # fmt: skip
        with pytest.raises(lsh.SignatureError):
            lsh.check_signature(bad)
