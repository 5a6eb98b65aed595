"""电子监察 over the synthetic history of ``demo_history``: the supervision screen and the alarm sweep
join the interleaved run of ``insights_load`` (same data, same ``SELECT count(*)`` baseline).

    .venv/bin/python -m benchmarks.supervision_history --cases 1000000 --db postgres://postgres@127.0.0.1:5432/bench_sup_hist
    .venv/bin/python -m benchmarks.supervision_history --keep --db …   # reuse an earlier run's data

The arguments are those of ``insights_load``. The first call of the sweep (in the warm-up round)
raises every card and is reported on its own; the timed calls are the steady state (nothing new),
the job of one case after an event, and the screen of the demo
supervisor (330100: every department of 杭州) unfiltered and on page 3 of the red cards.
``benchmarks/supervision_load.py`` does the same over open cases made with ``bulk_create`` alone.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from benchmarks import insights_load

state: dict[str, Any] = {}


def _client() -> Any:
    if "client" not in state:
        from django.contrib.auth import get_user_model
        from django.test import Client

        client = Client()
        client.force_login(get_user_model().objects.get(username="supervisor"))
        state["client"] = client
    return state["client"]


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def sweep(_n: int) -> None:
    from django.db import connection

    from onevisit.supervision.alarms import alarms_evaluate
    from onevisit.supervision.models import Alarm

    if "first" not in state:
        started = time.perf_counter()
        outcome = alarms_evaluate(today=_today())
        state["first"] = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE supervision_alarm")
        print(
            f"\n  first alarm sweep (raises every card): {state['first']:.1f} s, {outcome.as_dict()}; "
            f"{Alarm.objects.filter(closed_at__isnull=True).count()} open cards"
        )
        return
    alarms_evaluate(today=_today())


def one_case(n: int) -> None:
    from onevisit.supervision.alarms import alarms_evaluate
    from onevisit.supervision.models import Alarm

    ids = state.setdefault(
        "cases", list(Alarm.objects.order_by("pk").values_list("case_id", flat=True)[:100])
    )
    alarms_evaluate(today=_today(), case_ids=[ids[n % len(ids)]] if ids else [])


def screen(path: str) -> Any:
    def get(_n: int) -> None:
        response = _client().get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")

    return get


insights_load.EXTRA.extend(
    [
        ("alarm sweep (steady state)", sweep),
        ("alarms of one case (after an event)", one_case),
        ("GET /workbench/supervision/", screen("/workbench/supervision/")),
        ("GET /workbench/supervision/?card=red&page=3", screen("/workbench/supervision/?card=red&page=3")),
    ]
)

if __name__ == "__main__":
    insights_load.main()
