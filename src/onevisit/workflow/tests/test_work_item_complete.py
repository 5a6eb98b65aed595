import pytest

from onevisit.core.models import AuditEvent
from onevisit.org.models import Role
from onevisit.org.services import staff_role_grant
from onevisit.workflow import engine
from onevisit.workflow.exceptions import ProcessStateError, WorkItemConflict, WorkItemForbidden
from onevisit.workflow.models import ProcessInstance, WorkItem
from onevisit.workflow.services import (
    process_start,
    process_suspend,
    work_item_claim,
    work_item_complete,
)

from .conftest import D

pytestmark = pytest.mark.django_db


def _open(instance):
    return list(instance.work_items.filter(status__in=WorkItem.ACTIVE).order_by("pk"))


def test_steps_run_to_the_end_across_departments(start_linear, alice, carol, departments):
    instance = start_linear(started_on=D("2024-03-04"))  # Monday
    [accept] = _open(instance)

    work_item_complete(actor=alice, work_item=accept, result={"accepted": True}, on=D("2024-03-04"))
    accept.refresh_from_db()
    assert (accept.status, accept.completed_by, accept.result) == ("completed", alice, {"accepted": True})
    [review] = _open(instance)
    assert (review.task_spec, review.department, review.ready_on) == (
        "review",
        departments["scjg"],
        D("2024-03-04"),
    )
    assert review.due_date == D("2024-03-06")

    work_item_complete(actor=alice, work_item=review, result={"opinion": "材料齐全"}, on=D("2024-03-08"))
    [check] = _open(instance)
    assert (check.department, check.due_date) == (departments["ga"], D("2024-03-13"))  # Fri + 3 working days

    instance = work_item_complete(
        actor=carol, work_item=check, result={"decision": "approve"}, on=D("2024-03-11")
    )
    assert instance.status == ProcessInstance.Status.COMPLETED
    assert instance.completed_at is not None
    assert instance.data == {
        "applicant": "张三",
        "accepted": True,
        "opinion": "材料齐全",
        "decision": "approve",
    }
    assert _open(instance) == []
    assert AuditEvent.objects.filter(action="work_item_completed").count() == 3


def test_the_parallel_demo_process_gives_two_departments_work_at_once_and_joins(
    alice, property_departments, property_xml, django_user_model
):
    bdc, sw = property_departments["bdc"], property_departments["sw"]
    officer = django_user_model.objects.create_user("dave")
    taxman = django_user_model.objects.create_user("erin")
    staff_role_grant(actor="test", user=officer, department=bdc, role=Role.OFFICER)
    staff_role_grant(actor="test", user=taxman, department=sw, role=Role.OFFICER)
    instance = process_start(actor=officer, bpmn_xml=property_xml, data={}, started_on=D("2024-03-04"))
    [accept] = _open(instance)

    work_item_complete(actor=officer, work_item=accept, result={}, on=D("2024-03-04"))
    review, tax = _open(instance)
    assert {(review.department, review.name), (tax.department, tax.name)} == {
        (bdc, "登记审核"),
        (sw, "交易税费核定"),
    }
    assert {review.due_date, tax.due_date} == {D("2024-03-06"), D("2024-03-05")}

    tax = next(i for i in (review, tax) if i.department == sw)
    review = next(i for i in _open(instance) if i.department == bdc)
    work_item_complete(actor=taxman, work_item=tax, result={"tax": 1200}, on=D("2024-03-05"))
    assert _open(instance) == [review], "the join waits for the other branch"

    work_item_complete(actor=officer, work_item=review, result={}, on=D("2024-03-06"))
    [issue] = _open(instance)
    assert (issue.name, issue.department) == ("登簿发证", bdc)
    instance = work_item_complete(actor=officer, work_item=issue, result={}, on=D("2024-03-06"))
    assert instance.status == ProcessInstance.Status.COMPLETED
    assert instance.data["tax"] == 1200


def test_the_state_survives_a_round_trip_through_the_database(start_linear, alice):
    instance = start_linear()
    [accept] = _open(instance)
    work_item_complete(actor=alice, work_item=accept, result={"n": 1}, on=D("2024-03-04"))

    fresh = ProcessInstance.objects.get(pk=instance.pk)
    workflow = engine.load(fresh.state, D("2024-03-05"))
    [task] = engine.ready_human_tasks(workflow)
    assert (str(task.id), task.task_spec.bpmn_id, task.data["n"]) == (_open(fresh)[0].task_id, "review", 1)
    assert isinstance(workflow.script_engine, engine.SandboxScriptEngine)
    assert engine.dump(workflow) == fresh.state

    work_item_complete(actor=alice, work_item=_open(fresh)[0], result={}, on=D("2024-03-05"))
    assert [i.task_spec for i in _open(fresh)] == ["check"]


def test_the_state_loads_whatever_the_order_of_its_tasks(start_linear, alice):
    """PostgreSQL's jsonb sorts object keys; Spiff rebuilds task data parent-first."""
    instance = start_linear()
    work_item_complete(actor=alice, work_item=_open(instance)[0], result={"n": 1}, on=D("2024-03-04"))
    instance.refresh_from_db()
    shuffled = {**instance.state, "tasks": dict(reversed(list(instance.state["tasks"].items())))}

    [task] = engine.ready_human_tasks(engine.load(shuffled, D("2024-03-05")))
    assert task.data == {"applicant": "张三", "n": 1}


def test_completing_twice_is_refused_and_changes_nothing(start_linear, alice, bob):
    instance = start_linear()
    [accept] = _open(instance)
    stale_copy = WorkItem.objects.get(pk=accept.pk)
    work_item_complete(actor=alice, work_item=accept, result={}, on=D("2024-03-04"))
    instance.refresh_from_db()
    before = (instance.lock_version, instance.state, WorkItem.objects.count())

    with pytest.raises(WorkItemConflict, match="此待办已办结"):
        work_item_complete(actor=bob, work_item=stale_copy, result={}, on=D("2024-03-04"))
    instance.refresh_from_db()
    assert (instance.lock_version, instance.state, WorkItem.objects.count()) == before


def test_an_item_claimed_by_a_colleague_cannot_be_completed(start_linear, alice, bob):
    [accept] = _open(start_linear())
    work_item_claim(actor=alice, work_item=accept)
    with pytest.raises(WorkItemConflict, match="此待办已由其他人员签收"):
        work_item_complete(actor=bob, work_item=accept, result={}, on=D("2024-03-04"))
    work_item_complete(actor=alice, work_item=accept, result={}, on=D("2024-03-04"))


def test_an_officer_of_another_department_cannot_complete(start_linear, carol):
    [accept] = _open(start_linear())
    with pytest.raises(WorkItemForbidden):
        work_item_complete(actor=carol, work_item=accept, result={}, on=D("2024-03-04"))
    accept.refresh_from_db()
    assert accept.status == WorkItem.Status.OPEN


def test_a_suspended_process_cannot_advance(start_linear, alice):
    instance = start_linear()
    process_suspend(actor=alice, instance=instance, on=D("2024-03-04"))
    with pytest.raises(ProcessStateError):
        work_item_complete(actor=alice, work_item=_open(instance)[0], result={}, on=D("2024-03-04"))


def test_a_result_with_dates_is_stored_as_plain_json(start_linear, alice):
    instance = start_linear()
    [accept] = _open(instance)
    instance = work_item_complete(
        actor=alice, work_item=accept, result={"hearing_on": D("2024-03-15")}, on=D("2024-03-04")
    )
    accept.refresh_from_db()
    assert accept.result == {"hearing_on": "2024-03-15"}
    assert instance.data["hearing_on"] == "2024-03-15"


def test_a_system_actor_may_complete_an_open_item(start_linear):
    """A rule deciding on its own (秒批) completes steps as "system"."""
    instance = start_linear()
    [accept] = _open(instance)
    work_item_complete(actor="system", work_item=accept, result={"decided_by": "rule"}, on=D("2024-03-04"))
    accept.refresh_from_db()
    assert (accept.status, accept.completed_by) == (WorkItem.Status.COMPLETED, None)
