"""Background jobs of certificates: thin wrappers that call a service.

The expiry sweep runs from Huey's scheduler five minutes past every hour: Huey's clock is UTC, so an
hourly run marks a certificate expired within the first hour of the local day whatever TIME_ZONE
is. The service is idempotent and the query uses an index, so the other runs of the day are cheap.
"""

from __future__ import annotations

from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@task()
def certificates_expire_sweep() -> int:
    """Mark the certificates whose validity ended yesterday or earlier as expired."""
    return services.certificates_expire()


@db_periodic_task(crontab(minute="5"))
def certificates_expire_sweep_periodic() -> None:
    # Enqueued rather than run here, so retries, results and logs are those of every other task.
    certificates_expire_sweep.enqueue()
