"""Deployment checks (`onevisit check --deploy`): production signs with real keys and prints its real
address in every certificate's QR code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

from . import signing


@register(Tags.security, deploy=True)
def signing_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    problems = []
    if signing.is_demo_ca():
        problems.append(
            Warning(
                f"{signing.key_dir()} holds a demo CA with its key: certificates signed here prove nothing.",
                hint="Install the CA certificate and the departments' keys and certificates; remove ca.key and DEMO.",
                id="certificates.W001",
            )
        )
    if settings.ONEVISIT_SIGNING_DEMO_KEYS:
        problems.append(
            Warning(
                "ONEVISIT_SIGNING_DEMO_KEYS is on: missing keys are made under a demo CA.",
                id="certificates.W002",
            )
        )
    url = settings.ONEVISIT_SITE_URL
    if not url.startswith("https://") or "localhost" in url or "127.0.0.1" in url:
        problems.append(
            Warning(
                f"ONEVISIT_SITE_URL is {url!r}: the QR code of every certificate points there.",
                hint="Set ONEVISIT_SITE_URL to the public https:// address of the portal.",
                id="certificates.W003",
            )
        )
    return problems
