import pytest

from onevisit.core.models import AuditEvent
from onevisit.workflow.exceptions import DataError
from onevisit.workflow.services import work_item_complete, work_items_extend

from .conftest import D

pytestmark = pytest.mark.django_db


def test_extension_adds_working_days_to_open_items_only(start_linear, alice):
    instance = start_linear(started_on=D("2024-03-04"))
    accept = instance.work_items.get()
    work_item_complete(actor=alice, work_item=accept, result={}, on=D("2024-03-04"))
    review = instance.work_items.get(status="open")

    assert work_items_extend(actor=alice, instance=instance, working_days=10) == 1

    review.refresh_from_db()
    accept.refresh_from_db()
    assert review.due_date == D("2024-03-20")  # 3-06 + 10 working days
    assert accept.due_date == D("2024-03-04")  # completed steps keep theirs
    assert AuditEvent.objects.get(action="work_items_extended").data["working_days"] == 10


@pytest.mark.parametrize("days", [0, -1, "3"])
def test_extension_must_be_a_positive_number(start_linear, alice, days):
    with pytest.raises(DataError):
        work_items_extend(actor=alice, instance=start_linear(), working_days=days)
