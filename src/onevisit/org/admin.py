from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Department, Region, ServiceCenter, StaffRole, Window
from .services import staff_role_grant, staff_role_revoke


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "is_approval_bureau", "phone"]
    list_filter = ["region", "is_approval_bureau"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    filter_horizontal = ["departments"]


@admin.register(ServiceCenter)
class ServiceCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "phone"]
    inlines = [WindowInline]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "role"]
    list_filter = ["role", "department__region"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["department"]

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        if change:
            staff_role_revoke(actor=request.user, grant=StaffRole.objects.get(pk=obj.pk))
        granted = staff_role_grant(
            actor=request.user, user=obj.user, department=obj.department, role=obj.role
        )
        obj.pk = granted.pk

    def delete_model(self, request: HttpRequest, obj: StaffRole) -> None:
        staff_role_revoke(actor=request.user, grant=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for grant in queryset:
            staff_role_revoke(actor=request.user, grant=grant)
