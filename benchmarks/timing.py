"""Timing helpers: interleaved repetitions, so noise on a shared machine hits every contender alike."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import django


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings.demo")
    django.setup()


@dataclass(frozen=True)
class Stats:
    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, samples_ms: list[float]) -> Stats:
        ordered = sorted(samples_ms)
        return cls(p50=_rank(ordered, 0.50), p95=_rank(ordered, 0.95), max=ordered[-1])


def _rank(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    index = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[index]


Case = Callable[[int], object]
"""One timed call; it gets the repetition number to pick its input."""


def interleaved(cases: dict[str, Case], *, repetitions: int, warmup: int) -> dict[str, Stats]:
    """Run every case once per repetition, in turn, after ``warmup`` untimed rounds."""
    for n in range(warmup):
        for case in cases.values():
            case(n)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for n in range(repetitions):
        for name, case in cases.items():
            started = time.perf_counter()
            case(n)
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: Stats.of(values) for name, values in samples.items()}


def print_table(title: str, stats: dict[str, Stats], *, baseline: str) -> None:
    print(f"\n{title}")
    print(f"  {'case':<44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p50 ×':>7} {'p95 ×':>7}")
    base = stats[baseline]
    for name, s in stats.items():
        print(
            f"  {name:<44} {s.p50:8.2f} {s.p95:8.2f} {s.max:8.2f}"
            f" {s.p50 / base.p50:7.1f} {s.p95 / base.p95:7.1f}"
        )
    print(f"  (× = ratio to '{baseline}' measured in the same interleaved run)")


def backend() -> str:
    from django.db import connection

    return f"{connection.vendor} ({connection.settings_dict['NAME']})"
