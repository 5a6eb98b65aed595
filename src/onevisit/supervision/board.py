"""The supervision screen's reads (电子监察): open cards and open cases against their limits, scoped
to what the user watches (a supervisor: the departments of their region; an officer or approver:
their own departments' cards only), narrowed by filters, most urgent first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from onevisit.cases.models import Case
from onevisit.catalog.models import ServiceItem
from onevisit.core.calendar import CalendarMissing
from onevisit.core.indicators import region_prefix
from onevisit.org.models import Department, Region

from .alarms import WorkingDays
from .models import Alarm
from .orders import watched_departments

CARDS = ("red", "yellow", "none")
STATES = ("open", "closed", "all")
RUNNING = (Case.Status.ACCEPTED, Case.Status.SUSPENDED, Case.Status.CORRECTION)


@dataclass(frozen=True)
class BoardFilters:
    """Already checked against the user's choices by the page; narrowed again here (never widened)."""

    region: str = ""  # region code
    department: str = ""  # department code
    item: str = ""  # service item code
    card: str = ""  # one of CARDS
    state: str = "open"  # of the cards list: one of STATES


def watched_ids(user: Any) -> list[int]:
    """Ids of the departments whose cards the user sees (read once per page)."""
    return list(watched_departments(user).values_list("pk", flat=True))


def regions_watched(departments: list[int]) -> QuerySet[Region]:
    return Region.objects.filter(departments__in=departments).distinct().order_by("code")


def items_watched(departments: list[int]) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(department__in=departments).order_by("code")


def _department_q(filters: BoardFilters, path: str = "") -> Q:
    q = Q()
    if filters.region:
        q &= Q(**{f"{path}department__region__code__startswith": region_prefix(filters.region)})
    if filters.department:
        q &= Q(**{f"{path}department__code": filters.department})
    return q


CASE_HEAVY = ("form_data", "certificate_extra")  # encrypted: never decrypted for a list


def cards_for(*, departments: list[int], filters: BoardFilters) -> QuerySet[Alarm]:
    """The cards of ``departments`` under the filters (the card filter applies red/yellow only),
    red first ("red" < "yellow"), then the earliest due, then the oldest."""
    cards = Alarm.objects.filter(department__in=departments).filter(_department_q(filters))
    if filters.item:
        cards = cards.filter(case__item_version__item__code=filters.item)
    if filters.state == "open":
        cards = cards.filter(closed_at__isnull=True)
    elif filters.state == "closed":
        cards = cards.filter(closed_at__isnull=False)
    if filters.card in ("red", "yellow"):
        cards = cards.filter(level=filters.card)
    elif filters.card == "none":
        cards = cards.none()
    return (
        cards.select_related("case__item_version", "department__region", "work_item", "fee")
        .defer(*(f"case__{name}" for name in CASE_HEAVY))
        .order_by("level", F("due").asc(nulls_last=True), "raised_at", "pk")
    )


def card_counts(*, departments: list[int], filters: BoardFilters) -> dict[str, int]:
    """Open cards per level under every filter but the card filter itself."""
    counts = dict.fromkeys(("red", "yellow"), 0)
    every = BoardFilters(filters.region, filters.department, filters.item, "", "open")
    for row in (
        cards_for(departments=departments, filters=every).order_by().values("level").annotate(n=Count("pk"))
    ):
        counts[row["level"]] = row["n"]
    return counts


def _running(departments: list[int], filters: BoardFilters) -> QuerySet[Case]:
    """Running cases of ``departments``, or with an open card of theirs (a step in joint handling)."""
    # An IN over the open cards' case ids, not an EXISTS: under an OR, PostgreSQL hashes the IN list
    # once but would run an EXISTS once per case.
    theirs = Alarm.objects.filter(closed_at__isnull=True, department__in=departments).values("case_id")
    cases = (
        Case.objects.filter(status__in=RUNNING, accepted_on__isnull=False)
        .filter(Q(department__in=departments) | Q(pk__in=theirs))
        .filter(_department_q(filters))
    )
    if filters.item:
        cases = cases.filter(item_version__item__code=filters.item)
    return cases


def _segments(departments: list[int], filters: BoardFilters) -> dict[str, QuerySet[Case]]:
    """The running cases split by their worst open card the user may see: red, yellow, none. Each is
    a semi- or anti-join on the open cards (never a subquery per case), so it stays fast on many cases."""
    open_cards = Alarm.objects.filter(case=OuterRef("pk"), closed_at__isnull=True, department__in=departments)
    red, any_card = Exists(open_cards.filter(level="red")), Exists(open_cards)
    running = _running(departments, filters)
    return {
        "red": running.filter(red),
        "yellow": running.filter(~red, Exists(open_cards.filter(level="yellow"))),
        "none": running.filter(~any_card),
    }


class UrgentCases:
    """Running cases, most urgent first (red, then yellow, then no card; each by promised date), as a
    sliceable sequence for a ``Paginator``: a page reads only the segments it spans. Each case gets
    ``worst`` ("red", "yellow" or None)."""

    def __init__(
        self, departments: list[int], filters: BoardFilters, counts: dict[str, int] | None = None
    ) -> None:
        segments = _segments(departments, filters)
        wanted = [filters.card] if filters.card else list(CARDS)
        self.segments = [(name, segments[name]) for name in wanted]
        self.departments, self.filters, self._counts = departments, filters, counts

    def counts(self) -> dict[str, int]:
        if self._counts is None:
            self._counts = _count(self.departments, self.filters)
        return self._counts

    def count(self) -> int:
        return sum(self.counts()[name] for name, _cases in self.segments)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Case]:
        start, stop = window.start or 0, window.stop
        rows: list[Case] = []
        for name, cases in self.segments:
            size = self.counts()[name]
            if stop is not None and stop <= 0:
                break
            if start < size:
                end = size if stop is None else min(stop, size)
                ordered = (
                    cases.select_related("item_version__item", "department__region")
                    .defer(*CASE_HEAVY)
                    .order_by(F("promised_due").asc(nulls_last=True), "pk")
                )
                for case in ordered[start:end]:
                    case.worst = None if name == "none" else name  # type: ignore[attr-defined]
                    rows.append(case)
            start, stop = max(0, start - size), None if stop is None else stop - size
        return rows


def cases_for(
    *, departments: list[int], filters: BoardFilters, counts: dict[str, int] | None = None
) -> UrgentCases:
    """``counts``: the counts per card already read (``case_counts``), to count once per page."""
    return UrgentCases(departments, filters, counts)


def _count(departments: list[int], filters: BoardFilters) -> dict[str, int]:
    """Running cases per worst card, under every filter but the card filter: two queries, the cases
    with a card counted from the open cards' side (distinct cases), the rest by difference."""
    cards = Alarm.objects.filter(
        closed_at__isnull=True, department__in=departments, case__status__in=RUNNING,
        case__accepted_on__isnull=False,
    ).filter(_department_q(filters, "case__"))  # fmt: skip
    if filters.item:
        cards = cards.filter(case__item_version__item__code=filters.item)
    carded = cards.aggregate(
        red=Count("case", distinct=True, filter=Q(level="red")), any=Count("case", distinct=True)
    )
    total = _running(departments, filters).count()
    return {"red": carded["red"], "yellow": carded["any"] - carded["red"], "none": total - carded["any"]}


def case_counts(*, departments: list[int], filters: BoardFilters) -> dict[str, int]:
    """Running cases per worst card under every filter but the card filter itself."""
    return _count(departments, filters)


@dataclass(frozen=True)
class CaseRow:
    case: Case
    used: int | None  # working days used of the promised limit (None: the calendar lacks a date)
    allowed: int | None
    cards: list[Alarm]


def case_rows(*, departments: list[int], cases: list[Case], today: dt.date | None = None) -> list[CaseRow]:
    """The time used and the open cards (those of ``departments``) of one page of cases."""
    today = today or timezone.localdate()
    if not cases:
        return []
    days = WorkingDays(min(c.accepted_on or today for c in cases), today)
    cards: dict[int, list[Alarm]] = {}
    for alarm in (
        Alarm.objects.filter(
            case__in=[c.pk for c in cases], closed_at__isnull=True, department__in=departments
        )
        .select_related("work_item", "department", "fee")
        .order_by("level", "due", "pk")
    ):
        cards.setdefault(alarm.case_id, []).append(alarm)
    rows = []
    for case in cases:
        used: int | None
        try:
            used = days.between(case.accepted_on, today) - case.suspended_days if case.accepted_on else None
        except CalendarMissing:
            used = None
        rows.append(CaseRow(case, used, case.item_version.promised_limit_days, cards.get(case.pk, [])))
    return rows


def departments_choices(departments: list[int]) -> QuerySet[Department]:
    return (
        Department.objects.filter(pk__in=departments)
        .select_related("region")
        .order_by("region__code", "order", "code")
    )
