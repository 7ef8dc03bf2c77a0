"""Template tags of the portal: names of statuses, actions, roles, facets and licence kinds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from dataip.registry import labels
from dataip.registry.queries.search import PAGE_SIZE

register = template.Library()

FACET_TITLES = {
    "kind": _("Kind"),
    "industry_code": _("Industry"),
    "province_code": _("Province"),
    "status": _("Status"),
    "year": _("Year"),
}


@register.simple_tag
def industry_name(code: str) -> str:
    """A GB/T 4754 division in the active language."""
    return labels.industry(code) if code else "—"


@register.simple_tag
def deadline_name(kind: str) -> str:
    """What a case's deadline is, in the active language (correction due, ...)."""
    return labels.deadline(kind)


@register.simple_tag
def status_name(status: str) -> str:
    """A status in the active language."""
    return labels.status(status)


@register.simple_tag
def province_name(code: str) -> str:
    """A province (GB/T 2260) in the active language."""
    return labels.province(code)


@register.simple_tag
def org_type_name(code: str) -> str:
    """A type of organisation in the active language."""
    return labels.org_type(code)


@register.simple_tag
def verification_name(code: str) -> str:
    """Where an organisation's identity verification stands, in the active language."""
    return labels.verification(code)


@register.simple_tag
def identity_document_name(code: str) -> str:
    """A kind of identity document in the active language."""
    return labels.identity_document(code)


@register.simple_tag
def action_name(action: str) -> str:
    """An action (or event) in the active language."""
    return labels.event(action)


@register.simple_tag
def event_name(event_type: str) -> str:
    """An event of a history, in plain words in the active language."""
    return labels.event(event_type)


@register.simple_tag
def period(length: int, unit: str) -> str:
    """A period's length with its unit in words, in the active language."""
    return labels.period(length, unit)


@register.simple_tag
def role_name(role: str) -> str:
    """The role in which someone acted, in the active language."""
    return labels.role(role)


@register.simple_tag
def facet_title(name: str) -> str:
    """The title of a search facet."""
    return str(FACET_TITLES.get(name, name))


@register.simple_tag
def facet_options(facet: Mapping[str, Any]) -> SafeString:
    """The ``<option>`` of each value of a search facet, with its count, the chosen one
    selected (a facet lists up to 40 values; made here in one pass, not node by node)."""
    chosen = facet["selected"]
    return format_html_join(
        "",
        '<option value="{}"{}>{} ({})</option>',
        (
            (value, mark_safe(" selected") if value == chosen else "", label, n)
            for value, label, n in facet["values"]
        ),
    )


@register.simple_tag
def licence_kind(kind: str) -> str:
    """A kind of licence in the active language."""
    return labels.licence(kind)


@register.simple_tag
def licence_territory(licence: Any) -> str:
    """A licence's territory in words (nationwide, or its regions), in the active language."""
    return labels.territory(licence.regions, licence.territory)


@register.filter
def first_index(page: int) -> int:
    """The number of the first result on a page of search results."""
    return (page - 1) * PAGE_SIZE + 1
