"""电子监察 at scale: the supervision screen and the alarm sweep over many open cases, against
``SELECT count(*)`` of the cases table in the same interleaved run; peak RSS of the process.

    .venv/bin/python -m benchmarks.supervision_load                      # 100k open cases, PostgreSQL
    .venv/bin/python -m benchmarks.supervision_load --open 20000 --finished 20000 --keep

It (re)creates its own database (``--db``, default postgres://postgres@127.0.0.1:5432/bench_sup),
migrates, loads the demo catalogue and staff, then bulk-creates ``--open`` running cases (90 %
accepted, 5 % suspended, 5 % returned for correction; accepted 0–60 calendar days before TODAY on
the demo items of every department in 杭州), half of them with an open step (process instance +
work item, due by the step's limit), and ``--finished`` decided cases (2 % refused without legal
basis), plus a fee on 1 % of the open cases (a quarter not in the item's fee list). Deterministic
(fixed seed). The screen is requested by the demo supervisor (330100: every department of 杭州)
through Django's test Client in process.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

TODAY = dt.date(2026, 11, 26)
SEED = 20261126
BATCH = 2000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recreate(db_url: str) -> None:
    url = urlparse(db_url)
    name = url.path.lstrip("/")
    maintenance = db_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["dropdb", "--if-exists", f"--maintenance-db={maintenance}", name], check=True)
    subprocess.run(["createdb", f"--maintenance-db={maintenance}", name], check=True)


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    from onevisit.core.models import CalendarDay

    return list(
        CalendarDay.objects.filter(date__gte=start, date__lte=end, kind__in=["workday", "makeup"])
        .order_by("date")
        .values_list("date", flat=True)
    )


def generate(open_cases: int, finished: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from onevisit.cases.models import Case, CaseFee, Decision
    from onevisit.catalog.models import ItemVersion
    from onevisit.identity.models import Person
    from onevisit.workflow.models import ProcessInstance, WorkItem

    rng = random.Random(SEED)
    versions = list(
        ItemVersion.objects.filter(
            state="published", item__department__region__code__startswith="3301",
            promised_limit_days__isnull=False, statutory_limit_days__isnull=False,
        ).select_related("item__department")
    )  # fmt: skip
    person = Person.objects.order_by("pk").first()
    days = working_days(TODAY - dt.timedelta(days=120), dt.date(2026, 12, 31))

    def add(start: dt.date, n: int) -> dt.date | None:
        i = bisect.bisect_right(days, start) + n - 1
        return days[i] if n > 0 and i < len(days) else (start if n == 0 else None)

    started = time.perf_counter()
    now = timezone.now()
    statuses = ["accepted"] * 90 + ["suspended"] * 5 + ["correction"] * 5
    made = 0
    while made < open_cases:
        rows, instances, pending_items = [], [], []
        for _ in range(min(BATCH, open_cases - made)):
            version = rng.choice(versions)
            on = TODAY - dt.timedelta(days=rng.randint(0, 60))
            promised, statutory = add(on, version.promised_limit_days), add(on, version.statutory_limit_days)
            case = Case(
                number=f"B{made:011d}", item_version=version, department=version.item.department,
                applicant_person=person, channel=rng.choice(["online", "mobile", "counter"]),
                status=rng.choice(statuses), accepted_on=on, submitted_at=now, promised_due=promised,
                statutory_due=statutory,
            )  # fmt: skip
            if made % 2 == 0:
                instance = ProcessInstance(process_id="bench", bpmn_xml="<bench/>", started_on=on)
                instances.append(instance)
                ready = on + dt.timedelta(days=rng.randint(0, 10))
                pending_items.append(
                    (case, instance, version.item.department_id, ready, rng.choice([1, 2, 3, 5]))
                )
            rows.append(case)
            made += 1
        with transaction.atomic():
            ProcessInstance.objects.bulk_create(instances, batch_size=BATCH)
            for case, instance, _d, _r, _l in pending_items:
                case.process_instance = instance
            Case.objects.bulk_create(rows, batch_size=BATCH)
            WorkItem.objects.bulk_create(
                [
                    WorkItem(instance=instance, task_id=f"t{case.number}", task_spec="review", name="审查",
                             department_id=department, limit_days=limit, ready_on=ready,
                             due_date=add(ready, limit))
                    for case, instance, department, ready, limit in pending_items
                ],
                batch_size=BATCH,
            )  # fmt: skip
            fees = [
                CaseFee(
                    case=c,
                    name=rng.choice(["工本费", "工本费", "工本费", "加急费"]),
                    amount=rng.choice([10, 80]),
                )
                for c in rows
                if rng.random() < 0.01
            ]
            CaseFee.objects.bulk_create(fees, batch_size=BATCH)
    made = 0
    while made < finished:
        rows = []
        for _ in range(min(BATCH, finished - made)):
            version = rng.choice(versions)
            on = TODAY - dt.timedelta(days=rng.randint(30, 110))
            rows.append(
                Case(
                    number=f"F{made:011d}", item_version=version, department=version.item.department,
                    applicant_person=person, channel="online", status=rng.choice(["approved"] * 9 + ["rejected"]),
                    accepted_on=on, submitted_at=now, decided_at=now,
                )
            )  # fmt: skip
            made += 1
        with transaction.atomic():
            Case.objects.bulk_create(rows, batch_size=BATCH)
            Decision.objects.bulk_create(
                [
                    Decision(case=c, outcome="reject", reasons="不符合条件",
                             legal_basis="" if rng.random() < 0.2 else "《行政许可法》第三十八条")
                    for c in rows
                    if c.status == "rejected"
                ],
                batch_size=BATCH,
            )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"  generated {open_cases} open + {finished} finished cases in {time.perf_counter() - started:.1f}s "
        f"({Case.objects.count()} cases, {WorkItem.objects.count()} work items)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/bench_sup")
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument("--sweeps", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier --keep run")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("ONEVISIT_VAR_DIR", tempfile.mkdtemp(prefix="bench-sup-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    fresh = not args.keep
    if args.keep:
        from benchmarks.timing import setup

        setup()
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM cases_case")
                fresh = cursor.fetchone()[0] == 0
        except Exception:  # no database or no tables yet
            fresh = True
            connection.close()
    if fresh:
        recreate(args.db)
    from benchmarks.timing import setup

    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if fresh:
        from onevisit.demo.loader import load_demo

        load_demo(verbosity=0)
        generate(args.open, args.finished)
    print(f"  peak RSS after generation: {rss_mb():.0f} MB")
    run(args.repetitions, args.sweeps)


def run(repetitions: int, sweeps: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from benchmarks.timing import interleaved, print_table
    from onevisit.supervision.alarms import alarms_evaluate
    from onevisit.supervision.models import Alarm

    def count(_n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case")
            cursor.fetchone()

    started = time.perf_counter()
    first = alarms_evaluate(today=TODAY)
    print(
        f"\n  first sweep (raises every card): {(time.perf_counter() - started) * 1000:.0f} ms, {first.as_dict()}; "
        f"{Alarm.objects.filter(closed_at__isnull=True).count()} open cards"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would, after the cards appeared
    client = Client()
    client.force_login(get_user_model().objects.get(username="supervisor"))

    def screen(path: str):
        def get(_n: int) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")

        return get

    stats = interleaved(
        {
            "SELECT count(*) FROM cases_case": count,
            "GET /workbench/supervision/": screen("/workbench/supervision/"),
            "GET /workbench/supervision/?card=red&page=3": screen("/workbench/supervision/?card=red&page=3"),
            "GET /workbench/supervision/score/": screen("/workbench/supervision/score/"),
        },
        repetitions=repetitions,
        warmup=2,
    )
    print_table(
        f"supervision screen, {repetitions} requests each (interleaved)",
        stats,
        baseline="SELECT count(*) FROM cases_case",
    )
    stats = interleaved(
        {
            "SELECT count(*) FROM cases_case": count,
            "alarm sweep (steady state)": lambda n: alarms_evaluate(today=TODAY),
            "alarms of one case (after an event)": lambda n: alarms_evaluate(
                today=TODAY, case_ids=[Alarm.objects.order_by("pk").values_list("case_id", flat=True)[n]]
            ),
        },
        repetitions=sweeps,
        warmup=1,
    )
    print_table(
        f"alarm sweep, {sweeps} runs each (interleaved)", stats, baseline="SELECT count(*) FROM cases_case"
    )
    started = time.perf_counter()
    outcome = alarms_evaluate(today=TODAY + dt.timedelta(days=1))
    print(f"\n  the next day's sweep: {(time.perf_counter() - started) * 1000:.0f} ms, {outcome.as_dict()}")
    print(f"\n  peak RSS of the process: {rss_mb():.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
