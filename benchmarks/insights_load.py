"""Indicator dashboards at scale: the landing dashboard and one drill-down over N synthetic cases
(``onevisit demo_history``) in PostgreSQL, against ``SELECT count(*)`` of the cases table in the
same interleaved run; peak RSS of the process.

    .venv/bin/python -m benchmarks.insights_load                      # 1,000,000 cases
    .venv/bin/python -m benchmarks.insights_load --cases 100000 --db postgres://postgres@127.0.0.1:5432/bench_insights_100k
    .venv/bin/python -m benchmarks.insights_load --keep               # reuse the data of an earlier run

It (re)creates its own database (``--db``, default postgres://postgres@127.0.0.1:5432/bench_insights),
migrates, loads the demo catalogue and staff, and runs ``demo_history --cases N --seed 1`` (ratings
included when the feedback app provides them), printing how long generation took. The pages are
requested by the demo analyst (杭州市) through Django's test Client in process, so the figures are
the server's work without the network.

Hook: other screens over the same data join the run by appending ``(name, callable)`` to ``EXTRA``
before ``run`` (each callable gets the repetition number), e.g. the supervision screen and the alarm
sweep::

    from benchmarks import insights_load
    insights_load.EXTRA.append(("GET /workbench/supervision/", lambda n: client.get("/workbench/supervision/")))
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from urllib.parse import urlparse

EXTRA: list[tuple[str, Callable[[int], object]]] = []
"""More timed calls for the same interleaved run: ``(name, callable(repetition))``."""

BASELINE = "SELECT count(*) FROM cases_case"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recreate(db_url: str) -> None:
    url = urlparse(db_url)
    name = url.path.lstrip("/")
    maintenance = db_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["dropdb", "--if-exists", f"--maintenance-db={maintenance}", name], check=True)
    subprocess.run(["createdb", f"--maintenance-db={maintenance}", name], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/bench_insights")
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier run")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("ONEVISIT_VAR_DIR", tempfile.mkdtemp(prefix="bench-insights-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not args.keep:
        recreate(args.db)
    from benchmarks.timing import setup

    setup()
    from django.core.management import call_command

    from onevisit.cases.models import Case

    call_command("migrate", verbosity=0)
    if not args.keep:
        from django.db import transaction

        from onevisit.demo.loader import load_demo

        with transaction.atomic():
            load_demo(verbosity=0)
        started = time.perf_counter()
        call_command("demo_history", cases=args.cases, seed=1)
        elapsed = time.perf_counter() - started
        print(f"  demo_history --cases {args.cases}: {elapsed:.0f} s ({args.cases / elapsed:.0f} cases/s)")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from onevisit.insights.rollup import rollup_build

    rows, seconds = rollup_build()
    print(f"  insights_rollup (rebuild up to yesterday): {rows} rows in {seconds:.1f} s")
    print(f"  cases in the table: {Case.objects.count()}; peak RSS after generation: {rss_mb():.0f} MB")
    run(args.repetitions)


def run(repetitions: int) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from benchmarks.timing import backend, interleaved, print_table

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def count(_n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case")
            cursor.fetchone()

    client = Client()
    client.force_login(get_user_model().objects.get(username="analyst"))

    def page(path: str) -> Callable[[int], None]:
        def get(_n: int) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")

        return get

    cases: dict[str, Callable[[int], object]] = {
        BASELINE: count,
        "GET /workbench/insights/ (12 months)": page("/workbench/insights/"),
        "GET /workbench/insights/?department=330100-GA": page("/workbench/insights/?department=330100-GA"),
        "GET /workbench/insights/on_time/cases/?page=3": page("/workbench/insights/on_time/cases/?page=3"),
    }
    cases.update(dict(EXTRA))
    print(f"\n  database: {backend()}")
    stats = interleaved(cases, repetitions=repetitions, warmup=1)
    print_table(f"indicator dashboards, {repetitions} requests each (interleaved)", stats, baseline=BASELINE)
    print(f"  peak RSS of the process: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
