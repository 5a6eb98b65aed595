"""Background jobs of 好差评 and complaints: thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task

from . import notify


@task()
def complaint_answer_notify(complaint_id: int) -> bool:
    return notify.complaint_answer_send(complaint_id=complaint_id)


@task()
def rectification_notify(rectification_id: int) -> bool:
    return notify.rectification_send(rectification_id=rectification_id)
