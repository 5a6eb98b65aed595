from __future__ import annotations

from rest_framework import serializers

from onevisit.catalog.models import (
    Bundle,
    BundleItem,
    ItemChange,
    ItemVersion,
    LifeEvent,
    MaterialRequirement,
    Power,
    Responsibility,
    ServiceItem,
)
from onevisit.org.models import Department, Region


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Department
        fields = [
            "code",
            "name",
            "region",
            "is_approval_bureau",
            "address",
            "hours",
            "phone",
            "complaint_phone",
        ]


class ResponsibilitySerializer(serializers.ModelSerializer):
    power = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["id", "power", "duty", "accountability", "order"]


class PowerSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    responsibilities = ResponsibilitySerializer(many=True, read_only=True)

    class Meta:
        model = Power
        fields = ["code", "name", "kind", "department", "legal_basis", "is_active", "responsibilities"]


class LifeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = LifeEvent
        fields = ["code", "name", "name_en", "audience", "icon", "order"]


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = MaterialRequirement
        fields = [
            "code", "name", "description", "form", "copies", "issuer", "required", "tolerable",
            "commitment_replaceable", "shared_data", "certificate_type", "skippable",
        ]  # fmt: skip


class LegalBasisSerializer(serializers.Serializer):
    law = serializers.CharField()
    article = serializers.CharField(required=False)


class FeeSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.CharField()
    basis = serializers.CharField(required=False)


class ItemVersionSerializer(serializers.ModelSerializer):
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    legal_basis = LegalBasisSerializer(many=True, read_only=True)
    fees = FeeSerializer(many=True, read_only=True)
    channels = serializers.ListField(child=serializers.CharField(), read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)
    form_schema = serializers.SerializerMethodField()

    class Meta:
        model = ItemVersion
        fields = [
            "item", "number", "state", "name", "kind", "summary", "legal_basis", "conditions",
            "statutory_limit_days", "statutory_limit_note", "promised_limit_days", "visits", "fees", "fee_note",
            "channels", "location", "hours", "consult_phone", "complaint_phone", "published_at", "materials",
            "form_schema",
        ]  # fmt: skip

    def get_form_schema(self, obj: ItemVersion) -> dict | None:
        form = getattr(obj, "form", None)
        return form.schema if form else None


class ItemChangeSerializer(serializers.ModelSerializer):
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ItemChange
        fields = ["kind", "date", "reason", "successor"]


class ServiceItemSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.CharField(source="department.region.code", read_only=True)
    power = serializers.SlugRelatedField(slug_field="code", read_only=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True)
    life_events = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    kind = serializers.CharField(source="current_version.kind", read_only=True)
    version = serializers.IntegerField(source="current_version.number", read_only=True)
    promised_limit_days = serializers.IntegerField(
        source="current_version.promised_limit_days", read_only=True
    )
    statutory_limit_days = serializers.IntegerField(
        source="current_version.statutory_limit_days", read_only=True
    )
    visits = serializers.IntegerField(source="current_version.visits", read_only=True)

    class Meta:
        model = ServiceItem
        fields = [
            "code", "name", "department", "region", "power", "audience", "life_events", "status", "successor",
            "kind", "version", "promised_limit_days", "statutory_limit_days", "visits",
        ]  # fmt: skip


class ServiceItemDetailSerializer(ServiceItemSerializer):
    current_version = ItemVersionSerializer(read_only=True)
    changes = ItemChangeSerializer(many=True, read_only=True)

    class Meta(ServiceItemSerializer.Meta):
        fields = [*ServiceItemSerializer.Meta.fields, "keywords", "current_version", "changes"]


class BundleMemberSerializer(serializers.ModelSerializer):
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(source="item.name", read_only=True)
    depends_on = serializers.SerializerMethodField()

    class Meta:
        model = BundleItem
        fields = ["item", "name", "order", "depends_on"]

    def get_depends_on(self, obj: BundleItem) -> list[str]:
        return [dep.item.code for dep in obj.depends_on.all()]


class BundleSerializer(serializers.ModelSerializer):
    life_event = serializers.SlugRelatedField(slug_field="code", read_only=True)
    members = BundleMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Bundle
        fields = [
            "code", "name", "audience", "life_event", "summary", "promised_limit_days", "statutory_limit_days",
            "statutory_extension_days", "members",
        ]  # fmt: skip
