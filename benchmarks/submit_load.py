"""Online submit of a case through the real HTTP stack on PostgreSQL, at 1, 8 and 32 concurrent
clients, against a bare Django endpoint that inserts one row, served by the same server in the same run.

It creates a fresh PostgreSQL database (``onevisit_bench_submit_<pid>`` on ``BENCH_PG``, dropped at
the end) and a throwaway var dir, migrates, loads the demo data, adds a copy of 不动产转移登记
(330100-BDC-001: three form pages) that keeps only its two materials always uploaded (whatever
shared data or certificates an applicant has), opens one applicant account per client, and starts
gunicorn (sync workers, DEBUG off, ``benchmarks.bench_settings``) as a separate process. Each client
logs in once, then applies again and again as a browser does, following every redirect: start page
→ start → three form pages → materials page with two uploads (a tiny PDF and a tiny PNG) → check
page → submit → confirmation page. The baseline client POSTs ``/bench/insert/``. At each level the
journey and the baseline run in turn, A B B A, for half the time each slice.

Figures: journeys (cases) per second, p50/p99 of the whole journey and of the submit POST alone,
baseline requests per second and p50/p99, their ratios, and the peak RSS of the server processes.
Afterwards every case the clients saw filed must exist exactly once.

Run: ``.venv/bin/python -m benchmarks.submit_load [--seconds 10] [--workers 4] [--levels 1,8,32]``
(or ``benchmarks/run.sh``); ``--keep`` leaves the database and the var dir for a look.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.server_rss import descendants, free_port, stop

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "330100-BDC-001"  # 不动产转移登记: three form pages, a person applies
CODE = "330100-BDC-900"  # its copy with only the two materials that are always uploaded
LEVELS = (1, 8, 32)
SECONDS = 10.0
WORKERS = 4
DATABASE = f"onevisit_bench_submit_{os.getpid()}"
PASSWORD = "bench-load-2026"
START_TIMEOUT_S = 60
SAMPLE_EVERY_S = 0.2
WARMUP_CLIENTS = 8

STEPS: list[dict[str, str]] = [
    {"applicant_name": "", "applicant_id_number": "", "applicant_phone": ""},  # filled per client
    {"seller_name": "包博文", "seller_id_number": "330106198511032415"},
    {
        "property_certificate_number": "浙(2024)杭州市不动产权第0123456号",
        "property_address": "杭州市西湖区文三路 1 号 2 幢 301 室",
        "property_usage": "住宅",
        "transaction_price": "3200000",
    },
]


# --- Small valid files -----------------------------------------------------------------------------


def tiny_pdf() -> bytes:
    """A valid one-page PDF (with a correct cross-reference table)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_png() -> bytes:
    """A valid 1×1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


PDF = tiny_pdf()
PNG = tiny_png()


# --- A browser: cookies, CSRF, redirects -----------------------------------------------------------


NUMBER_IN_PATH = re.compile(r"/\d+/")


class JourneyError(Exception):
    """The server answered something a browser would not expect; the run is not valid."""


@dataclass
class Response:
    status: int
    location: str
    body: str


class Browser:
    """One client: its own cookies (session, CSRF); one connection per request (gunicorn's sync
    workers close it after each response)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.timings: list[tuple[str, float]] = []  # (method and path pattern, ms) since last taken

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        files: dict[str, tuple[str, str, bytes]] | None = None,
        expect: int = 200,
    ) -> Response:
        headers = {"Accept-Language": "zh-hans", "User-Agent": "onevisit-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body: bytes | None = None
        if method == "POST":
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **(form or {})}
            if files:
                body, headers["Content-Type"] = multipart(form, files)
            else:
                body = urlencode(form).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._keep(header)
            result = Response(response.status, response.headers.get("Location", ""), text)
        finally:
            connection.close()
        label = f"{method} {NUMBER_IN_PATH.sub('/N/', path)}"
        self.timings.append((label, (time.perf_counter() - started) * 1000))
        if result.status != expect:
            raise JourneyError(f"{method} {path} answered {result.status}, not {expect}: {text[:300]!r}")
        return result

    def _keep(self, header: str) -> None:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str) -> str:
        return self.request("GET", path).body

    def post_and_follow(
        self,
        path: str,
        form: dict[str, str] | None = None,
        files: dict[str, tuple[str, str, bytes]] | None = None,
    ) -> str:
        """POST a form that answers with a redirect, then GET where it leads; the page's HTML."""
        response = self.request("POST", path, form=form, files=files, expect=302)
        return self.request("GET", response.location).body


def multipart(form: dict[str, str], files: dict[str, tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in form.items()
    ]  # fmt: skip
    for name, (filename, content_type, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def search(pattern: str, page: str, what: str) -> str:
    match = re.search(pattern, page)
    if match is None:
        raise JourneyError(f"no {what} on the page: {page[:300]!r}")
    return match.group(1)


# --- The two contenders ----------------------------------------------------------------------------


@dataclass
class Client:
    browser: Browser
    phone: str
    name: str
    id_number: str
    numbers: list[str] = field(default_factory=list)


@dataclass
class Sample:
    total_ms: float
    submit_ms: float
    requests: list[tuple[str, float]] = field(default_factory=list)


REQUESTS_PER_JOURNEY = 13


def journey(client: Client) -> Sample:
    """One application, page by page, as a browser does it (13 requests)."""
    b = client.browser
    b.timings = []
    started = time.perf_counter()
    base = f"/items/{CODE}/apply/"
    b.get(base)
    step = b.request("POST", base, expect=302).location
    b.get(step)
    answers = [{"applicant_name": client.name, "applicant_id_number": client.id_number,
                "applicant_phone": client.phone}, *STEPS[1:]]  # fmt: skip
    case_url = step.rsplit("/step/", 1)[0]
    page = ""
    for n, data in enumerate(answers, start=1):
        page = b.post_and_follow(f"{case_url}/step/{n}/", data)
    inputs = re.findall(r'type="file" id="(m-\d+)"', page)
    if len(inputs) != 2:
        raise JourneyError(f"expected two materials to upload, found {inputs}")
    files = {
        inputs[0]: ("申请书.pdf", "application/pdf", PDF),
        inputs[1]: ("利害关系声明.png", "image/png", PNG),
    }
    page = b.post_and_follow(f"{case_url}/materials/", files=files)
    key = search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page, "idempotency key")
    submit_started = time.perf_counter()
    done = b.request("POST", f"{case_url}/submit/", form={"idempotency_key": key}, expect=302)
    submit_ms = (time.perf_counter() - submit_started) * 1000
    page = b.get(done.location)
    client.numbers.append(search(r'class="case-number">(\d+)<', page, "case number"))
    if len(b.timings) != REQUESTS_PER_JOURNEY:
        raise JourneyError(f"the journey took {len(b.timings)} requests, not {REQUESTS_PER_JOURNEY}")
    timings, b.timings = b.timings, []
    return Sample((time.perf_counter() - started) * 1000, submit_ms, timings)


def baseline(client: Client) -> Sample:
    started = time.perf_counter()
    client.browser.request("POST", "/bench/insert/", expect=204)
    ms = (time.perf_counter() - started) * 1000
    client.browser.timings = []
    return Sample(ms, ms)


def log_in(client: Client) -> None:
    client.browser.get("/account/login/")
    response = client.browser.request(
        "POST", "/account/login/", form={"phone": client.phone, "password": PASSWORD}, expect=302
    )
    if "sessionid" not in client.browser.cookies:
        raise JourneyError(f"logging in {client.phone} gave no session (to {response.location})")


# --- Load ----------------------------------------------------------------------------------------


@dataclass
class Slice:
    samples: list[Sample]
    elapsed_s: float
    server_cpu_s: float  # user + system time of gunicorn's master and workers (not PostgreSQL's)
    client_cpu_s: float  # this process: the client threads


def run_slice(clients: list[Client], op: Callable[[Client], Sample], seconds: float, server: int) -> Slice:
    """Every client repeats ``op`` until the time is up, at least once (a started one finishes)."""
    samples: list[Sample] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    deadline = 0.0

    def loop(client: Client) -> None:
        barrier.wait()
        try:
            while True:
                sample = op(client)
                with lock:
                    samples.append(sample)
                if time.monotonic() >= deadline:
                    break
        except BaseException as exc:  # reported below, the run stops
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    server_cpu, client_cpu = cpu_seconds(server), time.process_time()
    started = time.monotonic()
    deadline = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        raise SystemExit(f"{len(errors)} client(s) failed; the first: {errors[0]!r}")
    return Slice(samples, elapsed, cpu_seconds(server) - server_cpu, time.process_time() - client_cpu)


def cpu_seconds(master: int) -> float:
    """User + system CPU time of a process and its children, from /proc/<pid>/stat."""
    ticks = 0
    for pid in [master, *descendants(master)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Figures:
    count: int
    per_s: float
    p50: float
    p99: float
    submit_p50: float
    submit_p99: float
    requests: dict[str, list[float]]
    server_cpu_ms: float  # per operation
    client_cpu: float  # share of one core


def figures(slices: list[Slice]) -> Figures:
    samples = [s for part in slices for s in part.samples]
    elapsed = sum(part.elapsed_s for part in slices)
    totals = sorted(s.total_ms for s in samples)
    submits = sorted(s.submit_ms for s in samples)
    requests: dict[str, list[float]] = {}
    for sample in samples:
        for label, ms in sample.requests:
            requests.setdefault(label, []).append(ms)
    return Figures(
        len(samples), len(samples) / elapsed, percentile(totals, 0.50), percentile(totals, 0.99),
        percentile(submits, 0.50), percentile(submits, 0.99), requests,
        sum(p.server_cpu_s for p in slices) * 1000 / len(samples), sum(p.client_cpu_s for p in slices) / elapsed,
    )  # fmt: skip


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank, as ``timing.Stats``."""
    index = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- Server memory -------------------------------------------------------------------------------


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """Samples VmRSS of the gunicorn master and its workers; keeps the peak of the sum and of any
    single worker, and each process's own high-water mark (VmHWM)."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.peak_total_kb = 0
        self.peak_worker_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_EVERY_S):
            self.sample()

    def sample(self) -> None:
        workers = descendants(self.master)
        rss = {pid: status_kb(pid, "VmRSS") for pid in [self.master, *workers]}
        self.peak_total_kb = max(self.peak_total_kb, sum(rss.values()))
        self.peak_worker_kb = max([self.peak_worker_kb, *(rss[w] for w in workers)])
        for pid in rss:
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), status_kb(pid, "VmHWM"))
        self.samples += 1

    def finish(self) -> None:
        self.sample()
        self.done.set()
        self.join()


# --- Setup ---------------------------------------------------------------------------------------


def id_number(n: int) -> str:
    """A valid 18-digit 居民身份证号 (GB 11643 check digit) for synthetic person ``n``."""
    born = dt.date(1990, 1, 1) + dt.timedelta(days=97 * n)
    body = f"330106{born:%Y%m%d}{n % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def recreate_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(clients: int) -> list[tuple[str, str, str]]:
    """Migrate, load the demo, add the benchmark's item, create the baseline table and ``clients``
    applicants; their (name, ID number, phone)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.bench_urls import CREATE_TABLE
    from onevisit.catalog.transfer import CatalogFile, catalog_import
    from onevisit.demo.loader import DATA, item_record, load_demo
    from onevisit.identity.services import applicant_account_open, person_register

    call_command("migrate", verbosity=0)
    load_demo(verbosity=0)
    record = item_record(DATA / "items" / f"{SOURCE}.yaml")
    uploads = [
        m for m in record["materials"]
        if m.get("required") and not m.get("shared_data") and not m.get("certificate_type")
    ]  # fmt: skip
    if len(uploads) < 2:
        raise SystemExit(f"{SOURCE} no longer asks for two materials to upload; pick another item")
    record |= {"code": CODE, "name": f"{record['name']}（基准）", "materials": uploads[:2], "popular": False}
    catalog_import(actor="bench", catalog=CatalogFile(items=[record]))
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
    password = make_password(PASSWORD)
    people = []
    for n in range(clients):
        name, number, phone = f"基准{n:02d}", id_number(n), f"1370000{n:04d}"
        person = person_register(actor="bench", name=name, id_number=number, phone=phone)
        applicant_account_open(actor="bench", person=person, phone=phone, password_hash=password)
        people.append((name, number, phone))
    return people


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    args = [
        sys.executable, "-m", "gunicorn", "onevisit.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--timeout", "120", "--chdir", str(ROOT), "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:  # the workers' stderr too: Django logs server errors there
        process = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            Browser(port).get("/account/login/")
            if len(descendants(process.pid)) >= workers:
                return process
        except (OSError, JourneyError):
            pass
        time.sleep(0.5)
    stop(process)
    raise SystemExit(f"gunicorn did not answer within {START_TIMEOUT_S} s; see {log}")


def verify(clients: list[Client], journeys: int, inserts: int) -> list[str]:
    """Every case a client saw filed exists exactly once; nothing else was filed or left as a draft."""
    from django.db import connection

    from benchmarks.bench_urls import TABLE
    from onevisit.cases.models import Case

    seen = [n for c in clients for n in c.numbers]
    filed = Case.objects.filter(item_version__item__code=CODE)
    submitted = filed.exclude(status=Case.Status.DRAFT)
    matched = submitted.filter(number__in=seen).count()
    drafts = filed.filter(status=Case.Status.DRAFT).count()
    keys = submitted.values("idempotency_key").distinct().count()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        rows = cursor.fetchone()[0]
    print(
        f"  cases: {journeys} journeys, {submitted.count()} submitted, {len(set(seen))} distinct numbers "
        f"seen, {matched} of them found, {keys} idempotency keys, {drafts} drafts left; "
        f"baseline rows {rows} for {inserts} requests"
    )
    problems = []
    if not (journeys == len(seen) == len(set(seen)) == matched == submitted.count() == keys):
        problems.append("the submitted cases do not match the journeys one to one")
    if drafts:
        problems.append(f"{drafts} drafts were left unsubmitted")
    if rows != inserts:
        problems.append("the baseline rows do not match the baseline requests")
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
    var_dir = Path(tempfile.mkdtemp(prefix="onevisit-submit-load."))
    os.environ.update(
        DATABASE_URL=f"{server}/{options.database}", DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        ONEVISIT_VAR_DIR=str(var_dir), PYTHONHASHSEED="0",
    )  # fmt: skip
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    recreate_database(server, options.database)
    try:
        run(levels, options.seconds, options.workers, var_dir)
    finally:
        from django.db import connections

        connections.close_all()
        if options.keep:
            print(f"  kept database {options.database} and {var_dir}")
        else:
            drop_database(server, options.database)
            shutil.rmtree(var_dir, ignore_errors=True)


def run(levels: list[int], seconds: float, workers: int, var_dir: Path) -> None:
    from benchmarks.timing import backend, setup

    setup()
    started = time.monotonic()
    people = prepare(max(levels))
    print(
        f"\n### online submit under load — {backend()}, gunicorn {workers} sync workers, DEBUG off, "
        f"{seconds:g} s per contender and level (A B B A slices)"
    )
    print(
        f"  journey: {CODE}, {REQUESTS_PER_JOURNEY} requests (start page … confirmation), "
        f"uploads PDF {len(PDF)} B + PNG {len(PNG)} B; baseline: POST /bench/insert/ (one row)"
    )
    port = free_port()
    (var_dir / "static").mkdir()  # whitenoise warns about a missing STATIC_ROOT; pages need no file
    log = var_dir / "gunicorn.log"
    server = start_server(port, workers, log)
    sampler = RssSampler(server.pid)
    sampler.start()
    rows: list[tuple[int, Figures, Figures]] = []
    journeys = inserts = 0
    failed = True
    try:
        clients = [Client(Browser(port), phone, name, number) for name, number, phone in people]
        with ThreadPoolExecutor(max_workers=workers) as pool:  # PBKDF2 makes each login slow on purpose
            list(pool.map(log_in, clients))
        print(f"  setup {time.monotonic() - started:.0f} s; {len(clients)} applicants logged in")
        warm = clients[:WARMUP_CLIENTS]
        journeys += len(run_slice(warm, journey, 0.0, server.pid).samples)  # untimed: one each
        inserts += len(run_slice(warm, baseline, 0.0, server.pid).samples)
        for level in levels:
            group = clients[:level]
            half = seconds / 2
            parts: dict[str, list[Slice]] = {"journey": [], "baseline": []}
            for name in ("journey", "baseline", "baseline", "journey"):
                op = journey if name == "journey" else baseline
                parts[name].append(run_slice(group, op, half, server.pid))
            submit, base = figures(parts["journey"]), figures(parts["baseline"])
            journeys += submit.count
            inserts += base.count
            rows.append((level, submit, base))
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        failed = False
    finally:
        sampler.finish()
        stop(server)
        if failed:
            print("  gunicorn's log ends with:", *log.read_text().splitlines()[-40:], sep="\n    ")
    print_results(rows)
    mb = 1024
    print(
        f"  server RSS (sampled every {SAMPLE_EVERY_S:g} s, {sampler.samples} samples): peak of master + "
        f"{workers} workers {sampler.peak_total_kb / mb:.0f} MB, largest worker "
        f"{sampler.peak_worker_kb / mb:.0f} MB; sum of each process's VmHWM "
        f"{sum(sampler.hwm_kb.values()) / mb:.0f} MB"
    )
    problems = verify(clients, journeys, inserts)
    if problems:
        raise SystemExit("; ".join(problems))
    sys.stdout.flush()


def print_results(rows: list[tuple[int, Figures, Figures]]) -> None:
    n = REQUESTS_PER_JOURNEY
    print(
        f"\n  {'clients':>7} | {'cases/s':>7} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'n':>4} {'CPU ms':>6} |"
        f" {'submit p50':>10} {'p99':>6} | {'base req/s':>10} {'p50 ms':>6} {'p99 ms':>6} {'n':>5}"
        f" {'CPU ms':>6} | {'client CPU':>10}"
    )
    for level, s, b in rows:
        print(
            f"  {level:>7} | {s.per_s:7.2f} {s.per_s * n:6.1f} {s.p50:7.1f} {s.p99:7.1f} {s.count:>4}"
            f" {s.server_cpu_ms:6.1f} | {s.submit_p50:10.1f} {s.submit_p99:6.1f} | {b.per_s:10.1f} {b.p50:6.1f}"
            f" {b.p99:6.1f} {b.count:>5} {b.server_cpu_ms:6.2f} | {s.client_cpu:4.0%} {b.client_cpu:5.0%}"
        )
    print(
        f"  (req/s of the journey = cases/s × {n} requests; CPU ms = gunicorn's user + system CPU per case or "
        "per baseline request, PostgreSQL's not included; client CPU = this process, share of one core, "
        "journey and baseline)"
    )
    print("\n  ratios to the baseline at the same level (journey ÷ one-row insert):")
    print(
        f"  {'clients':>7} | {'cases/s ÷':>9} {'req/s ÷':>7} | {'journey p50 ×':>13} {'p99 ×':>6} |"
        f" {'submit p50 ×':>12} {'p99 ×':>6} | {'CPU/case ×':>10} {'CPU/request ×':>13}"
    )
    for level, s, b in rows:
        print(
            f"  {level:>7} | {s.per_s / b.per_s:9.4f} {s.per_s * n / b.per_s:7.3f} | {s.p50 / b.p50:13.1f}"
            f" {s.p99 / b.p99:6.1f} | {s.submit_p50 / b.p50:12.1f} {s.submit_p99 / b.p99:6.1f} |"
            f" {s.server_cpu_ms / b.server_cpu_ms:10.1f} {s.server_cpu_ms / n / b.server_cpu_ms:13.1f}"
        )
    first, last = rows[0], rows[-1]
    print(f"\n  the journey's requests, p50 ms at {first[0]} and at {last[0]} client(s):")
    for label, values in first[1].requests.items():
        at_last = sorted(last[1].requests.get(label, [0.0]))
        print(f"    {label:<46} {percentile(sorted(values), 0.5):7.1f} {percentile(at_last, 0.5):7.1f}")


if __name__ == "__main__":
    main()
