"""Who sees a deposit: its holder whole; staff of a citing application; the public only that it
exists (number, time, root) — never the salt, the manifest, its file list or the MinHash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dataip.deposits import queries, services
from dataip.deposits.models import Deposit
from dataip.errors import NotFound
from dataip.registry.workflow import Status
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.builders import day, draft
from tests.support.personas import Personas
from tests.web._builders import advance

from .conftest import SignIn

pytestmark = pytest.mark.django_db
SECRET_NAME = "客户名单-confidential.csv"


@pytest.fixture
def made(personas: Personas, tmp_path: Path) -> Deposit:
    content = files(5, "f", 2)
    content[SECRET_NAME] = b"id,name\n1,secret\n"
    return deposit(personas.applicant, manifest_of(make_tree(tmp_path / "data", content)))


def _pages(d: Deposit) -> list[str]:
    return [
        f"/deposits/{d.pk}",
        f"/deposits/{d.pk}/receipt.json",
        f"/deposits/{d.pk}/receipt.pdf",
        f"/deposits/{d.pk}/manifest.json",
    ]


def test_the_holder_sees_everything(personas: Personas, made: Deposit, sign_in: SignIn) -> None:
    client = sign_in(personas.applicant)
    for url in _pages(made):
        assert client.get(url).status_code == 200, url
    mine = client.get("/deposits/")
    assert made.number in mine.content.decode()
    assert SECRET_NAME in client.get(f"/deposits/{made.pk}/manifest.json").content.decode()
    # A colleague of the same holder too (the conflicted expert works for Alpha).
    assert (
        sign_in(personas.conflicted_expert, verified=False).get(_pages(made)[0]).status_code == 200
    )


def test_other_people_see_nothing_of_an_uncited_deposit(
    personas: Personas, made: Deposit, sign_in: SignIn
) -> None:
    for who in (personas.other_applicant, personas.examiner, personas.objector):
        client = sign_in(who)
        for url in _pages(made):
            assert client.get(url).status_code == 404, (who.user.username, url)
        assert made.number not in client.get("/deposits/").content.decode()
    anonymous = sign_in(None)
    for url in _pages(made):
        assert anonymous.get(url).status_code == 302  # sign in first
    with pytest.raises(NotFound):
        queries.get_deposit_for(personas.examiner.actor, made.pk)


def test_examiners_see_a_cited_deposit_and_the_public_sees_that_it_exists(
    personas: Personas, made: Deposit, sign_in: SignIn
) -> None:
    app = draft(personas)
    services.cite_deposit(app.pk, made.pk, actor=personas.applicant.actor, at=day(0))
    advance(personas, app, Status.SUBMITTED)
    examiner = sign_in(personas.examiner)
    for url in _pages(made):
        assert examiner.get(url).status_code == 200, url
    case = examiner.get(f"/deposits/applications/{app.pk}")
    assert case.status_code == 200
    assert made.number in case.content.decode()
    # An examiner whose session has no second factor is treated as anyone.
    unverified = sign_in(personas.examiner, verified=False)
    assert unverified.get(_pages(made)[0]).status_code == 404
    # The other applicant and the public: still nothing confidential before announcement.
    assert sign_in(personas.other_applicant).get(_pages(made)[0]).status_code == 404
    assert sign_in(None).get(f"/deposits/applications/{app.pk}").status_code == 404
    assert queries.public_deposits_of(app) == []


def test_the_public_sees_number_time_and_root_only(
    personas: Personas, made: Deposit, sign_in: SignIn, settings: Any
) -> None:
    page = sign_in(None).get(f"/deposits/public/{made.number}")
    assert page.status_code == 200
    html = page.content.decode()
    assert made.number in html
    assert made.root in html
    holder = personas.applicant.holder
    for secret in (
        SECRET_NAME,
        holder.name,
        holder.identifier,
        made.holder_commitment,
        bytes(made.holder_salt).hex(),
        made.minhash["values"][0] if made.minhash else "",
    ):
        assert secret
        assert secret not in html
    settings.DATAIP_DEPOSIT_PUBLISH_ROOT = False
    assert made.root not in sign_in(None).get(f"/deposits/public/{made.number}").content.decode()
    assert sign_in(None).get("/deposits/public/CZ209900000001").status_code == 404


def test_a_public_application_lists_its_deposits_as_the_public_sees_them(
    personas: Personas, made: Deposit, sign_in: SignIn
) -> None:
    app = draft(personas)
    services.cite_deposit(app.pk, made.pk, actor=personas.applicant.actor, at=day(0))
    advance(personas, app, Status.UNDER_PUBLICITY)
    public = queries.public_deposits_of(app)
    assert [(d.number, d.root) for d in public] == [(made.number, made.root)]
    assert not hasattr(public[0], "holder_salt")
    page = sign_in(personas.objector).get(f"/deposits/applications/{app.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert made.number in html
    assert f"/deposits/{made.pk}" not in html  # no link to the confidential page
    assert sign_in(personas.objector).get(_pages(made)[0]).status_code == 404
