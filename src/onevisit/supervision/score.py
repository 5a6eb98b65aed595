"""A department's efficiency score (效能评分) over a period, from its record, with its calculation.

    score = max(0, 100 − 2 × yellow cards − 5 × red cards − 5 × late replies − 8 × unanswered overdue)

- yellow / red cards: alarms raised on the department in the period, at their highest level (a card
  upgraded to red counts once, as red), whether still open or closed since: a card closed later was
  still a lapse in the period;
- late replies: 督办单 issued in the period and answered after their reply date;
- unanswered overdue: 督办单 issued in the period with no reply, whose reply date passed (before
  ``today``, or before the supervisor closed it). Not answering weighs more than answering late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevisit.org.models import Department

from .models import Alarm, SupervisionOrder

START = 100
WEIGHTS = {"yellow": 2, "red": 5, "late": 5, "unanswered": 8}
LABELS = {
    "yellow": _("yellow cards"),
    "red": _("red cards"),
    "late": _("late replies to 督办单"),
    "unanswered": _("督办单 unanswered after the reply date"),
}
MAX_DAYS = 366


@dataclass(frozen=True)
class Term:
    name: str
    label: str
    count: int
    weight: int

    @property
    def points(self) -> int:
        return self.count * self.weight


@dataclass(frozen=True)
class DepartmentScore:
    department: Department
    terms: list[Term]

    @property
    def deducted(self) -> int:
        return sum(t.points for t in self.terms)

    @property
    def score(self) -> int:
        return max(0, START - self.deducted)

    @property
    def calculation(self) -> str:
        parts = "".join(f" − {t.weight}×{t.count}" for t in self.terms)
        return f"max(0, {START}{parts}) = {self.score}"


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return start, end


def department_scores(
    *, departments: Any, since: dt.date, until: dt.date, today: dt.date | None = None
) -> list[DepartmentScore]:
    """The score of each department over [since, until], worst first."""
    today = today or timezone.localdate()
    start, end = _bounds(since, until)
    departments = list(departments)
    ids = [d.pk for d in departments]
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(WEIGHTS, 0) for pk in ids}
    cards = (
        Alarm.objects.filter(department_id__in=ids, raised_at__gte=start, raised_at__lt=end)
        .values("department_id", "level")
        .annotate(n=Count("pk"))
    )
    for row in cards:
        counts[row["department_id"]][row["level"]] += row["n"]
    orders = (
        SupervisionOrder.objects.filter(department_id__in=ids, issued_on__gte=since, issued_on__lte=until)
        .values("department_id")
        .annotate(
            late=Count("pk", filter=Q(late=True)),
            unanswered=Count(
                "pk",
                filter=Q(replied_at__isnull=True)
                & (
                    Q(closed_at__isnull=True, reply_due__lt=today)
                    | Q(closed_at__isnull=False, closed_at__date__gt=F("reply_due"))
                ),
            ),
        )
    )
    for row in orders:
        counts[row["department_id"]]["late"] += row["late"]
        counts[row["department_id"]]["unanswered"] += row["unanswered"]
    scores = [
        DepartmentScore(
            department=d,
            terms=[
                Term(name, str(LABELS[name]), counts[d.pk][name], weight) for name, weight in WEIGHTS.items()
            ],
        )
        for d in departments
    ]
    return sorted(scores, key=lambda s: (s.score, s.department.region.code, s.department.code))
