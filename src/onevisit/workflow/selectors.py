"""Scoped reads of the workflow: an officer sees only the work of their own departments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from django.db.models import F, QuerySet

from onevisit.core.calendar import working_days_between
from onevisit.org.models import Role, StaffRole

from .models import WorkItem

INBOX_ROLES = (Role.OFFICER, Role.APPROVER)
YELLOW_SHARE = 0.8

Urgency = Literal["normal", "yellow", "red"]


def work_items_for_department(
    *, user: Any, department_codes: Iterable[str] | None = None, status: str | Iterable[str] | None = None
) -> QuerySet[WorkItem]:
    """待办 of the departments where ``user`` is an officer or approver, soonest due first.

    ``department_codes`` narrows to some of those departments (never widens); ``status`` defaults to
    the active items (open and claimed).
    """
    if not getattr(user, "is_authenticated", False):
        return WorkItem.objects.none()
    departments = StaffRole.objects.filter(user=user, role__in=INBOX_ROLES).values("department_id")
    items = WorkItem.objects.filter(department__in=departments)
    if department_codes is not None:
        items = items.filter(department__code__in=list(department_codes))
    statuses = [status] if isinstance(status, str) else list(status or WorkItem.ACTIVE)
    return (
        items.filter(status__in=statuses)
        .select_related("department", "instance", "assignee")
        .order_by(F("due_date").asc(nulls_last=True), "ready_on", "pk")
    )


def work_item_urgency(item: WorkItem, today: dt.date) -> Urgency:
    """黄牌/红牌 of one step (RULES.md "Alarms"): red when overdue, yellow from 80 % of its time used."""
    if item.due_date is None:
        return "normal"
    if today > item.due_date:
        return "red"
    allowed = working_days_between(item.ready_on, item.due_date)
    if allowed <= 0:
        return "normal"  # 即办 step: due the day it is ready, so never "almost" late
    used = working_days_between(item.ready_on, today)
    return "yellow" if used >= YELLOW_SHARE * allowed else "normal"
