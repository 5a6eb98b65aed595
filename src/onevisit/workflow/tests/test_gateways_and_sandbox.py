"""Gateway conditions and script tasks run in the RestrictedPython sandbox, from task data."""

import pytest

from onevisit.org.models import Role
from onevisit.org.services import staff_role_grant
from onevisit.workflow.exceptions import ScriptError
from onevisit.workflow.models import ProcessInstance, WorkItem
from onevisit.workflow.services import process_start, work_item_complete

from .conftest import D
from .processes import decision_bpmn

pytestmark = pytest.mark.django_db


def _decide(alice, xml, result, data=None):
    instance = process_start(actor=alice, bpmn_xml=xml, data=data or {}, started_on=D("2024-03-04"))
    [review] = instance.work_items.all()
    work_item_complete(actor=alice, work_item=review, result=result, on=D("2024-03-05"))
    return list(instance.work_items.filter(status=WorkItem.Status.OPEN))


def test_the_gateway_follows_the_officers_decision(alice, departments):
    [issue] = _decide(alice, decision_bpmn(), {"decision": "approve", "opinion": "同意"})
    assert (issue.task_spec, issue.department, issue.candidate_role) == (
        "issue",
        departments["scjg"],
        "approver",
    )
    assert issue.due_date == D("2024-03-06")

    [notify] = _decide(alice, decision_bpmn(), {"decision": "reject", "opinion": "材料不符"})
    assert (notify.task_spec, notify.department) == ("notify", departments["ga"])


def test_conditions_may_use_the_working_day_helpers(alice, departments):
    condition = "working_days_between(today, add_working_days(today, 2)) == 2 and amount < 10000"
    [issue] = _decide(alice, decision_bpmn(condition), {"amount": 500})
    assert issue.task_spec == "issue"


def test_a_script_task_computes_data_with_the_helpers(alice, departments):
    script = "deadline = add_working_days(today, 3)\nscore = sum([x * 2 for x in marks])\nbig = score > 10"
    instance = process_start(
        actor=alice,
        bpmn_xml=decision_bpmn("big", script=script),
        data={"marks": [3, 4]},
        started_on=D("2024-02-08"),
    )
    [review] = instance.work_items.all()
    instance = work_item_complete(actor=alice, work_item=review, result={}, on=D("2024-02-08"))
    assert instance.data["score"] == 14
    assert instance.data["deadline"] == "2024-02-19"  # stored as plain JSON
    assert instance.work_items.get(status=WorkItem.Status.OPEN).task_spec == "issue"


HOSTILE_CONDITIONS = [
    "__import__('os').system('touch /tmp/onevisit-pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "decision.__class__",
    "open('/etc/passwd').read()",
    "getattr(decision, '__class__')",
    "eval('1')",
    "'{0.__class__}'.format(decision)",
]


@pytest.mark.parametrize("condition", HOSTILE_CONDITIONS)
def test_a_hostile_condition_is_refused_and_changes_nothing(alice, departments, condition):
    instance = process_start(
        actor=alice, bpmn_xml=decision_bpmn(condition), data={}, started_on=D("2024-03-04")
    )
    [review] = instance.work_items.all()
    before = (instance.lock_version, instance.state)

    with pytest.raises(ScriptError, match="流程在"):
        work_item_complete(actor=alice, work_item=review, result={"decision": "approve"}, on=D("2024-03-05"))

    instance.refresh_from_db()
    review.refresh_from_db()
    assert (instance.lock_version, instance.state) == before
    assert review.status == WorkItem.Status.OPEN
    assert instance.work_items.count() == 1


@pytest.mark.parametrize(
    "script",
    ["import os", "from os import path", "x = ().__class__", "f = open('/etc/passwd')", "d = {}.__class__"],
)
def test_a_hostile_script_is_refused_and_nothing_is_saved(alice, departments, script):
    instance = process_start(
        actor=alice, bpmn_xml=decision_bpmn(script=script), data={}, started_on=D("2024-03-04")
    )
    [review] = instance.work_items.all()
    with pytest.raises(ScriptError):
        work_item_complete(actor=alice, work_item=review, result={}, on=D("2024-03-05"))
    review.refresh_from_db()
    assert review.status == WorkItem.Status.OPEN


def test_a_hostile_condition_at_start_saves_no_instance(alice, departments):
    """A gateway reached before any human step fails the start itself."""
    xml = decision_bpmn("__import__('os')").replace(
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>',
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>',
    )
    xml = xml.replace('<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>', "")
    xml = xml.replace('<bpmn:userTask id="review" name="审查" onevisit:limitDays="2"/>', "")
    xml = xml.replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")
    with pytest.raises(ScriptError):
        process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-03-04"))
    assert not ProcessInstance.objects.exists()


def test_a_script_storing_something_that_is_not_data_is_refused(alice, departments):
    instance = process_start(
        actor=alice, bpmn_xml=decision_bpmn(script="r = range(3)"), data={}, started_on=D("2024-03-04")
    )
    [review] = instance.work_items.all()
    with pytest.raises(ScriptError):
        work_item_complete(actor=alice, work_item=review, result={}, on=D("2024-03-05"))


def test_the_approver_step_needs_an_approver(alice, bob, departments):
    from onevisit.workflow.exceptions import WorkItemForbidden
    from onevisit.workflow.services import work_item_claim

    [issue] = _decide(alice, decision_bpmn(), {"decision": "approve"})
    with pytest.raises(WorkItemForbidden):
        work_item_claim(actor=bob, work_item=issue)
    staff_role_grant(actor="test", user=bob, department=departments["scjg"], role=Role.APPROVER)
    assert work_item_claim(actor=bob, work_item=issue).assignee == bob
