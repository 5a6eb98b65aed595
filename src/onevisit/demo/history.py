"""A year of synthetic case history (历史办件) for the dashboards, the supervision screen and benchmarks.

Numbers are drawn in Python (``random.Random(seed)``, so a seed gives the same history) and written
with ``bulk_create`` in batches: no process instances, no events, no services. What it makes:

- cases over the 365 days before today across the published demo items, their departments and the
  channels each item offers; volume follows the calendar: working days full, weekends and holidays
  low, a dip around the Spring Festival, a peak on the last working days of each month, a mild
  seasonal wave; popular items get more cases (Zipf-like weights);
- durations within the promised limit for most cases, about 6 % late (some still open and overdue),
  about 3 % with a suspension, 即办件 decided on the day of acceptance, most cases of 秒批 items
  decided by their rules (``Decision`` without a person, with a rule trace);
- the required materials of each case with a source (shared data, electronic certificate, upload,
  paper, commitment) and a ``DataAccess`` row for every shared-data lookup (under the sharing
  agreement when the resource needs one);
- synthetic applicants (never users, so no demo login sees these cases in its portal).

Case numbers start with ``H`` and the seed, so a second run with the same seed is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models, reset_queries, transaction
from django.utils import timezone

from onevisit.cases.models import Case, Decision, SuppliedMaterial
from onevisit.catalog.models import Channel, ItemKind, MaterialRequirement, ServiceItem
from onevisit.core import crypto
from onevisit.core.models import CalendarDay
from onevisit.exchange.models import DataAccess, DataResource, SharingAgreement
from onevisit.identity.models import Person
from onevisit.org.models import Role, StaffRole

BATCH = 5000
CHANNEL_WEIGHTS = {
    Channel.MOBILE: 0.45,
    Channel.ONLINE: 0.33,
    Channel.COUNTER: 0.17,
    Channel.KIOSK: 0.03,
    Channel.CROSS_REGION: 0.02,
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇欣怡子涵梓轩雨桐"


@dataclass
class Report:
    cases: int = 0
    finished: int = 0
    open: int = 0
    overdue_open: int = 0
    decisions: int = 0
    automatic: int = 0
    materials: int = 0
    accesses: int = 0
    people: int = 0
    seconds: float = 0.0
    finished_ids: list[int] = field(default_factory=list)


@contextlib.contextmanager
def _keep_given_times(*fields: models.DateTimeField) -> Iterator[None]:
    """Let ``bulk_create`` write the historical times we give instead of "now" (auto_now_add)."""
    saved = [f.auto_now_add for f in fields]
    try:
        for f in fields:
            f.auto_now_add = False
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


class WorkingDays:
    """Working-day arithmetic over the calendar table, in memory (Mon–Fri beyond the known years)."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        kinds = dict(CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "kind"))
        self.kinds: dict[dt.date, str] = {}
        self.working: list[dt.date] = []
        day = first
        while day <= last:
            kind = kinds.get(day) or (
                CalendarDay.Kind.WEEKEND if day.weekday() >= 5 else CalendarDay.Kind.WORKDAY
            )
            self.kinds[day] = kind
            if kind in (CalendarDay.Kind.WORKDAY, CalendarDay.Kind.MAKEUP):
                self.working.append(day)
            day += dt.timedelta(days=1)

    def is_working(self, day: dt.date) -> bool:
        return self.kinds.get(day) in (CalendarDay.Kind.WORKDAY, CalendarDay.Kind.MAKEUP)

    def count_to(self, day: dt.date) -> int:
        """Working days up to and including ``day``."""
        return bisect_right(self.working, day)

    def add(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (``day`` itself for n = 0)."""
        if n == 0:
            return day
        index = self.count_to(day) + n - 1
        return self.working[min(index, len(self.working) - 1)]

    def on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_working(day) else self.add(day, 1)


def day_weights(days: list[dt.date], calendar: WorkingDays) -> list[float]:
    """Relative volume of each day: weekday, holidays, Spring Festival dip, month-end peak, season."""
    holidays = [d for d in days if calendar.kinds[d] == CalendarDay.Kind.HOLIDAY]
    festival = _spring_festival(holidays)
    weights = []
    for day in days:
        kind = calendar.kinds[day]
        if kind == CalendarDay.Kind.HOLIDAY:
            w = 0.08
        elif kind == CalendarDay.Kind.WEEKEND:
            w = 0.22
        else:
            w = {0: 1.12, 4: 0.94}.get(day.weekday(), 1.0)
        if festival and abs((day - festival).days) <= 12:
            w *= 0.55  # people go home before and come back slowly after the Spring Festival
        month_end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if calendar.is_working(day) and calendar.count_to(month_end) - calendar.count_to(day) < 3:
            w *= 1.45  # the last three working days of the month
        w *= 1 + 0.08 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
        weights.append(w)
    return weights


def _spring_festival(holidays: list[dt.date]) -> dt.date | None:
    """The middle of the longest run of holidays in January–February."""
    runs: list[list[dt.date]] = []
    for day in sorted(d for d in holidays if d.month <= 2):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if not runs:
        return None
    longest = max(runs, key=len)
    return longest[len(longest) // 2]


def _id_number(rng: random.Random, index: int) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    body = f"330106{birth:%Y%m%d}{index % 1000:03d}"
    factors = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * f for c, f in zip(body, factors, strict=True)) % 11]
    return body + check


def _people(rng: random.Random, count: int, seed: int) -> list[int]:
    people = []
    for i in range(count):
        number = _id_number(rng, i)
        digest = crypto.lookup_hash(f"history-{seed}-{i}-{number}")
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        people.append(Person(name=name, id_number_encrypted=crypto.encrypt(number), id_number_hash=digest))
    existing = set(
        Person.objects.filter(id_number_hash__in=[p.id_number_hash for p in people]).values_list(
            "id_number_hash", flat=True
        )
    )
    Person.objects.bulk_create([p for p in people if p.id_number_hash not in existing], batch_size=1000)
    return list(
        Person.objects.filter(id_number_hash__in=[p.id_number_hash for p in people]).values_list(
            "pk", flat=True
        )
    )


@dataclass
class ItemPlan:
    version_id: int
    department_id: int
    item_name: str
    kind: str
    promised: int
    statutory: int | None
    channels: list[str]
    channel_weights: list[float]
    instant: bool
    requirements: list[MaterialRequirement]
    officers: list[int]
    legal_basis: str = ""


def _plans() -> list[ItemPlan]:
    items = (
        ServiceItem.objects.filter(status=ServiceItem.Status.ACTIVE, current_version__isnull=False)
        .select_related("current_version")
        .order_by("code")
    )
    officers: dict[int, list[int]] = {}
    for user_id, department_id in StaffRole.objects.filter(
        role__in=(Role.OFFICER, Role.APPROVER)
    ).values_list("user_id", "department_id"):
        officers.setdefault(department_id, []).append(user_id)
    plans = []
    for item in items:
        version = item.current_version
        assert version is not None
        channels = [c for c in CHANNEL_WEIGHTS if c in (version.channels or [])] or [Channel.COUNTER]
        plans.append(
            ItemPlan(
                version_id=version.pk,
                department_id=item.department_id,
                item_name=version.name,
                kind=version.kind,
                promised=version.promised_limit_days or 0,
                statutory=version.statutory_limit_days,
                channels=[str(c) for c in channels],
                channel_weights=[CHANNEL_WEIGHTS[Channel(c)] for c in channels],
                instant=hasattr(version, "rules"),
                requirements=list(version.materials.filter(required=True).order_by("order", "pk")),
                officers=sorted(officers.get(item.department_id, [])),
                legal_basis="；".join(
                    f"{b.get('law', '')}{b.get('article', '')}" for b in version.legal_basis or []
                )
                or version.name,
            )
        )
    return plans


def _time_of_day(rng: random.Random, channel: str) -> dt.time:
    if channel in (Channel.ONLINE, Channel.MOBILE):
        hour = min(23, max(0, int(rng.gauss(14, 4.5))))
    else:
        hour = rng.choice((9, 9, 10, 10, 10, 11, 11, 14, 14, 15, 15, 16))
    return dt.time(hour, rng.randrange(60), rng.randrange(60))


def generate(
    *, cases: int, seed: int, today: dt.date | None = None, progress: Callable[[str], None] | None = None
) -> Report:
    """Write ``cases`` synthetic cases; return what was made (and the ids of the finished cases)."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    rng = random.Random(seed)
    today = today or timezone.localdate()
    prefix = f"H{seed}-"
    if Case.objects.filter(number__startswith=prefix).exists():
        raise ValueError(
            f"history with seed {seed} already exists (case numbers {prefix}…); use another seed"
        )
    plans = _plans()
    if not plans:
        raise ValueError("no published items: load the demo catalogue first (onevisit loaddemo)")
    first = today - dt.timedelta(days=365)
    calendar = WorkingDays(first - dt.timedelta(days=10), today + dt.timedelta(days=400))
    days = [first + dt.timedelta(days=i) for i in range(365)]
    weights = day_weights(days, calendar)
    total = sum(weights)
    per_day = [int(cases * w / total) for w in weights]
    for i in rng.sample(range(len(days)), cases - sum(per_day)):  # the remainders, at random
        per_day[i] += 1
    item_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(plans))]
    rng.shuffle(item_weights)
    report = Report()
    people = _people(rng, max(50, min(5000, cases // 20)), seed)
    report.people = len(people)
    say(
        f"{len(plans)} items, {len(people)} applicants, {cases} cases from {first} to {today - dt.timedelta(days=1)}"
    )

    agreements = {
        (resource, consumer): pk
        for pk, resource, consumer in SharingAgreement.objects.filter(revoked_at__isnull=True).values_list(
            "pk", "resource__code", "consumer_id"
        )
    }
    resources = dict(DataResource.objects.values_list("code", "pk"))
    tz = timezone.get_current_timezone()
    counter = 0
    pending: list[tuple[Case, ItemPlan, dict[str, Any]]] = []

    def flush() -> None:
        _write(pending, report, rng, agreements, resources)
        pending.clear()
        reset_queries()  # under DEBUG (the demo), Django keeps the last 9,000 statements: megabytes each

    with _keep_given_times(
        Case._meta.get_field("created_at"),
        Decision._meta.get_field("decided_at"),
        SuppliedMaterial._meta.get_field("created_at"),
        DataAccess._meta.get_field("at"),
    ):
        for day, n in zip(days, per_day, strict=True):
            for plan in rng.choices(plans, weights=item_weights, k=n):
                counter += 1
                pending.append(_one_case(rng, plan, day, today, calendar, tz, people, prefix, counter))
                if len(pending) >= BATCH:
                    flush()
                    if counter % 50000 < BATCH:
                        say(f"  {counter} cases ({time.perf_counter() - started:.0f} s)")
        flush()
    report.seconds = time.perf_counter() - started
    return report


def _one_case(
    rng: random.Random,
    plan: ItemPlan,
    day: dt.date,
    today: dt.date,
    calendar: WorkingDays,
    tz: Any,
    people: list[int],
    prefix: str,
    counter: int,
) -> tuple[Case, ItemPlan, dict[str, Any]]:
    channel = rng.choices(plan.channels, weights=plan.channel_weights)[0]
    in_person = channel not in (Channel.ONLINE, Channel.MOBILE)
    if in_person and not calendar.is_working(day):
        day = calendar.on_or_after(day)  # the centres are closed: the counter case waits for Monday
    submitted = dt.datetime.combine(day, _time_of_day(rng, channel), tzinfo=tz)
    accepted = (
        day if in_person else calendar.on_or_after(day if rng.random() < 0.7 else day + dt.timedelta(days=1))
    )
    if plan.kind == ItemKind.IMMEDIATE:
        accepted = calendar.on_or_after(day)
    promised_due = calendar.add(accepted, plan.promised)
    statutory_due = calendar.add(accepted, plan.statutory) if plan.statutory else None
    late = rng.random() < 0.06
    suspended = rng.randint(2, 10) if rng.random() < 0.03 and plan.promised > 0 else 0
    automatic = plan.instant and rng.random() < 0.85
    if plan.kind == ItemKind.IMMEDIATE or automatic:
        duration = 0 if rng.random() < 0.92 else rng.randint(1, 2)
    elif late:
        duration = plan.promised + rng.randint(1, 6)
    else:
        duration = rng.randint(max(0, plan.promised // 4), max(0, plan.promised))
    decided_day = calendar.add(accepted, duration + suspended)
    roll = rng.random()
    outcome = "approve"
    status = Case.Status.APPROVED
    if roll < 0.03:
        status, outcome, decided_day, accepted = Case.Status.WITHDRAWN, "", calendar.add(day, 1), None  # type: ignore[assignment]
    elif roll < 0.06:
        status, outcome, decided_day = Case.Status.NOT_ACCEPTED, "not_accepted", calendar.on_or_after(day)
        accepted = None  # type: ignore[assignment]
    elif roll < 0.11:
        status, outcome = Case.Status.REJECTED, "reject"
    visits = 0
    if in_person:
        visits = 1 if rng.random() < 0.93 else 2
    elif rng.random() < 0.04:
        visits = 1  # came to fetch a paper certificate
    extra: dict[str, Any] = {"automatic": automatic and outcome in ("approve", "reject"), "outcome": outcome}
    is_open = decided_day >= today
    if is_open:
        status, extra["outcome"] = Case.Status.ACCEPTED, ""
        if accepted is None:
            accepted = calendar.on_or_after(day)
    decided_at = None
    if not is_open:
        hour = 9 if (automatic or plan.kind == ItemKind.IMMEDIATE) else rng.randint(9, 17)
        decided_at = dt.datetime.combine(decided_day, dt.time(hour, rng.randrange(60)), tzinfo=tz)
        if decided_at < submitted:
            decided_at = submitted + dt.timedelta(minutes=rng.randint(1, 50))
    case = Case(
        number=f"{prefix}{counter:08d}",
        item_version_id=plan.version_id,
        department_id=plan.department_id,
        applicant_person_id=rng.choice(people),
        channel=channel,
        status=status,
        form_data={},
        created_at=submitted - dt.timedelta(minutes=rng.randint(3, 40)),
        submitted_at=submitted,
        accepted_on=accepted,
        decided_at=decided_at,
        promised_due=promised_due if accepted else None,
        statutory_due=statutory_due if accepted else None,
        suspended_days=suspended if accepted else 0,
        visits=visits,
    )
    return case, plan, extra


def _material_source(rng: random.Random, requirement: MaterialRequirement, channel: str) -> str:
    S = SuppliedMaterial.Source
    if requirement.shared_data and rng.random() < 0.92:
        return S.SHARED_DATA
    if requirement.certificate_type and rng.random() < 0.85:
        return S.CERTIFICATE
    if requirement.commitment_replaceable and rng.random() < 0.3:
        return S.COMMITMENT
    return S.UPLOAD if channel in (Channel.ONLINE, Channel.MOBILE) else S.PAPER


@transaction.atomic
def _write(
    pending: list[tuple[Case, ItemPlan, dict[str, Any]]],
    report: Report,
    rng: random.Random,
    agreements: dict[tuple[str, int], int],
    resources: dict[str, int],
) -> None:
    if not pending:
        return
    Case.objects.bulk_create([case for case, _plan, _extra in pending], batch_size=1000)
    decisions, materials, accesses = [], [], []
    for case, plan, extra in pending:
        report.cases += 1
        if case.decided_at is None:
            report.open += 1
            if case.promised_due and case.promised_due < timezone.localdate():
                report.overdue_open += 1
        else:
            report.finished += 1
            report.finished_ids.append(case.pk)
        if extra["outcome"] in ("approve", "reject") and case.decided_at is not None:
            automatic = extra["automatic"]
            decisions.append(
                Decision(
                    case_id=case.pk,
                    outcome=extra["outcome"],
                    reasons="" if extra["outcome"] == "approve" else "不符合申请条件。",
                    legal_basis=plan.legal_basis,  # a refusal always states its basis
                    decided_by_id=None if automatic or not plan.officers else rng.choice(plan.officers),
                    decided_at=case.decided_at,
                    rule_trace={"source": "demo_history", "rules": "秒批"} if automatic else {},
                )
            )
            report.automatic += automatic
        for requirement in plan.requirements:
            source = _material_source(rng, requirement, case.channel)
            when = case.submitted_at or case.created_at
            materials.append(
                SuppliedMaterial(
                    case_id=case.pk,
                    requirement_id=requirement.pk,
                    source=source,
                    reference=requirement.shared_data or requirement.certificate_type or "",
                    created_at=when,
                )
            )
            if source == SuppliedMaterial.Source.SHARED_DATA and requirement.shared_data in resources:
                accesses.append(
                    DataAccess(
                        at=when,
                        kind=DataAccess.Kind.SHARED_DATA,
                        subject_person_id=case.applicant_person_id,
                        resource_id=resources[requirement.shared_data],
                        agreement_id=agreements.get((requirement.shared_data, plan.department_id)),
                        department_id=plan.department_id,
                        role="system",
                        case_ref=case.number or "",
                        purpose=f"办理{plan.item_name}",
                    )
                )
    Decision.objects.bulk_create(decisions, batch_size=2000)
    SuppliedMaterial.objects.bulk_create(materials, batch_size=2000)
    DataAccess.objects.bulk_create(accesses, batch_size=2000)
    report.decisions += len(decisions)
    report.materials += len(materials)
    report.accesses += len(accesses)


def fingerprint(report: Report) -> str:
    """A short digest of what was made (the same seed and day give the same one)."""
    text = f"{report.cases}/{report.finished}/{report.open}/{report.decisions}/{report.materials}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]
