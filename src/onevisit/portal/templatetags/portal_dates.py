"""Dates as people read them: 2026年11月26日 in Chinese, 26 November 2026 in English."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone, translation

register = template.Library()


@register.filter
def long_date(value: dt.date | dt.datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if (translation.get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return formats.date_format(value, "j F Y")


@register.filter
def long_datetime(value: dt.datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{long_date(local)} {local:%H:%M}"
