"""The materials step lists the kinds of material the application's regime requires, each with the
required mark, ticked once uploaded, in both languages."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from dataip.registry import labels
from dataip.registry.kinds import MaterialKind
from dataip.registry.regimes import load_regime
from dataip.registry.workflow import Status
from tests.support.builders import PDF
from tests.support.personas import Personas
from tests.web._builders import build
from tests.web.conftest import SignIn

pytestmark = pytest.mark.django_db


def checklist(html: str) -> dict[str, str]:
    """The items of the required-materials list, by kind code: their HTML."""
    found = re.search(r'<ul class="checklist"[^>]*>(.*?)</ul>', html, re.S)
    assert found is not None, "no list of required materials"
    return dict(re.findall(r'<li id="needed-([a-z_]+)"[^>]*>(.*?)</li>', found[1]))


def item_class(html: str, kind: str) -> str:
    found = re.search(rf'<li id="needed-{kind}"( class="done")?>', html)
    assert found is not None
    return "done" if found[1] else ""


@pytest.mark.parametrize(
    ("language", "required_text", "missing_text", "uploaded_text"),
    [
        ("en", "(required)", "(not uploaded yet)", "(uploaded)"),
        ("zh-hans", "（必填）", "（尚未上传）", "（已上传）"),
    ],
)
def test_the_materials_step_lists_required_kinds_ticked_once_uploaded(
    personas: Personas,
    sign_in: SignIn,
    language: str,
    required_text: str,
    missing_text: str,
    uploaded_text: str,
) -> None:
    app = build(personas, Status.DRAFT, complete=False)
    required = load_regime(app.regime_code).required_materials(filed_by_agent=False)
    client = sign_in(personas.applicant, language=language)
    url = f"/applications/{app.pk}/steps/materials"

    html = client.get(url).content.decode()
    items = checklist(html)
    assert set(items) == {str(kind) for kind in required}
    with translation.override(language):
        for kind, item in items.items():
            assert labels.material(kind) in item
            assert '<span class="required-mark" aria-hidden="true">*</span>' in item
            assert f'<span class="visually-hidden">{required_text}</span>' in item
            assert missing_text in item
            assert "✓" not in item
            assert item_class(html, kind) == ""

    form = MaterialKind.APPLICATION_FORM
    assert form in required
    upload = SimpleUploadedFile("form.pdf", PDF, "application/pdf")
    assert client.post(url, {"kind": form, "file": upload}).status_code == 302

    html = client.get(url).content.decode()
    items = checklist(html)
    assert "✓" in items[form]
    assert uploaded_text in items[form]
    assert missing_text not in items[form]
    assert item_class(html, form) == "done"
    others = [kind for kind in items if kind != form]
    assert others
    assert all(missing_text in items[kind] for kind in others)


def test_a_complete_draft_has_every_required_kind_ticked(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.DRAFT)
    html = sign_in(personas.applicant).get(f"/applications/{app.pk}/steps/materials")
    items = checklist(html.content.decode())
    assert items
    assert all("✓" in item for item in items.values())
    assert all("(uploaded)" in item for item in items.values())
