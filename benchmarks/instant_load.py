"""秒批 end to end through the real HTTP stack on PostgreSQL, at 1, 8 and 32 concurrent clients,
against the plain online submit of ``submit_load.py`` served by the same server in the same run.

The same machinery as ``submit_load.py`` (whose helpers it imports): a fresh PostgreSQL database
(``onevisit_bench_instant_<pid>`` on ``BENCH_PG``, dropped at the end), a throwaway var dir (the
signing keys are made there on first use: demo CA and department keys), migrate, the demo data,
gunicorn (sync workers, DEBUG off, ``benchmarks.bench_settings``) as a separate process, clients as
threads speaking HTTP/1.1 with the standard library.

The 秒批 journey is 老年人优待证 (330100-MZ-001) as a browser does it: start page → start → two form
pages → materials page (nothing to upload: 身份证明 and 相片 come from the population registry) → check
page → submit → the page with the decision and the certificate number (11 requests). The submit POST
files the case, looks the applicant up in the registries (logged), runs the item's DMN table,
records the decision, and issues the 老年人优待证: numbered, rendered as PDF, PAdES-signed with the
department's key, SM2-signed, stored. Each 秒批 client is its own synthetic person aged 72–80 with
records in 人口基础信息 (has no 居住证), 户籍人口信息 (本市户籍) and 居民身份证制证相片, so the rules
approve every time; a person's new card supersedes the one of their previous round.

The plain journey is ``submit_load.journey`` (a copy of 不动产转移登记, two uploads, 13 requests), by
other clients with their own accounts. At each level the two run in turn, A B B A, half the time
each slice. Meanwhile pg_stat_activity is sampled: how many backends wait for a row lock, on which
table.

Afterwards every case a client saw decided must exist once, approved once by the rules, with exactly
one certificate (signed: PDF hash and SM2 checked for all, PAdES for a sample), one valid card per
person (the newest; the older ones superseded by the next), and the department's registry lookups
in 用数记录 (``DataAccess``). Then ``instant_profile.py`` profiles one 秒批 submit POST in this process through Django's
test client on the same database: the time by part (rules, registry lookups and their logging,
PDF, PAdES, SM2, database, other), the hot rows it keeps locked, and the top functions of each part
by cumulative time (cProfile); and a fresh process shows what the first 秒批 of a new worker costs.

Run: ``.venv/bin/python -m benchmarks.instant_load [--seconds 8] [--workers 4] [--levels 1,8,32]
[--profile-runs 12]`` (or ``benchmarks/run.sh``); ``--keep`` leaves the database and the var dir.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import submit_load as plain
from benchmarks.server_rss import descendants, free_port, stop
from benchmarks.submit_load import (
    PASSWORD,
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
    status_kb,
)

ROOT = Path(__file__).resolve().parent.parent
ITEM = "330100-MZ-001"  # 老年人优待证办理: 秒批, issues 老年人优待证
LEVELS = (1, 8, 32)
SECONDS = 8.0
WORKERS = 4
DATABASE = f"onevisit_bench_instant_{os.getpid()}"
WARMUP_CLIENTS = 8
WARMUP_ROUNDS = 2  # 16 秒批 submits before timing: each worker has loaded fonts, keys and pyHanko
PROFILE_RUNS = 12
PADES_SAMPLE = 12
REQUESTS_PER_JOURNEY = 11
SENIORS_BORN_FROM = dt.date(1946, 1, 1)  # 97 days apart: the 33 seniors are 72–80
ADDRESS = "浙江省杭州市西湖区北山街道基准路{n}号（演示地址）"


# --- The 秒批 journey ----------------------------------------------------------------------------


def age_of(id_number: str, today: dt.date) -> int:
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def instant_journey(client: Client) -> Sample:
    """One 秒批 application, page by page (11 requests); the decision page must show the approval
    and the certificate number."""
    b = client.browser
    b.timings = []
    started = time.perf_counter()
    base = f"/items/{ITEM}/apply/"
    b.get(base)
    step = b.request("POST", base, expect=302).location
    b.get(step)
    case_url = step.rsplit("/step/", 1)[0]
    n = int(client.phone[-4:])
    answers = [
        {"applicant_name": client.name, "applicant_id_number": client.id_number, "applicant_phone": client.phone,
         "applicant_age": str(age_of(client.id_number, dt.date.today()))},
        {"applicant_local_hukou": "true", "applicant_has_residence_permit": "false",
         "residence": ADDRESS.format(n=n), "seniors_card_type": "首次申领"},
    ]  # fmt: skip
    page = ""
    for page_number, data in enumerate(answers, start=1):
        page = b.post_and_follow(f"{case_url}/step/{page_number}/", data)
    # Nothing to upload: the registries stand in for 身份证明 and 相片 (the form is posted without a file).
    page = b.post_and_follow(f"{case_url}/materials/", files={})
    key = search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page, "idempotency key")
    submit_started = time.perf_counter()
    done = b.request("POST", f"{case_url}/submit/", form={"idempotency_key": key}, expect=302)
    submit_ms = (time.perf_counter() - submit_started) * 1000
    page = b.get(done.location)
    if "panel-refused" in page:
        raise JourneyError(f"the rules did not approve {client.name}: {page[:400]!r}")
    number = search(r'class="case-number">(\d+)<', page, "case number")
    search(r'/account/certificates/([0-9A-Z]{10,40})/"', page, "certificate number (approved at once)")
    client.numbers.append(number)
    if len(b.timings) != REQUESTS_PER_JOURNEY:
        raise JourneyError(f"the journey took {len(b.timings)} requests, not {REQUESTS_PER_JOURNEY}")
    timings, b.timings = b.timings, []
    return Sample((time.perf_counter() - started) * 1000, submit_ms, timings)


# --- Setup ---------------------------------------------------------------------------------------


def senior(n: int) -> tuple[str, str, str]:
    """(name, ID number, phone) of synthetic senior ``n``, born in 1946–1954 in urban Hangzhou, whose
    ID numbers of that time begin 330120 (杭州市市区, until 1983); checked by python-stdnum."""
    from stdnum.cn import ric

    born = SENIORS_BORN_FROM + dt.timedelta(days=97 * n)
    body = f"330120{born:%Y%m%d}{n % 1000:03d}"
    number = body + ric.calc_check_digit(body + "0")
    ric.validate(number)
    return f"秒批{n:02d}", number, f"1370001{n:04d}"


def prepare_seniors(count: int) -> list[tuple[str, str, str]]:
    """``count`` seniors, each with an applicant account and the registry records that make the
    rules approve: 60+ (from the ID number), 本市户籍, no 居住证 needed; and the ID card photo."""
    from django.contrib.auth.hashers import make_password

    from onevisit.exchange.models import DataResource
    from onevisit.exchange.services import record_put
    from onevisit.identity.services import applicant_account_open, person_register

    resources = {r.code: r for r in DataResource.objects.filter(code__in=REGISTRY_CODES)}
    password = make_password(PASSWORD)
    people = []
    for n in range(count):
        name, number, phone = senior(n)
        person = person_register(actor="bench", name=name, id_number=number, phone=phone)
        applicant_account_open(actor="bench", person=person, phone=phone, password_hash=password)
        for code, data in registry_records(n, name, number).items():
            record_put(actor="bench", resource=resources[code], data=data, person=person)
        people.append((name, number, phone))
    return people


REGISTRY_CODES = ("population-basic", "household-register", "id-card-photo")


def registry_records(n: int, name: str, number: str) -> dict[str, dict[str, Any]]:
    born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    address = ADDRESS.format(n=n)
    return {
        "population-basic": {
            "name": name, "gender": "男" if int(number[16]) % 2 else "女", "ethnicity": "汉",
            "birth_date": born, "residence_address": address, "has_residence_permit": False,
        },
        "household-register": {
            "name": name, "householder": name, "relation": "户主", "household_type": "家庭户",
            "hukou_address": address, "local_hukou": True,
        },
        "id-card-photo": {"photo_reference": f"ZP330106-BENCH-{n:04d}", "taken_on": "2021-01-01"},
    }  # fmt: skip


def log_in_all(clients: list[Client], workers: int) -> None:
    with ThreadPoolExecutor(max_workers=workers) as pool:  # PBKDF2 makes each login slow on purpose
        list(pool.map(plain.log_in, clients))


# --- Who waits for a lock in PostgreSQL ----------------------------------------------------------


WAITS_SQL = """
SELECT wait_event_type = 'Lock', left(query, 400) FROM pg_stat_activity
WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
"""
TABLE_IN_QUERY = re.compile(r'(?:FROM|UPDATE|INTO) "(\w+)"')


class LockSampler(threading.Thread):
    """Samples pg_stat_activity of the bench database every 0.1 s: how many backends run a query,
    how many of them wait for a lock, and on which table's statement (the row locks of the audit
    chain's head, the certificate counter, a case…). ``label`` says which slice is running."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.label = ""
        self.samples: Counter[str] = Counter()
        self.active: Counter[str] = Counter()
        self.waiting: Counter[str] = Counter()
        self.tables: dict[str, Counter[str]] = defaultdict(Counter)
        self.done = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.done.wait(0.1):
                label = self.label
                if not label:
                    continue
                rows = conn.execute(WAITS_SQL).fetchall()
                self.samples[label] += 1
                self.active[label] += len(rows)
                for waiting, query in rows:
                    if waiting:
                        self.waiting[label] += 1
                        match = TABLE_IN_QUERY.search(query or "")
                        self.tables[label][match.group(1) if match else (query or "?")[:40]] += 1

    def line(self, label: str) -> str:
        n = max(self.samples[label], 1)
        top = ", ".join(f"{t} {c / n:.2f}" for t, c in self.tables[label].most_common(3))
        return (
            f"{self.active[label] / n:5.2f} running a query, {self.waiting[label] / n:5.2f} waiting for a lock"
            + (f" ({top})" if top else "")
        )


# --- Verification --------------------------------------------------------------------------------


def verify_instant(clients: list[Client], journeys: int) -> list[str]:
    """Every 秒批 case a client saw exists once, approved once by the rules, with one certificate,
    signed; each person holds one valid card (the newest); every case has its registry lookups logged."""
    from django.db.models import Count

    from onevisit.cases.models import Case, Decision
    from onevisit.certificates import selectors as certificate_selectors
    from onevisit.certificates.models import Certificate
    from onevisit.exchange.models import DataAccess

    seen = [n for c in clients for n in c.numbers]
    filed = Case.objects.filter(item_version__item__code=ITEM, applicant_person__name__startswith="秒批")
    cases = {c.number: c for c in filed.exclude(status=Case.Status.DRAFT).select_related("decision")}
    drafts = filed.filter(status=Case.Status.DRAFT).count()
    problems = []
    if not (journeys == len(seen) == len(set(seen)) == len(cases)) or set(seen) != set(cases):
        problems.append(
            f"秒批: {journeys} journeys, {len(seen)} numbers seen ({len(set(seen))} distinct), {len(cases)} cases filed"
        )
    if drafts:
        problems.append(f"秒批: {drafts} drafts left")
    not_approved = [n for n, c in cases.items() if c.status != Case.Status.APPROVED]
    decisions = Decision.objects.filter(case__number__in=list(cases)).values("case").annotate(k=Count("pk"))
    decided_once = sum(1 for d in decisions if d["k"] == 1)
    by_rule = Counter(
        str(c.decision.rule_trace.get("rule_id", "")) for c in cases.values() if hasattr(c, "decision")
    )
    automatic = sum(1 for c in cases.values() if hasattr(c, "decision") and c.decision.automatic)
    events = Counter(
        Case.objects.filter(number__in=list(cases), events__kind="certificate_issued").values_list(
            "number", flat=True
        )
    )
    certificates = list(
        Certificate.objects.filter(case_number__in=list(cases)).select_related(
            "type", "issuer", "holder_person"
        )
    )
    per_case = Counter(c.case_number for c in certificates)
    accesses = Counter(
        DataAccess.objects.filter(case_ref__in=list(cases), kind=DataAccess.Kind.SHARED_DATA).values_list(
            "case_ref", flat=True
        )
    )
    wrong_department = (
        DataAccess.objects.filter(case_ref__in=list(cases))
        .exclude(department__code=ITEM.rsplit("-", 1)[0])
        .count()
    )
    hashes_ok, sm2_ok, sm2_s = signatures(certificates)
    sample = certificates[:: max(1, len(certificates) // PADES_SAMPLE)][:PADES_SAMPLE]
    started = time.perf_counter()
    pades_ok = sum(certificate_selectors.certificate_check(c).pdf_signature_ok for c in sample)
    pades_s = time.perf_counter() - started
    holders, valid_ok, chains_ok = supersession(certificates)
    print(
        f"  秒批 cases: {journeys} journeys, {len(cases)} filed, {len(set(seen))} distinct numbers seen, "
        f"{drafts} drafts left; approved {len(cases) - len(not_approved)}, decided once {decided_once} "
        f"(by the rules: {automatic}; {', '.join(f'{k} {v}' for k, v in by_rule.items())})"
    )
    print(
        f"  certificates: {len(certificates)} for {len(cases)} cases ({sum(1 for v in per_case.values() if v == 1)} "
        f"cases with exactly one, {sum(1 for v in events.values() if v == 1)} with one 'issued' line); "
        f"PDF hash {hashes_ok} and SM2 {sm2_ok} of {len(certificates)} verify ({sm2_s:.1f} s), "
        f"PAdES {pades_ok} of a sample of {len(sample)} ({pades_s:.1f} s); {holders} holders: one valid card "
        f"(the newest) {valid_ok}, older ones superseded in order {chains_ok}"
    )
    print(
        f"  用数记录: {sum(accesses.values())} registry lookups logged for {len(accesses)} of {len(cases)} cases "
        f"(min {min(accesses.values(), default=0)}, max {max(accesses.values(), default=0)} per case); "
        f"{wrong_department} by another department"
    )
    if not_approved:
        problems.append(f"{len(not_approved)} 秒批 cases not approved, e.g. {not_approved[:3]}")
    if decided_once != len(cases) or automatic != len(cases):
        problems.append("not every 秒批 case was decided exactly once by the rules")
    if (
        len(certificates) != len(cases)
        or any(v != 1 for v in per_case.values())
        or len(per_case) != len(cases)
    ):
        problems.append("not every 秒批 case has exactly one certificate")
    if len(events) != len(cases) or any(v != 1 for v in events.values()):
        problems.append("not every 秒批 case has one 'certificate issued' line")
    if not (hashes_ok == sm2_ok == len(certificates)) or pades_ok != len(sample):
        problems.append("a certificate's PDF hash or signature does not verify")
    if valid_ok != holders or chains_ok != holders:
        problems.append("a person holds other than one valid card, or the supersession chain is broken")
    if len(accesses) != len(cases) or wrong_department:
        problems.append("a 秒批 case lacks its logged registry lookups, or another department looked")
    return problems


def signatures(certificates: list[Any]) -> tuple[int, int, float]:
    """How many stored PDFs match their hash and how many SM2 signatures verify; the seconds taken."""
    import hashlib

    from onevisit.certificates import selectors, signing
    from onevisit.certificates.services import canonical_data

    started = time.perf_counter()
    hashes_ok = sm2_ok = 0
    for certificate in certificates:
        data = selectors.pdf_bytes(certificate)
        hashes_ok += data is not None and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
        sm2_ok += signing.sm2_verify(
            canonical_data(certificate), certificate.sm2_signature, certificate.sm2_public_key
        )
    return hashes_ok, sm2_ok, time.perf_counter() - started


def supersession(certificates: list[Any]) -> tuple[int, int, int]:
    """(holders, holders with one valid card that is their newest, holders whose older cards are
    each superseded by their next one)."""
    from onevisit.certificates.models import CertificateStatus

    holders: dict[int, list[Any]] = defaultdict(list)
    for certificate in certificates:
        holders[certificate.holder_person_id or 0].append(certificate)
    valid_ok = chains_ok = 0
    for own in holders.values():
        own.sort(key=lambda c: (c.issued_at, c.pk))
        statuses = [c.status for c in own]
        valid_ok += statuses.count(CertificateStatus.VALID) == 1 and statuses[-1] == CertificateStatus.VALID
        chains_ok += all(
            older.status == CertificateStatus.SUPERSEDED and newer.supersedes_id == older.pk
            for older, newer in itertools.pairwise(own)
        )
    return len(holders), valid_ok, chains_ok


# --- Main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per contender and level")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn sync workers")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="concurrent clients")
    parser.add_argument("--profile-runs", type=int, default=PROFILE_RUNS, help="0: no profile")
    parser.add_argument("--database", default=DATABASE, help="created afresh, dropped at the end")
    parser.add_argument("--keep", action="store_true", help="keep the database and the var dir")
    options = parser.parse_args()
    levels = [int(x) for x in options.levels.split(",")]
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    var_dir = Path(tempfile.mkdtemp(prefix="onevisit-instant-load."))
    os.environ.update(
        DATABASE_URL=f"{server}/{options.database}", DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        ONEVISIT_VAR_DIR=str(var_dir), ONEVISIT_SIGNING_DIR=str(var_dir / "keys"), PYTHONHASHSEED="0",
    )  # fmt: skip
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    plain.recreate_database(server, options.database)
    try:
        run(levels, options.seconds, options.workers, options.profile_runs, var_dir)
    finally:
        from django.db import connections

        connections.close_all()
        if options.keep:
            print(f"  kept database {options.database} and {var_dir}")
        else:
            plain.drop_database(server, options.database)
            shutil.rmtree(var_dir, ignore_errors=True)


def run(levels: list[int], seconds: float, workers: int, profile_runs: int, var_dir: Path) -> None:
    from benchmarks.timing import backend, setup

    setup()
    started = time.monotonic()
    clients_max = max(levels)
    plain_people = plain.prepare(clients_max)
    seniors = prepare_seniors(clients_max + 1)  # the last one is the profile's applicant
    print(
        f"\n### 秒批 under load — {backend()}, gunicorn {workers} sync workers, DEBUG off, "
        f"{seconds:g} s per contender and level (A B B A slices)"
    )
    print(
        f"  秒批: {ITEM} 老年人优待证, {REQUESTS_PER_JOURNEY} requests (start page … decision page), nothing to "
        f"upload, approved by the rules and a signed certificate issued inside the submit POST; plain: "
        f"{plain.CODE}, {plain.REQUESTS_PER_JOURNEY} requests, two uploads (submit_load's journey)"
    )
    port = free_port()
    (var_dir / "static").mkdir()
    log = var_dir / "gunicorn.log"
    server = plain.start_server(port, workers, log)
    sampler = RssSampler(server.pid)
    sampler.start()
    locks = LockSampler(os.environ["DATABASE_URL"])
    locks.start()
    rows: list[tuple[int, Figures, Figures]] = []
    counts = {"instant": 0, "plain": 0}
    failed = True
    try:
        instants = [
            Client(Browser(port), phone, name, number) for name, number, phone in seniors[:clients_max]
        ]
        plains = [Client(Browser(port), phone, name, number) for name, number, phone in plain_people]
        log_in_all(instants + plains, workers)
        print(
            f"  setup {time.monotonic() - started:.0f} s; {len(instants)} + {len(plains)} applicants logged in"
        )
        warm_submits: list[float] = []
        for _round in range(WARMUP_ROUNDS):  # untimed: fonts, keys and pyHanko load in each worker
            part = run_slice(instants[:WARMUP_CLIENTS], instant_journey, 0.0, server.pid)
            counts["instant"] += len(part.samples)
            warm_submits += [s.submit_ms for s in part.samples]
        counts["plain"] += len(run_slice(plains[:WARMUP_CLIENTS], plain.journey, 0.0, server.pid).samples)
        worker_mb = sorted(status_kb(pid, "VmRSS") // 1024 for pid in descendants(server.pid))
        print(
            f"  warm-up: {len(warm_submits)} 秒批 submits, {max(warm_submits):.0f} ms the slowest (first "
            f"in a cold worker), median {statistics.median(warm_submits):.0f}; worker RSS after it {worker_mb} MB"
        )
        ops: dict[str, Callable[[Client], Sample]] = {"instant": instant_journey, "plain": plain.journey}
        for level in levels:
            parts: dict[str, list[Slice]] = {"instant": [], "plain": []}
            for name in ("instant", "plain", "plain", "instant"):
                group = instants[:level] if name == "instant" else plains[:level]
                locks.label = f"{name} {level}"
                parts[name].append(run_slice(group, ops[name], seconds / 2, server.pid))
                locks.label = ""
            fast, slow = figures(parts["instant"]), figures(parts["plain"])
            counts["instant"] += fast.count
            counts["plain"] += slow.count
            rows.append((level, fast, slow))
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        failed = False
    finally:
        sampler.finish()
        locks.done.set()
        stop(server)
        if failed:
            print("  gunicorn's log ends with:", *log.read_text().splitlines()[-40:], sep="\n    ")
    print_results(rows)
    mb = 1024
    print(
        f"  server RSS (sampled every {plain.SAMPLE_EVERY_S:g} s, {sampler.samples} samples): peak of master + "
        f"{workers} workers {sampler.peak_total_kb / mb:.0f} MB, largest worker "
        f"{sampler.peak_worker_kb / mb:.0f} MB; sum of each process's VmHWM "
        f"{sum(sampler.hwm_kb.values()) / mb:.0f} MB"
    )
    print("\n  PostgreSQL backends of the bench database, mean over the slices (sampled every 0.1 s):")
    for level, *_figures in rows:
        for name in ("instant", "plain"):
            print(f"    {name:>7} at {level:>2} client(s): {locks.line(f'{name} {level}')}")
    problems = verify_instant(instants, counts["instant"])
    problems += plain.verify(plains, counts["plain"], 0)
    if problems:
        raise SystemExit("; ".join(problems))
    if profile_runs:
        from benchmarks.instant_profile import cold_start, profile

        name, number, phone = seniors[-1]
        profile(phone, name, number, profile_runs)
        cold_start(phone, name, number)
    sys.stdout.flush()


def print_results(rows: list[tuple[int, Figures, Figures]]) -> None:
    print(
        f"\n  {'clients':>7} | {'秒批 cases/s':>11} {'p50 ms':>7} {'p99 ms':>7} {'submit p50':>10} {'p99':>6}"
        f" {'n':>4} {'CPU ms':>6} | {'plain cases/s':>13} {'p50 ms':>7} {'p99 ms':>7} {'submit p50':>10}"
        f" {'p99':>6} {'n':>4} {'CPU ms':>6}"
    )
    for level, s, b in rows:
        print(
            f"  {level:>7} | {s.per_s:11.2f} {s.p50:7.0f} {s.p99:7.0f} {s.submit_p50:10.0f} {s.submit_p99:6.0f}"
            f" {s.count:>4} {s.server_cpu_ms:6.0f} | {b.per_s:13.2f} {b.p50:7.0f} {b.p99:7.0f}"
            f" {b.submit_p50:10.0f} {b.submit_p99:6.0f} {b.count:>4} {b.server_cpu_ms:6.0f}"
        )
    print(
        f"  (journeys: 秒批 {REQUESTS_PER_JOURNEY} requests, plain {plain.REQUESTS_PER_JOURNEY}; p50/p99 of the "
        "whole journey, then of the submit POST alone; CPU ms = gunicorn's user + system CPU per case, "
        "PostgreSQL's not included)"
    )
    print("\n  ratios, 秒批 ÷ plain at the same level:")
    print(
        f"  {'clients':>7} | {'cases/s':>7} | {'journey p50':>11} {'p99':>5} | {'submit p50':>10} {'p99':>5} |"
        f" {'CPU/case':>8}"
    )
    for level, s, b in rows:
        print(
            f"  {level:>7} | {s.per_s / b.per_s:7.2f} | {s.p50 / b.p50:11.2f} {s.p99 / b.p99:5.2f} |"
            f" {s.submit_p50 / b.submit_p50:10.2f} {s.submit_p99 / b.submit_p99:5.2f} |"
            f" {s.server_cpu_ms / b.server_cpu_ms:8.2f}"
        )
    first, last = rows[0], rows[-1]
    print(f"\n  the 秒批 journey's requests, p50 ms at {first[0]} and at {last[0]} client(s):")
    for label, values in first[1].requests.items():
        at_last = sorted(last[1].requests.get(label, [0.0]))
        print(f"    {label:<46} {percentile(sorted(values), 0.5):7.1f} {percentile(at_last, 0.5):7.1f}")


if __name__ == "__main__":
    main()
