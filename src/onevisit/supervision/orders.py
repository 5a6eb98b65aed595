"""督办单: a supervisor of a region asks one of its departments to act on a case or an alarm and to
reply within some working days; the department replies once, and a late reply is marked late.

Who may do what: a supervisor (``org.Role.SUPERVISOR``) watches the departments whose region code
starts with the prefix of their own department's region (330100 → every 3301…: the city and its
districts); the officers and approvers of a department reply to the orders addressed to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.cases.models import Case
from onevisit.cases.services import case_event
from onevisit.core.audit import audit_log
from onevisit.core.calendar import CalendarMissing, add_working_days
from onevisit.core.indicators import region_prefix
from onevisit.org.models import Department, Role, StaffRole
from onevisit.workflow.models import WorkItem

from .models import Alarm, SupervisionOrder

MAX_MESSAGE = 2000
MAX_REPLY = 2000
MIN_REPLY_DAYS, MAX_REPLY_DAYS = 1, 30
REPLY_ROLES = (Role.OFFICER, Role.APPROVER)


# ---- who watches whom -----------------------------------------------------------------------------


def supervised_prefixes(user: Any) -> list[str]:
    """The region-code prefixes a supervisor watches (none for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return []
    codes = StaffRole.objects.filter(user=user, role=Role.SUPERVISOR).values_list(
        "department__region__code", flat=True
    )
    return sorted({region_prefix(code) for code in codes})


def supervised_departments(user: Any) -> QuerySet[Department]:
    """The departments a supervisor watches: those of their region and the regions under it."""
    q = Q()
    for prefix in supervised_prefixes(user):
        q |= Q(region__code__startswith=prefix)
    return Department.objects.filter(q) if q else Department.objects.none()


def own_departments(user: Any) -> QuerySet[Department]:
    """The departments where the user is an officer or approver: their own cards and orders."""
    if not getattr(user, "is_authenticated", False):
        return Department.objects.none()
    return Department.objects.filter(
        pk__in=StaffRole.objects.filter(user=user, role__in=REPLY_ROLES).values("department_id")
    )


def watched_departments(user: Any) -> QuerySet[Department]:
    """Every department whose cards and orders the user may see."""
    return Department.objects.filter(
        Q(pk__in=supervised_departments(user).values("pk")) | Q(pk__in=own_departments(user).values("pk"))
    ).select_related("region")


def orders_visible(user: Any) -> QuerySet[SupervisionOrder]:
    return (
        SupervisionOrder.objects.filter(department__in=watched_departments(user).values("pk"))
        .select_related("department__region", "case__item_version", "alarm", "issued_by", "replied_by")
        .order_by("-issued_at", "-pk")
    )


def order_visible(user: Any, pk: int) -> SupervisionOrder | None:
    return orders_visible(user).filter(pk=pk).first()


def may_supervise(user: Any, department: Department) -> bool:
    return supervised_departments(user).filter(pk=department.pk).exists()


def may_reply(user: Any, order: SupervisionOrder) -> bool:
    return own_departments(user).filter(pk=order.department_id).exists()


# ---- writes -----------------------------------------------------------------------------------------


def _concerns(case: Case, department: Department) -> bool:
    """Whether the case is the department's, or has a step handled by it (joint handling)."""
    if case.department_id == department.pk:
        return True
    return (
        bool(case.process_instance_id)
        and WorkItem.objects.filter(instance_id=case.process_instance_id, department=department).exists()
    )


@transaction.atomic
def order_issue(
    *,
    actor: Any,
    department: Department,
    message: str,
    reply_days: int | None,
    case: Case | None = None,
    alarm: Alarm | None = None,
    today: dt.date | None = None,
) -> SupervisionOrder:
    """Issue a 督办单 to ``department`` about ``case`` or ``alarm`` (its case), to reply within
    ``reply_days`` working days."""
    if not may_supervise(actor, department):
        raise PermissionDenied(_("Only a supervisor of the department's region may issue a 督办单 to it."))
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    message = (message or "").strip()
    if not message:
        errors["message"] = _("Say what the department must do.")
    elif len(message) > MAX_MESSAGE:
        errors["message"] = _("The message may be at most %(n)d characters.") % {"n": MAX_MESSAGE}
    if not isinstance(reply_days, int) or not MIN_REPLY_DAYS <= reply_days <= MAX_REPLY_DAYS:
        errors["reply_days"] = _("Give the working days to reply, from %(min)d to %(max)d.") % {
            "min": MIN_REPLY_DAYS, "max": MAX_REPLY_DAYS,
        }  # fmt: skip
    if alarm is not None:
        if alarm.department_id != department.pk:
            errors["alarm"] = _("This card belongs to another department.")
        case = alarm.case
    if case is None:
        errors["case"] = _("Choose the case or the card the order is about.")
    elif alarm is None and not _concerns(case, department):
        errors["case"] = _("This case is not handled by the department.")
    reply_due = None
    if not errors:
        assert isinstance(reply_days, int)
        try:
            reply_due = add_working_days(today, reply_days)
        except CalendarMissing as error:
            errors["reply_days"] = str(error)
    if errors:
        raise ValidationError(errors)
    assert case is not None and reply_due is not None and isinstance(reply_days, int)
    order = SupervisionOrder.objects.create(
        department=department, case=case, alarm=alarm, message=message, reply_days=reply_days,
        issued_on=today, reply_due=reply_due, issued_by=actor,
    )  # fmt: skip
    case_event(
        case, kind="supervision_order", actor=actor, public=False, department=department,
        message=_("督办单 #%(n)d to %(department)s, reply by %(date)s: %(message)s")
        % {"n": order.pk, "department": department.name, "date": f"{reply_due:%Y-%m-%d}", "message": message},
    )  # fmt: skip
    audit_log(
        actor=actor, action="supervision_order_issued", obj=order,
        data={"department": department.code, "case": case.pk, "alarm": alarm.pk if alarm else None,
              "reply_due": reply_due.isoformat()},
    )  # fmt: skip
    return order


@transaction.atomic
def order_reply(
    *, actor: Any, order: SupervisionOrder, reply: str, today: dt.date | None = None
) -> SupervisionOrder:
    """The department's one reply; late when after the reply date. A closed or answered order
    takes no reply."""
    order = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
    if not may_reply(actor, order):
        raise PermissionDenied(
            _("Only the officers and approvers of the department may reply to its 督办单.")
        )
    if order.status == SupervisionOrder.Status.CLOSED:
        raise ValidationError(_("This 督办单 is closed; it takes no reply."))
    if order.status == SupervisionOrder.Status.ANSWERED:
        raise ValidationError(
            _("This 督办单 was already answered on %(date)s; it takes one reply.")
            % {"date": f"{order.replied_on:%Y-%m-%d}"}
        )
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("Write the reply: what the department did or will do.")})
    if len(reply) > MAX_REPLY:
        raise ValidationError({"reply": _("The reply may be at most %(n)d characters.") % {"n": MAX_REPLY}})
    today = today or timezone.localdate()
    order.reply, order.replied_by, order.replied_at, order.replied_on = reply, actor, timezone.now(), today
    order.late = today > order.reply_due
    order.status = SupervisionOrder.Status.ANSWERED
    order.save(update_fields=["reply", "replied_by", "replied_at", "replied_on", "late", "status"])
    if order.case is not None:
        case_event(
            order.case, kind="supervision_reply", actor=actor, public=False, department=order.department,
            message=(_("Late reply to 督办单 #%(n)d: %(reply)s") if order.late else _("Reply to 督办单 #%(n)d: %(reply)s"))
            % {"n": order.pk, "reply": reply},
        )  # fmt: skip
    audit_log(actor=actor, action="supervision_order_replied", obj=order, data={"late": order.late})
    return order


@transaction.atomic
def order_close(*, actor: Any, order: SupervisionOrder) -> SupervisionOrder:
    """The supervisor closes an order (answered or not); it takes no reply afterwards."""
    order = SupervisionOrder.objects.select_for_update().select_related("department").get(pk=order.pk)
    if not may_supervise(actor, order.department):
        raise PermissionDenied(_("Only a supervisor of the department's region may close its 督办单."))
    if order.status == SupervisionOrder.Status.CLOSED:
        raise ValidationError(_("This 督办单 is already closed."))
    order.status, order.closed_by, order.closed_at = SupervisionOrder.Status.CLOSED, actor, timezone.now()
    order.save(update_fields=["status", "closed_by", "closed_at"])
    audit_log(
        actor=actor, action="supervision_order_closed", obj=order, data={"replied": bool(order.replied_at)}
    )
    return order
