"""Writes of the organisation: staff roles and the Django groups that carry their permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from onevisit.core.audit import audit_log

from .models import Department, Role, StaffRole

# What each role may do in the admin, as "app_label" (every permission) or "app_label.codename".
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CATALOG_ADMIN: ["catalog", "org.view_region", "org.view_department", "core.view_calendarday",
                         "core.change_calendarday", "core.add_calendarday"],
    Role.DATA_STEWARD: ["org.view_region", "org.view_department", "catalog.view_serviceitem"],
    Role.SUPERVISOR: ["catalog.view_serviceitem", "catalog.view_itemversion", "core.view_auditevent"],
    Role.ANALYST: ["catalog.view_serviceitem"],
    Role.EVALUATOR: ["catalog.view_serviceitem"],
    Role.CLERK: ["catalog.view_serviceitem"],
    Role.OFFICER: ["catalog.view_serviceitem"],
    Role.APPROVER: ["catalog.view_serviceitem"],
}  # fmt: skip


def role_group(role: str) -> Group:
    """The group of a role, with its permissions brought up to date."""
    group, _ = Group.objects.get_or_create(name=f"role:{role}")
    query = Q(pk__in=[])
    for spec in ROLE_PERMISSIONS.get(role, []):
        app, _, codename = spec.partition(".")
        query |= (
            Q(content_type__app_label=app, codename=codename) if codename else Q(content_type__app_label=app)
        )
    group.permissions.set(Permission.objects.filter(query))
    return group


@transaction.atomic
def staff_role_grant(*, actor: Any, user: Any, department: Department, role: str) -> StaffRole:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    grant, created = StaffRole.objects.get_or_create(user=user, department=department, role=role)
    user.groups.add(role_group(role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if created:
        audit_log(
            actor=actor,
            action="staff_role_granted",
            obj=grant,
            data={"user": user.username, "department": department.code, "role": role},
        )
    return grant


@transaction.atomic
def staff_role_revoke(*, actor: Any, grant: StaffRole) -> None:
    user, role = grant.user, grant.role
    data = {"user": user.username, "department": grant.department.code, "role": role}
    grant_id = str(grant.pk)
    grant.delete()
    if not StaffRole.objects.filter(user=user, role=role).exists():
        user.groups.remove(role_group(role))
    audit_log(
        actor=actor, action="staff_role_revoked", object_type="org.staffrole", object_id=grant_id, data=data
    )
