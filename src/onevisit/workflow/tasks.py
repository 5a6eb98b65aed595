"""Background jobs of the workflow: thin wrappers that call a service.

The sweep runs every minute from Huey's scheduler. Only the consumer started without
``--no-periodic`` schedules it; even if two did, a timer still fires once (the service locks it).
"""

from __future__ import annotations

from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@task()
def workflow_timers_sweep() -> int:
    """Fire the BPMN timers that are due and advance their processes."""
    return services.timers_sweep()


@db_periodic_task(crontab(minute="*"))
def workflow_timers_sweep_periodic() -> None:
    # Enqueued rather than run here, so retries, results and logs are those of every other task.
    workflow_timers_sweep.enqueue()
