"""Reads of the catalogue for the public and for machine clients."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from onevisit.org.models import Department

from . import search
from .models import Bundle, BundleItem, ItemChange, ItemVersion, LifeEvent, Power, ServiceItem
from .validation import DefinitionError, ProcessInfo, parse_process

CARD_FIELDS = [
    "code", "name", "status", "department__name", "department__region__name",
    "current_version__kind", "current_version__promised_limit_days", "current_version__visits",
]  # fmt: skip
PUBLIC_STATUSES = [ServiceItem.Status.ACTIVE, ServiceItem.Status.SUSPENDED]


def public_items() -> QuerySet[ServiceItem]:
    """Items the public may see as services: in force and with a published version."""
    return (
        ServiceItem.objects.filter(status__in=PUBLIC_STATUSES, current_version__isnull=False)
        .select_related("department__region", "current_version")
        .order_by("code")
    )


def item_list(
    *,
    region: str | None = None,
    department: str | None = None,
    kind: str | None = None,
    life_event: str | None = None,
    audience: str | None = None,
    include_ended: bool = False,
) -> QuerySet[ServiceItem]:
    qs = (
        ServiceItem.objects.filter(current_version__isnull=False)
        .select_related("department__region", "current_version", "power")
        .prefetch_related("life_events")
        .order_by("code")
    )
    if not include_ended:
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    if region:
        qs = qs.filter(department__region__code=region)
    if department:
        qs = qs.filter(department__code=department)
    if kind:
        qs = qs.filter(current_version__kind=kind)
    if life_event:
        qs = qs.filter(life_events__code=life_event)
    if audience:
        qs = qs.filter(audience=audience)
    return qs.distinct()


@dataclass
class SearchResult:
    query: str
    items: list[ServiceItem]
    truncated: bool


def item_search(
    *, query: str, max_length: int = 100, limit: int = 30, region: str | None = None, record_miss: bool = True
) -> SearchResult:
    """Search published items in everyday words; records searches that find nothing.

    Live results while typing pass ``record_miss=False``: half-typed words are not misses.
    """
    raw = query or ""
    truncated = len(raw) > max_length
    text = raw[:max_length].strip()
    if not text:
        return SearchResult(query=text, items=[], truncated=truncated)
    ids = search.ranked_ids(text, limit=limit, region=region)
    # A result list shows a few fields; leave the versions' JSON documents in the database.
    rows = public_items().filter(pk__in=ids).order_by().only(*CARD_FIELDS)
    by_id = {item.pk: item for item in rows}
    items = [by_id[i] for i in ids if i in by_id]
    if not items and record_miss:
        from .services import search_miss_record

        search_miss_record(query=text)
    return SearchResult(query=text, items=items, truncated=truncated)


def item_guide(*, code: str) -> ServiceItem | None:
    """An item with everything its guide page (办事指南) shows."""
    return (
        ServiceItem.objects.filter(code=code)
        .select_related(
            "department__region",
            "power",
            "successor",
            "current_version__form",
            "current_version__process",
        )
        .prefetch_related(
            "life_events",
            Prefetch("current_version__materials"),
            Prefetch(
                "changes", queryset=ItemChange.objects.select_related("successor").order_by("-date", "-id")
            ),
            Prefetch(
                "bundle_memberships",
                queryset=BundleItem.objects.select_related("bundle").filter(
                    bundle__state=Bundle.State.PUBLISHED
                ),
            ),
        )
        .first()
    )


def process_steps(version: ItemVersion) -> ProcessInfo | None:
    process = getattr(version, "process", None)
    if process is None:
        return None
    try:
        return parse_process(process.bpmn_xml)
    except DefinitionError:
        return None


def department_names(codes: list[str]) -> dict[str, str]:
    """Full names of the departments with these codes (the lanes of one process)."""
    return {d.code: d.full_name for d in Department.objects.filter(code__in=codes).select_related("region")}


def process_xml_for_display(version: ItemVersion) -> str:
    """The BPMN with each lane's department code replaced by the department's name, for people."""
    from lxml import etree

    from .validation import BPMN_NS, _safe_xml

    root = _safe_xml(version.process.bpmn_xml, "BPMN")
    names = department_names([lane.get("name") or "" for lane in root.iter(f"{{{BPMN_NS}}}lane")])
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        code = lane.get("name") or ""
        if code in names:
            lane.set("name", names[code])
    return etree.tostring(root, encoding="unicode")


def life_events(*, audience: str | None = None) -> QuerySet[LifeEvent]:
    qs = LifeEvent.objects.annotate(
        item_count=Count(
            "items", filter=Q(items__status__in=PUBLIC_STATUSES, items__current_version__isnull=False)
        )
    )
    if audience:
        qs = qs.filter(audience=audience)
    # Meta.ordering is not applied to aggregation queries.
    return qs.order_by("audience", "order", "code")


def departments_with_items() -> QuerySet[Department]:
    return (
        Department.objects.select_related("region")
        .annotate(
            item_count=Count(
                "items", filter=Q(items__status__in=PUBLIC_STATUSES, items__current_version__isnull=False)
            )
        )
        .order_by("region__code", "order", "code")
    )


def department_powers(department: Department) -> QuerySet[Power]:
    return Power.objects.filter(department=department, is_active=True).prefetch_related(
        "responsibilities", "items"
    )


def published_bundles(*, audience: str | None = None) -> QuerySet[Bundle]:
    qs = Bundle.objects.filter(state=Bundle.State.PUBLISHED).select_related("life_event")
    if audience:
        qs = qs.filter(audience=audience)
    return qs.prefetch_related(
        Prefetch(
            "members",
            queryset=BundleItem.objects.select_related("item__department").prefetch_related(
                "depends_on__item"
            ),
        )
    )


def popular_items(limit: int = 8) -> QuerySet[ServiceItem]:
    return public_items().filter(is_popular=True)[:limit]
