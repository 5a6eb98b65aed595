"""The public catalogue API: read-only, paginated, filtered; the same selectors as the portal."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from onevisit.catalog import selectors
from onevisit.catalog.models import ItemVersion, LifeEvent, MaterialRequirement, Power, Responsibility
from onevisit.org.models import Department, Region

from . import serializers as s


def _param(name: str, description: str, enum: list[str] | None = None) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description, enum=enum
    )


REGION = _param("region", "GB/T 2260 region code, e.g. 330100")
DEPARTMENT = _param("department", "Department code, e.g. 330100-SCJG")
KIND = _param("kind", "Item kind", ["immediate", "promised"])
LIFE_EVENT = _param("life_event", "Life event code, e.g. birth")
AUDIENCE = _param("audience", "Who the service is for", ["person", "organization"])
ITEM = _param("item", "Service item code")
Q = _param("q", "Search in everyday words (at most 100 characters)")


def _clean(request: Request, name: str, max_length: int = 60) -> str | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if len(value) > max_length:
        raise ValidationError({name: [_("At most %(n)d characters.") % {"n": max_length}]})
    return value


def _region(request: Request) -> str | None:
    """The region filter, refused with a clear message when no such region exists."""
    code = _clean(request, "region", 9)
    if code is not None and not Region.objects.filter(code=code).exists():
        raise ValidationError({"region": [_("Unknown region code “%(code)s”.") % {"code": code[:9]}]})
    return code


class ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass


@extend_schema_view(
    list=extend_schema(
        parameters=[_param("level", "1 nation … 5 township"), _param("parent", "Parent region code")]
    )
)
class RegionViewSet(ReadOnly):
    serializer_class = s.RegionSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Region]:
        qs = Region.objects.select_related("parent")
        if level := _clean(self.request, "level", 1):
            if not level.isdigit():
                raise ValidationError({"level": [_("Give a level from 1 to 5.")]})
            qs = qs.filter(level=int(level))
        if parent := _clean(self.request, "parent", 9):
            qs = qs.filter(parent__code=parent)
        return qs


@extend_schema_view(list=extend_schema(parameters=[REGION]))
class DepartmentViewSet(ReadOnly):
    serializer_class = s.DepartmentSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Department]:
        qs = Department.objects.select_related("region")
        if region := _region(self.request):
            qs = qs.filter(region__code=region)
        return qs


@extend_schema_view(list=extend_schema(parameters=[REGION, DEPARTMENT, _param("kind", "Power kind")]))
class PowerViewSet(ReadOnly):
    serializer_class = s.PowerSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Power]:
        qs = (
            Power.objects.filter(is_active=True)
            .select_related("department")
            .prefetch_related("responsibilities__power")
        )
        if region := _region(self.request):
            qs = qs.filter(department__region__code=region)
        if department := _clean(self.request, "department"):
            qs = qs.filter(department__code=department)
        if kind := _clean(self.request, "kind"):
            qs = qs.filter(kind=kind)
        return qs


@extend_schema_view(list=extend_schema(parameters=[DEPARTMENT, _param("power", "Power code")]))
class ResponsibilityViewSet(ReadOnly):
    serializer_class = s.ResponsibilitySerializer

    def get_queryset(self) -> QuerySet[Responsibility]:
        qs = Responsibility.objects.select_related("power").filter(power__is_active=True)
        if department := _clean(self.request, "department"):
            qs = qs.filter(power__department__code=department)
        if power := _clean(self.request, "power"):
            qs = qs.filter(power__code=power)
        return qs.order_by("power__code", "order", "id")


class LifeEventViewSet(ReadOnly):
    serializer_class = s.LifeEventSerializer
    lookup_field = "code"
    queryset = LifeEvent.objects.all()


@extend_schema_view(list=extend_schema(parameters=[REGION, DEPARTMENT, KIND, LIFE_EVENT, AUDIENCE, Q]))
class ServiceItemViewSet(ReadOnly):
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_serializer_class(self) -> type[s.ServiceItemSerializer]:
        return s.ServiceItemDetailSerializer if self.action == "retrieve" else s.ServiceItemSerializer

    def get_queryset(self) -> QuerySet:
        r = self.request
        if self.action == "retrieve":
            return (
                selectors.item_list(include_ended=True)
                .prefetch_related("current_version__materials", "changes__successor")
                .select_related("current_version__form", "successor")
            )
        kind = _clean(r, "kind")
        if kind and kind not in ("immediate", "promised"):
            raise ValidationError({"kind": [_("Give immediate or promised.")]})
        audience = _clean(r, "audience")
        if audience and audience not in ("person", "organization"):
            raise ValidationError({"audience": [_("Give person or organization.")]})
        qs = selectors.item_list(
            region=_region(r),
            department=_clean(r, "department"),
            kind=kind,
            life_event=_clean(r, "life_event"),
            audience=audience,
        )
        query = r.query_params.get("q")
        if query:
            if len(query) > 100:
                raise ValidationError({"q": [_("At most %(n)d characters.") % {"n": 100}]})
            ids = [i.pk for i in selectors.item_search(query=query, limit=200).items]
            order = {pk: n for n, pk in enumerate(ids)}
            return sorted(qs.filter(pk__in=ids), key=lambda i: order[i.pk])  # type: ignore[return-value]
        return qs


@extend_schema_view(list=extend_schema(parameters=[ITEM, _param("state", "draft, published or superseded")]))
class ItemVersionViewSet(ReadOnly):
    serializer_class = s.ItemVersionSerializer

    def get_queryset(self) -> QuerySet[ItemVersion]:
        # Drafts are work in progress of catalogue admins, not public.
        qs = (
            ItemVersion.objects.exclude(state=ItemVersion.State.DRAFT)
            .select_related("item", "form")
            .prefetch_related("materials")
            .order_by("item__code", "-number")
        )
        if item := _clean(self.request, "item"):
            qs = qs.filter(item__code=item)
        if state := _clean(self.request, "state"):
            qs = qs.filter(state=state)
        return qs


@extend_schema_view(list=extend_schema(parameters=[ITEM]))
class MaterialViewSet(ReadOnly):
    serializer_class = s.MaterialSerializer

    def get_queryset(self) -> QuerySet[MaterialRequirement]:
        qs = MaterialRequirement.objects.filter(version__state=ItemVersion.State.PUBLISHED).order_by(
            "version__item__code", "order", "id"
        )
        if item := _clean(self.request, "item"):
            qs = qs.filter(version__item__code=item)
        return qs


@extend_schema_view(list=extend_schema(parameters=[AUDIENCE]))
class BundleViewSet(ReadOnly):
    serializer_class = s.BundleSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet:
        return selectors.published_bundles(audience=_clean(self.request, "audience"))
