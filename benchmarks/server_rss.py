"""Peak memory (VmHWM) of the web server and the worker after ~300 requests, against a 300 MB budget.

Starts ``onevisit runserver --noreload`` on a free loopback port and ``onevisit worker`` with this
process's environment (so the same database), drives search and guide pages with urllib, reads
/proc/<pid>/status of each process and its descendants, then stops both. Also prints the HTTP
latency of the pages it drove, for comparison with the in-process figures.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.timing import Stats, backend, setup

BUDGET_MB = 300
REQUESTS = 300
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
ROOT = Path(__file__).resolve().parent.parent
ONEVISIT = ROOT / ".venv" / "bin" / "onevisit"
SEARCHES = ["营业执照", "开饭店", "生孩子", "退休", "身份证", "社保卡", "公积金提取", "yyzz", "食品", "医保"]
GUIDES = ["330100-SCJG-001", "330100-SCJG-002", "330100-GA-002", "330100-RS-010", "330100-BDC-001"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def started(args: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the web server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/life-events/", timeout=5) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the web server did not answer within {START_TIMEOUT_S} s")


def fetch(url: str) -> float:
    started_at = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET {url} answered {response.status}")
    return (time.perf_counter() - started_at) * 1000


def drive(base: str) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"search": [], "guide": [], "baseline": []}
    for n in range(REQUESTS // 3):
        query = urllib.parse.quote(SEARCHES[n % len(SEARCHES)])
        samples["search"].append(fetch(f"{base}/search/?q={query}"))
        samples["guide"].append(fetch(f"{base}/items/{GUIDES[n % len(GUIDES)]}/"))
        samples["baseline"].append(fetch(f"{base}/api/v1/life-events/"))
    return samples


def descendants(pid: int) -> list[int]:
    """Child processes, recursively (bounded by the process table)."""
    found: list[int] = []
    pending = [pid]
    while pending and len(found) < 1000:
        current = pending.pop()
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            children = [int(c) for c in task.read_text().split()]
            found.extend(children)
            pending.extend(children)
    return found


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def report_rss(name: str, process: subprocess.Popen[bytes]) -> None:
    children = descendants(process.pid)
    own = peak_kb(process.pid) / 1024
    total = own + sum(peak_kb(c) for c in children) / 1024
    verdict = "within" if total <= BUDGET_MB else "OVER"
    print(
        f"  {name:<8} peak RSS {own:6.1f} MB; with {len(children)} children {total:6.1f} MB "
        f"— {verdict} the {BUDGET_MB} MB budget"
    )


def main() -> None:
    setup()
    from benchmarks import dataset

    dataset.prepare()
    var_dir = Path(os.environ.get("ONEVISIT_VAR_DIR", ROOT / "var"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"\n### web server and worker — {backend()}, {REQUESTS} requests over loopback")
    web_args = [str(ONEVISIT), "runserver", f"127.0.0.1:{port}", "--noreload"]
    with (
        started(web_args, var_dir / "bench-web.log") as web,
        started([str(ONEVISIT), "worker"], var_dir / "bench-worker.log") as worker,
    ):
        wait_until_up(base, web)
        samples = drive(base)
        if worker.poll() is not None:
            raise SystemExit(
                f"the worker exited with {worker.returncode}; see {var_dir / 'bench-worker.log'}"
            )
        report_rss("web", web)
        report_rss("worker", worker)
    baseline = Stats.of(samples["baseline"])
    for name, values in samples.items():
        s = Stats.of(values)
        print(
            f"  HTTP {name:<9} p50 {s.p50:7.2f} ms  p95 {s.p95:7.2f} ms  max {s.max:7.2f} ms"
            f"  p50 × baseline {s.p50 / baseline.p50:5.1f}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
