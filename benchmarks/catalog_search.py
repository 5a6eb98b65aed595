"""Catalogue search at 10,000 items against a plain indexed lookup, and recall@5 of labelled queries.

Run: DJANGO_SETTINGS_MODULE=onevisit.settings.demo .venv/bin/python -m benchmarks.catalog_search
(``bash benchmarks/run.sh`` does it on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import random
import sys

from benchmarks.timing import Case, Stats, backend, interleaved, print_table, setup

REPETITIONS = 200
WARMUP = 24
BASELINE_SIZE = 30

QUERIES = [
    "营业执照", "开饭店", "生孩子", "退休", "身份证", "社保卡", "公积金提取", "结婚登记", "二手房过户",
    "yyzz", "食品", "医保", "开个小卖部", "失业金", "驾照到期", "刻章", "低保", "上户口", "残疾证",
    "离婚", "居住证", "出生证明", "注销公司", "消防检查",
]  # fmt: skip

# query → demo item codes that answer it (any one in the top 5 is a hit).
LABELLED: dict[str, set[str]] = {
    "开饭店": {"330100-SCJG-002", "330521-XZSP-002"},
    "生孩子": {"330100-WJ-001", "330100-GA-002"},
    "退休": {"330100-RS-010"},
    "营业执照": {"330100-SCJG-001"},
    "yyzz": {"330100-SCJG-001"},
    "身份证": {"330100-GA-003"},
    "社保卡": {"330100-RS-002", "330100-RS-003"},
    "公积金提取": {"330100-GJJ-002"},
    "结婚登记": {"330106-MZ-001"},
    "二手房过户": {"330100-BDC-001"},
    "开个小卖部": {"330100-YC-001"},
    "失业金": {"330100-RS-005"},
    "驾照到期": {"330100-JJ-002"},
    "刻章": {"330100-GA-001"},
    "低保": {"330106-MZ-003"},
    "上户口": {"330100-GA-002"},
    "残疾证": {"330100-CL-001"},
    "离婚": {"330106-MZ-002"},
    "居住证": {"330521-GA-001"},
    "出生证明": {"330100-WJ-001"},
}


def timed_cases() -> dict[str, Case]:
    from onevisit.catalog import search
    from onevisit.catalog.models import ServiceItem
    from onevisit.catalog.selectors import item_search

    codes = list(ServiceItem.objects.order_by("code").values_list("code", flat=True))
    rng = random.Random(7)
    code_sets = [rng.sample(codes, BASELINE_SIZE) for _ in range(REPETITIONS)]

    def query(n: int) -> str:
        return QUERIES[n % len(QUERIES)]

    return {
        "item_search(query) end to end": lambda n: item_search(query=query(n)),
        "search.ranked_ids(query, limit=30)": lambda n: search.ranked_ids(query(n), limit=30),
        f"baseline filter(code__in=[{BASELINE_SIZE} codes])": lambda n: list(
            ServiceItem.objects.filter(code__in=code_sets[n % REPETITIONS])
        ),
        "baseline get(code=...)": lambda n: ServiceItem.objects.get(code=code_sets[n % REPETITIONS][0]),
    }


def recall_at_5() -> None:
    from onevisit.catalog.models import ServiceItem
    from onevisit.catalog.selectors import item_search

    labelled = ServiceItem.objects.filter(code__in=set().union(*LABELLED.values()))
    regions = {i.code: i.department.region.code for i in labelled.select_related("department__region")}
    names = dict(ServiceItem.objects.filter(code__in=regions).values_list("code", "name"))
    hits = {"code": 0, "name": 0, "region": 0}
    print(f"\nrecall@5 over {len(LABELLED)} labelled queries (rank of the expected item, all regions)")
    for query, expected in LABELLED.items():
        top = item_search(query=query, limit=5).items
        rank = next((n for n, item in enumerate(top, 1) if item.code in expected), None)
        same_name = any(item.name in {names[c] for c in expected} for item in top)
        scoped = any(
            item.code in expected
            for code in expected
            for item in item_search(query=query, limit=5, region=regions[code]).items
        )
        hits["code"] += rank is not None
        hits["name"] += same_name
        hits["region"] += scoped
        shown = " / ".join(f"{i.code} {i.name[:14]}" for i in top[:3])
        print(f"  {query:<8} rank {rank or '-':>2}  top3: {shown}")
    total = len(LABELLED)
    print(f"  recall@5, exact item, all regions            : {hits['code'] / total:.2f}")
    print(f"  recall@5, same service name in any region    : {hits['name'] / total:.2f}")
    print(f"  recall@5, exact item, search scoped to region: {hits['region'] / total:.2f}")


def main() -> None:
    setup()
    from benchmarks import dataset
    from onevisit.catalog.models import ItemSearchIndex, SearchMiss, ServiceItem

    dataset.prepare()
    print(f"\n### catalogue search — {backend()}")
    print(
        f"  items {ServiceItem.objects.count()}, visible index rows "
        f"{ItemSearchIndex.objects.filter(visible=True).count()}, "
        f"{REPETITIONS} repetitions of {len(QUERIES)} phrasings, warm-up {WARMUP}"
    )
    misses_before = SearchMiss.objects.count()
    stats: dict[str, Stats] = interleaved(timed_cases(), repetitions=REPETITIONS, warmup=WARMUP)
    print_table("latency (interleaved)", stats, baseline=f"baseline filter(code__in=[{BASELINE_SIZE} codes])")
    print(
        f"  queries that found nothing (SearchMiss rows added): {SearchMiss.objects.count() - misses_before}"
    )
    recall_at_5()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
