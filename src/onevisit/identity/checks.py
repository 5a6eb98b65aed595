"""System checks: the SMS backend must be named and importable (production has no default)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def sms_backend_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    path = getattr(settings, "ONEVISIT_SMS_BACKEND", "")
    if not path:
        return [
            Error(
                "ONEVISIT_SMS_BACKEND is not set: one-time codes cannot be sent.",
                hint="Name the SMS gateway backend class, e.g. onevisit.identity.sms.ConsoleBackend.",
                id="identity.E001",
            )
        ]
    try:
        import_string(path)
    except ImportError as exc:
        return [Error(f"ONEVISIT_SMS_BACKEND {path!r} cannot be imported: {exc}", id="identity.E002")]
    return []
