"""Build the daily rollup (``DailyFact``) from the cases, with the same aggregate queries the
indicators use on live cases, grouped by local day, department, item and channel."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from onevisit.core.indicators import Scope
from onevisit.org.models import Department

from . import aggregates as ind
from .models import DailyFact, Rollup

FIRST = dt.date(2000, 1, 1)
BATCH = 2000


@transaction.atomic
def rollup_build(*, until: dt.date | None = None) -> tuple[int, float]:
    """Rebuild the rollup for every day up to ``until`` (default: yesterday, the last whole day).
    Returns the number of rows and the seconds it took."""
    started = time.perf_counter()
    until = until or timezone.localdate() - dt.timedelta(days=1)
    scope = Scope(FIRST, until)
    regions = dict(Department.objects.values_list("pk", "region__code"))
    facts: dict[tuple[Any, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sources = [
        (ind._live_filed, {"all": "filed", "online": "filed_online", "mobile": "filed_mobile"}),
        (ind._live_material, {"required": "materials_required", "no_paper": "materials_no_paper"}),
        (ind._live_finished, {k: k for k in ("finished", "zero", "at_most_one", "decided", "with_due", "on_time", "immediate")}),
        (ind._live_instant, {"cases": "instant_cases", "automatic": "instant_auto"}),
        (ind._live_duration, {"sum": "duration_sum", "n": "duration_n"}),
    ]  # fmt: skip
    for live, columns in sources:
        for key, row in live(scope, ind.FACT).items():
            for name, column in columns.items():
                facts[key][column] += row[name] or 0
    DailyFact.objects.all().delete()
    rows = []
    for (day, department_id, item_code, channel), counts in facts.items():
        values: dict[str, Any] = {c: (v if c == "duration_sum" else int(v)) for c, v in counts.items()}
        rows.append(
            DailyFact(
                day=day,
                region_code=regions.get(department_id, ""),
                department_id=department_id,
                item_code=item_code,
                channel=channel,
                **values,
            )
        )
    DailyFact.objects.bulk_create(rows, batch_size=BATCH)
    seconds = time.perf_counter() - started
    Rollup.objects.update_or_create(pk=1, defaults={"until": until, "seconds": seconds})
    return len(rows), seconds


@transaction.atomic
def rollup_clear() -> None:
    DailyFact.objects.all().delete()
    Rollup.objects.filter(pk=1).delete()
