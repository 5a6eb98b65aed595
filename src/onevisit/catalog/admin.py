"""Catalogue maintenance in the Django admin. Every write goes through catalog.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import services, transfer, validation
from .models import (
    Bundle,
    BundleItem,
    FormSchema,
    ItemChange,
    ItemVersion,
    LifeEvent,
    MaterialRequirement,
    Power,
    ProcessDefinition,
    Responsibility,
    RuleDefinition,
    SearchMiss,
    ServiceItem,
)
from .tasks import catalog_reindex


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0


@admin.register(Power)
class PowerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "department", "is_active"]
    list_filter = ["kind", "department__region", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["department"]
    inlines = [ResponsibilityInline]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "icon", "order"]
    list_filter = ["audience"]

    def save_model(self, request: HttpRequest, obj: LifeEvent, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.catalog_object_saved(actor=request.user, obj=obj, created=not change)
        # Item tokens include life-event names; rebuild them in the background after commit.
        catalog_reindex.enqueue(item_ids=list(obj.items.values_list("pk", flat=True)))


class DraftOnlyInline:
    """Inlines of a version are editable only while the version is a draft."""

    def _editable(self, obj: ItemVersion | None) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class MaterialInline(DraftOnlyInline, admin.StackedInline):
    model = MaterialRequirement
    extra = 0


class FormInline(DraftOnlyInline, admin.StackedInline):
    model = FormSchema


class ProcessInline(DraftOnlyInline, admin.StackedInline):
    model = ProcessDefinition
    readonly_fields = ["process_id"]


class RulesForm(forms.ModelForm):
    """Edit the DMN XML here, or upload a .dmn file saved by a modeler (it replaces the XML)."""

    dmn_file = forms.FileField(
        label=gettext_lazy("Upload a DMN file"),
        required=False,
        help_text=gettext_lazy("A .dmn file from a DMN modeler (at most 1 MB); it replaces the XML above."),
    )

    class Meta:
        model = RuleDefinition
        fields = ["dmn_xml"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dmn_xml"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("dmn_file")
        if upload is not None:
            if upload.size > 1024 * 1024:
                raise ValidationError({"dmn_file": _("The DMN file is larger than 1 MB.")})
            try:
                cleaned["dmn_xml"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError({"dmn_file": _("The file is not a DMN document (UTF-8 XML).")}) from exc
        if not (cleaned.get("dmn_xml") or "").strip():
            raise ValidationError({"dmn_xml": _("Enter the DMN XML or upload a DMN file.")})
        _decision_id, problems = validation.check_rules(cleaned["dmn_xml"])
        if problems:
            raise ValidationError({"dmn_file" if upload is not None else "dmn_xml": problems})
        return cleaned


class RulesInline(DraftOnlyInline, admin.StackedInline):
    model = RuleDefinition
    form = RulesForm
    readonly_fields = ["decision_id"]


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    list_display = ["item", "number", "name", "state", "kind", "promised_limit_days", "published_at"]
    list_filter = ["state", "kind", "item__department"]
    search_fields = ["item__code", "name"]
    inlines = [MaterialInline, FormInline, ProcessInline, RulesInline]
    change_form_template = "admin/catalog/itemversion/change_form.html"
    readonly_fields = ["state", "published_at", "published_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: ItemVersion | None = None) -> Any:
        if obj is not None and not obj.is_editable:
            return [f.name for f in ItemVersion._meta.fields]
        return [*self.readonly_fields, "item", "number"] if obj else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ItemVersion | None = None) -> bool:
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ItemVersion, form: Any, change: bool) -> None:
        if change and ItemVersion.objects.filter(pk=obj.pk).exclude(state=ItemVersion.State.DRAFT).exists():
            raise PermissionError("published versions are immutable")
        super().save_model(request, obj, form, change)
        services.catalog_object_saved(actor=request.user, obj=obj, created=not change)

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(require_POST(self.publish_view)),
                name="catalog_itemversion_publish",
            ),
            path(
                "<int:pk>/rules/test/",
                self.admin_site.admin_view(self.rules_test_view),
                name="catalog_itemversion_rules_test",
            ),
            *super().get_urls(),
        ]

    def rules_test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Try the version's decision table (秒批) on sample inputs before publishing it; nothing is saved."""
        from onevisit.workflow.exceptions import WorkflowError
        from onevisit.workflow.rules import decide, rule_inputs

        version = get_object_or_404(ItemVersion, pk=pk)
        if not self.has_view_permission(request, version):
            return HttpResponse(status=403)
        definition = RuleDefinition.objects.filter(version=version).first()
        context: dict[str, Any] = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": version,
            "title": _("Test the approval rules of %(version)s") % {"version": version}, "definition": definition,
        }  # fmt: skip
        if definition is None:
            return render(request, "admin/catalog/itemversion/rules_test.html", context)
        try:
            columns = rule_inputs(definition.dmn_xml)
        except WorkflowError as exc:
            context["problems"] = [str(exc)]
            return render(request, "admin/catalog/itemversion/rules_test.html", context, status=400)
        values: dict[str, str] = {}
        problems: list[str] = []
        inputs: dict[str, Any] = {}
        if request.method == "POST":
            for n, column in enumerate(columns):
                raw = request.POST.get(f"in-{n}", "")[:200].strip()
                values[column.expression] = raw
                value, problem = _sample_value(raw, column.type_ref, column.label)
                if problem:
                    problems.append(problem)
                elif column.expression.isidentifier() and value is not None:
                    inputs[column.expression] = value
            if not problems:
                context["result"] = decide(definition.dmn_xml, inputs, today=timezone.localdate())
        context |= {
            "columns": [(n, c, values.get(c.expression, "")) for n, c in enumerate(columns)],
            "problems": problems,
        }
        return render(
            request, "admin/catalog/itemversion/rules_test.html", context, status=400 if problems else 200
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        version = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if version is not None and version.is_editable:
            extra["problems"] = services.version_problems(version)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(ItemVersion, pk=pk)
        if not self.has_change_permission(request, version):
            return HttpResponse(status=403)
        try:
            services.version_publish(actor=request.user, version=version)
        except services.PublishError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(reverse("admin:catalog_itemversion_change", args=[pk]))
        messages.success(
            request,
            _("Version %(n)d of %(item)s is published.") % {"n": version.number, "item": version.item.code},
        )
        return redirect(reverse("admin:catalog_serviceitem_change", args=[version.item_id]))


def _sample_value(raw: str, type_ref: str, label: str) -> tuple[Any, str]:
    """A typed sample input from the test form, or the message that says how to fix it."""
    if raw == "":
        return None, ""
    if type_ref == "boolean":
        if raw.lower() in ("true", "1", "是", "yes"):
            return True, ""
        if raw.lower() in ("false", "0", "否", "no"):
            return False, ""
        return None, _("%(label)s: enter 是 or 否.") % {"label": label}
    if type_ref in ("number", "integer", "long", "double"):
        try:
            number = float(raw)
        except ValueError:
            return None, _("%(label)s: enter a number.") % {"label": label}
        return (int(number) if number.is_integer() else number), ""
    return raw, ""


class VersionInline(admin.TabularInline):
    model = ItemVersion
    fields = ("number", "name", "state", "promised_limit_days", "published_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChangeInline(admin.TabularInline):
    model = ItemChange
    fk_name = "item"
    fields = ("date", "kind", "reason", "successor")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LifecycleForm(forms.Form):
    ACTIONS = [
        ("cancel", gettext_lazy("Cancel (取消)")),
        ("delegate", gettext_lazy("Delegate to a lower level (下放)")),
        ("merge", gettext_lazy("Merge into another item (合并)")),
    ]
    action = forms.ChoiceField(label=gettext_lazy("Change"), choices=ACTIONS)
    successor = forms.ModelChoiceField(
        label=gettext_lazy("Successor"),
        queryset=ServiceItem.objects.filter(status=ServiceItem.Status.ACTIVE),
        required=False,
    )
    date = forms.DateField(
        label=gettext_lazy("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (published)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Catalogue file (.json or .xlsx)"))


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "audience", "status", "current_version", "is_popular"]
    list_filter = ["status", "audience", "department__region", "department", "life_events"]
    search_fields = ["code", "name", "keywords"]
    autocomplete_fields = ["department", "power"]
    filter_horizontal = ["life_events"]
    readonly_fields = ["status", "successor", "current_version"]
    inlines = [VersionInline, ChangeInline]
    change_form_template = "admin/catalog/serviceitem/change_form.html"
    change_list_template = "admin/catalog/serviceitem/change_list.html"

    def save_model(self, request: HttpRequest, obj: ServiceItem, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.catalog_object_saved(actor=request.user, obj=obj, created=not change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.search_index_item(item=form.instance)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/new-version/",
                view(require_POST(self.new_version_view)),
                name="catalog_serviceitem_new_version",
            ),
            path("<int:pk>/lifecycle/", view(self.lifecycle_view), name="catalog_serviceitem_lifecycle"),
            path("export/<str:fmt>/", view(self.export_view), name="catalog_serviceitem_export"),
            path("import/", view(self.import_view), name="catalog_serviceitem_import"),
            *super().get_urls(),
        ]

    def new_version_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(ServiceItem, pk=pk)
        if not self.has_change_permission(request, item):
            return HttpResponse(status=403)
        try:
            draft = services.version_new_draft(actor=request.user, item=item)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("admin:catalog_serviceitem_change", args=[pk]))
        messages.success(
            request, _("Draft version %(n)d created; edit it, then publish.") % {"n": draft.number}
        )
        return redirect(reverse("admin:catalog_itemversion_change", args=[draft.pk]))

    def lifecycle_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(ServiceItem, pk=pk)
        if not self.has_change_permission(request, item):
            return HttpResponse(status=403)
        form = LifecycleForm(request.POST or None)
        successor_field = form.fields["successor"]
        assert isinstance(successor_field, forms.ModelChoiceField)
        successor_field.queryset = ServiceItem.objects.filter(status=ServiceItem.Status.ACTIVE).exclude(pk=pk)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "cancel":
                    services.item_cancel(
                        actor=request.user, item=item, reason=data["reason"], date=data["date"]
                    )
                elif data["successor"] is None:
                    raise ValidationError({"successor": _("Choose the item that takes over.")})
                elif data["action"] == "delegate":
                    services.item_delegate(
                        actor=request.user,
                        item=item,
                        successor=data["successor"],
                        reason=data["reason"],
                        date=data["date"],
                    )
                else:
                    services.item_merge(
                        actor=request.user,
                        item=item,
                        successor=data["successor"],
                        reason=data["reason"],
                        date=data["date"],
                    )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The change is recorded and published in the item's history."))
                return redirect(reverse("admin:catalog_serviceitem_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "item": item,
            "form": form,
            "opts": self.model._meta,
            "title": _("Cancel, delegate or merge"),
        }
        return render(request, "admin/catalog/serviceitem/lifecycle.html", context)

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        if fmt == "xlsx":
            response = HttpResponse(
                transfer.export_xlsx(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        elif fmt == "json":
            response = HttpResponse(transfer.export_json(), content_type="application/json; charset=utf-8")
        else:
            return HttpResponse(status=404)
        response["Content-Disposition"] = f'attachment; filename="onevisit-catalog.{fmt}"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            problems = _import_upload(request, form.cleaned_data["file"])
            if not problems:
                return HttpResponseRedirect(reverse("admin:catalog_serviceitem_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
            "title": _("Import the catalogue"),
        }
        return render(request, "admin/catalog/serviceitem/import.html", context)


def _import_upload(request: HttpRequest, upload: Any) -> list[str]:
    from django.conf import settings

    name = (upload.name or "").lower()
    if upload.size > settings.CATALOG_IMPORT_MAX_BYTES:
        return [
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.CATALOG_IMPORT_MAX_BYTES // (1024 * 1024)}
        ]
    if not name.endswith((".json", ".xlsx")):
        return [_("Upload a .json or .xlsx file exported from onevisit or made from its template.")]
    data = upload.read()
    try:
        catalog = transfer.parse_xlsx(data) if name.endswith(".xlsx") else transfer.parse_json(data)
        report = transfer.catalog_import(actor=request.user, catalog=catalog)
    except transfer.ImportRejected as exc:
        return exc.problems
    messages.success(
        request,
        _("Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
        },
    )
    return []


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 0
    autocomplete_fields = ["item"]
    filter_horizontal = ["depends_on"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "life_event", "promised_limit_days", "state"]
    list_filter = ["audience", "state"]
    search_fields = ["code", "name"]
    readonly_fields = ["state", "merged_form"]
    inlines = [BundleItemInline]
    actions = ["publish", "withdraw"]

    @admin.display(description=gettext_lazy("Merged form and materials (preview)"))
    def merged_form(self, obj: Bundle) -> str:
        """一件事一表 as the applicant will see it, from the items' current versions, with every
        data element two items define differently (the admin fixes the forms or accepts two questions)."""
        if obj.pk is None:
            return _("Save the bundle with its items to see the merged form.")
        from django.template.loader import render_to_string

        from .bundle_form import plan

        merged = plan(obj)
        names = {m.code: m.version.name for m in merged.members}
        fields = [
            (title, merged.fields[key].schema.get("title") or key, merged.fields[key].element,
             [names[c] for c in merged.fields[key].targets], merged.fields[key].required)
            for title, keys in merged.steps
            for key in keys
        ]  # fmt: skip
        provided = [
            (names[code], name, names[source])
            for code, by_field in merged.provided.items()
            for name, source in by_field.items()
        ]
        materials = [
            (m.name, [names[c] for c in m.requirements], m.required, names.get(m.provided_by, ""))
            for m in merged.materials
        ]
        return render_to_string(
            "admin/catalog/bundle/merged_form.html",
            {"plan": merged, "fields": fields, "provided": provided, "materials": materials},
        )

    def save_model(self, request: HttpRequest, obj: Bundle, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.catalog_object_saved(actor=request.user, obj=obj, created=not change)

    @admin.action(description=gettext_lazy("Publish the selected bundles"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: Any) -> None:
        for bundle in queryset:
            try:
                services.bundle_publish(actor=request.user, bundle=bundle)
            except services.PublishError as exc:
                for message in exc.messages:
                    messages.error(request, f"{bundle.name}: {message}")
            else:
                messages.success(request, _("%(name)s is published.") % {"name": bundle.name})
                from .bundle_form import plan

                for conflict in plan(bundle).conflicts:
                    messages.warning(request, f"{bundle.name}: {conflict}")

    @admin.action(description=gettext_lazy("Withdraw the selected bundles"), permissions=["change"])
    def withdraw(self, request: HttpRequest, queryset: Any) -> None:
        for bundle in queryset:
            services.bundle_withdraw(actor=request.user, bundle=bundle)


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    list_display = ["query", "count", "last_at", "resolved"]
    list_filter = ["resolved"]
    list_editable = ["resolved"]
    search_fields = ["query"]
