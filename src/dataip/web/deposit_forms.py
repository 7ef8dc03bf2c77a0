"""Forms of the deposit pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ManifestForm(forms.Form):
    """Upload a manifest made by ``dataip fingerprint`` (never the data)."""

    manifest = forms.FileField(
        label=_("Manifest (manifest.json)"),
        help_text=_(
            "Made by “dataip fingerprint” on your own computer. Only the manifest is uploaded, "
            "never the data."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


class CiteForm(forms.Form):
    """Choose one of the applicant side's deposits to cite."""

    deposit = forms.TypedChoiceField(
        label=_("Deposit"),
        coerce=int,
        help_text=_("One of your deposits; its root and timestamp back the application."),
    )

    def __init__(self, choices: list[tuple[int, str]], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["deposit"].choices = choices  # type: ignore[attr-defined]
