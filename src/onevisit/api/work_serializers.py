"""Work items and cases as machine clients see them: no personal data beyond masked ID numbers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onevisit.cases.models import Case, SuppliedMaterial
from onevisit.org.models import Department
from onevisit.workflow.models import WorkItem
from onevisit.workflow.selectors import work_item_urgency


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. invalid, conflict.")
    message = serializers.CharField(help_text="The first problem, in the user's language.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), help_text="Field → messages."
    )


class WorkItemSerializer(serializers.ModelSerializer):
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    step = serializers.CharField(source="task_spec", read_only=True)
    urgency = serializers.SerializerMethodField(help_text="normal, yellow (nearly due) or red (overdue).")
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    case_number = serializers.SerializerMethodField()
    case_status = serializers.SerializerMethodField()

    class Meta:
        model = WorkItem
        fields = [
            "id", "name", "step", "department", "status", "ready_on", "due_date", "urgency", "assignee",
            "claimed_at", "completed_at", "case_number", "case_status",
        ]  # fmt: skip

    def _case(self, obj: WorkItem) -> Case | None:
        cases: dict[int, Case] = self.context.get("cases", {})
        return cases.get(obj.instance_id)

    @extend_schema_field(serializers.ChoiceField(choices=["normal", "yellow", "red"]))
    def get_urgency(self, obj: WorkItem) -> str:
        return work_item_urgency(obj, self.context["today"])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case_number(self, obj: WorkItem) -> str | None:
        case = self._case(obj)
        return case.number if case else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case_status(self, obj: WorkItem) -> str | None:
        case = self._case(obj)
        return case.status if case else None


class StepCompleteSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject")), ("return", _("Return for correction"))],
        help_text="approve: the process goes on; reject: the case ends (opinion and legal_basis needed); "
        "return: the applicant is asked to correct (opinion says what).",
    )
    opinion = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CaseStepSerializer(serializers.ModelSerializer):
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = WorkItem
        fields = ["id", "name", "department", "status", "due_date", "completed_at"]


class CaseMaterialSerializer(serializers.ModelSerializer):
    requirement = serializers.CharField(source="requirement.code", read_only=True)
    name = serializers.CharField(source="requirement.name", read_only=True)

    class Meta:
        model = SuppliedMaterial
        fields = ["requirement", "name", "source", "created_at"]


class CaseSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item_version.item.code", read_only=True)
    item_name = serializers.CharField(source="item_version.name", read_only=True)
    item_version = serializers.IntegerField(source="item_version.number", read_only=True)
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    applicant_id_masked = serializers.SerializerMethodField(
        help_text="The applicant's ID number or USCC, masked; nothing else of the applicant is shown."
    )
    steps = serializers.SerializerMethodField()
    materials = CaseMaterialSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "number", "item", "item_name", "item_version", "department", "channel", "status", "submitted_at",
            "accepted_on", "promised_due", "statutory_due", "decided_at", "visits", "applicant_id_masked",
            "steps", "materials",
        ]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_applicant_id_masked(self, obj: Case) -> str | None:
        if obj.applicant_person_id:
            return obj.applicant_person.id_number_masked  # type: ignore[union-attr]
        applicant_org: Any = obj.applicant_org
        return getattr(applicant_org, "uscc_masked", None)

    @extend_schema_field(CaseStepSerializer(many=True))
    def get_steps(self, obj: Case) -> list[dict[str, Any]]:
        if not obj.process_instance_id:
            return []
        items = WorkItem.objects.filter(instance_id=obj.process_instance_id).select_related("department")
        return CaseStepSerializer(items.order_by("pk"), many=True).data  # type: ignore[return-value]
