"""Domain errors become 4xx pages with their message, in the user's language; never a 500."""

from __future__ import annotations

import pytest

from dataip.registry.workflow import Status
from tests.support.personas import Personas
from tests.web._builders import build
from tests.web.conftest import SignIn


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "is not possible while the application is"), ("zh-hans", "无法执行“公示”")],
)
def test_it_shows_a_refused_transition_as_a_409_page(
    personas: Personas, sign_in: SignIn, language: str, message: str
) -> None:
    app = build(personas, Status.DRAFT)
    response = sign_in(personas.examiner, language=language).post(
        f"/examine/{app.pk}/act", {"action": "announce"}
    )
    assert response.status_code == 409
    assert response.templates[0].name == "web/error.html"
    assert message in response.content.decode()


def test_it_shows_an_incomplete_submission_as_a_4xx_page(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.DRAFT, complete=False)
    response = sign_in(personas.applicant).post(f"/applications/{app.pk}/submit", {"revision": "x"})
    assert response.status_code == 409
    assert "incomplete" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("en", "Not found"), ("zh-hans", "未找到")])
def test_it_answers_unknown_pages_with_its_own_404(
    sign_in: SignIn, language: str, title: str
) -> None:
    response = sign_in(None, language=language).get("/no/such/page")
    assert response.status_code == 404
    assert title in response.content.decode()


def test_it_answers_unknown_ids_with_404(personas: Personas, sign_in: SignIn) -> None:
    client = sign_in(personas.examiner)
    assert client.get("/examine/999999").status_code == 404
    assert (
        client.post("/examine/objections/999999/decide", {"decision": "dismiss"}).status_code == 404
    )
    assert sign_in(personas.applicant).get("/applications/999999/steps/nope").status_code == 404
