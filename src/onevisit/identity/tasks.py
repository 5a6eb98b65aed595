"""Background jobs of identity: thin wrappers that load ids and call a service."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def otp_deliver(code_id: int, sealed: str) -> bool:
    """Send the SMS of one-time code ``code_id``; ``sealed`` is the encrypted phone and text."""
    return services.otp_deliver(code_id=code_id, sealed=sealed)
