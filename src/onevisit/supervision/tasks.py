"""Background jobs of supervision: thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@task()
def alarms_sweep() -> dict[str, int]:
    """电子监察: raise, upgrade and close the alarms of every case."""
    from .alarms import alarms_sweep as sweep

    return sweep()


@task()
def alarms_case(case_id: int) -> dict[str, int]:
    """电子监察 for one case, after a line of its timeline (a step done, a decision, a fee…)."""
    from .alarms import alarms_for_case

    return alarms_for_case(case_id=case_id)


@db_periodic_task(crontab(minute="20"))
def alarms_sweep_periodic() -> None:
    # Hourly: the cards of a day appear soon after midnight, whatever the time zone of the queue.
    alarms_sweep.enqueue()
