"""Working days (工作日): counted from the calendar table, never guessed.

``add_working_days(start, n)`` is the n-th working day after ``start`` (``start`` itself is not
counted; n = 0 returns ``start``). ``working_days_between(start, end)`` counts working days in
(start, end]. Any date outside the maintained years raises :class:`CalendarMissing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from .models import CalendarDay

MAX_SPAN_DAYS = 3 * 366


class CalendarMissing(Exception):
    """The calendar has no data for a date that a deadline needs."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        super().__init__(
            _(
                "The working-day calendar has no data for %(year)s (needed for %(date)s). "
                "An administrator must add that year before deadlines can be computed."
            )
            % {"year": day.year, "date": day.isoformat()}
        )


def _kinds(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
    return dict(rows)


def _working(kind: str) -> bool:
    return kind in (CalendarDay.Kind.WORKDAY, CalendarDay.Kind.MAKEUP)


def is_working_day(day: dt.date) -> bool:
    kinds = _kinds(day, day)
    if day not in kinds:
        raise CalendarMissing(day)
    return _working(kinds[day])


def add_working_days(start: dt.date, days: int) -> dt.date:
    if days < 0:
        raise ValueError("days must be >= 0")
    if days == 0:
        return start
    # Fetch in windows; long Spring Festival breaks need more than days * 7 / 5.
    window_end = start + dt.timedelta(days=days * 2 + 20)
    counted = 0
    day = start
    while True:
        kinds = _kinds(day + dt.timedelta(days=1), window_end)
        while day < window_end:
            day += dt.timedelta(days=1)
            kind = kinds.get(day)
            if kind is None:
                raise CalendarMissing(day)
            if _working(kind):
                counted += 1
                if counted == days:
                    return day
        if (day - start).days > MAX_SPAN_DAYS:
            raise CalendarMissing(day)
        window_end = day + dt.timedelta(days=(days - counted) * 2 + 20)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when end < start."""
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start)
    kinds = _kinds(start + dt.timedelta(days=1), end)
    expected = (end - start).days
    if len(kinds) != expected:
        day = start + dt.timedelta(days=1)
        while day in kinds:
            day += dt.timedelta(days=1)
        raise CalendarMissing(day)
    return sum(1 for kind in kinds.values() if _working(kind))


def known_years() -> list[int]:
    dates = CalendarDay.objects.dates("date", "year")
    return [d.year for d in dates]


def _days_of(year: int) -> Iterable[dt.date]:
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@transaction.atomic
def calendar_seed(*, years: Iterable[int] | None = None) -> list[int]:
    """Fill the table from chinese-calendar for the years it knows; keeps rows admins edited."""
    import chinese_calendar

    known = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    wanted = [y for y in (years or known) if y in known]
    seeded = []
    for year in wanted:
        existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
        rows = []
        for day in _days_of(year):
            if day in existing:
                continue
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if day in chinese_calendar.workdays:
                kind = CalendarDay.Kind.MAKEUP
            elif on_holiday and name:
                kind = CalendarDay.Kind.HOLIDAY
            elif day.weekday() >= 5:
                kind = CalendarDay.Kind.WEEKEND
            else:
                kind = CalendarDay.Kind.WORKDAY
            label = (
                _holiday_label(name) if kind in (CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP) else ""
            )
            rows.append(CalendarDay(date=day, kind=kind, name=label, source="chinese-calendar"))
        CalendarDay.objects.bulk_create(rows, batch_size=500)
        seeded.append(year)
    return seeded


@transaction.atomic
def calendar_add_year(*, year: int) -> int:
    """Create a year of plain weekdays/weekends for an admin to mark holidays and 调休 on."""
    existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
    rows = [
        CalendarDay(
            date=day,
            kind=CalendarDay.Kind.WEEKEND if day.weekday() >= 5 else CalendarDay.Kind.WORKDAY,
            source="admin",
        )
        for day in _days_of(year)
        if day not in existing
    ]
    CalendarDay.objects.bulk_create(rows, batch_size=500)
    return len(rows)


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_label(name: str | None) -> str:
    if not name:
        return ""
    return _HOLIDAY_NAMES.get(name, name)
