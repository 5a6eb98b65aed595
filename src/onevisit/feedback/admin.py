"""Read-mostly admin of 好差评: ratings are voided through an appeal, never edited or deleted here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Appeal, Complaint, Rating, Rectification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "level", "department", "item", "channel", "created_at", "voided_at"]
    list_filter = ["kind", "level", "channel", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["case__number", "comment"]
    date_hierarchy = "created_at"
    raw_id_fields = ["case", "rater", "follow_up_of"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["rating", "department", "callback_due", "callback_at", "rectify_due", "rectified_at"]
    list_filter = [("rectified_at", admin.EmptyFieldListFilter)]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["rating", "ground", "status", "filed_at", "decided_at"]
    list_filter = ["status", "ground"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["code", "department", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["code"]
    exclude = ["contact_phone_encrypted"]
