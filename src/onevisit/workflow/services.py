"""Writes of the workflow: start, claim, complete, cancel, suspend/resume, extend, fire timers.

Every function runs in one transaction with its audit event. Writes to an instance or a work item
are guarded (a row lock or a conditional ``update()``), so when two officers act at once exactly
one wins and the other gets :class:`WorkItemConflict`. ``actor`` is a user, or a label such as
``"system"`` for automatic steps (a rule deciding 秒批); only users may claim.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.core.audit import audit_log
from onevisit.core.calendar import add_working_days, working_days_between
from onevisit.org.models import Department, Role, StaffRole

from . import engine
from .exceptions import DataError, DefinitionError, ProcessStateError, WorkItemConflict, WorkItemForbidden
from .models import ProcessInstance, Timer, WorkItem

logger = logging.getLogger(__name__)

SYSTEM = "system"


# --- helpers ---------------------------------------------------------------------------------


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_data(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DataError(_("The %(what)s must be an object of named values.") % {"what": what})
    for key in data:
        if not isinstance(key, str) or not key or key.startswith("_") or key in engine.HELPER_NAMES:
            raise DataError(
                _('"%(key)s" may not be used as a name in the %(what)s.') % {"key": key, "what": what}
            )
    if not engine.is_plain(data):
        raise DataError(
            _("The %(what)s may only hold text, numbers, lists, objects and dates.") % {"what": what}
        )
    return data


def _lane_departments(definition: engine.Definition) -> dict[str, Department]:
    """Every human step must sit in a lane named by an existing department code."""
    lanes: set[str] = set()
    for task_spec in engine.human_task_specs(definition):
        if not task_spec.lane:
            raise DefinitionError(
                _('Step "%(step)s" is in no lane; every step must sit in a lane named by a department code.')
                % {"step": task_spec.bpmn_name or task_spec.bpmn_id}
            )
        lanes.add(task_spec.lane.strip())
    departments = Department.objects.in_bulk(lanes, field_name="code")
    unknown = sorted(lanes - departments.keys())
    if unknown:
        raise DefinitionError(
            _("Lane “%(lane)s” names no department: there is no department with that code.")
            % {"lane": unknown[0]}
        )
    return departments


def _due(ready_on: dt.date, limit_days: int | None) -> dt.date | None:
    return None if limit_days is None else add_working_days(ready_on, limit_days)


def _sync(instance: ProcessInstance, workflow: Any, *, today: dt.date) -> list[WorkItem]:
    """Make work items and timers match what the engine waits for; return the new work items.

    A READY human task without an item gets one; an active item whose task no longer waits
    (cancelled by a boundary event or the end of the process) is cancelled.
    """
    ready = {str(task.id): task for task in engine.ready_human_tasks(workflow)}
    active = {item.task_id: item for item in instance.work_items.filter(status__in=WorkItem.ACTIVE)}
    stale = [item.pk for task_id, item in active.items() if task_id not in ready]
    if stale:
        WorkItem.objects.filter(pk__in=stale).update(
            status=WorkItem.Status.CANCELLED, lock_version=F("lock_version") + 1
        )
    steps = engine.steps_of(instance.bpmn_xml)
    new_tasks = [task for task_id, task in ready.items() if task_id not in active]
    lanes = {(task.task_spec.lane or "").strip() for task in new_tasks}
    departments = Department.objects.in_bulk(lanes, field_name="code")
    created = []
    for task_id, task in ready.items():
        if task_id in active:
            continue
        spec = task.task_spec
        step = steps.get(spec.bpmn_id)
        department = departments.get((spec.lane or "").strip())
        if department is None:
            raise DefinitionError(
                _("Lane “%(lane)s” names no department: there is no department with that code.")
                % {"lane": spec.lane or ""}
            )
        limit = step.limit_days if step else None
        created.append(
            WorkItem(
                instance=instance,
                task_id=task_id,
                task_spec=spec.bpmn_id or spec.name,
                name=(spec.bpmn_name or spec.bpmn_id or spec.name)[:200],
                department=department,
                candidate_role=step.role if step else engine.DEFAULT_ROLE,
                limit_days=limit,
                ready_on=today,
                due_date=_due(today, limit),
            )
        )
    WorkItem.objects.bulk_create(created)
    _sync_timers(instance, workflow)
    return created


def _sync_timers(instance: ProcessInstance, workflow: Any) -> None:
    waiting = engine.waiting_timers(workflow)
    pending = {t.task_id: t.pk for t in instance.timers.filter(fired_at__isnull=True).only("pk", "task_id")}
    # A timer whose event no longer waits (its step was completed first) will never fire.
    stale = [pk for task_id, pk in pending.items() if task_id not in waiting]
    if stale:
        Timer.objects.filter(pk__in=stale).delete()
    new = [Timer(instance=instance, task_id=t, due_at=due) for t, due in waiting.items() if t not in pending]
    if new:
        Timer.objects.bulk_create(new)


def _write(instance: ProcessInstance, **fields: Any) -> None:
    """Guarded write: only if nobody changed the instance since it was read."""
    updated = ProcessInstance.objects.filter(pk=instance.pk, lock_version=instance.lock_version).update(
        lock_version=F("lock_version") + 1, **fields
    )
    if not updated:
        raise WorkItemConflict(
            _("The process was changed by someone else in the meantime; reload and try again.")
        )
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.lock_version += 1


def _save_workflow(instance: ProcessInstance, workflow: Any, **fields: Any) -> None:
    if workflow.is_completed() and instance.status == ProcessInstance.Status.RUNNING:
        fields.update(status=ProcessInstance.Status.COMPLETED, completed_at=timezone.now())
    _write(instance, state=engine.dump(workflow), data=engine.plain_data(workflow), **fields)


def _lock(instance: ProcessInstance) -> ProcessInstance:
    return ProcessInstance.objects.select_for_update().get(pk=instance.pk)


def _require_running(instance: ProcessInstance, *, allow_suspended: bool = False) -> None:
    if instance.status != ProcessInstance.Status.RUNNING:
        raise ProcessStateError(
            _("The process is %(status)s; it can no longer be changed.")
            % {"status": instance.get_status_display()}
        )
    if instance.suspended_at and not allow_suspended:
        raise ProcessStateError(_("The process is suspended; resume it first."))


def _require_role(actor: Any, item: WorkItem) -> None:
    user = _user(actor)
    roles = {item.candidate_role, Role.APPROVER}
    if (
        user is None
        or not StaffRole.objects.filter(user=user, department=item.department, role__in=roles).exists()
    ):
        raise WorkItemForbidden(
            _("You hold no role in %(department)s that lets you handle this work item.")
            % {"department": item.department.name}
        )


def _conflict(item: WorkItem) -> WorkItemConflict:
    if item.status == WorkItem.Status.CLAIMED:
        return WorkItemConflict(_("This work item has already been claimed by another officer."))
    if item.status == WorkItem.Status.COMPLETED:
        return WorkItemConflict(_("This work item has already been completed."))
    if item.status == WorkItem.Status.CANCELLED:
        return WorkItemConflict(_("This work item was cancelled."))
    return WorkItemConflict(_("You have not claimed this work item."))


def _json(data: dict[str, Any]) -> dict[str, Any]:
    """Dates become ISO strings, as in the instance's data."""
    plain: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return plain


def _item_ids(items: list[WorkItem]) -> list[int]:
    return [item.pk for item in items]


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def process_start(*, actor: Any, bpmn_xml: str, data: dict[str, Any], started_on: dt.date) -> ProcessInstance:
    """Start a process and run it until it waits; the ready human steps become work items."""
    _check_data(data, _("process data"))
    definition = engine.parse_definition(bpmn_xml)
    _lane_departments(definition)
    workflow = engine.start(definition, data, started_on)
    done = workflow.is_completed()
    instance = ProcessInstance.objects.create(
        process_id=definition.process_id,
        bpmn_xml=bpmn_xml,
        state=engine.dump(workflow),
        data=engine.plain_data(workflow),
        status=ProcessInstance.Status.COMPLETED if done else ProcessInstance.Status.RUNNING,
        started_on=started_on,
        completed_at=timezone.now() if done else None,
    )
    items = _sync(instance, workflow, today=started_on)
    audit_log(
        actor=actor,
        action="process_started",
        obj=instance,
        data={"process_id": instance.process_id, "work_items": _item_ids(items), "status": instance.status},
    )
    return instance


@transaction.atomic
def work_item_claim(*, actor: Any, work_item: WorkItem) -> WorkItem:
    """签收: take an open item. Claiming an item one already holds is a no-op."""
    _require_role(actor, work_item)
    updated = WorkItem.objects.filter(pk=work_item.pk, status=WorkItem.Status.OPEN).update(
        status=WorkItem.Status.CLAIMED,
        assignee=actor,
        claimed_at=timezone.now(),
        lock_version=F("lock_version") + 1,
    )
    work_item.refresh_from_db()
    if not updated:
        if work_item.status == WorkItem.Status.CLAIMED and work_item.assignee_id == actor.pk:
            return work_item
        raise _conflict(work_item)
    audit_log(
        actor=actor, action="work_item_claimed", obj=work_item, data={"instance": work_item.instance_id}
    )
    return work_item


@transaction.atomic
def work_item_release(*, actor: Any, work_item: WorkItem) -> WorkItem:
    """退回待签: give back an item one has claimed, so a colleague can take it."""
    user = _user(actor)
    updated = WorkItem.objects.filter(
        pk=work_item.pk, status=WorkItem.Status.CLAIMED, assignee=user, assignee__isnull=False
    ).update(status=WorkItem.Status.OPEN, assignee=None, claimed_at=None, lock_version=F("lock_version") + 1)
    work_item.refresh_from_db()
    if not updated:
        if work_item.status == WorkItem.Status.OPEN:
            raise WorkItemConflict(_("You have not claimed this work item."))
        raise _conflict(work_item)
    audit_log(
        actor=actor, action="work_item_released", obj=work_item, data={"instance": work_item.instance_id}
    )
    return work_item


@transaction.atomic
def work_item_complete(
    *, actor: Any, work_item: WorkItem, result: dict[str, Any], on: dt.date | None = None
) -> ProcessInstance:
    """办结 a step: merge ``result`` into the task data and advance the process.

    ``on`` is the date the next steps become ready (their clocks start); today by default.
    """
    _check_data(result, _("result"))
    today = on or timezone.localdate()
    # Lock the instance first: a second completion of the same item waits here, then sees it done.
    instance = ProcessInstance.objects.select_for_update().get(pk=work_item.instance_id)
    item = WorkItem.objects.select_for_update(of=("self",)).select_related("department").get(pk=work_item.pk)
    user = _user(actor)
    if item.status not in WorkItem.ACTIVE:
        raise _conflict(item)
    if item.status == WorkItem.Status.CLAIMED and (user is None or item.assignee_id != user.pk):
        raise _conflict(item)
    if item.status == WorkItem.Status.OPEN and user is not None:
        _require_role(actor, item)
    _require_running(instance)

    workflow = engine.load(instance.state, today)
    engine.complete_task(workflow, item.task_id, result)
    WorkItem.objects.filter(pk=item.pk).update(
        status=WorkItem.Status.COMPLETED,
        assignee=item.assignee or user,
        completed_at=timezone.now(),
        completed_by=user,
        result=_json(result),
        lock_version=F("lock_version") + 1,
    )
    created = _sync(instance, workflow, today=today)
    _save_workflow(instance, workflow)
    audit_log(
        actor=actor,
        action="work_item_completed",
        obj=item,
        data={
            "instance": instance.pk,
            "step": item.task_spec,
            "result": result,
            "new_work_items": _item_ids(created),
            "process_status": instance.status,
        },
    )
    work_item.refresh_from_db()
    return instance


@transaction.atomic
def process_cancel(*, actor: Any, instance: ProcessInstance, reason: str) -> ProcessInstance:
    """Stop a process for good (withdrawn, refused at acceptance): its open items are cancelled."""
    if not (reason or "").strip():
        raise DataError(_("Give a reason for cancelling the process."))
    locked = _lock(instance)
    _require_running(locked, allow_suspended=True)
    workflow = engine.load(locked.state, timezone.localdate())
    engine.cancel(workflow)
    cancelled = list(locked.work_items.filter(status__in=WorkItem.ACTIVE).values_list("pk", flat=True))
    WorkItem.objects.filter(pk__in=cancelled).update(
        status=WorkItem.Status.CANCELLED, lock_version=F("lock_version") + 1
    )
    locked.timers.filter(fired_at__isnull=True).delete()
    _write(
        locked,
        state=engine.dump(workflow),
        status=ProcessInstance.Status.CANCELLED,
        completed_at=timezone.now(),
        suspended_at=None,
        suspended_on=None,
    )
    audit_log(
        actor=actor, action="process_cancelled", obj=locked, data={"reason": reason, "work_items": cancelled}
    )
    _refresh(instance, locked)
    return instance


@transaction.atomic
def process_suspend(
    *, actor: Any, instance: ProcessInstance, on: dt.date, reason: str = ""
) -> ProcessInstance:
    """中止 (Art. 45 特别程序): stop the clock of every open step from ``on``."""
    locked = _lock(instance)
    _require_running(locked)
    _write(locked, suspended_at=timezone.now(), suspended_on=on)
    audit_log(actor=actor, action="process_suspended", obj=locked, data={"on": on, "reason": reason})
    _refresh(instance, locked)
    return instance


@transaction.atomic
def process_resume(*, actor: Any, instance: ProcessInstance, on: dt.date) -> ProcessInstance:
    """恢复: restart the clock; open steps' due dates move later by the working days suspended."""
    locked = _lock(instance)
    _require_running(locked, allow_suspended=True)
    if locked.suspended_on is None:
        raise ProcessStateError(_("The process is not suspended."))
    if on < locked.suspended_on:
        raise DataError(_("The process cannot resume before the day it was suspended."))
    days = working_days_between(locked.suspended_on, on)
    moved = _move_due_dates(locked, days)
    suspended_on = locked.suspended_on
    _write(locked, suspended_at=None, suspended_on=None)
    audit_log(
        actor=actor,
        action="process_resumed",
        obj=locked,
        data={"suspended_on": suspended_on, "on": on, "working_days": days, "work_items": moved},
    )
    _refresh(instance, locked)
    return instance


@transaction.atomic
def work_items_extend(*, actor: Any, instance: ProcessInstance, working_days: int) -> int:
    """延期: add working days to the due date of every open step; returns how many moved.

    Whether an extension is allowed (Art. 42: once, with an approver's sign-off) is the caller's rule.
    """
    if not isinstance(working_days, int) or working_days <= 0:
        raise DataError(_("An extension must be a positive number of working days."))
    locked = _lock(instance)
    _require_running(locked, allow_suspended=True)
    moved = _move_due_dates(locked, working_days)
    _write(locked)
    audit_log(
        actor=actor,
        action="work_items_extended",
        obj=locked,
        data={"working_days": working_days, "work_items": moved},
    )
    _refresh(instance, locked)
    return len(moved)


def _move_due_dates(instance: ProcessInstance, days: int) -> list[int]:
    items = list(
        instance.work_items.select_for_update().filter(status__in=WorkItem.ACTIVE, due_date__isnull=False)
    )
    for item in items:
        assert item.due_date is not None
        WorkItem.objects.filter(pk=item.pk).update(
            due_date=add_working_days(item.due_date, days), lock_version=F("lock_version") + 1
        )
    return _item_ids(items)


def _refresh(target: ProcessInstance, source: ProcessInstance) -> None:
    """Hand the caller's object the values just written (it was not the locked copy)."""
    for field in ProcessInstance._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


@transaction.atomic
def timer_fire(*, timer_id: int, now: dt.datetime | None = None) -> bool:
    """Fire one due timer and advance its process; False when it already fired or cannot fire yet."""
    now = now or timezone.now()
    timer = Timer.objects.filter(pk=timer_id).select_related("instance").first()
    if timer is None:
        return False
    instance = _lock(timer.instance)
    timer = Timer.objects.select_for_update().get(pk=timer_id)
    if timer.fired_at is not None or timer.due_at > now:
        return False
    if instance.status != ProcessInstance.Status.RUNNING or instance.suspended_at:
        return False  # a stopped clock stops timers too; they fire after resume
    today = timezone.localdate(now)
    workflow = engine.load(instance.state, today)
    fired = engine.fire_timer(workflow, timer.task_id)
    Timer.objects.filter(pk=timer.pk).update(fired_at=now)
    if fired:
        created = _sync(instance, workflow, today=today)
        _save_workflow(instance, workflow)
    else:
        created = []
    audit_log(
        actor=SYSTEM,
        action="timer_fired",
        obj=instance,
        data={
            "timer": timer.pk,
            "task_id": timer.task_id,
            "advanced": fired,
            "new_work_items": _item_ids(created),
        },
    )
    return fired


def timers_sweep(*, now: dt.datetime | None = None) -> int:
    """Fire every due timer, each in its own transaction; returns how many fired.

    Idempotent: a timer fires once, however many sweeps run at the same time. One broken
    process (a failing expression) is logged and does not hold back the others.
    """
    now = now or timezone.now()
    due = Timer.objects.filter(
        fired_at__isnull=True,
        due_at__lte=now,
        instance__status=ProcessInstance.Status.RUNNING,
        instance__suspended_at__isnull=True,
    ).values_list("pk", flat=True)
    fired = 0
    for timer_id in list(due[:500]):
        try:
            fired += timer_fire(timer_id=timer_id, now=now)
        except Exception:
            logger.exception("timer_fire_failed timer_id=%s", timer_id)
    return fired
