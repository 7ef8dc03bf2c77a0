"""The portal's product form is built from the one declaration of the product's fields."""

from __future__ import annotations

from django.utils import translation
from django.utils.text import capfirst

from dataip.registry.fields import FIELDS_BY_NAME, HELP, PUBLIC_FIELDS
from dataip.web.forms import STEPS, ProductStepForm

CONFIDENTIAL = "Confidential: seen only by the registry and its experts."


def test_every_declared_field_but_the_details_is_on_a_step() -> None:
    on_steps = [name for names in STEPS.values() for name in names]
    assert sorted(on_steps) == sorted(set(FIELDS_BY_NAME) - {"details"})


def test_each_step_labels_its_fields_and_marks_the_confidential_ones() -> None:
    with translation.override("en"):
        for step, names in STEPS.items():
            form = ProductStepForm(step)
            for name in names:
                field = form.fields[name]
                spec = FIELDS_BY_NAME[name]
                assert str(field.label).startswith(capfirst(spec.label))
                assert ("required-mark" in str(field.label)) == spec.required
                assert field.help_text.endswith(CONFIDENTIAL) == (name not in PUBLIC_FIELDS)
                assert field.help_text.startswith(HELP[name])  # its declared help first
                assert field.required == (name == "kind")
    with translation.override("zh-hans"):
        label = str(ProductStepForm("source").fields["lawful_basis"].label)
        assert label.startswith("数据合法取得方式 ")
        assert "（必填）" in label


def test_it_offers_the_declared_choices_by_name_and_hands_the_services_plain_values() -> None:
    with translation.override("en"):
        form = ProductStepForm(
            "source",
            {
                "revision": "1",
                "data_source_type": "02",
                "update_frequency": "",
                "record_count": "",
                "formation_date": "2026-01-02",
            },
        )
        choices = dict(form.fields["data_source_type"].choices)  # type: ignore[attr-defined]
    assert choices["02"] == "Licensed"
    assert form.is_valid(), form.errors
    values = form.values()
    assert values["data_source_type"] == "02"
    assert values["update_frequency"] == ""
    assert values["record_count"] is None
    assert values["source_agreement_end"] is None
    assert values["formation_date"].isoformat() == "2026-01-02"
    assert values["lawful_basis"] == ""
