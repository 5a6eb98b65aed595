"""The shape every indicator (评估指标) shares, so apps on the same floor can each compute their own
(``insights`` those over cases, ``feedback`` those over ratings) and the faces can list them together.

An indicator is never typed in: it is a function of a ``Scope`` that returns a ``Figure`` computed by
aggregate queries, and the same function serves the dashboards, the exports and the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and everything under it (GB/T 2260: 330000 → 33,
    330100 → 3301, 330106 → 330106, a 9-digit township → itself)."""
    if len(code) == 6:
        for cut in (2, 4):
            if code[cut:] == "0" * (6 - cut):
                return code[:cut]
    return code


@dataclass(frozen=True)
class Scope:
    """What an indicator is computed over: a period (both days included) and optional filters."""

    since: dt.date
    until: dt.date
    region_code: str | None = None
    department_id: int | None = None
    item_code: str | None = None
    channel: str | None = None

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes [start, end) in local time (so the indexes can be used)."""
        start = timezone.make_aware(dt.datetime.combine(self.since, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time.min))
        return start, end

    def case_q(self, path: str = "") -> Q:
        """The filters (not the period) as a Q over a ``cases.Case``; ``path`` leads from the queried
        model to the case, e.g. ``"case__"``."""
        return self.q(
            region=f"{path}department__region__code", department=f"{path}department_id",
            item=f"{path}item_version__item__code", channel=f"{path}channel",
        )  # fmt: skip

    def q(self, *, region: str, department: str, item: str | None = None, channel: str | None = None) -> Q:
        """The filters (not the period) as a Q over any model, given the field each one applies to:
        ``region`` a region code (matched with its sub-regions), ``department`` an id, ``item`` a
        code, ``channel`` a channel; a filter given no field does not apply."""
        q = Q()
        if self.region_code:
            q &= Q(**{f"{region}__startswith": region_prefix(self.region_code)})
        if self.department_id:
            q &= Q(**{department: self.department_id})
        if self.item_code and item:
            q &= Q(**{item: self.item_code})
        if self.channel and channel:
            q &= Q(**{channel: self.channel})
        return q


@dataclass(frozen=True)
class Figure:
    """One computed value: ``value`` is numerator / denominator (or the mean, for durations);
    ``None`` when there is nothing to compute it over."""

    numerator: float
    denominator: float
    value: float | None


def ratio(numerator: float, denominator: float) -> Figure:
    return Figure(numerator, denominator, numerator / denominator if denominator else None)


@dataclass(frozen=True)
class Indicator:
    """``name`` and ``formula`` are shown to readers (lazy translations); ``unit`` is ``"%"``,
    ``"days"`` or ``"count"``; ``compute`` does the aggregate; ``drill``, when given, returns the
    queryset of the records behind the figure (the caller scopes it to what the reader may see)."""

    key: str
    name: Any
    formula: Any
    unit: str
    compute: Callable[[Scope], Figure]
    drill: Callable[[Scope], Any] | None = None
