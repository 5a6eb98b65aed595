"""Writes of the core app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from .audit import audit_log
from .models import CalendarDay


@transaction.atomic
def calendar_day_set(*, actor: Any, day: dt.date, kind: str, name: str = "") -> CalendarDay:
    if kind not in CalendarDay.Kind.values:
        raise ValueError(f"unknown day kind {kind!r}")
    before = CalendarDay.objects.filter(date=day).values("kind", "name").first()
    entry, _ = CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "name": name, "source": "admin"}
    )
    audit_log(
        actor=actor,
        action="calendar_day_set",
        obj=entry,
        data={"before": before, "after": {"kind": kind, "name": name}},
    )
    return entry
