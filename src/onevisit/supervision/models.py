"""事后核查 (post-checks of approvals on commitment): a reproducible draw and the checks it assigns.

A ``PostCheckDraw`` stores everything needed to draw the same sample again: the population (case ids
in ascending order), the ratio and the seed. ``random.Random(seed)`` first samples the cases, then, in
the order the cases were drawn, two inspectors each from the department's officers (ascending user id).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _evidence_to(instance: PostCheck, filename: str) -> str:
    return f"post-checks/{instance.draw_id}/{instance.pk or 'new'}-{instance.evidence_sha256[:16]}"


class PostCheckDraw(models.Model):
    """One 双随机 draw for one item over the cases approved on a commitment in a date range."""

    item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        related_name="post_check_draws",
        verbose_name=_("service"),
    )
    since = models.DateField(_("decided from"))
    until = models.DateField(_("decided until"))
    ratio = models.PositiveSmallIntegerField(_("ratio (percent)"))
    seed = models.CharField(_("seed"), max_length=64)
    population = models.JSONField(_("population (case ids)"), default=list)
    officers = models.JSONField(_("officers drawn from (user ids)"), default=list)
    sampled = models.JSONField(_("sampled case ids"), default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("post-check draw")
        verbose_name_plural = _("post-check draws")

    def __str__(self) -> str:
        return f"{self.item} {self.since}–{self.until} #{self.pk}"


class PostCheck(models.Model):
    """The check of one sampled case by two drawn inspectors, with its result and evidence."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the check")
        PASSED = "passed", _("Commitment true")
        FALSE_COMMITMENT = "false_commitment", _("False commitment")

    draw = models.ForeignKey(PostCheckDraw, on_delete=models.PROTECT, related_name="checks")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="post_checks")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="post_checks")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(_("result note"), blank=True)
    evidence = models.FileField(upload_to=_evidence_to, blank=True)
    evidence_name = models.CharField(max_length=80, blank=True)
    evidence_type = models.CharField(max_length=40, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["draw", "pk"]
        verbose_name = _("post-check")
        verbose_name_plural = _("post-checks")

    def __str__(self) -> str:
        return f"{self.case} {self.status}"


# ---- 电子监察: alarms (黄牌/红牌) and 督办单 ------------------------------------------------------------


class Alarm(models.Model):
    """A yellow or red card (黄牌/红牌) on one condition of one object, computed by ``alarms``.

    ``key`` names the condition and its object (``case_due:<case id>``, ``step_due:<work item id>``,
    ``fee_not_listed:<fee id>``…); at most one alarm per key is open (a partial unique constraint).
    An alarm is never deleted: it is raised, may be upgraded from yellow to red, and is closed when
    its condition ends; a later recurrence is a new row."""

    class Kind(models.TextChoices):
        CASE_DUE = "case_due", _("Case near or past its promised limit")
        CASE_STATUTORY = "case_statutory", _("Case near or past its statutory limit")
        STEP_DUE = "step_due", _("Step near or past its limit")
        REFUSAL_WITHOUT_BASIS = "refusal_without_basis", _("Refusal without reasons or legal basis")
        FEE_NOT_LISTED = "fee_not_listed", _("Fee not in the service's fee list")

    class Level(models.TextChoices):
        YELLOW = "yellow", _("Yellow card")
        RED = "red", _("Red card")

    key = models.CharField(_("condition"), max_length=60)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    level = models.CharField(_("card"), max_length=6, choices=Level.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="alarms")
    work_item = models.ForeignKey(
        "workflow.WorkItem", null=True, blank=True, on_delete=models.PROTECT, related_name="alarms"
    )
    fee = models.ForeignKey(
        "cases.CaseFee", null=True, blank=True, on_delete=models.PROTECT, related_name="alarms"
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="alarms", verbose_name=_("department")
    )
    due = models.DateField(_("due"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    upgraded_at = models.DateTimeField(_("upgraded to red at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(closed_at__isnull=True),
                name="alarm_one_open_per_condition",
            )
        ]
        indexes = [
            models.Index(fields=["case", "closed_at"], name="alarm_case_open"),
            models.Index(fields=["department", "raised_at"], name="alarm_department_raised"),
            # The screen: open cards, red first ("red" < "yellow"), earliest due first.
            models.Index(
                fields=["level", "due", "raised_at"],
                condition=models.Q(closed_at__isnull=True),
                name="alarm_open_urgent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.level}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SupervisionOrder(models.Model):
    """督办单: a supervisor asks a department to act on a case or an alarm and to reply by a date.

    The department replies once; a reply after ``reply_due`` is recorded as late. A closed order
    takes no reply. Counted in the department's efficiency score (``score``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the reply")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="supervision_orders",
        verbose_name=_("department"),
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="supervision_orders"
    )
    alarm = models.ForeignKey(Alarm, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    message = models.TextField(_("what the department must do"))
    reply_days = models.PositiveSmallIntegerField(_("working days to reply"))
    issued_on = models.DateField(_("issued on"))
    reply_due = models.DateField(_("reply due"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    late = models.BooleanField(_("replied late"), default=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("supervision order (督办单)")
        verbose_name_plural = _("supervision orders (督办单)")
        indexes = [models.Index(fields=["department", "issued_on"], name="order_department_issued")]

    def __str__(self) -> str:
        return f"督办 #{self.pk} {self.department_id} {self.status}"
