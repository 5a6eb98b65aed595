from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApplicantAccount, Authorization, Organization, Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "id_number_masked", "region"]
    search_fields = ["name"]
    readonly_fields = ["id_number_masked"]
    exclude = ["id_number_encrypted", "id_number_hash", "phone_encrypted"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc_masked", "legal_representative", "region"]
    search_fields = ["name"]
    readonly_fields = ["uscc_masked"]


@admin.register(ApplicantAccount)
class ApplicantAccountAdmin(admin.ModelAdmin):
    """Read-only: accounts are opened by registration (SMS check) or the demo loader."""

    list_display = ["person", "phone_masked", "email_masked", "notify_sms", "notify_email", "created_at"]
    search_fields = ["person__name"]
    fields = ("person", "phone_masked", "email_masked", "notify_sms", "notify_email", "user", "created_at")
    readonly_fields = (
        "person",
        "phone_masked",
        "email_masked",
        "notify_sms",
        "notify_email",
        "user",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuthorizationForm(forms.ModelForm):
    class Meta:
        model = Authorization
        fields = ["grantor", "agent", "scope", "item_codes", "valid_from", "valid_until"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        codes = data.get("item_codes")
        if data.get("scope") == "items" and not (isinstance(codes, list) and codes):
            self.add_error("item_codes", _('List the item codes as JSON, e.g. ["330100-SCJG-001"].'))
        return data


@admin.register(Authorization)
class AuthorizationAdmin(admin.ModelAdmin):
    """Grants are recorded through ``authorization_grant``; a grant is never edited or deleted, only
    revoked (with the action), so the record of who could act for whom stays whole."""

    list_display = ["agent", "grantor", "scope", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["agent__name", "grantor__name"]
    autocomplete_fields = ["grantor", "agent"]
    grant_fields = ["grantor", "agent", "scope", "item_codes", "valid_from", "valid_until"]
    actions = ["revoke"]
    form = AuthorizationForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [*self.grant_fields, "granted_by", "granted_at", "revoked_at", "revoked_reason"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return list(self.grant_fields)
        return self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Authorization, form: Any, change: bool) -> None:
        if change:
            return  # everything is read-only once granted
        granted = services.authorization_grant(
            actor=request.user,
            grantor=obj.grantor,
            agent=obj.agent,
            valid_from=obj.valid_from,
            valid_until=obj.valid_until,
            item_codes=None if obj.scope == "all" else list(obj.item_codes or []),
        )
        obj.pk = granted.pk
        obj.granted_by = granted.granted_by
        obj.granted_at = granted.granted_at

    @admin.action(description=_("Revoke the selected authorizations"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Authorization]) -> None:
        for authorization in queryset.filter(revoked_at__isnull=True):
            services.authorization_revoke(
                actor=request.user, authorization=authorization, reason=str(_("Revoked by staff"))
            )
        self.message_user(request, _("The selected authorizations are revoked."), messages.SUCCESS)
