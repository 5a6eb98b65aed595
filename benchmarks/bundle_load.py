"""一件事 through the real HTTP stack on PostgreSQL: filing a bundle of four items at once against
applying for the same four items one after the other, served by the same server in the same run,
at 1 and 8 concurrent clients.

The same machinery as ``submit_load.py`` (whose browser, slices, figures and server it imports): a
fresh PostgreSQL database (``onevisit_bench_bundle_<pid>`` on ``BENCH_PG``, dropped at the end), a
throwaway var dir, migrate, the demo data, gunicorn (sync workers, DEBUG off,
``benchmarks.bench_settings``) as a separate process, clients as threads speaking HTTP/1.1.

The four items are copies of four person items of the demo, each keeping only its required
materials that no shared data or certificate can stand in for, so every client uploads the same
whatever it holds: 不动产转移登记 (330100-BDC-001: 申请书, 利害关系说明), 住房公积金个人住房贷款
(330100-GJJ-003: 收入证明), 残疾人证核发 (330100-CL-001: 残疾评定表) and 最低生活保障 (330106-MZ-003:
书面申请). Four departments, four processes, no dependency between them, so filing the bundle files
all four children at once. A bundle for people is made of the four (``catalog.Bundle`` +
``BundleItem``, published with ``bundle_publish``).

Journey A, the bundle, as a browser does it, following every redirect: start page → start → one page
per part of the merged form (its fields are read from the page; a data element asked by several
items is asked once) → materials page (a tiny PDF to every file input) → check page → submit → the
bundle's page, which must list four filed cases. Journey B, the same four items one after the other
through the ordinary item flow, as ``submit_load.journey`` does one (start page … confirmation), by
other applicants. At each level the two run in turn, A B B A, half the time each slice.

Figures: bundles/s against 4-item sets/s, p50/p99 of the whole journey and of the submit POST alone
(the bundle's one submit against the sum of the four item submits), the ratio bundle ÷ separate of
each, HTTP requests per journey, gunicorn CPU per journey, and the peak RSS of the server processes.
Afterwards every bundle a client saw filed must exist once with four children each filed once (their
submission keys derived from the bundle's), and every separate case once, no draft left.

Run: ``.venv/bin/python -m benchmarks.bundle_load [--seconds 8] [--workers 4] [--levels 1,8]``;
``--keep`` leaves the database and the var dir for a look.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import submit_load as plain
from benchmarks.server_rss import free_port, stop
from benchmarks.submit_load import (
    PASSWORD,
    PDF,
    Browser,
    Client,
    Figures,
    JourneyError,
    RssSampler,
    Sample,
    Slice,
    figures,
    percentile,
    run_slice,
    search,
)

SOURCES = ("330100-BDC-001", "330100-GJJ-003", "330100-CL-001", "330106-MZ-003")
ITEMS = tuple(f"{code.rsplit('-', 1)[0]}-910" for code in SOURCES)  # the copies the benchmark applies for
BUNDLE = "bench-four"
LEVELS = (1, 8)
SECONDS = 8.0
WORKERS = 4
DATABASE = f"onevisit_bench_bundle_{os.getpid()}"
WARMUP_CLIENTS = 8

# The answers, by field name; the bundle's merged keys come from the same data elements
# (``applicant.name`` → ``applicant_name``), so one table serves both flows. The applicant's own
# name, ID number and phone are the client's.
ANSWERS = {
    "seller_name": "包博文",
    "seller_id_number": "330106198511032415",
    "property_certificate_number": "浙(2024)杭州市不动产权第0123456号",
    "property_address": "杭州市西湖区文三路 1 号 2 幢 301 室",
    "property_usage": "住宅",
    "transaction_price": "3200000",
    "housing_fund_account": "3301001234567890",
    "housing_fund_loan_amount": "80",
    "housing_fund_loan_years": "20",
    "applicant_hukou_address": "浙江省杭州市西湖区文三路 1 号 2 幢 301 室",
    "disability_category": "肢体",
    "delivery_method": "电子证照",
    "household_size": "3",
    "household_monthly_income_per_capita": "820",
    "applicant_bank_account": "6217001234567890123",
}


# --- Reading a page's form -----------------------------------------------------------------------


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
CONTROL = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
ATTRIBUTE = re.compile(r'([\w:-]+)(?:="([^"]*)")?')


@dataclass
class Control:
    kind: str  # text, date, radio, checkbox, file, hidden, textarea, select
    value: str
    options: list[str] = field(default_factory=list)  # radio values, in the page's order


def page_form(page: str) -> dict[str, Control]:
    """The controls of the page's own form (posted to itself: the header's forms have an action)."""
    bodies = [
        body for attrs, body in FORM.findall(page) if 'method="post"' in attrs and "action=" not in attrs
    ]
    if len(bodies) != 1:
        raise JourneyError(f"expected one form posted to the page, found {len(bodies)}: {page[:300]!r}")
    controls: dict[str, Control] = {}
    for tag, raw in CONTROL.findall(bodies[0]):
        attrs = {k: html.unescape(v or "") for k, v in ATTRIBUTE.findall(raw)}
        name = attrs.get("name", "")
        if not name or name == "csrfmiddlewaretoken":
            continue
        kind = attrs.get("type", "text") if tag == "input" else tag
        control = controls.setdefault(name, Control(kind, ""))
        if kind == "radio":
            control.options.append(attrs.get("value", ""))
            if "checked" in attrs:
                control.value = attrs.get("value", "")
        else:
            control.value = attrs.get("value", "")
    return controls


def answers(page: str, client: Client) -> dict[str, str]:
    """What an applicant types into the page's form: their own details, the table's answers, a
    value the page already shows; a question the benchmark cannot answer stops the run."""
    own = {
        "applicant_name": client.name,
        "applicant_id_number": client.id_number,
        "applicant_phone": client.phone,
    }
    form = {}
    for name, control in page_form(page).items():
        if control.kind == "file":
            continue
        value = own.get(name) or ANSWERS.get(name) or control.value
        if control.kind == "radio" and value not in control.options:
            raise JourneyError(f"{name}: {value!r} is not one of {control.options}")
        if not value:
            raise JourneyError(f"the benchmark has no answer for {name!r} ({control.kind})")
        form[name] = value
    return form


def uploads(page: str) -> dict[str, tuple[str, str, bytes]]:
    """A tiny PDF for every file input of the materials page."""
    names = [name for name, control in page_form(page).items() if control.kind == "file"]
    return {name: (f"材料{n}.pdf", "application/pdf", PDF) for n, name in enumerate(names, start=1)}


def fill_in(b: Browser, client: Client, url: str, page: str) -> tuple[str, str, int]:
    """Answer the form pages from ``url`` on until the materials page; its URL, HTML and the pages."""
    pages = 0
    while "/step/" in url:
        url = b.request("POST", url, form=answers(page, client), expect=302).location
        page = b.get(url)
        pages += 1
    if not url.endswith("/materials/"):
        raise JourneyError(f"the last form page led to {url}, not to the materials")
    return url, page, pages


def upload_and_check(b: Browser, url: str, page: str, expected: int) -> str:
    """Upload every material of the materials page at ``url``; the check page's idempotency key."""
    files = uploads(page)
    if len(files) != expected:
        raise JourneyError(f"{url}: expected {expected} materials to upload, found {sorted(files)}")
    page = b.post_and_follow(url, files=files)
    return search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page, "idempotency key")


# --- The two contenders ----------------------------------------------------------------------------


@dataclass
class BundleClient(Client):
    children: list[list[str]] = field(default_factory=list)  # per bundle, its children's numbers


@dataclass
class Shape:
    """What a journey should take, from the forms and materials (set at setup)."""

    bundle_pages: int = 0
    bundle_uploads: int = 0
    item_pages: dict[str, int] = field(default_factory=dict)
    item_uploads: dict[str, int] = field(default_factory=dict)

    @property
    def bundle_requests(self) -> int:
        # start page, start, first page; POST + GET per form page; materials POST + check; submit + page
        return 3 + 2 * self.bundle_pages + 4

    @property
    def separate_requests(self) -> int:
        return sum(3 + 2 * pages + 4 for pages in self.item_pages.values())


SHAPE = Shape()


def bundle_journey(client: BundleClient) -> Sample:
    """One 一件事 application, page by page, as a browser does it."""
    b = client.browser
    b.timings = []
    started = time.perf_counter()
    base = f"/bundles/{BUNDLE}/apply/"
    b.get(base)
    url = b.request("POST", base, expect=302).location
    url, page, pages = fill_in(b, client, url, b.get(url))
    if pages != SHAPE.bundle_pages:
        raise JourneyError(f"the merged form took {pages} pages, not {SHAPE.bundle_pages}")
    key = upload_and_check(b, url, page, SHAPE.bundle_uploads)
    bundle_url = url.rsplit("/materials/", 1)[0]
    submit_started = time.perf_counter()
    done = b.request("POST", f"{bundle_url}/submit/", form={"idempotency_key": key}, expect=302)
    submit_ms = (time.perf_counter() - submit_started) * 1000
    page = b.get(done.location)
    client.numbers.append(search(r'class="case-number">(\d+)<', page, "bundle number"))
    children = re.findall(r'href="[^"]*/cases/(\d+)/"', page)
    if len(set(children)) != len(ITEMS):
        raise JourneyError(f"the bundle's page lists {len(set(children))} filed cases, not {len(ITEMS)}")
    client.children.append(sorted(set(children)))
    if len(b.timings) != SHAPE.bundle_requests:
        raise JourneyError(f"the journey took {len(b.timings)} requests, not {SHAPE.bundle_requests}")
    timings, b.timings = b.timings, []
    return Sample((time.perf_counter() - started) * 1000, submit_ms, timings)


def item_application(client: Client, code: str) -> float:
    """One ordinary application for ``code`` (start page … confirmation); the submit POST's ms."""
    b = client.browser
    base = f"/items/{code}/apply/"
    b.get(base)
    url = b.request("POST", base, expect=302).location
    url, page, pages = fill_in(b, client, url, b.get(url))
    if pages != SHAPE.item_pages[code]:
        raise JourneyError(f"{code}: the form took {pages} pages, not {SHAPE.item_pages[code]}")
    key = upload_and_check(b, url, page, SHAPE.item_uploads[code])
    case_url = url.rsplit("/materials/", 1)[0]
    submit_started = time.perf_counter()
    done = b.request("POST", f"{case_url}/submit/", form={"idempotency_key": key}, expect=302)
    submit_ms = (time.perf_counter() - submit_started) * 1000
    page = b.get(done.location)
    client.numbers.append(search(r'class="case-number">(\d+)<', page, "case number"))
    return submit_ms


def separate_journey(client: Client) -> Sample:
    """The same four items applied for one after the other; the submit is the sum of the four."""
    b = client.browser
    b.timings = []
    started = time.perf_counter()
    submit_ms = sum(item_application(client, code) for code in ITEMS)
    if len(b.timings) != SHAPE.separate_requests:
        raise JourneyError(f"the journey took {len(b.timings)} requests, not {SHAPE.separate_requests}")
    timings, b.timings = b.timings, []
    return Sample((time.perf_counter() - started) * 1000, submit_ms, timings)


# --- Setup ---------------------------------------------------------------------------------------


def prepare(clients: int) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """Migrate, load the demo, add the four copies and their bundle, and ``clients`` applicants for
    each journey; their (name, ID number, phone)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from onevisit.catalog import bundle_form
    from onevisit.catalog.models import Bundle, BundleItem, ServiceItem
    from onevisit.catalog.services import bundle_publish
    from onevisit.catalog.transfer import CatalogFile, catalog_import
    from onevisit.demo.loader import DATA, item_record, load_demo
    from onevisit.identity.services import applicant_account_open, person_register

    call_command("migrate", verbosity=0)
    load_demo(verbosity=0)
    records = []
    for source, code in zip(SOURCES, ITEMS, strict=True):
        record = item_record(DATA / "items" / f"{source}.yaml")
        kept = [
            m for m in record["materials"]
            if m.get("required") and not m.get("shared_data") and not m.get("certificate_type")
        ]  # fmt: skip
        if not kept or record["audience"] != "person" or "online" not in (record.get("channels") or []):
            raise SystemExit(f"{source} no longer suits (a person item applied for online, with an upload)")
        records.append(
            record | {"code": code, "name": f"{record['name']}（基准）", "materials": kept, "popular": False}
        )
    catalog_import(actor="bench", catalog=CatalogFile(items=records))
    bundle = Bundle.objects.create(
        code=BUNDLE, name="四项联办（基准）", audience="person", promised_limit_days=20,
        summary="基准测试用：四个互不依赖的事项一次申请。",
    )  # fmt: skip
    for order, code in enumerate(ITEMS, start=1):
        BundleItem.objects.create(bundle=bundle, item=ServiceItem.objects.get(code=code), order=order)
    bundle_publish(actor="bench", bundle=bundle)
    plan = bundle_form.plan(bundle)
    if any(m.waits_for for m in plan.members) or plan.conflicts:
        raise SystemExit(f"the bundle is not four independent items merging cleanly: {plan.conflicts}")
    SHAPE.bundle_pages = len(plan.steps)
    SHAPE.bundle_uploads = sum(1 for m in plan.materials if m.required)
    for member in plan.members:
        SHAPE.item_pages[member.code] = len(member.version.form.schema.get("x-steps") or [])
        SHAPE.item_uploads[member.code] = member.version.materials.count()
    if clients > 50:
        raise SystemExit("at most 50 clients (the synthetic ID numbers would repeat)")
    password = make_password(PASSWORD)
    groups: tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]] = ([], [])
    for g, (prefix, people) in enumerate((("联办", groups[0]), ("分办", groups[1]))):
        for n in range(clients):
            name, number, phone = f"{prefix}{n:02d}", plain.id_number(50 * g + n), f"137000{2 + g}{n:04d}"
            person = person_register(actor="bench", name=name, id_number=number, phone=phone)
            applicant_account_open(actor="bench", person=person, phone=phone, password_hash=password)
            people.append((name, number, phone))
    print(
        f"  the bundle {BUNDLE}: {len(plan.members)} items, {len(plan.fields)} questions asked once instead of "
        f"{sum(len(m.version.form.schema.get('properties') or {}) for m in plan.members)}, "
        f"{SHAPE.bundle_pages} form pages (separately {sum(SHAPE.item_pages.values())}), "
        f"{SHAPE.bundle_uploads} uploads (separately {sum(SHAPE.item_uploads.values())})"
    )
    return groups


# --- Verification --------------------------------------------------------------------------------


def verify_bundles(clients: list[BundleClient], journeys: int) -> list[str]:
    """Every bundle a client saw filed exists once, with one child per item, each filed once under
    the key derived from the bundle's; nothing left as a draft."""
    from onevisit.cases.models import BundleCase, Case, CaseEvent

    seen = [n for c in clients for n in c.numbers]
    seen_children = [n for c in clients for kids in c.children for n in kids]
    everything = BundleCase.objects.filter(bundle__code=BUNDLE)
    filed = {b.number: b for b in everything.filter(submitted_at__isnull=False)}
    drafts = everything.filter(submitted_at__isnull=True).count()
    keys = len({b.idempotency_key for b in filed.values()})
    children = list(
        Case.objects.filter(bundle_case__bundle__code=BUNDLE).select_related(
            "item_version__item", "bundle_case"
        )
    )
    by_bundle: dict[int, list[Any]] = {}
    for child in children:
        by_bundle.setdefault(child.bundle_case_id or 0, []).append(child)
    submitted_events = Counter(
        CaseEvent.objects.filter(case__bundle_case__bundle__code=BUNDLE, kind="submitted").values_list(
            "case_id", flat=True
        )
    )
    whole = 0
    for bundle_case in filed.values():
        kids = by_bundle.get(bundle_case.pk, [])
        whole += (
            sorted(k.item_version.item.code for k in kids) == sorted(ITEMS)
            and all(k.status not in (Case.Status.DRAFT, Case.Status.WAITING) and k.number for k in kids)
            and all(k.idempotency_key == uuid.uuid5(bundle_case.idempotency_key, k.item_version.item.code) for k in kids)
            and all(submitted_events[k.pk] == 1 for k in kids)
        )  # fmt: skip
    child_numbers = [k.number for k in children if k.number]
    print(
        f"  bundles: {journeys} journeys, {len(filed)} filed, {len(set(seen))} distinct numbers seen, "
        f"{keys} idempotency keys, {drafts} drafts left; {whole} with exactly one filed child per item under "
        f"the derived key and one 'submitted' line each; {len(children)} children, {len(set(child_numbers))} "
        f"distinct numbers, {len(set(seen_children))} seen on the bundle pages"
    )
    problems = []
    if not (journeys == len(seen) == len(set(seen)) == len(filed) == keys) or set(seen) != set(filed):
        problems.append("the filed bundles do not match the journeys one to one")
    if drafts:
        problems.append(f"{drafts} bundles were left as drafts")
    if whole != len(filed) or len(children) != len(ITEMS) * len(filed):
        problems.append("a bundle lacks a child, has one too many, or a child was not filed exactly once")
    if not (len(child_numbers) == len(set(child_numbers)) == len(children)) or set(seen_children) != set(
        child_numbers
    ):
        problems.append("the children's numbers are not distinct or not those the bundle pages showed")
    return problems


def verify_separate(clients: list[Client], journeys: int) -> list[str]:
    """Every case a client saw filed exists exactly once, four per journey, one of each item."""
    from onevisit.cases.models import Case, CaseEvent

    seen = [n for c in clients for n in c.numbers]
    cases = Case.objects.filter(item_version__item__code__in=ITEMS, bundle_case__isnull=True)
    submitted = cases.exclude(status=Case.Status.DRAFT)
    numbers = set(submitted.values_list("number", flat=True))
    drafts = cases.filter(status=Case.Status.DRAFT).count()
    keys = submitted.values("idempotency_key").distinct().count()
    per_item = Counter(submitted.values_list("item_version__item__code", flat=True))
    events = Counter(
        CaseEvent.objects.filter(case__in=submitted, kind="submitted").values_list("case_id", flat=True)
    )
    print(
        f"  separate: {journeys} journeys, {len(numbers)} cases filed ({', '.join(f'{k} {v}' for k, v in sorted(per_item.items()))}), "
        f"{len(set(seen))} distinct numbers seen, {keys} idempotency keys, {drafts} drafts left; "
        f"{sum(1 for v in events.values() if v == 1)} with one 'submitted' line"
    )  # fmt: skip
    problems = []
    if (
        not (len(ITEMS) * journeys == len(seen) == len(set(seen)) == len(numbers) == keys)
        or set(seen) != numbers
    ):
        problems.append("the separately filed cases do not match the journeys one to one")
    if any(per_item[code] != journeys for code in ITEMS):
        problems.append("the separate journeys did not file one case of each item each")
    if drafts:
        problems.append(f"{drafts} separate drafts were left unsubmitted")
    if len(events) != len(numbers) or any(v != 1 for v in events.values()):
        problems.append("a separate case was not filed exactly once")
    return problems


# --- Main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per contender and level")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn sync workers")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="concurrent clients")
    parser.add_argument("--database", default=DATABASE, help="created afresh, dropped at the end")
    parser.add_argument("--keep", action="store_true", help="keep the database and the var dir")
    options = parser.parse_args()
    levels = [int(x) for x in options.levels.split(",")]
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    var_dir = Path(tempfile.mkdtemp(prefix="onevisit-bundle-load."))
    os.environ.update(
        DATABASE_URL=f"{server}/{options.database}", DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        ONEVISIT_VAR_DIR=str(var_dir), PYTHONHASHSEED="0",
    )  # fmt: skip
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    plain.recreate_database(server, options.database)
    try:
        run(levels, options.seconds, options.workers, var_dir)
    finally:
        from django.db import connections

        connections.close_all()
        if options.keep:
            print(f"  kept database {options.database} and {var_dir}")
        else:
            plain.drop_database(server, options.database)
            shutil.rmtree(var_dir, ignore_errors=True)


def run(levels: list[int], seconds: float, workers: int, var_dir: Path) -> None:
    from benchmarks.timing import backend, setup

    setup()
    started = time.monotonic()
    print(
        f"\n### 一件事 under load — {backend()}, gunicorn {workers} sync workers, DEBUG off, "
        f"{seconds:g} s per contender and level (A B B A slices)"
    )
    bundle_people, separate_people = prepare(max(levels))
    print(
        f"  bundle: {BUNDLE} ({', '.join(ITEMS)}), {SHAPE.bundle_requests} requests (start page … bundle page); "
        f"separate: the four items one after the other, {SHAPE.separate_requests} requests; PDF {len(PDF)} B each upload"
    )
    port = free_port()
    (var_dir / "static").mkdir()  # whitenoise warns about a missing STATIC_ROOT; pages need no file
    log = var_dir / "gunicorn.log"
    server = plain.start_server(port, workers, log)
    sampler = RssSampler(server.pid)
    sampler.start()
    rows: list[tuple[int, Figures, Figures]] = []
    counts = {"bundle": 0, "separate": 0}
    failed = True
    try:
        bundlers = [BundleClient(Browser(port), phone, name, number) for name, number, phone in bundle_people]
        separates = [Client(Browser(port), phone, name, number) for name, number, phone in separate_people]
        with ThreadPoolExecutor(max_workers=workers) as pool:  # PBKDF2 makes each login slow on purpose
            list(pool.map(plain.log_in, bundlers + separates))
        print(
            f"  setup {time.monotonic() - started:.0f} s; {len(bundlers)} + {len(separates)} applicants logged in"
        )
        ops: dict[str, Callable[[Any], Sample]] = {"bundle": bundle_journey, "separate": separate_journey}
        groups: dict[str, list[Any]] = {"bundle": bundlers, "separate": separates}
        for name in ("bundle", "separate"):  # untimed: one journey each
            counts[name] += len(run_slice(groups[name][:WARMUP_CLIENTS], ops[name], 0.0, server.pid).samples)
        for level in levels:
            parts: dict[str, list[Slice]] = {"bundle": [], "separate": []}
            for name in ("bundle", "separate", "separate", "bundle"):
                parts[name].append(run_slice(groups[name][:level], ops[name], seconds / 2, server.pid))
            together, apart = figures(parts["bundle"]), figures(parts["separate"])
            counts["bundle"] += together.count
            counts["separate"] += apart.count
            rows.append((level, together, apart))
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        failed = False
    finally:
        sampler.finish()
        stop(server)
        if failed:
            print("  gunicorn's log ends with:", *log.read_text().splitlines()[-40:], sep="\n    ")
    errors = [line for line in log.read_text().splitlines() if "Traceback" in line or " ERROR " in line]
    print_results(rows)
    mb = 1024
    print(
        f"  server RSS (sampled every {plain.SAMPLE_EVERY_S:g} s, {sampler.samples} samples): peak of master + "
        f"{workers} workers {sampler.peak_total_kb / mb:.0f} MB, largest worker "
        f"{sampler.peak_worker_kb / mb:.0f} MB; sum of each process's VmHWM "
        f"{sum(sampler.hwm_kb.values()) / mb:.0f} MB; gunicorn's log: {len(errors)} error lines"
    )
    problems = verify_bundles(bundlers, counts["bundle"]) + verify_separate(separates, counts["separate"])
    if problems:
        raise SystemExit("; ".join(problems))
    sys.stdout.flush()


def print_results(rows: list[tuple[int, Figures, Figures]]) -> None:
    a, b = SHAPE.bundle_requests, SHAPE.separate_requests
    print(
        f"\n  {'clients':>7} | {'bundles/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'submit p50':>10} {'p99':>6} {'n':>4}"
        f" {'CPU ms':>6} | {'sets/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'submits p50':>11} {'p99':>6} {'n':>4}"
        f" {'CPU ms':>6}"
    )
    for level, s, t in rows:
        print(
            f"  {level:>7} | {s.per_s:9.2f} {s.p50:7.0f} {s.p99:7.0f} {s.submit_p50:10.0f} {s.submit_p99:6.0f}"
            f" {s.count:>4} {s.server_cpu_ms:6.0f} | {t.per_s:6.2f} {t.p50:7.0f} {t.p99:7.0f}"
            f" {t.submit_p50:11.0f} {t.submit_p99:6.0f} {t.count:>4} {t.server_cpu_ms:6.0f}"
        )
    print(
        f"  (journeys: bundle {a} requests, 4 items separately {b}; p50/p99 of the whole journey, then of the "
        "submit POST alone: the bundle's one, the sum of the four items'; CPU ms = gunicorn's user + system "
        "CPU per journey, PostgreSQL's not included)"
    )
    print("\n  ratios, bundle ÷ separate at the same level:")
    print(
        f"  {'clients':>7} | {'journeys/s':>10} | {'journey p50':>11} {'p99':>5} | {'submit p50':>10} {'p99':>5} |"
        f" {'CPU/journey':>11} | {'requests':>8}"
    )
    for level, s, t in rows:
        print(
            f"  {level:>7} | {s.per_s / t.per_s:10.2f} | {s.p50 / t.p50:11.2f} {s.p99 / t.p99:5.2f} |"
            f" {s.submit_p50 / t.submit_p50:10.2f} {s.submit_p99 / t.submit_p99:5.2f} |"
            f" {s.server_cpu_ms / t.server_cpu_ms:11.2f} | {a / b:8.2f}"
        )
    (first_level, first_bundle, first_separate), (last_level, last_bundle, last_separate) = rows[0], rows[-1]
    for title, at_first, at_last in (
        ("bundle", first_bundle, last_bundle),
        ("separate", first_separate, last_separate),
    ):
        print(f"\n  the {title} journey's requests, p50 ms at {first_level} and at {last_level} client(s):")
        for label, values in at_first.requests.items():
            later = sorted(at_last.requests.get(label, [0.0]))
            per = len(values) / at_first.count
            print(
                f"    {label:<44} ×{per:<2.0f} {percentile(sorted(values), 0.5):7.1f} {percentile(later, 0.5):7.1f}"
            )


if __name__ == "__main__":
    main()
