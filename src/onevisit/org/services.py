"""Writes of the organisation: staff roles and the Django groups that carry their permissions."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.core.audit import audit_log

from .models import Department, Role, ServiceCenter, ServiceToken, StaffRole

# What each role may do in the admin, as "app_label" (every permission) or "app_label.codename".
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CATALOG_ADMIN: ["catalog", "org.view_region", "org.view_department", "core.view_calendarday",
                         "core.change_calendarday", "core.add_calendarday", "cases.view_decision"],
    Role.DATA_STEWARD: ["org.view_region", "org.view_department", "catalog.view_serviceitem", "exchange",
                        "identity.view_creditrecord", "identity.add_creditrecord",
                        "identity.change_creditrecord"],
    Role.SUPERVISOR: ["catalog.view_serviceitem", "catalog.view_itemversion", "core.view_auditevent",
                      "cases.view_decision"],
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
def staff_role_grant(
    *, actor: Any, user: Any, department: Department, role: str, center: ServiceCenter | None = None
) -> StaffRole:
    """Grant ``role`` in ``department``; ``center`` is where a counter clerk works (kept if omitted)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    grant, created = StaffRole.objects.get_or_create(
        user=user, department=department, role=role, defaults={"center": center}
    )
    if not created and center is not None and grant.center_id != center.pk:
        grant.center = center
        grant.save(update_fields=["center"])
        audit_log(actor=actor, action="staff_role_center_set", obj=grant, data={"center": center.code})
    user.groups.add(role_group(role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if created:
        audit_log(
            actor=actor,
            action="staff_role_granted",
            obj=grant,
            data={
                "user": user.username,
                "department": department.code,
                "role": role,
                "center": center.code if center else None,
            },
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


# ---- service tokens of machine clients ------------------------------------------------------------

TOKEN_PREFIX = "ovt_"  # noqa: S105 - a marker that makes leaked keys easy to spot, not a secret


def service_token_hash(key: str) -> str:
    """The stored form of a key. Keys are 256 random bits, so a plain SHA-256 is enough (no stretching)."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def service_token_create(
    *,
    actor: Any,
    department: Department,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
) -> tuple[ServiceToken, str]:
    """A new token and its key (returned once, never stored). The token acts through a staff user of
    its own, without a password, that holds the officer role in the department."""
    unknown = [s for s in scopes if s not in ServiceToken.Scope.values]
    name = (name or "").strip()
    if unknown or not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope from the list.")})
    if not name:
        raise ValidationError({"name": _("Name the system that will use the token.")})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user = get_user_model().objects.create_user(
        username=f"token-{secrets.token_hex(6)}", first_name=name[:150], password=None
    )
    staff_role_grant(actor=actor, user=user, department=department, role=Role.OFFICER)
    token = ServiceToken.objects.create(
        department=department,
        name=name,
        prefix=key[:10],
        key_hash=service_token_hash(key),
        scopes=list(dict.fromkeys(scopes)),
        user=user,
        expires_at=expires_at,
    )
    audit_log(
        actor=actor,
        action="service_token_created",
        obj=token,
        data={"department": department.code, "scopes": token.scopes, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def service_token_revoke(*, actor: Any, token: ServiceToken) -> ServiceToken:
    token = ServiceToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="service_token_revoked", obj=token, data={"prefix": token.prefix})
    return token


def service_token_touch(*, token: ServiceToken) -> None:
    """Record use, at most once a minute (not audited: the API calls themselves are)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
