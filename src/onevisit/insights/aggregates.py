"""The aggregate queries behind the indicators over cases (see ``indicators`` for which cases and
dates count): per-query caching within ``shared_queries()``, grouping, the live counts from the cases,
the daily rollup for the days it covers, working-day durations, sharing calls and limit compression.
Each returns rows or Figures keyed by the group; ``indicators`` turns them into indicators."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from onevisit.cases.models import Case, SuppliedMaterial
from onevisit.catalog.models import Channel, ItemKind, ServiceItem
from onevisit.core.indicators import Figure, Scope
from onevisit.core.models import CalendarDay
from onevisit.exchange.models import DataAccess

GROUPS = ("month", "department", "item", "channel")
DECIDED = (Case.Status.APPROVED, Case.Status.REJECTED)
ONLINE = (Channel.ONLINE, Channel.MOBILE)
NO_PAPER = (SuppliedMaterial.Source.CERTIFICATE, SuppliedMaterial.Source.SHARED_DATA)

Grouped = dict[Any, Figure]

_cache: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar("insights_cache", default=None)


@contextlib.contextmanager
def shared_queries() -> Iterator[None]:
    """Reuse aggregate results within the block (one page): several indicators share one query."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def _cached(key: Any, compute: Callable[[], Any]) -> Any:
    store = _cache.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


FACT = "fact"  # grouping of the daily rollup: (local day, department id, item code, channel)


def _group_exprs(by: str | None, field: str, path: str = "") -> dict[str, Any]:
    if by is None:
        return {}
    if by == "month":
        return {"g_month": TruncMonth(f"{path}{field}")}
    department = {"g_department": F(f"{path}department_id")}
    item = {"g_item": F(f"{path}item_version__item__code")}
    channel = {"g_channel": F(f"{path}channel")}
    if by == FACT:
        return {"g_day": TruncDate(f"{path}{field}"), **department, **item, **channel}
    if by == "department":
        return department
    if by == "item":
        return item
    if by == "channel":
        return channel
    raise ValueError(f"unknown grouping {by!r}")


def _group_key(row: dict[str, Any], names: list[str]) -> Any:
    values = tuple(_key(row.pop(name)) for name in names)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _key(value: Any) -> Any:
    """Normalise a month key (a datetime on some databases) to the first day as a date."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _grouped(
    qs: QuerySet[Any], by: str | None, field: str, aggregates: dict[str, Any], path: str = ""
) -> dict[Any, dict[str, Any]]:
    if by is None:
        return {None: qs.aggregate(**aggregates)}
    exprs = _group_exprs(by, field, path)
    rows = qs.annotate(**exprs).values(*exprs).annotate(**aggregates).order_by()
    return {_group_key(row, list(exprs)): row for row in rows}


# ---- the sets of cases --------------------------------------------------------------------------


def filed_cases(scope: Scope) -> QuerySet[Case]:
    start, end = scope.bounds()
    return Case.objects.filter(submitted_at__gte=start, submitted_at__lt=end).filter(scope.case_q())


def finished_cases(scope: Scope) -> QuerySet[Case]:
    start, end = scope.bounds()
    return Case.objects.filter(
        status__in=Case.FINISHED, submitted_at__isnull=False, decided_at__gte=start, decided_at__lt=end
    ).filter(scope.case_q())


def decided_cases(scope: Scope) -> QuerySet[Case]:
    return finished_cases(scope).filter(status__in=DECIDED)


def instant_item_cases(scope: Scope) -> QuerySet[Case]:
    """Decided cases of 秒批 items (a version with rules)."""
    return decided_cases(scope).filter(item_version__rules__isnull=False)


def _decided_day() -> Any:
    return TruncDate("decided_at")


# ---- the aggregate queries ----------------------------------------------------------------------


def _live_filed(scope: Scope, by: str | None) -> dict[Any, dict[str, Any]]:
    return _grouped(
        filed_cases(scope),
        by,
        "submitted_at",
        {
            "all": Count("pk"),
            "online": Count("pk", filter=Q(channel__in=ONLINE)),
            "mobile": Count("pk", filter=Q(channel=Channel.MOBILE)),
        },
    )


def _live_finished(scope: Scope, by: str | None) -> dict[Any, dict[str, Any]]:
    decided = Q(status__in=DECIDED)
    qs = finished_cases(scope).annotate(decided_day=_decided_day())
    return _grouped(
        qs,
        by,
        "decided_at",
        {
            "finished": Count("pk"),
            "zero": Count("pk", filter=Q(visits=0)),
            "at_most_one": Count("pk", filter=Q(visits__lte=1)),
            "decided": Count("pk", filter=decided),
            "with_due": Count("pk", filter=decided & Q(promised_due__isnull=False)),
            "on_time": Count("pk", filter=decided & Q(decided_day__lte=F("promised_due"))),
            "immediate": Count(
                "pk",
                filter=decided & Q(item_version__kind=ItemKind.IMMEDIATE, decided_day=F("accepted_on")),
            ),
        },
    )


def _live_instant(scope: Scope, by: str | None) -> dict[Any, dict[str, Any]]:
    automatic = Q(decision__decided_by__isnull=True) & ~Q(decision__rule_trace={})
    return _grouped(
        instant_item_cases(scope),
        by,
        "decided_at",
        {"cases": Count("pk"), "automatic": Count("pk", filter=automatic & Q(decision__isnull=False))},
    )


def _live_material(scope: Scope, by: str | None) -> dict[Any, dict[str, Any]]:
    start, end = scope.bounds()
    qs = SuppliedMaterial.objects.filter(
        case__submitted_at__gte=start, case__submitted_at__lt=end, requirement__required=True
    ).filter(scope.case_q("case__"))
    return _grouped(
        qs,
        by,
        "submitted_at",
        {"required": Count("pk"), "no_paper": Count("pk", filter=Q(source__in=NO_PAPER))},
        path="case__",
    )


# ---- the daily rollup, and the cases after it ---------------------------------------------------


def rollup_until() -> dt.date | None:
    """The last day the daily rollup covers, or None when there is none."""
    from .models import Rollup

    return _cached(("rollup",), lambda: Rollup.objects.filter(pk=1).values_list("until", flat=True).first())


FACT_GROUPS = {
    "month": TruncMonth("day"),
    "department": F("department_id"),
    "item": F("item_code"),
    "channel": F("channel"),
}


def _facts(scope: Scope, by: str | None, columns: dict[str, str]) -> dict[Any, dict[str, Any]]:
    from .models import DailyFact

    qs = DailyFact.objects.filter(
        scope.q(region="region_code", department="department_id", item="item_code", channel="channel"),
        day__gte=scope.since,
        day__lte=scope.until,
    )
    sums = {name: Sum(column) for name, column in columns.items()}
    if by is None:
        return {None: qs.aggregate(**sums)}
    if by == "month":  # by day, folded into months here (cheaper than truncating dates in SQLite)
        months: dict[Any, dict[str, Any]] = {}
        for row in qs.values("day").annotate(**sums).order_by():
            into = months.setdefault(row.pop("day").replace(day=1), dict.fromkeys(columns, 0))
            for name in columns:
                into[name] += row[name] or 0
        return {k: row for k, row in months.items() if any(row.values())}
    rows = qs.annotate(g=FACT_GROUPS[by]).values("g").annotate(**sums).order_by()
    # a group whose rows count only other events (e.g. filed, not finished) is not a group here
    return {_key(row.pop("g")): row for row in rows if any(row[name] for name in columns)}


def _rolled(
    name: str, live: Callable[[Scope, str | None], dict[Any, dict[str, Any]]], columns: dict[str, str]
) -> Callable[[Scope, str | None], dict[Any, dict[str, Any]]]:
    """Counts over the scope: from the rollup for the days it covers, from the cases after them."""

    def stats(scope: Scope, by: str | None) -> dict[Any, dict[str, Any]]:
        def run() -> dict[Any, dict[str, Any]]:
            cut = rollup_until()
            if cut is None or scope.since > cut:
                return live(scope, by)
            out = _facts(replace(scope, until=min(scope.until, cut)), by, columns)
            if scope.until > cut:
                for key, row in live(replace(scope, since=cut + dt.timedelta(days=1)), by).items():
                    into = out.setdefault(key, dict.fromkeys(columns, 0))
                    for column in columns:
                        into[column] = (into[column] or 0) + (row[column] or 0)
            return out

        return _cached((name, scope, by), run)

    stats.live = live  # type: ignore[attr-defined]
    return stats


_filed_stats = _rolled(
    "filed", _live_filed, {"all": "filed", "online": "filed_online", "mobile": "filed_mobile"}
)
_finished_stats = _rolled(
    "finished",
    _live_finished,
    {k: k for k in ("finished", "zero", "at_most_one", "decided", "with_due", "on_time", "immediate")},
)
_instant_stats = _rolled("instant", _live_instant, {"cases": "instant_cases", "automatic": "instant_auto"})
_material_stats = _rolled(
    "materials", _live_material, {"required": "materials_required", "no_paper": "materials_no_paper"}
)


def _working_day_ordinals(first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """W(d): the number of working days from ``first`` up to and including d, for every calendar day
    in [first, last]; working days in (a, b] are then W(b) − W(a)."""
    days = (
        CalendarDay.objects.filter(date__gte=first, date__lte=last)
        .order_by("date")
        .values_list("date", "kind")
    )
    working = {CalendarDay.Kind.WORKDAY, CalendarDay.Kind.MAKEUP}
    ordinals: dict[dt.date, int] = {}
    counted = 0
    for day, kind in days:
        counted += kind in working
        ordinals[day] = counted
    return ordinals


def _live_duration(scope: Scope, by: str | None) -> dict[Any, dict[str, Any]]:
    """Working days from acceptance (受理) to decision minus the working days suspended: the sum and
    the number of cases per group.

    Σ duration = Σ W(decision day) − Σ W(acceptance day) − Σ suspended days; the sums are grouped by
    day in SQL (at most one row per day and group), so the cost does not grow with the cases."""
    qs = decided_cases(scope).filter(accepted_on__isnull=False).annotate(decided_day=_decided_day())
    exprs = _group_exprs(by, "decided_at")
    base = qs.annotate(**exprs)
    keys = list(exprs)
    by_decided = (
        base.values(*keys, "decided_day").annotate(n=Count("pk"), susp=Sum("suspended_days")).order_by()
    )
    by_accepted = base.values(*keys, "accepted_on").annotate(n=Count("pk")).order_by()
    decided_rows = list(by_decided)
    accepted_rows = list(by_accepted)
    if not decided_rows:
        return {}
    all_days = [r["decided_day"] for r in decided_rows] + [r["accepted_on"] for r in accepted_rows]
    ordinals = _working_day_ordinals(min(all_days), max(all_days))
    total: dict[Any, float] = defaultdict(float)
    count: dict[Any, int] = defaultdict(int)
    for r in decided_rows:
        day = r["decided_day"]
        k = _group_key(r, keys)
        total[k] += ordinals.get(day, 0) * r["n"] - (r["susp"] or 0)
        count[k] += r["n"]
    for r in accepted_rows:
        day = r["accepted_on"]
        total[_group_key(r, keys)] -= ordinals.get(day, 0) * r["n"]
    return {k: {"sum": total[k], "n": count[k]} for k in count}


_duration_stats = _rolled("duration", _live_duration, {"sum": "duration_sum", "n": "duration_n"})


def _duration(scope: Scope, by: str | None) -> Grouped:
    """Mean working days from acceptance to decision, suspensions excluded."""
    stats = _duration_stats(scope, by)
    return {
        k: Figure(r["sum"] or 0, r["n"] or 0, (r["sum"] or 0) / r["n"] if r["n"] else None)
        for k, r in stats.items()
    }


def _sharing(scope: Scope, by: str | None) -> Grouped:
    def run() -> Grouped:
        start, end = scope.bounds()
        qs = DataAccess.objects.filter(
            scope.q(region="department__region__code", department="department_id"),
            agreement__isnull=False,
            at__gte=start,
            at__lt=end,
        )
        if scope.item_code or scope.channel:
            numbers = Case.objects.filter(scope.case_q(), number__isnull=False).values("number")
            qs = qs.filter(case_ref__in=numbers)
        if by in ("item", "channel"):
            return {}  # a data access names a case only by its number: no breakdown by item or channel
        group = {None: None, "month": TruncMonth("at"), "department": F("department_id")}[by]
        if group is None:
            n = qs.count()
            return {None: Figure(n, n, n)}
        rows = qs.annotate(g=group).values("g").annotate(n=Count("pk")).order_by()
        return {_key(r["g"]): Figure(r["n"], r["n"], r["n"]) for r in rows}

    return _cached(("sharing", scope, by), run)


def _compression(scope: Scope, by: str | None) -> Grouped:
    """Over the items in force in the scope (its period and channel do not apply)."""

    def run() -> Grouped:
        qs = ServiceItem.objects.filter(
            scope.q(region="department__region__code", department="department_id", item="code"),
            status=ServiceItem.Status.ACTIVE,
            current_version__promised_limit_days__isnull=False,
            current_version__statutory_limit_days__gt=0,
        )
        sums = {
            "promised": Sum("current_version__promised_limit_days"),
            "statutory": Sum("current_version__statutory_limit_days"),
        }
        if by in ("month", "channel"):
            return {}
        if by is None:
            rows = {None: qs.aggregate(**sums)}
        else:
            field = "department_id" if by == "department" else "code"
            rows = {r.pop(field): r for r in qs.values(field).annotate(**sums).order_by()}
        out: Grouped = {}
        for k, r in rows.items():
            promised, statutory = r["promised"] or 0, r["statutory"] or 0
            out[k] = Figure(promised, statutory, 1 - promised / statutory if statutory else None)
        return out

    return _cached(("compression", scope, by), run)
