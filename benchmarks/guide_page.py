"""The guide page /items/<code>/ (办事指南) against trivial pages, in process with Django's test Client.

Run after (or instead of) catalog_search: the database is prepared the same way if it is empty.
"""

from __future__ import annotations

from benchmarks.timing import Case, backend, interleaved, print_table, setup

REPETITIONS = 200
WARMUP = 12
GUIDE_CODES = [
    "330100-SCJG-001",  # 企业设立登记
    "330100-SCJG-002",  # 食品经营许可 (rules)
    "330100-GA-002",  # 出生登记
    "330100-RS-010",  # 职工退休
    "330100-BDC-001",  # 二手房过户 (two departments)
    "330106-MZ-001",  # 结婚登记
]
BASELINE = "baseline GET /api/v1/life-events/"


def client_cases() -> dict[str, Case]:
    from django.test import Client

    client = Client()

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")

    return {
        "GET /items/<code>/ (6 demo items)": lambda n: get(f"/items/{GUIDE_CODES[n % len(GUIDE_CODES)]}/"),
        BASELINE: lambda n: get("/api/v1/life-events/"),
        "reference GET /departments/": lambda n: get("/departments/"),
        "reference GET /search/?q=开饭店": lambda n: get("/search/?q=开饭店"),
    }


def query_counts() -> None:
    """Queries per page: a guide page must not grow with the size of the catalogue."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for path in (f"/items/{GUIDE_CODES[0]}/", "/api/v1/life-events/", "/departments/"):
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        print(f"  SQL queries for {path:<28}: {len(captured.captured_queries)}")


def main() -> None:
    setup()
    from benchmarks import dataset

    dataset.prepare()
    print(f"\n### guide page — {backend()}, in-process test Client")
    stats = interleaved(client_cases(), repetitions=REPETITIONS, warmup=WARMUP)
    print_table(f"latency over {REPETITIONS} requests each (interleaved)", stats, baseline=BASELINE)
    query_counts()


if __name__ == "__main__":
    main()
