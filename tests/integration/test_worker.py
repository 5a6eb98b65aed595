"""The worker really runs jobs: `onevisit worker` picks up a job enqueued by another process.

Runs the console commands as a newcomer would, on a throwaway SQLite database, with Huey's
SQLite storage (the demo default) and with Redis (production), each in its own subprocess.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="runs on its own SQLite file"
)


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "onevisit", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("var")
    env = {**os.environ, "ONEVISIT_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "onevisit.settings.demo"}
    env.pop("DATABASE_URL", None)
    _run(env, "demo", "--no-serve", "--history", "2000")  # the history path, smaller than the default
    return env


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_worker_runs_an_enqueued_reindex(demo_env: dict[str, str], storage: str) -> None:
    env = dict(demo_env)
    if storage == "redis":
        if not _redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        env["HUEY_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    db = Path(env["ONEVISIT_VAR_DIR"]) / "onevisit.sqlite3"
    with sqlite3.connect(db) as conn:
        expected = conn.execute("SELECT count(*) FROM catalog_serviceitem").fetchone()[0]
        conn.execute("DELETE FROM catalog_itemsearchindex")
    assert expected > 40
    assert "enqueued" in _run(env, "catalog", "reindex")
    worker = subprocess.Popen([sys.executable, "-m", "onevisit", "worker", "--workers", "1"], env=env)
    try:
        deadline = time.monotonic() + 90
        count = 0
        while time.monotonic() < deadline and count < expected:
            time.sleep(0.5)
            with sqlite3.connect(db) as conn:
                count = conn.execute("SELECT count(*) FROM catalog_itemsearchindex").fetchone()[0]
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert count == expected
