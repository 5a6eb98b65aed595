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
