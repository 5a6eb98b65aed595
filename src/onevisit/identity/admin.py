from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from . import credit, selectors, services
from .models import ApplicantAccount, Authorization, CreditRecord, Organization, Person


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


# --- Credit records (信用记录) --------------------------------------------------------------------


class CreditRecordAddForm(forms.ModelForm):
    """A new record names its subject by ID number or USCC (never picked from a list of people); the
    checks are those of ``credit_record_add``, so the admin and the API say the same."""

    id_number = forms.CharField(
        label=_("ID number of the person"), required=False, max_length=40,
        help_text=_("Fill in either the ID number or the unified social credit code."),
    )  # fmt: skip
    uscc = forms.CharField(
        label=_("unified social credit code of the organization"), required=False, max_length=40
    )

    class Meta:
        model = CreditRecord
        fields = ["kind", "reason", "legal_basis", "department", "valid_until"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        id_number, code = (data.get("id_number") or "").strip(), (data.get("uscc") or "").strip()
        if bool(id_number) == bool(code):
            raise ValidationError(
                _("Fill in either the ID number of a person or the USCC of an organization.")
            )
        try:
            if id_number:
                data["person"] = selectors.person_by_id_number(id_number)
                if data["person"] is None:
                    self.add_error("id_number", _("No person with this ID number is registered."))
            else:
                data["org"] = selectors.organization_by_uscc(code)
                if data["org"] is None:
                    self.add_error("uscc", _("No organization with this code is registered."))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        if "kind" in data:  # the model field's own checks passed; now the service's
            try:
                credit.credit_input_clean(
                    kind=data["kind"], reason=data.get("reason", ""),
                    legal_basis=data.get("legal_basis", ""), valid_until=data.get("valid_until"),
                )  # fmt: skip
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    if field not in self.errors:
                        self.add_error(field if field in self.fields else None, errors)
        return data


class CreditRepairForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the repair"),
        max_length=credit.REASON_MAX,
        widget=forms.Textarea(
            attrs={"rows": 3, "cols": 60, "style": "max-width: 100%; box-sizing: border-box"}
        ),
        help_text=_("E.g. the obligation was fulfilled; the decision of the listing authority."),
        error_messages={"required": _("Give the reason for the repair.")},
    )


class CreditStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("in_force", _("in force")), ("lapsed", _("lapsed")), ("repaired", _("repaired"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CreditRecord]) -> QuerySet[CreditRecord]:
        today = timezone.localdate()
        if self.value() == "repaired":
            return queryset.filter(repaired_at__isnull=False)
        if self.value() == "lapsed":
            return queryset.filter(repaired_at__isnull=True, valid_until__lt=today)
        if self.value() == "in_force":
            return queryset.filter(repaired_at__isnull=True).filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=today)
            )
        return queryset


@admin.register(CreditRecord)
class CreditRecordAdmin(admin.ModelAdmin):
    """Records are added through ``credit_record_add`` and only ever repaired (with the action, which
    asks for the reason); they are never edited or deleted."""

    list_display = [
        "subject_name",
        "subject_masked",
        "kind",
        "status",
        "department",
        "recorded_at",
        "valid_until",
    ]
    list_filter = ["kind", CreditStatusFilter]
    search_fields = ["person__name", "org__name"]
    list_select_related = ["person", "org", "department"]
    date_hierarchy = "recorded_at"
    actions = ["repair"]
    readonly = (
        "subject_name", "subject_masked", "kind", "reason", "legal_basis", "department", "recorded_at",
        "recorded_by_label", "valid_until", "status", "repaired_at", "repaired_by_label", "repair_reason",
        "history",
    )  # fmt: skip

    @admin.display(description=_("subject"))
    def subject_name(self, obj: CreditRecord) -> str:
        return obj.subject_name

    @admin.display(description=_("ID number / USCC"))
    def subject_masked(self, obj: CreditRecord) -> str:
        return obj.subject_masked

    @admin.display(description=_("status"))
    def status(self, obj: CreditRecord) -> str:
        if obj.repaired_at is not None:
            return str(_("repaired"))
        return str(_("in force") if obj.in_force() else _("lapsed"))

    @admin.display(description=_("history"))
    def history(self, obj: CreditRecord) -> str:
        labels = {"credit_record_added": _("recorded"), "credit_record_repaired": _("repaired")}
        events = selectors.credit_record_events([obj])[obj.pk]
        return format_html_join(
            "", "<div>{} · {} · {}</div>",
            (
                (timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), labels.get(e.action, e.action), e.actor_label)
                for e in events
            ),
        )  # fmt: skip

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = CreditRecordAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["id_number", "uscc", "kind", "reason", "legal_basis", "department", "valid_until"]
        return list(self.readonly)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else list(self.readonly)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        extra = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                 "show_save_and_add_another": False, "show_delete": False}  # fmt: skip
        return super().change_view(request, object_id, form_url, extra)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CreditRecord, form: Any, change: bool) -> None:
        if change:
            return  # read-only once recorded; repairs go through the action
        data = form.cleaned_data
        record = credit.credit_record_add(
            actor=request.user, person=data.get("person"), org=data.get("org"), kind=data["kind"],
            reason=data["reason"], legal_basis=data["legal_basis"], department=data.get("department"),
            valid_until=data.get("valid_until"),
        )  # fmt: skip
        obj.pk, obj.person, obj.org = record.pk, record.person, record.org
        obj.recorded_at = record.recorded_at

    @admin.action(
        description=_("Repair the selected credit records (asks for the reason)"), permissions=["change"]
    )
    def repair(self, request: HttpRequest, queryset: QuerySet[CreditRecord]) -> HttpResponse | None:
        targets = list(queryset.filter(repaired_at__isnull=True).select_related("person", "org"))
        form = CreditRepairForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for record in targets:
                try:
                    credit.credit_record_repair(
                        actor=request.user, record=record, reason=form.cleaned_data["reason"]
                    )
                    done += 1
                except ValidationError as exc:
                    self.message_user(request, f"{record}: {' '.join(exc.messages)}", messages.ERROR)
            self.message_user(
                request, _("%(count)d credit record(s) repaired.") % {"count": done}, messages.SUCCESS
            )
            return None
        if not targets:
            self.message_user(
                request, _("The selected credit records are already repaired."), messages.WARNING
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Repair credit records"),
            "opts": self.model._meta,
            "records": targets,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/identity/creditrecord/repair.html", context)
