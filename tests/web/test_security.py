"""Security of the pages: CSP, CSRF, password hashing, cookies, no inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from dataip.config import settings as project_settings
from dataip.registry.workflow import Status
from dataip.web.security import POLICY
from tests.support.personas import Personas
from tests.web._builders import build
from tests.web.conftest import SignIn, read_download

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "dataip" / "web" / "templates"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/search", "/account/login", "/nope", "/verify"])
def test_it_sends_a_strict_content_security_policy(url: str) -> None:
    response = Client().get(url)
    policy = response["Content-Security-Policy"]
    assert policy == POLICY
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_style_or_handlers() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        # A script element runs only from our static files; a data block (JSON-LD for search
        # engines) is never executed, and CSP does not apply to it.
        data_block = r"type=\"application/(?:ld\+)?json\""
        assert not re.search(rf"<script(?![^>]*\bsrc=)(?![^>]*{data_block})[^>]*>", text), path
        assert "<style" not in text, path
        assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert "javascript:" not in text, path


def test_it_checks_csrf_on_every_form(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.applicant.user)
    assert (
        client.post("/applications/new", {"kind": "data_collection", "name": "x"}).status_code
        == 403
    )
    assert client.post("/account/logout").status_code == 403
    page = client.get("/applications/new").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_it_hashes_passwords_with_argon2() -> None:
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert Argon2PasswordHasher().encode("secret", "saltsaltsalt").startswith("argon2$")


def test_it_marks_cookies_secure_only_over_https() -> None:
    # Off in the embedded default (plain http on the loopback); DATAIP_HTTPS turns it on.
    assert project_settings.SESSION_COOKIE_SECURE == project_settings.HTTPS
    assert project_settings.CSRF_COOKIE_SECURE == project_settings.HTTPS
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_HTTPONLY


def test_it_serves_uploads_as_downloads_never_inline(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.DRAFT)
    material = app.materials.first()
    assert material is not None
    response = sign_in(personas.applicant).get(f"/applications/{app.pk}/materials/{material.pk}")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    read_download(response)
