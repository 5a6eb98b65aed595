import pytest

from onevisit.core.models import AuditEvent
from onevisit.workflow.exceptions import DataError, ProcessStateError, WorkItemConflict
from onevisit.workflow.models import ProcessInstance, Timer, WorkItem
from onevisit.workflow.services import process_cancel, process_start, work_item_claim, work_item_complete

from .conftest import D
from .processes import timer_bpmn

pytestmark = pytest.mark.django_db


def test_cancel_closes_every_open_item(start_linear, alice):
    instance = start_linear()
    item = instance.work_items.get()
    work_item_claim(actor=alice, work_item=item)

    process_cancel(actor=alice, instance=instance, reason="申请人撤回申请")

    assert instance.status == ProcessInstance.Status.CANCELLED
    item.refresh_from_db()
    assert item.status == WorkItem.Status.CANCELLED
    event = AuditEvent.objects.get(action="process_cancelled")
    assert event.data["reason"] == "申请人撤回申请"
    with pytest.raises(WorkItemConflict, match="此待办已撤销"):
        work_item_complete(actor=alice, work_item=item, result={}, on=D("2024-03-04"))


def test_cancel_drops_pending_timers(alice, departments):
    instance = process_start(
        actor=alice, bpmn_xml=timer_bpmn('"2024-03-20T09:00:00+08:00"'), data={}, started_on=D("2024-03-04")
    )
    assert Timer.objects.count() == 1
    process_cancel(actor=alice, instance=instance, reason="撤回")
    assert Timer.objects.count() == 0


def test_cancel_needs_a_reason_and_a_running_process(start_linear, alice):
    instance = start_linear()
    with pytest.raises(DataError):
        process_cancel(actor=alice, instance=instance, reason="  ")
    process_cancel(actor=alice, instance=instance, reason="撤回")
    with pytest.raises(ProcessStateError):
        process_cancel(actor=alice, instance=instance, reason="again")
