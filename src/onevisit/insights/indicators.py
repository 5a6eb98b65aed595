"""The indicators over cases (RULES.md, 评估指标), in the shape of ``onevisit.core.indicators``.

Every figure is computed by aggregate queries over the cases (never typed in, no per-case Python).
Which cases and which dates count:

- **filed cases** (online, mobile, no-paper rates): cases with ``submitted_at`` in the period.
  A bundle child still ``waiting`` or a draft has no ``submitted_at`` and is never counted.
- **finished cases** (zero-visit, at-most-one-visit rates): cases in a finished status
  (``Case.FINISHED``: approved, rejected, not accepted, withdrawn, terminated) whose ``decided_at``
  (the moment the case ended, also for a withdrawal) falls in the period.
- **decided cases** (immediate, on-time, mean duration, instant rates): finished cases that were
  approved or rejected (a decision on the merits), by ``decided_at``.

Days are local days (``TIME_ZONE``), both ends of the period included. Working days come from the
calendar table (``core.CalendarDay``).

Speed: the counts come from the daily rollup (``models.DailyFact``, rebuilt by ``onevisit
insights_rollup`` and hourly-checked by a periodic task) for the days it covers, and from the cases
for the days after it (indexed by ``submitted_at`` / ``decided_at`` in ``Case.Meta``), summed; the
figures are the same either way (the tests run each one live, half rolled up and fully rolled up).
Sharing calls and limit compression always read their tables directly.

Each indicator has one grouped implementation ``(scope, by) -> {key: Figure}``; ``by`` is ``None``
(the whole scope), ``"month"``, ``"department"``, ``"item"`` or ``"channel"``. ``compute(scope)`` is
the ungrouped case. Within ``shared_queries()`` results are reused, so the several indicators
computed from the same aggregate query cost one query per page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from onevisit.core.indicators import Figure, Indicator, Scope, ratio

from .aggregates import (
    GROUPS,
    Grouped,
    _compression,
    _duration,
    _filed_stats,
    _finished_stats,
    _instant_stats,
    _material_stats,
    _sharing,
    decided_cases,
    filed_cases,
    finished_cases,
    instant_item_cases,
    shared_queries,
)


def _rate(
    stats: Callable[[Scope, str | None], dict[Any, dict[str, Any]]], num: str, den: str
) -> Callable[[Scope, str | None], Grouped]:
    def grouped(scope: Scope, by: str | None) -> Grouped:
        return {k: ratio(r[num] or 0, r[den] or 0) for k, r in stats(scope, by).items()}

    return grouped


GROUPED: dict[str, Callable[[Scope, str | None], Grouped]] = {
    "zero_visit": _rate(_finished_stats, "zero", "finished"),
    "at_most_one_visit": _rate(_finished_stats, "at_most_one", "finished"),
    "online": _rate(_filed_stats, "online", "all"),
    "mobile": _rate(_filed_stats, "mobile", "all"),
    "immediate": _rate(_finished_stats, "immediate", "decided"),
    "compression": _compression,
    "on_time": _rate(_finished_stats, "on_time", "with_due"),
    "duration": _duration,
    "no_paper": _rate(_material_stats, "no_paper", "required"),
    "instant": _rate(_instant_stats, "automatic", "cases"),
    "sharing": _sharing,
}

EMPTY = Figure(0, 0, None)


def _compute(key: str) -> Callable[[Scope], Figure]:
    def compute(scope: Scope) -> Figure:
        return GROUPED[key](scope, None).get(None, EMPTY)

    compute.__name__ = f"compute_{key}"
    return compute


def breakdown(
    indicator: Indicator, scope: Scope, by: str, keys: list[Any] | None = None
) -> dict[Any, Figure]:
    """The indicator per month, department, item or channel. For an indicator of another app
    (without a grouped implementation) it is computed once per key in ``keys`` (months: the first
    day of each month in the scope)."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    if indicator.key in GROUPED and _owns(indicator):
        return GROUPED[indicator.key](scope, by)
    out = {}
    for key in keys or []:
        out[key] = indicator.compute(_narrow(scope, by, key))
    return out


def _owns(indicator: Indicator) -> bool:
    return any(ind is indicator for ind in INDICATORS)


def _narrow(scope: Scope, by: str, key: Any) -> Scope:
    if by == "month":
        last = (key.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return replace(scope, since=max(scope.since, key), until=min(scope.until, last))
    if by == "department":
        return replace(scope, department_id=key)
    if by == "item":
        return replace(scope, item_code=key)
    return replace(scope, channel=key)


def months(scope: Scope) -> list[dt.date]:
    """The first day of every month the scope touches."""
    out = []
    day = scope.since.replace(day=1)
    while day <= scope.until:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def volume_by_month(scope: Scope, by_item: bool = False) -> dict[Any, int]:
    """Cases filed per month (key: month, or (item code, month))."""
    if not by_item:
        return {k: r["all"] or 0 for k, r in _filed_stats(scope, "month").items()}
    out = {}
    for month in months(scope):
        for code, r in _filed_stats(_narrow(scope, "month", month), "item").items():
            out[(code, month)] = r["all"] or 0
    return out


INDICATORS: list[Indicator] = [
    Indicator(
        "zero_visit",
        _("Zero-visit rate (跑零次实现率)"),
        _("Finished cases with no in-person visit ÷ cases finished in the period (by the day they ended)."),
        "%",
        _compute("zero_visit"),
        finished_cases,
    ),
    Indicator(
        "at_most_one_visit",
        _("At-most-one-visit rate (最多跑一次实现率)"),
        _(
            "Finished cases with at most one in-person visit ÷ cases finished in the period (by the day they ended)."
        ),
        "%",
        _compute("at_most_one_visit"),
        finished_cases,
    ),
    Indicator(
        "online",
        _("Online rate (网上办事实现率)"),
        _("Cases filed online or on a mobile phone ÷ all cases filed in the period."),
        "%",
        _compute("online"),
        filed_cases,
    ),
    Indicator(
        "mobile",
        _("Mobile rate (掌上办事实现率)"),
        _("Cases filed on a mobile phone ÷ all cases filed in the period."),
        "%",
        _compute("mobile"),
        filed_cases,
    ),
    Indicator(
        "immediate",
        _("Immediate rate (即办率)"),
        _(
            "Cases of immediate items (即办件) decided on the day they were accepted ÷ all cases decided "
            "(approved or rejected) in the period."
        ),
        "%",
        _compute("immediate"),
        decided_cases,
    ),
    Indicator(
        "compression",
        _("Limit compression (承诺时限压缩比)"),
        _(
            "1 − Σ promised limits ÷ Σ statutory limits, over the items in force (current versions with both "
            "limits); the period and channel do not apply."
        ),
        "%",
        _compute("compression"),
    ),
    Indicator(
        "on_time",
        _("On-time rate (按时办结率)"),
        _(
            "Cases decided on or before their promised due date ÷ cases decided (approved or rejected) in the "
            "period that have a promised due date."
        ),
        "%",
        _compute("on_time"),
        decided_cases,
    ),
    Indicator(
        "duration",
        _("Mean duration (平均办理时长)"),
        _(
            "Mean working days from acceptance to decision, minus the working days suspended, over the cases "
            "decided in the period (working-day calendar)."
        ),
        "days",
        _compute("duration"),
        decided_cases,
    ),
    Indicator(
        "no_paper",
        _("No-paper rate (材料免提交率)"),
        _(
            "Required materials satisfied by an electronic certificate or shared data ÷ required materials "
            "received, in cases filed in the period."
        ),
        "%",
        _compute("no_paper"),
        filed_cases,
    ),
    Indicator(
        "instant",
        _("Instant-approval rate (秒批率)"),
        _(
            "Cases decided by the item's rules without a person ÷ cases decided in the period of items with "
            "rules (秒批事项)."
        ),
        "%",
        _compute("instant"),
        instant_item_cases,
    ),
    Indicator(
        "sharing",
        _("Sharing calls (数据共享调用量)"),
        _("Data accesses made under a sharing agreement in the period."),
        "count",
        _compute("sharing"),
    ),
]

BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
HEADLINE = "at_most_one_visit"

__all__ = ["BY_KEY", "GROUPS", "HEADLINE", "INDICATORS", "breakdown", "shared_queries"]
