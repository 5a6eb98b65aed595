"""Daily rollup of the indicators over cases (日汇总), so dashboards over millions of cases stay fast.

One row per local day and (department, item, channel) holds the counts behind the indicators;
rebuilt by ``onevisit insights_rollup`` up to a day (by default yesterday). The indicators read the
rollup for the days it covers and the cases themselves for the days after, so figures are always
current (see ``indicators.py``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

COUNTS = (
    # by the day the case was filed (submitted_at)
    "filed", "filed_online", "filed_mobile", "materials_required", "materials_no_paper",
    # by the day the case ended (decided_at)
    "finished", "zero", "at_most_one", "decided", "with_due", "on_time", "immediate",
    "instant_cases", "instant_auto", "duration_n",
)  # fmt: skip


class DailyFact(models.Model):
    day = models.DateField()
    region_code = models.CharField(max_length=12)
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    item_code = models.CharField(max_length=40)
    channel = models.CharField(max_length=16)
    filed = models.PositiveIntegerField(default=0)
    filed_online = models.PositiveIntegerField(default=0)
    filed_mobile = models.PositiveIntegerField(default=0)
    materials_required = models.PositiveIntegerField(default=0)
    materials_no_paper = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    zero = models.PositiveIntegerField(default=0)
    at_most_one = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    with_due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    immediate = models.PositiveIntegerField(default=0)
    instant_cases = models.PositiveIntegerField(default=0)
    instant_auto = models.PositiveIntegerField(default=0)
    duration_n = models.PositiveIntegerField(default=0)
    duration_sum = models.FloatField(default=0)

    class Meta:
        verbose_name = _("daily indicator rollup")
        verbose_name_plural = _("daily indicator rollups")
        indexes = [models.Index(fields=["day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "department", "item_code", "channel"], name="insights_fact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.item_code} {self.channel}"


class Rollup(models.Model):
    """The single row saying up to which day (included) ``DailyFact`` is complete."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    until = models.DateField()
    built_at = models.DateTimeField(auto_now=True)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"rollup until {self.until}"
