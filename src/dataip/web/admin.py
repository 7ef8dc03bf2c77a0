"""The registry's models in the admin, read-only where they carry workflow meaning.

Status changes happen only through ``registry.services``; the admin lists and shows
applications, events, objections and panels, and never changes them. Holders may be corrected
(address, contacts), but not their identity number, which sign-up checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dataip.registry import labels
from dataip.registry.models import (
    Application,
    Event,
    Holder,
    Material,
    Objection,
    PanelAssignment,
    SearchEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shows rows; adds, changes and deletes nothing."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "number", "registration_number", "status", "regime_code", "filed_by")
    list_filter = ("status", "regime_code")
    search_fields = ("number", "registration_number", "product__name", "product__name_en")
    list_select_related = ("filed_by",)
    show_full_result_count = False


class EventActionFilter(admin.SimpleListFilter):
    """The events recorded so far, by the same names the rows show (``labels.event``), not by
    their codes; the chosen code still goes in the URL (``?action=submit``)."""

    title = _("event")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = Event.objects.order_by().values_list("action", flat=True).distinct()
        return sorted(((code, labels.event(code)) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The history, in the same words as the pages: what was done, in which role, the status
    before and after (the codes stay in the filters and on each row's page)."""

    list_display = ("id", "application", "what", "role", "before", "after", "occurred_at")
    list_filter = (EventActionFilter, "public")
    show_full_result_count = False

    @admin.display(description=_("event"), ordering="action")
    def what(self, event: Event) -> str:
        return labels.event(event.action)

    @admin.display(description=_("acting as"), ordering="actor_role")
    def role(self, event: Event) -> str:
        return labels.role(event.actor_role)

    @admin.display(description=_("status before"))
    def before(self, event: Event) -> str:
        return labels.status(event.from_status) if event.from_status else "—"

    @admin.display(description=_("status after"))
    def after(self, event: Event) -> str:
        return labels.status(event.to_status) if event.to_status else "—"


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("id", "application", "ground", "status", "filed_at")
    list_filter = ("status", "ground")


@admin.register(PanelAssignment)
class PanelAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "application", "expert", "approves", "opinion_at")


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ("id", "application", "kind", "original_name", "size", "sha256")
    exclude = ("file",)


@admin.register(SearchEntry)
class SearchEntryAdmin(ReadOnlyAdmin):
    list_display = ("number", "registration_number", "name", "status", "year")
    list_filter = ("status", "kind", "year")


@admin.register(Holder)
class HolderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "org_type", "verification", "province_code", "is_agency")
    list_filter = ("kind", "org_type", "verification", "is_agency", "province_code")
    search_fields = ("name", "name_en", "identifier")
    # Verification is decided on /examine/organisations (主体认证), never edited here.
    readonly_fields = (
        "kind",
        "identifier",
        "created_at",
        "verification",
        "verified_at",
        "verified_by",
        "refusal_reason",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # holders are created by sign-up (or the services), which check identity

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
