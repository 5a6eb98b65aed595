"""Process instances (a running BPMN definition), work items (待办) and timers.

The workflow knows nothing of cases: a case keeps the id of its instance, never the reverse.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onevisit.org.models import Department


class ProcessInstance(models.Model):
    """One run of a BPMN definition; ``state`` is SpiffWorkflow's serialized workflow."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    process_id = models.CharField(_("process id"), max_length=200, help_text=_("The BPMN process id."))
    bpmn_xml = models.TextField(
        _("BPMN definition"),
        help_text=_("Snapshot of the definition the instance runs; it never changes while running."),
    )
    state = models.JSONField(_("engine state"), default=dict, help_text=_("The serialized workflow."))
    data = models.JSONField(_("data"), default=dict, help_text=_("The workflow's data as plain JSON."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_on = models.DateField(
        _("started on"), help_text=_("The date the clock of the first step starts.")
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    suspended_at = models.DateTimeField(
        _("suspended at"), null=True, blank=True, help_text=_("Set while the clock is stopped (Art. 45).")
    )
    suspended_on = models.DateField(
        _("suspended on"), null=True, blank=True, help_text=_("The date the clock stopped.")
    )
    lock_version = models.PositiveIntegerField(
        _("lock version"), default=0, help_text=_("Incremented on every write, for guarded updates.")
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")

    def __str__(self) -> str:
        return f"{self.process_id} #{self.pk}"


class WorkItem(models.Model):
    """待办: one human task of a running process, owned by the department of its lane."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.OPEN, Status.CLAIMED)

    instance = models.ForeignKey(
        ProcessInstance,
        on_delete=models.CASCADE,
        related_name="work_items",
        verbose_name=_("process instance"),
    )
    task_id = models.CharField(_("task id"), max_length=36, help_text=_("The engine task's UUID."))
    task_spec = models.CharField(_("step id"), max_length=200, help_text=_("The BPMN element id."))
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="work_items", verbose_name=_("department")
    )
    candidate_role = models.CharField(
        _("candidate role"), max_length=20, default="officer", help_text=_("Who may take the item.")
    )
    limit_days = models.PositiveIntegerField(
        _("time limit (working days)"), null=True, blank=True, help_text=_("The step's own limit.")
    )
    ready_on = models.DateField(_("ready on"))
    due_date = models.DateField(
        _("due date"), null=True, blank=True, help_text=_("Computed from the working-day calendar.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignee"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("completed by"),
    )
    result = models.JSONField(
        _("result"), default=dict, blank=True, help_text=_("What the officer submitted (decision, opinion).")
    )
    lock_version = models.PositiveIntegerField(_("lock version"), default=0)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["department", "status", "due_date"], name="workitem_inbox")]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")

    def __str__(self) -> str:
        return f"{self.name} ({self.department.code})"


class Timer(models.Model):
    """A BPMN timer event waiting for its due time; the periodic sweep fires it once."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="timers", verbose_name=_("process instance")
    )
    task_id = models.CharField(_("task id"), max_length=36)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    fired_at = models.DateTimeField(_("fired at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["instance", "task_id"], name="workflow_timer_task")]
        verbose_name = _("timer")
        verbose_name_plural = _("timers")

    def __str__(self) -> str:
        return f"{self.instance} timer {self.task_id} @ {self.due_at.isoformat()}"
