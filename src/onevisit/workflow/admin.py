"""Read-only admin: instances and work items change only through workflow.services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ProcessInstance, Timer, WorkItem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkItemInline(admin.TabularInline):
    model = WorkItem
    extra = 0
    fields = ("name", "department", "status", "assignee", "ready_on", "due_date", "completed_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(ReadOnlyAdmin):
    list_display = ["pk", "process_id", "status", "started_on", "suspended_on", "completed_at"]
    list_filter = ["status"]
    search_fields = ["process_id"]
    exclude = ["state"]
    inlines = [WorkItemInline]


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ["name", "department", "status", "assignee", "ready_on", "due_date", "instance"]
    list_filter = ["status", "department"]
    search_fields = ["name", "task_spec", "department__code"]
    list_select_related = ["department", "assignee", "instance"]


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ["instance", "task_id", "due_at", "fired_at"]
    list_filter = ["fired_at"]
