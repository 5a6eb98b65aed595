"""Who sees which post-checks: supervisors their region's items, inspectors their assigned checks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onevisit.catalog.models import ServiceItem
from onevisit.org.models import Role, StaffRole

from .models import PostCheck, PostCheckDraw


def supervised_regions(user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        StaffRole.objects.filter(user=user, role=Role.SUPERVISOR).values_list(
            "department__region_id", flat=True
        )
    )


def items_supervised(user: Any) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(department__region_id__in=supervised_regions(user)).order_by("code")


def may_draw(user: Any, item: ServiceItem) -> bool:
    return item.department.region_id in supervised_regions(user)


def draws_visible(user: Any) -> QuerySet[PostCheckDraw]:
    return PostCheckDraw.objects.filter(
        item__department__region_id__in=supervised_regions(user)
    ).select_related("item")


def checks_assigned(user: Any) -> QuerySet[PostCheck]:
    if not getattr(user, "is_authenticated", False):
        return PostCheck.objects.none()
    return PostCheck.objects.filter(inspectors=user).select_related("case", "draw__item")


def check_visible(user: Any, pk: int) -> PostCheck | None:
    """A check its inspector or a supervisor of its region may see, or None."""
    check = PostCheck.objects.select_related("case", "draw__item__department").filter(pk=pk).first()
    if check is None:
        return None
    if check.inspectors.filter(
        pk=user.pk
    ).exists() or check.draw.item.department.region_id in supervised_regions(user):
        return check
    return None
