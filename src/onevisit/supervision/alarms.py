"""电子监察: yellow and red cards (黄牌/红牌), computed from cases, steps, decisions and fees.

RULES.md "Alarms": a case or step that has used ``ONEVISIT_ALARM_YELLOW_SHARE`` (80 %) of its time,
or is past its promised limit, gets a yellow card; past the statutory limit, a red card. A step has a
single limit: as in the inbox (``workflow.selectors.work_item_urgency``), yellow from 80 % of its time,
red once overdue. A refusal without reasons or legal basis and a fee not in the item's fee list are red.

Time used is counted in working days from acceptance (the calendar table, never guessed) minus the
working days the case was suspended. A suspended case (or one returned for correction after
acceptance) has its clock stopped: its time cards are neither raised, upgraded nor closed until it
runs again.

``alarms_evaluate`` is the one function that computes them: the periodic sweep calls it for every
case, the job run after each timeline line for that one case. It is idempotent: one open alarm per
condition (``Alarm.key``, a partial unique constraint), upgraded yellow → red in place, closed when
the condition ends, never deleted. It works in sets: a few queries whatever the number of cases, the
working-day arithmetic on one load of the calendar, bulk inserts and updates.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Trim
from django.utils import timezone

from onevisit.cases.models import Case, CaseFee, Decision
from onevisit.catalog.models import ItemVersion
from onevisit.core.audit import audit_log
from onevisit.core.calendar import CalendarMissing
from onevisit.core.models import CalendarDay
from onevisit.workflow.models import WorkItem

from .models import Alarm

log = logging.getLogger(__name__)

YELLOW, RED = Alarm.Level.YELLOW.value, Alarm.Level.RED.value
RANK = {YELLOW: 1, RED: 2}
TIME_KINDS = (Alarm.Kind.CASE_DUE, Alarm.Kind.CASE_STATUTORY, Alarm.Kind.STEP_DUE)
CHUNK = 500


def yellow_share() -> Fraction:
    """The share of its time a case or step may use before its yellow card (exact: 0.8 → 4/5)."""
    return Fraction(str(getattr(settings, "ONEVISIT_ALARM_YELLOW_SHARE", 0.8)))


class WorkingDays:
    """Working-day counts over one load of the calendar table: ``between(a, b)`` is
    ``core.calendar.working_days_between(a, b)`` without a query per call. Only the days from
    ``start`` up to the first day the table lacks are known; any other raises ``CalendarMissing``."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.index: dict[dt.date, int] = {}
        rows = (
            CalendarDay.objects.filter(date__gte=start, date__lte=end)
            .order_by("date")
            .values_list("date", "kind")
        )
        expected, count = start, 0
        for day, kind in rows:
            if day != expected:
                break
            count += kind in (CalendarDay.Kind.WORKDAY, CalendarDay.Kind.MAKEUP)
            self.index[day] = count
            expected = day + dt.timedelta(days=1)

    def between(self, start: dt.date, end: dt.date) -> int:
        for day in (start, end):
            if day not in self.index:
                raise CalendarMissing(day)
        return self.index[end] - self.index[start]


@dataclass
class Wanted:
    """An alarm the current state calls for."""

    kind: str
    level: str
    case_id: int
    department_id: int
    work_item_id: int | None = None
    fee_id: int | None = None
    due: dt.date | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        obj = self.work_item_id or self.fee_id or self.case_id
        return f"{self.kind}:{obj}"


@dataclass
class Outcome:
    raised: int = 0
    upgraded: int = 0
    closed: int = 0
    calendar_missing: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


# ---- the conditions ----------------------------------------------------------------------------------


def time_level(
    *, used: int | None, allowed: int | None, overdue: bool, overdue_level: str, share: Fraction | None = None
) -> str | None:
    """The card for a clock: ``overdue_level`` once past the due date, yellow from the share of the
    allowed working days (``share``, the setting by default), none before (or when the share cannot
    be computed)."""
    if overdue:
        return overdue_level
    if used is None or not allowed or allowed <= 0:
        return None  # 即办 (limit 0): due the day it starts, never "almost" late
    share = yellow_share() if share is None else share
    return YELLOW if used * share.denominator >= share.numerator * allowed else None


def _case_alarms(
    rows: Iterable[dict[str, Any]], today: dt.date, days: WorkingDays, outcome: Outcome
) -> list[Wanted]:
    wanted, share = [], yellow_share()
    for row in rows:
        try:
            used: int | None = days.between(row["accepted_on"], today) - row["suspended_days"]
        except CalendarMissing:
            used = None
            outcome.calendar_missing += 1
        common = {"case_id": row["pk"], "department_id": row["department_id"]}
        promised, statutory = (
            row["item_version__promised_limit_days"],
            row["item_version__statutory_limit_days"],
        )
        if promised is not None and row["promised_due"] is not None:
            level = time_level(
                used=used,
                allowed=promised,
                overdue=today > row["promised_due"],
                overdue_level=YELLOW,
                share=share,
            )
            if level:
                detail = {"used": used, "allowed": promised, "overdue": today > row["promised_due"]}
                wanted.append(
                    Wanted(Alarm.Kind.CASE_DUE, level, due=row["promised_due"], detail=detail, **common)
                )
        if statutory is not None and row["statutory_due"] is not None:
            allowed = statutory + row["extension_days"]
            level = time_level(
                used=used,
                allowed=allowed,
                overdue=today > row["statutory_due"],
                overdue_level=RED,
                share=share,
            )
            if level:
                detail = {"used": used, "allowed": allowed, "overdue": today > row["statutory_due"]}
                wanted.append(
                    Wanted(
                        Alarm.Kind.CASE_STATUTORY, level, due=row["statutory_due"], detail=detail, **common
                    )
                )
    return wanted


def _step_alarms(
    rows: Iterable[dict[str, Any]], today: dt.date, days: WorkingDays, outcome: Outcome
) -> list[Wanted]:
    wanted, share = [], yellow_share()
    for row in rows:
        due = row["due_date"]
        try:
            used: int | None = days.between(row["ready_on"], today)
            allowed: int | None = days.between(row["ready_on"], due)
        except CalendarMissing:
            used = allowed = None
            outcome.calendar_missing += 1
        level = time_level(used=used, allowed=allowed, overdue=today > due, overdue_level=RED, share=share)
        if level:
            wanted.append(
                Wanted(
                    Alarm.Kind.STEP_DUE, level, case_id=row["instance__case__id"],
                    department_id=row["department_id"], work_item_id=row["pk"], due=due,
                    detail={"used": used, "allowed": allowed, "overdue": today > due, "step": row["name"]},
                )
            )  # fmt: skip
    return wanted


def _refusal_alarms(cases: Q) -> list[Wanted]:
    refusals = (
        Decision.objects.filter(outcome__in=[Decision.Outcome.REJECT, Decision.Outcome.NOT_ACCEPTED])
        .filter(cases)
        .annotate(r=Trim("reasons"), b=Trim("legal_basis"))
        .filter(Q(r="") | Q(b=""))
        .values("case_id", "case__department_id", "r", "b")
    )
    return [
        Wanted(
            Alarm.Kind.REFUSAL_WITHOUT_BASIS, RED, case_id=row["case_id"], department_id=row["case__department_id"],
            detail={"reasons": bool(row["r"]), "legal_basis": bool(row["b"])},
        )
        for row in refusals
    ]  # fmt: skip


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _plain(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def fee_listed(name: str, amount: Decimal, listed: list[dict[str, Any]]) -> bool:
    """Whether a fee charged is in the item version's fee list: same name (ignoring spaces and
    full-width forms) and, when the listed amount gives numbers, an amount that fits them — equal to
    a fixed amount, a whole multiple of a per-unit one ("80元/件", "每本10元"), within a range
    ("10-50元"). A listed amount without numbers ("按实际成本") accepts any amount."""
    for entry in listed or []:
        if not isinstance(entry, dict) or _plain(str(entry.get("name", ""))) != _plain(name):
            continue
        text = unicodedata.normalize("NFKC", str(entry.get("amount", "")))
        try:
            numbers = [Decimal(n) for n in _NUMBER.findall(text)]
        except InvalidOperation:  # pragma: no cover - the pattern only matches decimals
            numbers = []
        if not numbers:
            return True
        if len(numbers) >= 2 and re.search(r"[-~～至到]", text):
            if min(numbers[:2]) <= amount <= max(numbers[:2]):
                return True
            continue
        unit = numbers[0]
        if "/" in text or "每" in text:
            if unit > 0 and amount % unit == 0:
                return True
        elif amount == unit:
            return True
    return False


def _fee_alarms(cases: Q) -> list[Wanted]:
    fees = list(
        CaseFee.objects.filter(cases).values(
            "pk", "case_id", "case__department_id", "name", "amount", "case__item_version_id"
        )
    )
    listed = dict(
        ItemVersion.objects.filter(pk__in={f["case__item_version_id"] for f in fees}).values_list(
            "pk", "fees"
        )
    )
    return [
        Wanted(
            Alarm.Kind.FEE_NOT_LISTED, RED, case_id=f["case_id"], department_id=f["case__department_id"],
            fee_id=f["pk"], detail={"name": f["name"], "amount": str(f["amount"])},
        )
        for f in fees
        if not fee_listed(f["name"], f["amount"], listed.get(f["case__item_version_id"]) or [])
    ]  # fmt: skip


# ---- the one evaluation -----------------------------------------------------------------------------


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def alarms_evaluate(*, today: dt.date | None = None, case_ids: Iterable[int] | None = None) -> Outcome:
    """Raise, upgrade and close the alarms of every case (or of ``case_ids``) as of ``today``."""
    today = today or timezone.localdate()
    ids = None if case_ids is None else sorted(set(case_ids))
    in_cases = Q() if ids is None else Q(case_id__in=ids)
    outcome = Outcome()
    running = Case.objects.filter(status=Case.Status.ACCEPTED, accepted_on__isnull=False)
    frozen = Case.objects.filter(
        Q(status=Case.Status.SUSPENDED) | Q(status=Case.Status.CORRECTION, accepted_on__isnull=False)
    )
    steps = WorkItem.objects.filter(
        status__in=WorkItem.ACTIVE, due_date__isnull=False, instance__suspended_on__isnull=True,
        instance__case__status=Case.Status.ACCEPTED,
    )  # fmt: skip
    if ids is not None:
        running, frozen = running.filter(pk__in=ids), frozen.filter(pk__in=ids)
        steps = steps.filter(instance__case__in=ids)
    fields = (
        "pk", "department_id", "accepted_on", "promised_due", "statutory_due", "suspended_days",
        "extension_days", "item_version__promised_limit_days", "item_version__statutory_limit_days",
    )  # fmt: skip
    case_rows = cast("list[dict[str, Any]]", list(running.values(*fields)))
    step_rows = cast(
        "list[dict[str, Any]]",
        list(steps.values("pk", "department_id", "ready_on", "due_date", "name", "instance__case__id")),
    )
    starts: list[dt.date] = [r["accepted_on"] for r in case_rows] + [r["ready_on"] for r in step_rows]
    ends: list[dt.date] = [today] + [r["due_date"] for r in step_rows]
    days = WorkingDays(min([*starts, today]), max(ends))
    wanted = {
        w.key: w
        for w in [
            *_case_alarms(case_rows, today, days, outcome),
            *_step_alarms(step_rows, today, days, outcome),
            *_refusal_alarms(in_cases),
            *_fee_alarms(in_cases),
        ]
    }
    frozen_ids = set(frozen.values_list("pk", flat=True))
    open_alarms = Alarm.objects.filter(in_cases, closed_at__isnull=True).values_list(
        "pk", "key", "level", "kind", "case_id", "due"
    )
    close, upgrade, redate, have = [], [], [], set()
    for pk, key, level, kind, case_id, due in open_alarms:
        want = wanted.get(key)
        if want is None:
            if not (kind in TIME_KINDS and case_id in frozen_ids):
                close.append(pk)
            continue
        if RANK[want.level] < RANK[level]:
            close.append(pk)  # better than it was (e.g. an extension): this card ends, a new one starts
            continue
        have.add(key)
        if RANK[want.level] > RANK[level]:
            upgrade.append(pk)
        if want.due != due:
            redate.append((pk, want.due))
    now = timezone.now()
    new = [
        Alarm(
            key=w.key, kind=w.kind, level=w.level, case_id=w.case_id, department_id=w.department_id,
            work_item_id=w.work_item_id, fee_id=w.fee_id, due=w.due, detail=w.detail, raised_at=now,
        )
        for key, w in wanted.items()
        if key not in have
    ]  # fmt: skip
    with transaction.atomic():
        for chunk in _chunks(close):
            outcome.closed += Alarm.objects.filter(pk__in=chunk, closed_at__isnull=True).update(closed_at=now)
        for chunk in _chunks(upgrade):
            outcome.upgraded += Alarm.objects.filter(
                pk__in=chunk, closed_at__isnull=True, level=YELLOW
            ).update(level=RED, upgraded_at=now)
        for pk, due in redate:
            Alarm.objects.filter(pk=pk).update(due=due)
        created = Alarm.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
        outcome.raised = len(created)
        if outcome.raised or outcome.upgraded or outcome.closed:
            audit_log(
                actor="system", action="alarms_evaluated", object_type="supervision.alarm",
                data={**outcome.as_dict(), "today": today.isoformat(), "cases": len(ids) if ids is not None else "all"},
            )  # fmt: skip
    if outcome.calendar_missing:
        log.error(
            "alarms: %d clocks skipped, the working-day calendar lacks their dates", outcome.calendar_missing
        )
    return outcome


def alarms_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """The periodic sweep: every case."""
    return alarms_evaluate(today=today).as_dict()


def alarms_for_case(*, case_id: int, today: dt.date | None = None) -> dict[str, int]:
    """After a timeline line of one case."""
    return alarms_evaluate(today=today, case_ids=[case_id]).as_dict()
