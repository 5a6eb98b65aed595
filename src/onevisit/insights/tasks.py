"""Background job of insights: keep the daily rollup up to yesterday.

Huey's clock is UTC, so the check runs every hour (35 minutes past) and rebuilds only when the rollup
ends before yesterday (local time): once a day, soon after local midnight, whatever TIME_ZONE is.
Between rebuilds the indicators read the cases after the rollup directly, so nothing is stale.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import Rollup
from .rollup import rollup_build


@task()
def insights_rollup() -> int:
    """Rebuild the rollup up to yesterday if it ends earlier; return the rows written (0 if none)."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    until = Rollup.objects.filter(pk=1).values_list("until", flat=True).first()
    if until is not None and until >= yesterday:
        return 0
    rows, _seconds = rollup_build(until=yesterday)
    return rows


@db_periodic_task(crontab(minute="35"))
def insights_rollup_periodic() -> None:
    insights_rollup.enqueue()
