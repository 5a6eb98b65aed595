"""Background jobs of cases: thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def case_event_notify(event_id: int) -> bool:
    return services.case_event_send(event_id=event_id)


@task()
def case_certificate_issue(case_id: int) -> str:
    from .issuance import case_certificate_issue as issue

    return issue(actor="system", case_id=case_id)
