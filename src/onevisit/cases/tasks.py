"""Background jobs of cases: thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import notify


@task()
def case_event_notify(event_id: int) -> bool:
    return notify.case_event_send(event_id=event_id)


@task()
def bundle_case_advance(bundle_case_id: int) -> dict[str, int]:
    from .bundles import bundle_advance

    return bundle_advance(bundle_case_id=bundle_case_id)


@task()
def bundle_case_notify(bundle_case_id: int) -> bool:
    from .bundles import bundle_case_send

    return bundle_case_send(bundle_case_id=bundle_case_id)


@task()
def case_certificate_issue(case_id: int) -> str:
    from .issuance import case_certificate_issue as issue

    return issue(actor="system", case_id=case_id)


@task()
def case_gaps_sweep() -> dict[str, int]:
    """容缺: remind before the deadlines, terminate the cases whose deadline passed."""
    from .tolerance import gaps_sweep

    return gaps_sweep()


@db_periodic_task(crontab(minute="10", hour="1"))
def case_gaps_sweep_periodic() -> None:
    # Daily, early in the morning: deadlines are dates, so "past" means past yesterday.
    case_gaps_sweep.enqueue()
