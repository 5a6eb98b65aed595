"""Reads of regions and departments."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Department, Region, Role, ServiceCenter, ServiceToken, StaffRole


def region_descendant_codes(region: Region) -> list[str]:
    """The codes of a region and everything under it (codes share their parent's prefix)."""
    prefix = {1: "", 2: region.code[:2], 3: region.code[:4], 4: region.code[:6], 5: region.code}[region.level]
    return list(Region.objects.filter(code__startswith=prefix).values_list("code", flat=True))


def department_list(*, region_code: str | None = None) -> QuerySet[Department]:
    qs = Department.objects.select_related("region")
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs


def departments_of(user: Any, role: Role | str) -> QuerySet[Department]:
    return Department.objects.filter(staff_roles__user=user, staff_roles__role=role).distinct()


def user_has_role(user: Any, role: Role | str) -> bool:
    return StaffRole.objects.filter(user=user, role=role).exists()


def clerk_centers(user: Any) -> QuerySet[ServiceCenter]:
    """The service centres where ``user`` works as a counter clerk."""
    if not getattr(user, "is_authenticated", False):
        return ServiceCenter.objects.none()
    return ServiceCenter.objects.filter(staff_roles__user=user, staff_roles__role=Role.CLERK).distinct()


def service_token_for_key(key: str) -> ServiceToken | None:
    """The token of a key, whatever its state (the caller tells expired and revoked apart)."""
    from .services import service_token_hash

    if not key or len(key) > 200:
        return None
    return (
        ServiceToken.objects.select_related("department", "user")
        .filter(key_hash=service_token_hash(key))
        .first()
    )
