"""The help centre (帮助中心): what can be registered, the materials with their templates, each
regime's deadlines, how deposits and verification work, and a FAQ.

Every figure comes from the declarations the workflow uses: the regimes
(:func:`dataip.registry.regimes.all_regimes`), the product fields and their help
(:mod:`dataip.registry.fields`) and the kinds (:mod:`dataip.registry.kinds`); nothing is
repeated here by hand. The material templates are Markdown files written from
:data:`TEMPLATES`, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from dataip.registry import fields, labels, regimes
from dataip.registry.calendar import DayUnit
from dataip.registry.kinds import MaterialKind, ProductKind
from dataip.registry.regimes import Period, Regime

TEMPLATES: dict[MaterialKind, tuple[str, ...]] = {
    MaterialKind.APPLICATION_FORM: (
        "kind",
        "name",
        "name_en",
        "industry_code",
        "province_code",
        "data_source_type",
        "formation_date",
        "update_frequency",
    ),
    MaterialKind.PRODUCT_SUMMARY: (
        "name",
        "summary",
        "structure_description",
        "record_count",
        "size_bytes",
        "data_source_description",
        "lawful_basis",
    ),
    MaterialKind.INNOVATION_EXPLANATION: (
        "processing_summary",
        "processing_details",
        "innovation_explanation",
    ),
    MaterialKind.SCENARIO_DESCRIPTION: ("application_scenarios", "samples_description"),
}
"""The materials the registry offers a template for, and the product fields each must cover
(their labels and help come from :data:`dataip.registry.fields.PRODUCT_FIELDS` and
:data:`dataip.registry.fields.HELP`)."""

KIND_HELP = {
    ProductKind.DATA_COLLECTION: gettext_lazy(
        "Data gathered and processed by rules or algorithms into a collection that has "
        "commercial value: for example cleaned and labelled traffic records."
    ),
    ProductKind.DATA_PRODUCT: gettext_lazy(
        "A collection turned into something offered to users: a report, a database service, "
        "an index or an interface."
    ),
    ProductKind.DATA_ALGORITHM: gettext_lazy(
        "An algorithm or AI model made from data: the trained model, its training data and "
        "how it was evaluated."
    ),
}
"""What each kind of registered object is, in plain words (the names are
:data:`dataip.registry.kinds.KIND_NAMES`)."""


def period_in_words(period: Period) -> str:
    """A period of a regime in words of the active language: "15 calendar days", "10 个工作日"
    (the units' words are declared once, in :data:`dataip.registry.labels.DAY_UNIT_LABELS`)."""
    return labels.period(period.length, period.unit)


def years_in_words(n: int) -> str:
    """A number of years in words."""
    return ngettext("%(n)d year", "%(n)d years", n) % {"n": n}


def days_in_words(n: int) -> str:
    """A number of calendar days in words."""
    return labels.period(n, DayUnit.CALENDAR_DAYS)


@dataclass(frozen=True)
class RegimeFacts:
    """One regime as the help centre shows it."""

    code: str
    name: str
    registry: str
    current: bool
    kinds: list[str]
    announcement: str
    correction: str
    objection_decision: str
    change_decision: str
    confirmation: str
    validity: str
    capped: bool
    renewal: str
    deposit_required: bool
    expert_review: bool
    panel: int
    materials: list[tuple[str, str, bool]]  # (code, name, has a template)
    agent_materials: list[str]


def facts(regime: Regime, *, current: bool) -> RegimeFacts:
    """The regime's declared settings in words of the active language."""
    english = labels.is_english()
    return RegimeFacts(
        code=regime.code,
        name=regime.name_en if english else regime.name_zh,
        registry=regime.registry_name_en if english else regime.registry_name_zh,
        current=current,
        kinds=[labels.kind(k) for k in ProductKind if k in regime.allowed_kinds],
        announcement=period_in_words(regime.announcement),
        correction=period_in_words(regime.correction),
        objection_decision=period_in_words(regime.objection_decision),
        change_decision=period_in_words(regime.change_decision),
        confirmation=period_in_words(regime.confirmation),
        validity=years_in_words(regime.validity_years),
        capped=regime.validity_capped_by_agreement,
        renewal=days_in_words(regime.renewal_window_days),
        deposit_required=regime.deposit_required,
        expert_review=regime.expert_review,
        panel=regime.expert_panel_min,
        materials=[
            (m.value, labels.material(m), m in TEMPLATES)
            for m in MaterialKind
            if m in regime.materials
        ],
        agent_materials=[labels.material(m) for m in MaterialKind if m in regime.agent_materials],
    )


def _regimes() -> list[RegimeFacts]:
    """This deployment's regime first, then the others by code."""
    current = str(settings.DATAIP_REGIME)
    shipped = regimes.all_regimes()
    ordered = sorted(shipped.values(), key=lambda r: (r.code != current, r.code))
    return [facts(r, current=r.code == current) for r in ordered]


@require_GET
def help_centre(request: HttpRequest) -> HttpResponse:
    """The help centre and FAQ (public)."""
    listed = _regimes()
    current = next((r for r in listed if r.current), listed[0])
    return render(
        request,
        "web/help.html",
        {
            "kinds": [
                (labels.kind(k), KIND_HELP[k], k in regimes.load_regime(current.code).allowed_kinds)
                for k in ProductKind
            ],
            "templates": [(m.value, labels.material(m)) for m in TEMPLATES],
            "regimes": listed,
            "current": current,
        },
    )


def template_text(material: MaterialKind) -> str:
    """The Markdown template of a material, in the active language."""
    title = labels.material(material)
    lines = [
        f"# {title}",
        "",
        "> "
        + _(
            "Fill in each section below, replace the guidance in italics with your text, and "
            "upload the file as “%(material)s” on the Materials step of your application."
        )
        % {"material": title},
        "",
    ]
    for name in TEMPLATES[material]:
        spec = fields.FIELDS_BY_NAME[name]
        lines.append(f"## {capfirst(_(spec.label))}")
        lines.append("")
        if spec.name in fields.HELP:
            lines.append(f"*{_(fields.HELP[spec.name])}*")
        if not spec.public:
            lines.append(f"*{_('Confidential: seen only by the registry and its experts.')}*")
        lines.extend(["", ""])
    return "\n".join(lines).rstrip() + "\n"


@require_GET
def material_template(request: HttpRequest, material: str) -> HttpResponse:
    """A material's template, as a Markdown download in the reader's language."""
    try:
        kind = MaterialKind(material)
    except ValueError:
        raise Http404 from None
    if kind not in TEMPLATES:
        raise Http404
    response = HttpResponse(template_text(kind), content_type="text/markdown; charset=utf-8")
    language = "en" if labels.is_english() else "zh"
    response["Content-Disposition"] = f'attachment; filename="{kind.value}-{language}.md"'
    return response
