"""Next month's volume per item, for staffing (业务量预测). Simple on purpose, so anyone can check it:

    forecast(item) = mean of the item's cases filed in the last 3 full months
                     × seasonal ratio of the month forecast

    seasonal ratio = all cases filed in that calendar month one year earlier
                     ÷ mean monthly cases over the 12 full months before this month

The ratio is over all items (one item's own year is too noisy) and is 1 when the month a year
earlier is not wholly in the data (no cases in the month before it). The filters of the scope (region, department, item, channel)
apply; its period does not: the forecast is always from today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from onevisit.catalog.models import ServiceItem
from onevisit.core.indicators import Scope

from .indicators import volume_by_month


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Forecast:
    month: dt.date  # the month forecast (first day)
    basis: list[dt.date]  # the 3 months averaged
    seasonal_ratio: float
    same_month_last_year: int | None
    yearly_mean: float
    rows: list[tuple[str, str, list[int], float, int]]  # code, name, last 3 months, mean, forecast


def forecast(scope: Scope, *, today: dt.date) -> Forecast:
    this_month = today.replace(day=1)
    target = _add_months(this_month, 1)
    basis = [_add_months(this_month, -3), _add_months(this_month, -2), _add_months(this_month, -1)]
    year = [_add_months(this_month, -i) for i in range(12, 0, -1)]
    last_year = _add_months(target, -12)
    before = _add_months(last_year, -1)
    window = replace(scope, since=min(before, year[0]), until=this_month - dt.timedelta(days=1))
    totals = volume_by_month(window)
    per_item = volume_by_month(replace(window, since=basis[0]), by_item=True)
    yearly_mean = sum(totals.get(m, 0) for m in year) / 12
    covered = totals.get(before, 0) > 0  # the data began before that month: it is whole
    same = totals.get(last_year, 0) if covered else None
    ratio = same / yearly_mean if (same is not None and yearly_mean) else 1.0
    codes = sorted({code for code, _m in per_item})
    names = dict(ServiceItem.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for code in codes:
        counts = [per_item.get((code, m), 0) for m in basis]
        mean = sum(counts) / 3
        rows.append((code, names.get(code, code), counts, mean, round(mean * ratio)))
    rows.sort(key=lambda r: (-r[4], r[0]))
    return Forecast(target, basis, ratio, same, yearly_mean, rows)
