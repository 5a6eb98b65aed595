"""Data stewards keep the data catalogue and agreements; the access log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DataAccess, DataResource, SharingAgreement


class SharingAgreementInline(admin.TabularInline):
    model = SharingAgreement
    extra = 0
    fields = ("consumer", "purpose", "fields", "valid_from", "valid_until", "revoked_at")


@admin.register(DataResource)
class DataResourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "provider", "subject_kind", "sharing_class", "open_class", "active"]
    list_filter = ["sharing_class", "open_class", "subject_kind", "active"]
    search_fields = ["code", "name"]
    inlines = [SharingAgreementInline]


@admin.register(DataAccess)
class DataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "resource", "department", "user", "role", "case_ref", "purpose", "found"]
    list_filter = ["kind", "resource", "department"]
    search_fields = ["case_ref", "purpose"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
