"""Identity of organisations on the pages: sign-up that reveals nothing, the verification page
with its uploads, the registrar's queue and decision (confirmed), in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dataip.accounts.models import User
from dataip.registry.models import Holder, OrganisationClaim, Verification
from dataip.registry.services import identity
from tests.support.builders import PDF
from tests.support.personas import Personas, valid_uscc
from tests.web.conftest import client_for, read_download
from tests.web.test_accounts import SIGN_UP

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
pytestmark = pytest.mark.django_db


def form(username: str, code: str, **extra: Any) -> dict[str, Any]:
    return {
        **SIGN_UP,
        "username": username,
        "email": f"{username}@example.cn",
        "identifier": code,
        "business_licence": SimpleUploadedFile("licence.pdf", PDF, "application/pdf"),
        "authorisation": SimpleUploadedFile("authorisation.png", PNG, "image/png"),
        **extra,
    }


def main_of(response: Any, *secrets: str) -> str:
    """The page's main content with what the applicant typed itself taken out."""
    text = response.content.decode()
    main = text[text.index('<main id="main"') : text.index("</main>")]
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)
    for secret in secrets:
        main = main.replace(secret, "")
    return main


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_registered_code_gets_exactly_the_answer_a_new_one_gets(
    personas: Personas, language: str
) -> None:
    """The outsider cannot tell: same status, redirect, cookies, template, words and state."""
    registered = personas.applicant.holder.identifier
    fresh = valid_uscc(120)
    answers = {}
    for name, code in (("fresh", fresh), ("claimant", registered)):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.get("/account/signup")
        response = client.post("/account/signup", form(name, code))
        page = client.get(response["Location"])
        answers[name] = (
            response.status_code,
            response["Location"],
            sorted(response.cookies),
            sorted(k for k, v in response.items() if k not in {"Date"}),
            page.status_code,
            [t.name for t in page.templates][:1],
            main_of(page, code, f"{name}@example.cn"),  # each sees its own address
        )
    assert answers["fresh"] == answers["claimant"]
    assert answers["fresh"][0] == 302
    assert answers["fresh"][1] == "/account/verification"
    assert ("Pending verification" if language == "en" else "待认证") in answers["fresh"][-1]
    # Behind the scenes: one pending holder, and a dispute instead of a second holder.
    assert Holder.objects.get(identifier=fresh).verification == Verification.PENDING
    claim = OrganisationClaim.objects.get(claimant__username="claimant")
    assert claim.holder == personas.applicant.holder
    assert Holder.objects.filter(identifier=registered).count() == 1


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Upload a PDF, JPEG or PNG"), ("zh-hans", "请上传")],
)
def test_a_document_that_is_not_a_pdf_or_image_is_named_and_nothing_is_made(
    language: str, words: str
) -> None:
    bad = SimpleUploadedFile("licence.pdf", b"MZ not a pdf", "application/pdf")
    response = Client(HTTP_ACCEPT_LANGUAGE=language).post(
        "/account/signup", form("newco", valid_uscc(121), business_licence=bad)
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="id_business_licence_error"' in text
    assert words in text
    assert not User.objects.filter(username="newco").exists()
    assert not Holder.objects.filter(identifier=valid_uscc(121)).exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_refused_organisation_sees_the_reason_and_uploads_again(
    personas: Personas, language: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.post("/account/signup", form("newco", valid_uscc(122)))
    holder = Holder.objects.get(identifier=valid_uscc(122))
    identity.refuse_organisation(holder.pk, actor=personas.registrar.actor, reason="执照已过期")
    page = client.get("/account/verification")
    assert page.status_code == 200
    assert "执照已过期" in page.content.decode()
    again = client.post(
        "/account/verification",
        {"business_licence": SimpleUploadedFile("new.pdf", PDF, "application/pdf")},
    )
    assert again.status_code == 302
    holder.refresh_from_db()
    assert holder.verification == Verification.PENDING
    empty = client.post("/account/verification", {})
    assert empty.status_code == 422


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_registrar_approves_after_confirming_and_refuses_with_a_reason(
    personas: Personas, language: str
) -> None:
    Client().post("/account/signup", form("one", valid_uscc(123)))
    Client().post("/account/signup", form("claimant", personas.applicant.holder.identifier))
    one = Holder.objects.get(identifier=valid_uscc(123))
    claim = OrganisationClaim.objects.get()
    desk = client_for(personas.registrar.user, language=language)
    queue = desk.get("/examine/organisations")
    assert queue.status_code == 200
    text = queue.content.decode()
    assert one.name in text
    assert valid_uscc(123) in text
    assert ("Dispute" if language == "en" else "认领争议") in text
    case = desk.get(f"/examine/organisations/organisation/{one.pk}")
    assert case.status_code == 200
    document = one.identity_documents.first()
    assert document is not None
    download = desk.get(f"/examine/organisations/organisation/{one.pk}/documents/{document.pk}")
    assert download.status_code == 200
    assert read_download(download) == PDF
    unconfirmed = desk.post(
        f"/examine/organisations/organisation/{one.pk}", {"decision": "approve"}
    )
    assert unconfirmed.status_code == 422
    one.refresh_from_db()
    assert one.verification == Verification.PENDING
    approved = desk.post(
        f"/examine/organisations/organisation/{one.pk}", {"decision": "approve", "confirm": "on"}
    )
    assert approved.status_code == 302
    one.refresh_from_db()
    assert one.verification == Verification.VERIFIED
    twice = desk.post(
        f"/examine/organisations/organisation/{one.pk}", {"decision": "approve", "confirm": "on"}
    )
    assert twice.status_code == 409
    dispute = f"/examine/organisations/dispute/{claim.pk}"
    assert personas.applicant.holder.name in desk.get(dispute).content.decode()
    no_reason = desk.post(dispute, {"decision": "refuse", "confirm": "on"})
    assert no_reason.status_code == 422
    refused = desk.post(dispute, {"decision": "refuse", "confirm": "on", "reason": "非授权人"})
    assert refused.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "refused"
    claimant = client_for(User.objects.get(username="claimant"), language=language)
    assert "非授权人" in claimant.get("/account/verification").content.decode()


def test_a_pending_organisation_is_told_why_it_cannot_submit(personas: Personas) -> None:
    from dataip.registry.actors import actor_for
    from tests.support.builders import draft
    from tests.support.personas import Person

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.post("/account/signup", form("newco", valid_uscc(124)))
    user = User.objects.get(username="newco")
    personas.applicant = Person(user, actor_for(user))
    app = draft(personas)
    app.refresh_from_db()
    refused = client.post(f"/applications/{app.pk}/submit", {"revision": app.revision})
    assert refused.status_code == 409
    assert "尚未认证" in refused.content.decode()
    app.refresh_from_db()
    assert app.status == "draft"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_new_account_gets_its_mail_in_the_language_it_signed_up_in(
    personas: Personas, language: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.post("/account/signup", form("newco", valid_uscc(125))).status_code == 302
    assert User.objects.get(username="newco").language == language
