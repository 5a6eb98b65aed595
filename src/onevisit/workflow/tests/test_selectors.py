import pytest

from conftest import bpmn
from onevisit.org.models import Role
from onevisit.org.services import staff_role_grant
from onevisit.workflow.models import WorkItem
from onevisit.workflow.selectors import work_item_urgency, work_items_for_department
from onevisit.workflow.services import process_start, work_item_claim, work_item_complete

from .conftest import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(alice, departments):
    """Three SCJG items due on different days (one without a limit) and one GA item."""
    for limit, started in [(5, "2024-03-04"), (1, "2024-03-04"), (None, "2024-03-04")]:
        xml = bpmn({"330100-SCJG": [("review", f"审查{limit}", limit or 0)]})
        if limit is None:
            xml = xml.replace(' onevisit:limitDays="0"', "")
        process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D(started))
    process_start(
        actor=alice, bpmn_xml=bpmn({"330100-GA": [("check", "核查", 1)]}), data={}, started_on=D("2024-03-04")
    )


def test_an_officer_sees_only_their_departments_items_soonest_first(inbox, alice, carol):
    assert [i.name for i in work_items_for_department(user=alice)] == ["审查1", "审查5", "审查None"]
    assert [i.name for i in work_items_for_department(user=carol)] == ["核查"]


def test_asking_for_another_department_never_widens_the_view(inbox, alice):
    assert list(work_items_for_department(user=alice, department_codes=["330100-GA"])) == []
    assert len(work_items_for_department(user=alice, department_codes=["330100-SCJG", "330100-GA"])) == 3


def test_staff_without_an_inbox_role_and_anonymous_users_see_nothing(inbox, django_user_model, departments):
    from django.contrib.auth.models import AnonymousUser

    clerk = django_user_model.objects.create_user("clerk")
    staff_role_grant(actor="test", user=clerk, department=departments["scjg"], role=Role.CLERK)
    assert list(work_items_for_department(user=clerk)) == []
    assert list(work_items_for_department(user=AnonymousUser())) == []


def test_status_filter(inbox, alice, bob):
    first = work_items_for_department(user=alice)[0]
    work_item_claim(actor=bob, work_item=first)
    work_item_complete(actor=bob, work_item=first, result={}, on=D("2024-03-04"))
    assert len(work_items_for_department(user=alice)) == 2
    done = work_items_for_department(user=alice, status=WorkItem.Status.COMPLETED)
    assert [i.completed_by for i in done] == [bob]


def test_urgency_turns_yellow_at_80_percent_and_red_when_overdue(start_linear, alice):
    xml = bpmn({"330100-SCJG": [("review", "审查", 5)]})
    item = process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-03-04")).work_items.get()
    assert item.due_date == D("2024-03-11")
    assert work_item_urgency(item, D("2024-03-07")) == "normal"  # 3 of 5 working days used
    assert work_item_urgency(item, D("2024-03-08")) == "yellow"  # 4 of 5: 80 %
    assert work_item_urgency(item, D("2024-03-11")) == "yellow"  # due today
    assert work_item_urgency(item, D("2024-03-12")) == "red"


def test_a_step_due_the_same_day_is_red_only_when_overdue(start_linear):
    item = start_linear(started_on=D("2024-03-04")).work_items.get()  # 受理, limit 0
    assert work_item_urgency(item, D("2024-03-04")) == "normal"
    assert work_item_urgency(item, D("2024-03-05")) == "red"
