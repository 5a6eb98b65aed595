from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Department, Region, ServiceCenter, ServiceToken, StaffRole, Window
from .services import service_token_create, service_token_revoke, staff_role_grant, staff_role_revoke


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
    list_display = ["user", "department", "role", "center"]
    list_filter = ["role", "department__region", "center"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["department"]

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        if change:
            staff_role_revoke(actor=request.user, grant=StaffRole.objects.get(pk=obj.pk))
        granted = staff_role_grant(
            actor=request.user, user=obj.user, department=obj.department, role=obj.role, center=obj.center
        )
        obj.pk = granted.pk

    def delete_model(self, request: HttpRequest, obj: StaffRole) -> None:
        staff_role_revoke(actor=request.user, grant=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for grant in queryset:
            staff_role_revoke(actor=request.user, grant=grant)


class ServiceTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"), choices=ServiceToken.Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ServiceToken
        fields = ["department", "name", "scopes", "expires_at"]


@admin.register(ServiceToken)
class ServiceTokenAdmin(admin.ModelAdmin):
    """Create shows the key once; a token is never edited, only revoked (and a new one created)."""

    form = ServiceTokenForm
    list_display = ["name", "prefix", "department", "scopes", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["department", "revoked_at"]
    search_fields = ["name", "prefix"]
    autocomplete_fields = ["department"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceToken | None = None) -> Any:
        if obj is None:
            return ["prefix", "revoked_at", "last_used_at"]
        return ["department", "name", "scopes", "expires_at", "prefix", "user", "revoked_at", "last_used_at"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: ServiceToken, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a token can change; revoke it instead
        token, key = service_token_create(
            actor=request.user,
            department=form.cleaned_data["department"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data.get("expires_at"),
        )
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if k != "_state"})
        obj._state.adding = False
        messages.warning(
            request,
            _("The key of “%(name)s” is shown only this once; copy it now: %(key)s")
            % {"name": token.name, "key": key},
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            service_token_revoke(actor=request.user, token=token)
        self.message_user(request, _("The selected tokens are revoked."))
