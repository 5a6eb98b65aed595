"""Art. 45: the clock stops while the process is suspended (听证、检验、专家评审)."""

import pytest

from onevisit.workflow.exceptions import DataError, ProcessStateError
from onevisit.workflow.services import process_resume, process_suspend, work_item_complete

from .conftest import D

pytestmark = pytest.mark.django_db


def test_resume_moves_open_due_dates_by_the_working_days_suspended(start_linear, alice):
    instance = start_linear(started_on=D("2024-03-04"))
    work_item_complete(actor=alice, work_item=instance.work_items.get(), result={}, on=D("2024-03-04"))
    review = instance.work_items.get(status="open")
    assert review.due_date == D("2024-03-06")

    process_suspend(actor=alice, instance=instance, on=D("2024-03-05"), reason="专家评审")
    assert instance.suspended_on == D("2024-03-05") and instance.suspended_at is not None
    # Suspended from Tue 3-05 to Tue 3-12: 5 working days (3-06 … 3-12) are not counted.
    process_resume(actor=alice, instance=instance, on=D("2024-03-12"))

    review.refresh_from_db()
    assert review.due_date == D("2024-03-13")
    assert (instance.suspended_at, instance.suspended_on) == (None, None)
    work_item_complete(actor=alice, work_item=review, result={}, on=D("2024-03-12"))


def test_a_suspension_across_the_spring_festival_counts_only_working_days(alice, departments):
    from conftest import bpmn
    from onevisit.workflow.services import process_start

    xml = bpmn({"330100-SCJG": [("review", "审查", 3)]})
    instance = process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-02-07"))
    item = instance.work_items.get()
    assert item.due_date == D("2024-02-18")  # 2-08, 2-09, then the make-up Sunday
    process_suspend(actor=alice, instance=instance, on=D("2024-02-08"))
    process_resume(actor=alice, instance=instance, on=D("2024-02-19"))  # 2-09, 2-18, 2-19: 3 working days
    item.refresh_from_db()
    assert item.due_date == D("2024-02-21")


def test_suspend_and_resume_refuse_the_wrong_state(start_linear, alice):
    instance = start_linear()
    with pytest.raises(ProcessStateError):
        process_resume(actor=alice, instance=instance, on=D("2024-03-05"))
    process_suspend(actor=alice, instance=instance, on=D("2024-03-05"))
    with pytest.raises(ProcessStateError):
        process_suspend(actor=alice, instance=instance, on=D("2024-03-06"))
    with pytest.raises(DataError):
        process_resume(actor=alice, instance=instance, on=D("2024-03-01"))
