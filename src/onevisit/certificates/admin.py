"""Admin: certificate types are edited here; issued certificates are read-only and change only through
the services (the revoke action asks for the reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from . import services
from .masking import display_value
from .models import Certificate, CertificateStatus, CertificateType, ShareLink, field_label


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "abbreviation", "validity_years", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The code is signed into every certificate and the letters are part of its number.
        if obj is not None and obj.certificates.exists():
            return ("code", "abbreviation")
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A type in use is protected by the database; an unused one may go.
        return super().has_delete_permission(request, obj) and not (obj and obj.certificates.exists())


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Shown on the verification page and to the holder."),
        error_messages={"required": _("Give the reason for the revocation.")},
    )


class ShareLinkInline(admin.TabularInline):
    model = ShareLink
    extra = 0
    fields = readonly_fields = (
        "purpose",
        "recipient",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
    )
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "type",
        "holder_name",
        "issuer",
        "issued_at",
        "valid_until",
        "status",
        "provisional",
    ]
    list_filter = ["status", "provisional", "type", "issuer"]
    search_fields = ["number", "case_number"]
    list_select_related = ["type", "issuer__region", "holder_person", "holder_org"]
    date_hierarchy = "issued_at"
    actions = ["revoke"]
    inlines = [ShareLinkInline]
    fields = readonly_fields = (
        "number",
        "type",
        "holder_person",
        "holder_org",
        "data_masked",
        "issuer",
        "issued_at",
        "valid_from",
        "valid_until",
        "status",
        "provisional",
        "supersedes",
        "revoked_at",
        "revoked_reason",
        "case_number",
        "pdf_sha256",
        "signer_fingerprint",
        "sm2_signature",
    )

    @admin.display(description=_("holder"))
    def holder_name(self, obj: Certificate) -> str:
        return obj.holder_name

    @admin.display(description=_("data (identifiers masked)"))
    def data_masked(self, obj: Certificate) -> str:
        return format_html_join(
            "",
            "<div><strong>{}</strong>: {}</div>",
            ((field_label(f), display_value(f, obj.data.get(f["key"]))) for f in obj.type.fields),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("certificates.revoke_certificate"))

    @admin.action(
        description=_("Revoke the selected certificates (asks for the reason)"), permissions=["revoke"]
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> HttpResponse | None:
        targets = list(queryset.exclude(status=CertificateStatus.REVOKED))
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for certificate in targets:
                try:
                    services.certificate_revoke(
                        actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
                    )
                    done += 1
                except ValidationError as exc:
                    self.message_user(
                        request, f"{certificate.number}: {' '.join(exc.messages)}", messages.ERROR
                    )
            self.message_user(
                request, _("%(count)d certificate(s) revoked.") % {"count": done}, messages.SUCCESS
            )
            return None
        if not targets:
            self.message_user(request, _("The selected certificates are already revoked."), messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revoke certificates"),
            "opts": self.model._meta,
            "certificates": targets,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/certificates/revoke.html", context)
