"""Objections filed by the public during the announcement."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataip.registry.models import Objection
from dataip.registry.workflow import Status
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn


@pytest.fixture
def announced(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> str:
    freeze(monkeypatch)
    return str(build(personas, Status.UNDER_PUBLICITY).number)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_files_an_objection_with_evidence(
    personas: Personas, sign_in: SignIn, announced: str, language: str
) -> None:
    client = sign_in(personas.objector, language=language)
    assert client.get(f"/registry/{announced}").context["can_object"]
    assert client.get(f"/announcements/{announced}/objection").status_code == 200
    evidence = [
        SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", "application/pdf"),
        SimpleUploadedFile("b.txt", "证据".encode(), "text/plain"),
    ]
    response = client.post(
        f"/announcements/{announced}/objection",
        {"ground": "ownership_dispute", "statement": "数据属于我方", "evidence": evidence},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.objector == personas.objector.user
    assert objection.evidence.count() == 2


def test_it_refuses_bad_evidence_next_to_the_field(
    personas: Personas, sign_in: SignIn, announced: str
) -> None:
    response = sign_in(personas.objector).post(
        f"/announcements/{announced}/objection",
        {
            "ground": "other",
            "statement": "理由",
            "evidence": [SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream")],
        },
    )
    assert response.status_code == 422
    assert 'id="id_evidence_error"' in response.content.decode()
    assert not Objection.objects.exists()


def test_applicant_cannot_object_to_its_own_application(
    personas: Personas, sign_in: SignIn, announced: str
) -> None:
    client = sign_in(personas.applicant)
    assert not client.get(f"/registry/{announced}").context["can_object"]
    response = client.post(
        f"/announcements/{announced}/objection", {"ground": "other", "statement": "自己反对自己"}
    )
    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_anonymous_cannot_object_without_signing_in(sign_in: SignIn, announced: str) -> None:
    response = sign_in(None).get(f"/announcements/{announced}/objection")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login")
