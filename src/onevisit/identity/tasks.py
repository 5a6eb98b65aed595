"""Background jobs of identity: thin wrappers that load ids and call a service."""

from __future__ import annotations

from django_tasks import task

from . import notify, services


@task()
def otp_deliver(code_id: int, sealed: str) -> bool:
    """Send the SMS of one-time code ``code_id``; ``sealed`` is the encrypted phone and text."""
    return services.otp_deliver(code_id=code_id, sealed=sealed)


@task()
def email_confirmation_deliver(confirmation_id: int, sealed: str) -> bool:
    """Email the confirmation link of ``confirmation_id``; ``sealed`` is the encrypted token."""
    return notify.email_confirmation_deliver(confirmation_id=confirmation_id, sealed=sealed)
