"""Every visible field of every form of the portal has help, in English and in Chinese, and the
page points the input at it (``aria-describedby``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.utils import translation

import dataip.web.views
from dataip.registry.kinds import ProductKind
from dataip.registry.models import Application
from dataip.web import forms as web_forms
from tests.support.builders import draft
from tests.support.personas import Personas

MODULES = [
    "dataip.web.forms",
    "dataip.web.deposit_forms",
    *(f"dataip.web.views.{m.name}" for m in pkgutil.iter_modules(dataip.web.views.__path__)),
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def form_classes() -> list[type[forms.BaseForm]]:
    """Every form class declared in the web layer."""
    found: list[type[forms.BaseForm]] = []
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == name
                and value not in found
            ):
                found.append(value)
    return found


def instances(form_class: type[forms.BaseForm], application: Application) -> Iterator[Any]:
    """The form as the pages build it (each step, each kind where the form depends on it)."""
    cls: Any = form_class  # each form takes its own arguments
    if cls is web_forms.ProductStepForm:
        for step in web_forms.STEPS:
            yield cls(step)
    elif cls is web_forms.DetailsForm:
        for kind in ProductKind:
            yield cls(kind)
    elif cls is web_forms.NewApplicationForm:
        yield cls([(k.value, k.value) for k in ProductKind])
    elif "choices" in inspect.signature(cls.__init__).parameters:
        yield cls([])
    elif "application" in inspect.signature(cls.__init__).parameters:
        yield cls(application)
    elif "staff" in inspect.signature(cls.__init__).parameters:
        yield cls(staff=False)
        yield cls(staff=True)
    else:
        yield cls()


def visible_help(form: forms.BaseForm) -> dict[str, str]:
    return {f.name: str(f.help_text) for f in form.visible_fields()}


def test_the_walk_finds_the_forms_of_every_area() -> None:
    names = {cls.__name__ for cls in form_classes()}
    for expected in (
        "ProductStepForm",  # application steps
        "DetailsForm",
        "HoldersForm",
        "MaterialForm",
        "ManifestForm",  # deposit
        "ObjectionForm",  # objection
        "LicenceForm",  # rights
        "TransferForm",
        "SignUpForm",  # accounts
        "LoginForm",
        "PasswordResetByMailForm",
    ):
        assert expected in names


@pytest.mark.django_db
def test_every_visible_field_has_help_in_english_and_in_chinese(personas: Personas) -> None:
    application = draft(personas)
    missing: list[str] = []
    untranslated: list[str] = []
    checked = 0
    for cls in form_classes():
        for language in ("en", "zh-hans"):
            with translation.override(language):
                for form in instances(cls, application):
                    for name, text in visible_help(form).items():
                        checked += 1
                        where = f"{cls.__name__}.{name} ({language})"
                        if not text.strip():
                            missing.append(where)
                        elif language == "zh-hans" and not CJK.search(text):
                            untranslated.append(f"{where}: {text}")
    assert checked > 300
    assert missing == []
    assert untranslated == []


@pytest.mark.django_db
def test_the_product_fields_take_their_help_from_their_declaration() -> None:
    with translation.override("en"):
        form = web_forms.ProductStepForm("processing")
        assert str(form["application_scenarios"].help_text) == (
            "Who uses the data, for what, and with what result."
        )
        # a confidential field says so after its own help
        assert str(form["innovation_explanation"].help_text).endswith(
            "Confidential: seen only by the registry and its experts."
        )
    with translation.override("zh-hans"):
        form = web_forms.ProductStepForm("processing")
        assert "谁使用" in str(form["application_scenarios"].help_text)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_step_page_points_each_input_at_its_help(personas: Personas, language: str) -> None:
    application = draft(personas)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(personas.applicant.user)
    page = client.get(f"/applications/{application.pk}/steps/source").content.decode()
    for name in ("data_source_type", "lawful_basis", "formation_date", "record_count"):
        helps = re.search(rf'<div class="helptext" id="id_{name}_helptext">([^<]+)</div>', page)
        assert helps is not None, name
        assert helps.group(1).strip()
        assert re.search(rf'aria-describedby="id_{name}_helptext"[^>]*id="id_{name}"', page) or (
            re.search(rf'id="id_{name}"[^>]*aria-describedby="id_{name}_helptext"', page)
        ), name
    if language == "zh-hans":
        assert "合法" in page  # the lawful basis's help, in Chinese
