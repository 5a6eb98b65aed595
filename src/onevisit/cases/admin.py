"""Read-only admin of decisions: which rule (or person) decided each case (秒批 audit for catalogue admins)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Decision


class ItemFilter(admin.SimpleListFilter):
    title = _("service item")
    parameter_name = "item"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = (
            Decision.objects.exclude(rule_trace={})
            .values_list("case__item_version__item__code", "case__item_version__item__name")
            .distinct()
        )
        return sorted({(code, f"{code} {name}") for code, name in codes})

    def queryset(self, request: HttpRequest, queryset: QuerySet[Decision]) -> QuerySet[Decision]:
        if self.value():
            return queryset.filter(case__item_version__item__code=self.value())
        return queryset


class DecidedByFilter(admin.SimpleListFilter):
    title = _("decided by")
    parameter_name = "by"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("rules", _("The rules (秒批)")),
            ("person", _("A person")),
            ("reviewed", _("Rules, overturned on review")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Decision]) -> QuerySet[Decision]:
        if self.value() == "rules":
            return queryset.exclude(rule_trace={}).filter(decided_by__isnull=True)
        if self.value() == "person":
            return queryset.filter(rule_trace={})
        if self.value() == "reviewed":
            return queryset.exclude(history=[])
        return queryset


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["case", "item", "outcome", "rule", "decided_by", "decided_at", "reviewed"]
    list_filter = [ItemFilter, DecidedByFilter, "outcome"]
    search_fields = ["case__number"]
    date_hierarchy = "decided_at"
    fields = ("case", "outcome", "reasons", "legal_basis", "decided_by", "decided_at", "rule", "reviewed")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Decision]:
        return super().get_queryset(request).select_related("case__item_version__item", "decided_by")

    @admin.display(description=_("service item"))
    def item(self, obj: Decision) -> str:
        return obj.case.item_version.item.code

    @admin.display(description=_("rule matched"))
    def rule(self, obj: Decision) -> str:
        trace = obj.rule_trace or (obj.history[0].get("rule_trace", {}) if obj.history else {})
        if not trace:
            return "—"
        return f"{trace.get('rule_id', '')} ({trace.get('rule_row', '')}) {trace.get('rule_description', '')}".strip()

    @admin.display(description=_("overturned on review"), boolean=True)
    def reviewed(self, obj: Decision) -> bool:
        return bool(obj.history)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
