"""Forms of the portal. They only shape input (types, lengths, choices) for the services, which
decide everything else; the services' field errors are put back on these fields by
:func:`dataip.web.errors.put_on_form`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dataip.registry import details, fields, labels, reference
from dataip.registry.details import FieldType
from dataip.registry.kinds import ProductKind
from dataip.registry.models import DocumentKind, HolderKind, OrganisationType
from dataip.registry.models.applications import MATERIAL_CHOICES
from dataip.registry.models.objections import ObjectionGround
from dataip.web.field_help import FieldHelpMixin

STEPS: dict[str, tuple[str, ...]] = {
    "basics": (
        "kind",
        "name",
        "name_en",
        "summary",
        "summary_en",
        "industry_code",
        "province_code",
    ),
    "source": (
        "data_source_type",
        "data_source_description",
        "lawful_basis",
        "source_agreement_end",
        "formation_date",
        "record_count",
        "size_bytes",
        "update_frequency",
        "structure_description",
    ),
    "processing": (
        "processing_summary",
        "processing_details",
        "application_scenarios",
        "innovation_explanation",
        "samples_description",
    ),
}
STEP_TITLES = {
    "basics": gettext_lazy("The data product"),
    "source": gettext_lazy("Source and content"),
    "processing": gettext_lazy("Processing and use"),
    "details": gettext_lazy("Kind-specific details"),
    "holders": gettext_lazy("Holders and shares"),
    "materials": gettext_lazy("Materials"),
    "review": gettext_lazy("Check and submit"),
}
STEP_ORDER = ("basics", "source", "processing", "details", "holders", "materials", "review")
TEXT_LIST_SEPARATOR = "\n"
SHORT_TEXT = 200  # texts up to this long get a one-line input
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PortalForm(FieldHelpMixin, forms.Form):
    """A form whose labels stand on their own line (no trailing colon, in either language), and
    whose fields carry their declared help (:mod:`dataip.web.field_help`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def industry_choices() -> list[tuple[str, str]]:
    """GB/T 4754 divisions, named in the active language."""
    english = labels.is_english()
    return [("", "—")] + [
        (
            i.division_code,
            f"{i.division_code} {i.division_name_en if english else i.division_name_zh}",
        )
        for i in reference.industries()
    ]


def province_choices() -> list[tuple[str, str]]:
    """Provinces, named in the active language."""
    english = labels.is_english()
    return [("", "—")] + [
        (p.code2, p.name_en if english else p.name_zh) for p in reference.provinces()
    ]


class ProductStepForm(PortalForm):
    """One step of the application: a group of the data product's fields."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, step: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in STEPS[step]:
            self.fields[name] = _product_field(fields.FIELDS_BY_NAME[name])

    def values(self) -> dict[str, Any]:
        """The cleaned values, as the services take them (``None`` for an empty number or
        date, ``""`` for an empty text or choice)."""
        return {
            name: self.cleaned_data.get(name)
            if fields.FIELDS_BY_NAME[name].type in {FieldType.INTEGER, FieldType.DATE}
            else (self.cleaned_data.get(name) or "")
            for name in self.fields
            if name != "revision"
        }


def _product_field(spec: fields.ProductField) -> forms.Field:
    """The form field of a declared product field."""
    label = capfirst(_(spec.label))
    field: forms.Field
    if spec.name == "industry_code":
        field = forms.ChoiceField(label=label, choices=industry_choices())
    elif spec.name == "province_code":
        field = forms.ChoiceField(label=label, choices=province_choices())
    elif spec.type == FieldType.CHOICE:
        named = [(c, labels.value(spec.name, c)) for c in spec.choices]
        field = forms.ChoiceField(label=label, choices=[*BLANK_CHOICE_DASH, *named])
    elif spec.type == FieldType.DATE:
        field = forms.DateField(label=label, widget=DATE_INPUT)
    elif spec.type == FieldType.INTEGER:
        field = forms.IntegerField(label=label, min_value=0)
    elif spec.max_length <= SHORT_TEXT:
        field = forms.CharField(label=label, max_length=spec.max_length)
    else:  # the service says when a long text is too long, in the registry's words
        field = forms.CharField(label=label, widget=forms.Textarea)
    field.required = spec.name == "kind"
    field.help_text = _help(fields.HELP.get(spec.name, ""), public=spec.public)
    if spec.required:
        mark_required(field)
    return field


def _help(declared: str, *, public: bool) -> str:
    """A declared help text, translated, with the confidentiality note of a non-public field."""
    parts = [_(declared)] if declared else []
    if not public:
        parts.append(_("Confidential: seen only by the registry and its experts."))
    return " ".join(parts)


def mark_required(field: forms.Field) -> None:
    """Mark a field required before submission (declared in :mod:`dataip.registry.fields` or
    :mod:`dataip.registry.details`): an asterisk and a hidden "required" in the label, and
    ``required`` / ``aria-required`` on the input. A draft may still be saved without it (the
    forms are ``novalidate``; the service decides at submission)."""
    field.label = format_html(
        '{} <span class="required-mark" aria-hidden="true">*</span>'
        '<span class="visually-hidden">{}</span>',
        field.label,
        _("(required)"),
    )
    field.widget.attrs.update({"required": True, "aria-required": "true"})


product_field = _product_field
"""The form field of a declared product field (the exchange's pre-filled application too)."""


def _detail_field(spec: details.DetailField) -> forms.Field:
    label = _(spec.label)
    field: forms.Field
    if spec.type == FieldType.INTEGER:
        field = forms.IntegerField(label=label, min_value=0)
    elif spec.type == FieldType.DATE:
        field = forms.DateField(label=label, widget=DATE_INPUT)
    elif spec.type == FieldType.CHOICE:
        choices = [("", "—")] + [(c, labels.value(spec.name, c)) for c in spec.choices]
        field = forms.ChoiceField(label=label, choices=choices)
    elif spec.type == FieldType.TEXT_LIST:
        field = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}))
    else:
        widget = forms.Textarea(attrs={"rows": 3}) if spec.max_length > 300 else None
        field = forms.CharField(label=label, max_length=spec.max_length, widget=widget)
    field.required = False
    field.help_text = _help(details.HELP.get(spec.name, ""), public=spec.public)
    if spec.type == FieldType.TEXT_LIST:
        field.help_text = f"{field.help_text} {_('One per line.')}".strip()
    if spec.required:
        mark_required(field)
    return field


class DetailsForm(PortalForm):
    """The kind-specific details of the product (datasets or models)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, kind: ProductKind, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = details.fields_for(kind)
        for spec in self.specs:
            self.fields[f"detail_{spec.name}"] = _detail_field(spec)

    @staticmethod
    def initial_from(stored: dict[str, Any]) -> dict[str, Any]:
        """Form values from the stored details."""
        return {
            f"detail_{name}": TEXT_LIST_SEPARATOR.join(value) if isinstance(value, list) else value
            for name, value in stored.items()
        }

    def values(self) -> dict[str, Any]:
        """The details, as the services take them."""
        result: dict[str, Any] = {}
        for spec in self.specs:
            value = self.cleaned_data.get(f"detail_{spec.name}")
            if value in (None, ""):
                continue
            if spec.type == FieldType.TEXT_LIST:
                value = [line.strip() for line in str(value).splitlines() if line.strip()]
            elif spec.type == FieldType.DATE:
                value = value.isoformat()
            result[spec.name] = value
        return {"details": result}

    def names(self) -> dict[str, str]:
        """Service field names to form field names."""
        return {f"details.{spec.name}": f"detail_{spec.name}" for spec in self.specs}


class NewApplicationForm(PortalForm):
    """The first step: what is being registered, and its name."""

    kind = forms.ChoiceField(label=gettext_lazy("What do you register?"))
    name = forms.CharField(label=gettext_lazy("Product name"), max_length=200)

    def __init__(self, kinds: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(label=self.fields["kind"].label, choices=kinds)


HOLDER_ROWS = 5


class HoldersForm(PortalForm):
    """The holders of the right (by credit code or ID number) and their shares in per cent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, HOLDER_ROWS + 1):
            self.fields[f"identifier_{row}"] = forms.CharField(
                label=_("Holder %(n)s: credit code or ID number") % {"n": row},
                max_length=18,
                required=False,
            )
            self.fields[f"share_{row}"] = forms.DecimalField(
                label=_("Holder %(n)s: share (%%)") % {"n": row},
                max_digits=5,
                decimal_places=2,
                required=False,
            )
        for name in ("identifier_1", "share_1"):  # at least one holder before submission
            mark_required(self.fields[name])

    def rows(self) -> list[tuple[str, Any]]:
        """(identifier, share) rows that were filled in."""
        return [
            (str(self.cleaned_data[f"identifier_{r}"]).strip().upper(), self[f"share_{r}"].value())
            for r in range(1, HOLDER_ROWS + 1)
            if self.cleaned_data.get(f"identifier_{r}")
        ]


class MaterialForm(PortalForm):
    """One material to upload."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind of material"), choices=MATERIAL_CHOICES)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "PDF, PNG, JPEG, ZIP, DOCX, XLSX, CSV, TXT or JSON; at most 20 MiB (samples 50 MiB)."
        ),
    )


class OpinionForm(PortalForm):
    """An expert's opinion on the application."""

    approves = forms.TypedChoiceField(
        label=gettext_lazy("Recommendation"),
        choices=[
            ("yes", gettext_lazy("Register: the product meets the requirements")),
            ("no", gettext_lazy("Refuse: the product does not meet the requirements")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=gettext_lazy("Opinion"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        """Clean each file; the list of files is the value."""
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ObjectionForm(PortalForm):
    """An objection to an announced application."""

    ground = forms.ChoiceField(label=gettext_lazy("Ground"), choices=ObjectionGround.choices)
    statement = forms.CharField(
        label=gettext_lazy("Statement"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text=gettext_lazy("What is wrong with this application, and how you know it."),
    )
    evidence = MultipleFileField(
        label=gettext_lazy("Evidence files"),
        required=False,
        help_text=gettext_lazy("PDF, images, ZIP or text; at most 20 MiB each."),
    )


class SignUpForm(PortalForm):
    """A new account and the holder it acts for (organisation or person)."""

    username = forms.RegexField(
        label=gettext_lazy("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=gettext_lazy("Letters, digits and @ . + - _ only."),
    )
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    holder_kind = forms.ChoiceField(label=gettext_lazy("You act for"), choices=HolderKind.choices)
    holder_name = forms.CharField(
        label=gettext_lazy("Name of the organisation or person"), max_length=200
    )
    holder_name_en = forms.CharField(
        label=gettext_lazy("English name"), max_length=200, required=False
    )
    identifier = forms.CharField(
        label=gettext_lazy("Unified social credit code, or resident ID number"),
        max_length=18,
        help_text=gettext_lazy("18 characters; checked before the account is made."),
    )
    province = forms.ChoiceField(label=gettext_lazy("Province"))
    org_type = forms.ChoiceField(
        label=gettext_lazy("Type of organisation"), choices=OrganisationType.choices
    )
    business_licence = forms.FileField(
        label=DocumentKind.BUSINESS_LICENCE.label,
        required=False,
        help_text=gettext_lazy("PDF, JPEG or PNG. You may also upload it later."),
    )
    authorisation = forms.FileField(
        label=DocumentKind.AUTHORISATION.label,
        required=False,
        help_text=gettext_lazy("PDF, JPEG or PNG. You may also upload it later."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label = self.fields["province"].label
        self.fields["province"] = forms.ChoiceField(label=label, choices=province_choices())

    def clean(self) -> dict[str, Any]:
        """The two passwords must match."""
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class IdentityDocumentsForm(PortalForm):
    """The business licence and the legal representative's authorisation, (re-)uploaded."""

    business_licence = forms.FileField(label=DocumentKind.BUSINESS_LICENCE.label, required=False)
    authorisation = forms.FileField(label=DocumentKind.AUTHORISATION.label, required=False)


class LoginForm(PortalForm):
    """User name and password."""

    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(PortalForm):
    """A six-digit code from the authenticator app."""

    token = forms.RegexField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SecondFactorForm(PortalForm):
    """The second factor: a six-digit code from the authenticator app, or a recovery code."""

    token = forms.RegexField(
        label=gettext_lazy("Six-digit code from your authenticator app, or a recovery code"),
        regex=r"^(\d{6}|[A-Za-z2-7]{8})$",
        max_length=20,
        error_messages={
            "invalid": gettext_lazy(
                "Enter the six digits the app shows, or a recovery code of eight letters and "
                "digits."
            )
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_token(self) -> str:
        return "".join(str(self.cleaned_data["token"]).split()).lower()
