"""Where the time of one 秒批 submit POST goes: the part of ``instant_load.py`` that runs in process.

After the load run, on the same PostgreSQL database, one senior applies through Django's test
client up to the check page, again and again; only the submit POST is measured:

1. by part, exactly: the entry points of each part are wrapped (rules ``workflow.rules.decide``;
   registry lookups and their logging ``evidence.evidence_use``, ``evidence.trusted_apply`` and
   ``services.missing_materials``; PDF ``certificate_pdf``; PAdES ``signing.pades_sign``; SM2
   ``signing.sm2_sign``) and every query goes through ``connection.execute_wrapper``. A part's own
   time excludes the parts inside it (a lookup's queries count as database), so the parts and
   "other" add up to the request; the queries are also counted by the step that ran them;
2. by function, with cProfile (which slows pure-Python code more than C and I/O, so its shares
   differ from 1.): the top functions of each part by cumulative time.

``cold_start`` runs the same in a fresh process: what the first 秒批 of a new gunicorn worker costs.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.instant_load import ADDRESS, ITEM, ROOT, age_of
from benchmarks.submit_load import PASSWORD, JourneyError, search

PARTS = ("rules evaluation", "registry lookups/logging", "PDF render", "PAdES signing", "SM2", "database")
STEPS = (
    "load the case (visible_cases)",
    "case_submit",
    "evidence_for",
    "case_instant_decide",
    "certificate_issue",
)
VIEW = "view, middleware, session"


class Timer:
    """Wall time by part (nesting: own time excludes the parts inside) and by step (inclusive)."""

    def __init__(self) -> None:
        self.parts: list[list[Any]] = []  # [part, started, time of the parts inside]
        self.steps: list[str] = []
        self.taken: list[dict[str, float]] = []  # per open step: when it first took each hot row lock
        self.held: dict[tuple[str, str], float] = defaultdict(float)  # (step, lock): until the commit
        self.own: dict[str, float] = defaultdict(float)
        self.inclusive: dict[str, float] = defaultdict(float)
        self.step_time: dict[str, float] = defaultdict(float)
        self.step_calls: Counter[str] = Counter()
        self.db_by_part: dict[str, float] = defaultdict(float)
        self.db_by_step: dict[str, float] = defaultdict(float)
        self.queries_by_part: Counter[str] = Counter()
        self.queries_by_step: Counter[str] = Counter()
        self.gc_time: dict[int, float] = defaultdict(float)  # by generation, wherever it struck
        self.gc_runs: Counter[int] = Counter()
        self._gc_started = 0.0

    def collecting(self, phase: str, info: dict[str, int]) -> None:
        """``gc.callbacks`` hook: collections pause whatever part is running."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_time[info["generation"]] += time.perf_counter() - self._gc_started
            self.gc_runs[info["generation"]] += 1

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        self.parts.append([name, time.perf_counter(), 0.0])
        try:
            yield
        finally:
            part, started, inside = self.parts.pop()
            elapsed = time.perf_counter() - started
            self.own[part] += elapsed - inside
            if all(frame[0] != part for frame in self.parts):
                self.inclusive[part] += elapsed
            if self.parts:
                self.parts[-1][2] += elapsed
            if part == "database":
                parent = self.parts[-1][0] if self.parts else "other"
                step = self.steps[-1] if self.steps else VIEW
                self.db_by_part[parent] += elapsed
                self.queries_by_part[parent] += 1
                self.db_by_step[step] += elapsed
                self.queries_by_step[step] += 1

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.steps.append(name)
        self.taken.append({})
        started = time.perf_counter()
        try:
            yield
        finally:
            ended = time.perf_counter()
            self.steps.pop()
            taken = self.taken.pop()
            if name not in self.steps:
                self.step_time[name] += ended - started
                self.step_calls[name] += 1
            if not self.steps:
                # A row lock is held from when the transaction takes it to its commit, which is when
                # the outermost step (an atomic service called by the view) returns.
                for lock, first in taken.items():
                    self.held[name, lock] += ended - first

    def lock(self, name: str) -> None:
        now = time.perf_counter()
        for frame in self.taken:
            frame.setdefault(name, now)


def _wrap(function: Callable[..., Any], enter: Callable[[], Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with enter():
            return function(*args, **kwargs)

    return wrapper


@contextmanager
def instrumented(timer: Timer) -> Iterator[None]:
    """Wrap the entry points of each part and step (module attributes, restored afterwards)."""
    from django.db import connection

    from onevisit.cases import evidence, instant, issuance
    from onevisit.cases import services as case_services
    from onevisit.certificates import services as certificate_services
    from onevisit.certificates import signing
    from onevisit.exchange import services as exchange
    from onevisit.portal import apply
    from onevisit.workflow import rules

    auditing = (case_services, instant, issuance, certificate_services, exchange)  # modules that audit

    def part(name: str) -> Callable[[], Any]:
        return lambda: timer.part(name)

    def step(name: str) -> Callable[[], Any]:
        return lambda: timer.step(name)

    targets: list[tuple[Any, str, Callable[[], Any]]] = [
        (rules, "decide", part("rules evaluation")),
        (evidence, "evidence_use", part("registry lookups/logging")),
        (evidence, "trusted_apply", part("registry lookups/logging")),
        (case_services, "missing_materials", part("registry lookups/logging")),
        (certificate_services, "certificate_pdf", part("PDF render")),
        (signing, "pades_sign", part("PAdES signing")),
        (signing, "sm2_sign", part("SM2")),
        (case_services, "case_submit", step("case_submit")),
        (instant, "case_instant_decide", step("case_instant_decide")),
        (issuance, "case_certificate_issue", step("certificate_issue")),
        (apply, "_case", step(STEPS[0])),
        (evidence, "evidence_for", step("evidence_for")),
    ]

    def lock(name: str) -> Callable[[], Any]:
        @contextmanager
        def taken() -> Iterator[None]:
            timer.lock(name)
            yield

        return taken

    targets += [(module, "audit_log", lock("audit chain head")) for module in auditing]
    targets += [
        (case_services, "case_number_next", lock("case counter")),
        (certificate_services, "_number_next", lock("certificate counter")),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _enter in targets]
    for module, name, enter in targets:
        setattr(module, name, _wrap(getattr(module, name), enter))

    def database(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        with timer.part("database"):
            return execute(sql, params, many, context)

    gc.callbacks.append(timer.collecting)
    try:
        with connection.execute_wrapper(database):
            yield
    finally:
        gc.callbacks.remove(timer.collecting)
        for module, name, original in saved:
            setattr(module, name, original)


class PortalApplicant:
    """One senior applying through Django's test client up to the check page; then the submit."""

    def __init__(self, phone: str, name: str, id_number: str) -> None:
        from django.test import Client as DjangoClient

        self.client = DjangoClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.phone, self.name, self.id_number = phone, name, id_number
        response = self.client.post("/account/login/", {"phone": phone, "password": PASSWORD})
        if response.status_code != 302:
            raise JourneyError(f"the test client could not log in {phone}: {response.status_code}")

    def ready(self) -> tuple[str, str]:
        """A new case at its check page: (submit URL, idempotency key)."""
        import datetime as dt

        c = self.client
        step = self._redirect(c.post(f"/items/{ITEM}/apply/"))
        case_url = step.rsplit("/step/", 1)[0]
        self._redirect(c.post(f"{case_url}/step/1/", {
            "applicant_name": self.name, "applicant_id_number": self.id_number, "applicant_phone": self.phone,
            "applicant_age": str(age_of(self.id_number, dt.date.today())),
        }))  # fmt: skip
        self._redirect(c.post(f"{case_url}/step/2/", {
            "applicant_local_hukou": "true", "applicant_has_residence_permit": "false",
            "residence": ADDRESS.format(n=int(self.phone[-4:])), "seniors_card_type": "首次申领",
        }))  # fmt: skip
        check = self._redirect(c.post(f"{case_url}/materials/", {}))
        page = c.get(check).content.decode()
        return f"{case_url}/submit/", search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page, "key")

    def submit(self, url: str, key: str) -> str:
        """The submit POST alone; where it redirects to."""
        return self._redirect(self.client.post(url, {"idempotency_key": key}))

    def approved(self, done: str) -> None:
        page = self.client.get(done).content.decode()
        search(r'/account/certificates/([0-9A-Z]{10,40})/"', page, "certificate number")

    @staticmethod
    def _redirect(response: Any) -> str:
        if response.status_code != 302:
            raise JourneyError(f"expected a redirect, got {response.status_code}")
        return str(response["Location"])


def profile(phone: str, name: str, id_number: str, runs: int) -> None:
    applicant = PortalApplicant(phone, name, id_number)
    for _warm in range(2):
        applicant.approved(applicant.submit(*applicant.ready()))
    timer = Timer()
    totals: list[float] = []
    for _run in range(runs):
        url, key = applicant.ready()
        with instrumented(timer):
            started = time.perf_counter()
            done = applicant.submit(url, key)
            totals.append((time.perf_counter() - started) * 1000)
        applicant.approved(done)
    print_parts(timer, totals)
    profiler = cProfile.Profile()
    for _run in range(runs):
        url, key = applicant.ready()
        profiler.enable()
        done = applicant.submit(url, key)
        profiler.disable()
        applicant.approved(done)
    print_profile(profiler, runs)


def print_parts(timer: Timer, totals: list[float]) -> None:
    runs = len(totals)
    total = sum(totals) / runs

    def ms(seconds: float) -> float:
        return seconds * 1000 / runs

    print(
        f"\n  where the time of one 秒批 submit POST goes (Django's test client in this process, same database, "
        f"no other load from this run; mean of {runs}: {total:.0f} ms, median {statistics.median(totals):.0f}, "
        f"max {max(totals):.0f}; {sum(timer.queries_by_step.values()) / runs:.0f} queries):"
    )
    print(f"    {'part':<26} {'ms':>6} {'share':>6}   (own time: the queries of a part count as database)")
    for name in PARTS:
        own = ms(timer.own.get(name, 0.0))
        note = ""
        if name == "registry lookups/logging":
            note = f"   {ms(timer.inclusive.get(name, 0.0)):.1f} ms with its queries"
        elif name == "database":
            note = "   " + ", ".join(
                f"{ms(v):.1f} ms in {timer.queries_by_part[k] / runs:.0f} queries from {k}"
                for k, v in sorted(timer.db_by_part.items(), key=lambda kv: -kv[1])
            )
        print(f"    {name:<26} {own:6.1f} {own / total:6.0%}{note}")
    other = total - ms(sum(timer.own.values()))
    print(f"    {'other':<26} {other:6.1f} {other / total:6.0%}   (view, middleware, ORM, audit, jobs, file)")
    print(
        "    garbage collection, inside the parts above: "
        + ", ".join(
            f"generation {g}: {ms(timer.gc_time[g]):.1f} ms ({timer.gc_runs[g] / runs:.1f} per submit)"
            for g in sorted(timer.gc_runs)
        )
    )
    print(
        "    steps, inclusive: "
        + ", ".join(
            f"{k} {ms(timer.step_time.get(k, 0.0)):.1f} ms"
            + (f" ({timer.step_calls[k] / runs:.0f} calls)" if timer.step_calls[k] > runs else "")
            for k in STEPS
        )
        + "; queries by step: "
        + ", ".join(
            f"{k} {ms(timer.db_by_step.get(k, 0.0)):.1f} ms / {timer.queries_by_step[k] / runs:.0f}"
            for k in (*STEPS, VIEW)
        )
    )
    print(
        "    hot rows locked until the commit (the audit chain's head: every write of the platform; the case "
        "counter: every case of the region that day; the certificate counter: every card of the type): "
        + ", ".join(f"{lock} in {step} {ms(v):.1f} ms" for (step, lock), v in timer.held.items())
    )


def label_of(filename: str) -> str:
    """Which part a function belongs to, by where its code lives (for the cProfile listing)."""
    path = filename.replace("\\", "/")
    for part, needles in (
        ("rules evaluation", ("SpiffWorkflow", "RestrictedPython", "onevisit/workflow/")),
        ("registry lookups/logging", ("onevisit/exchange/", "onevisit/cases/evidence")),
        (
            "PDF render",
            ("reportlab", "segno", "/PIL/", "onevisit/certificates/document", "onevisit/core/pdf"),
        ),
        ("PAdES signing", ("pyhanko", "asn1crypto")),
        ("SM2", ("gmssl",)),
        ("database", ("django/db/", "psycopg")),
    ):
        if any(needle in path for needle in needles):
            return part
    return "other"


def print_profile(profiler: cProfile.Profile, runs: int, per_part: int = 6) -> None:
    rows = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    by_part: dict[str, list[tuple[float, float, float, str]]] = defaultdict(list)
    own: dict[str, float] = defaultdict(float)
    total = max(ct for _cc, _nc, _tt, ct, _callers in rows.values())
    for (filename, line, function), (_cc, calls, tottime, cumtime, _callers) in rows.items():
        part = label_of(filename)
        own[part] += tottime
        where = re.sub(r"^.*/(site-packages|src)/", "", filename)
        by_part[part].append((cumtime, tottime, calls, f"{where}:{line}({function})"))
    print(
        f"\n  cProfile of {runs} 秒批 submit POSTs ({total * 1000 / runs:.0f} ms each under the profiler), ms per "
        "submit. Self time by where the code lives (built-in functions count as other):"
    )
    print("    " + ", ".join(f"{p} {own.get(p, 0.0) * 1000 / runs:.0f}" for p in (*PARTS, "other")))
    print("  top functions of each part by cumulative time (other: by own time; cum, own, calls):")
    for part in (*PARTS, "other"):
        key = (lambda r: r[1]) if part == "other" else (lambda r: r[0])
        print(f"    -- {part}")
        for cumtime, tottime, calls, where in sorted(by_part.get(part, []), key=key, reverse=True)[:per_part]:
            print(
                f"      {cumtime * 1000 / runs:7.1f} {tottime * 1000 / runs:6.1f} {calls / runs:6.0f}×  {where[:110]}"
            )


COLD_SUBMITS = """
import json, sys, time
from benchmarks.timing import setup
setup()
from benchmarks.instant_profile import PortalApplicant
applicant = PortalApplicant(*sys.argv[1:4])
ms = []
for _ in range(3):
    url, key = applicant.ready()
    started = time.perf_counter()
    done = applicant.submit(url, key)
    ms.append((time.perf_counter() - started) * 1000)
    applicant.approved(done)
print(json.dumps(ms))
"""

COLD_PARTS = """
import json, sys, time
from benchmarks.timing import setup
setup()
from onevisit.org.models import Department
out = {}
t = time.perf_counter()
import pyhanko.sign.signers, reportlab.platypus, segno  # noqa
out["import reportlab + pyHanko + segno"] = time.perf_counter() - t
t = time.perf_counter()
from onevisit.core.pdf import fonts
fonts()
out["fonts() (two 10 MB TrueType files)"] = time.perf_counter() - t
from onevisit.certificates import signing
department = Department.objects.get(code=sys.argv[1])
t = time.perf_counter()
signing.department_keys(department)
out["department_keys() (PEM files, pyHanko signer)"] = time.perf_counter() - t
print(json.dumps(out))
"""


def cold_start(phone: str, name: str, id_number: str) -> None:
    """The first 秒批 submits of a fresh process, as a new gunicorn worker (no --preload) sees them."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    results = []
    for code, args in ((COLD_SUBMITS, [phone, name, id_number]), (COLD_PARTS, [ITEM.rsplit("-", 1)[0]])):
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            print(f"  (cold-start probe failed: {done.stderr.strip().splitlines()[-1:]})")
            return
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    submits, parts = results
    print(
        f"\n  a fresh process (a new gunicorn worker): 1st 秒批 submit POST {submits[0]:.0f} ms, then "
        f"{submits[1]:.0f} and {submits[2]:.0f}; in another fresh process, apart: "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in parts.items())
    )
