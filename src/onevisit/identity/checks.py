"""System checks: the SMS backend must be named and importable (production has no default); the
log-in limits must be sensible and the site address known for links in emails."""

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


@register()
def login_and_email_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Throttling limits must be positive, and emails need the site's address for their links."""
    errors = []
    for name in (
        "ONEVISIT_LOGIN_MAX_FAILURES",
        "ONEVISIT_LOGIN_MAX_FAILURES_PER_IP",
        "ONEVISIT_LOGIN_WINDOW_MINUTES",
        "ONEVISIT_COMPLAINTS_PER_HOUR",
    ):
        if getattr(settings, name, 0) < 1:
            errors.append(Error(f"{name} must be at least 1.", id="identity.E003"))
    if getattr(settings, "ONEVISIT_TRUSTED_PROXY_COUNT", 0) < 0:
        errors.append(Error("ONEVISIT_TRUSTED_PROXY_COUNT cannot be negative.", id="identity.E003"))
    site = getattr(settings, "ONEVISIT_SITE_URL", "")
    if not site.startswith(("https://", "http://")):
        errors.append(
            Error(
                "ONEVISIT_SITE_URL must be the site's address (https://…): links in emails start with it.",
                id="identity.E004",
            )
        )
    return errors
