import datetime as dt

import pytest

from onevisit.workflow.models import Timer, WorkItem
from onevisit.workflow.services import (
    process_resume,
    process_start,
    process_suspend,
    timers_sweep,
    work_item_complete,
)
from onevisit.workflow.tasks import workflow_timers_sweep

from .conftest import D
from .processes import timer_bpmn

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def timed(alice, departments):
    # The timer is due two working days after the start date: the helpers work in timer expressions too.
    xml = timer_bpmn("add_working_days(today, 2).isoformat() + 'T09:00:00+08:00'")
    return process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-02-08"))


def test_a_started_timer_is_stored_with_its_due_time(timed):
    timer = Timer.objects.get()
    assert timer.instance == timed
    assert timer.due_at == dt.datetime(2024, 2, 18, 1, 0, tzinfo=UTC)  # 2-18 09:00 in Beijing
    assert timer.fired_at is None


def test_the_sweep_fires_a_due_timer_once(timed, departments):
    assert timers_sweep(now=dt.datetime(2024, 2, 17, tzinfo=UTC)) == 0, "not due yet"

    assert timers_sweep(now=dt.datetime(2024, 2, 19, tzinfo=UTC)) == 1
    assert timers_sweep(now=dt.datetime(2024, 2, 19, tzinfo=UTC)) == 0
    assert timers_sweep(now=dt.datetime(2024, 2, 20, tzinfo=UTC)) == 0

    review, escalate = timed.work_items.order_by("pk")
    assert (review.task_spec, review.status) == ("review", WorkItem.Status.CANCELLED)
    assert (escalate.task_spec, escalate.status, escalate.department) == (
        "escalate",
        "open",
        departments["ga"],
    )
    assert escalate.ready_on == D("2024-02-19")
    assert Timer.objects.get().fired_at == dt.datetime(2024, 2, 19, tzinfo=UTC)


def test_completing_the_step_first_drops_its_timer(timed, alice):
    instance = work_item_complete(
        actor=alice, work_item=timed.work_items.get(), result={}, on=D("2024-02-09")
    )
    assert instance.status == "completed"
    assert not Timer.objects.exists()
    assert timers_sweep(now=dt.datetime(2024, 3, 1, tzinfo=UTC)) == 0


def test_timers_wait_while_the_process_is_suspended(timed, alice):
    process_suspend(actor=alice, instance=timed, on=D("2024-02-09"))
    assert timers_sweep(now=dt.datetime(2024, 2, 19, tzinfo=UTC)) == 0
    process_resume(actor=alice, instance=timed, on=D("2024-02-20"))
    assert timers_sweep(now=dt.datetime(2024, 2, 20, tzinfo=UTC)) == 1


def test_the_background_task_runs_the_sweep(timed):
    assert workflow_timers_sweep.call() == 1  # due in 2024, the real "now" is later: it fires


def test_the_sweep_is_scheduled_every_minute():
    from huey.contrib.djhuey import HUEY

    periodic = {task.name: task for task in HUEY._registry.periodic_tasks}
    assert "workflow_timers_sweep_periodic" in periodic
    assert all(
        periodic["workflow_timers_sweep_periodic"].validate_datetime(dt.datetime(2024, 3, 4, 9, m))
        for m in (0, 7)
    )
