import pytest

from onevisit.core.models import AuditEvent
from onevisit.workflow.exceptions import WorkItemConflict, WorkItemForbidden
from onevisit.workflow.models import WorkItem
from onevisit.workflow.services import work_item_claim, work_item_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(start_linear):
    return start_linear().work_items.get()


def test_an_officer_claims_an_open_item(item, alice):
    claimed = work_item_claim(actor=alice, work_item=item)
    assert (claimed.status, claimed.assignee, claimed.lock_version) == (WorkItem.Status.CLAIMED, alice, 1)
    assert claimed.claimed_at is not None
    assert AuditEvent.objects.filter(action="work_item_claimed", object_id=str(item.pk)).exists()


def test_claiming_again_is_harmless(item, alice):
    work_item_claim(actor=alice, work_item=item)
    assert work_item_claim(actor=alice, work_item=item).lock_version == 1


def test_a_colleague_who_comes_second_gets_a_clear_conflict(item, alice, bob):
    stale_copy = WorkItem.objects.get(pk=item.pk)
    work_item_claim(actor=alice, work_item=item)
    with pytest.raises(WorkItemConflict, match="此待办已由其他人员签收"):
        work_item_claim(actor=bob, work_item=stale_copy)
    item.refresh_from_db()
    assert item.assignee == alice


def test_an_officer_of_another_department_may_not_claim(item, carol):
    with pytest.raises(WorkItemForbidden):
        work_item_claim(actor=carol, work_item=item)
    item.refresh_from_db()
    assert item.status == WorkItem.Status.OPEN


def test_release_gives_the_item_back_to_the_department(item, alice, bob):
    work_item_claim(actor=alice, work_item=item)
    released = work_item_release(actor=alice, work_item=item)
    assert (released.status, released.assignee, released.claimed_at) == (WorkItem.Status.OPEN, None, None)
    assert work_item_claim(actor=bob, work_item=item).assignee == bob


def test_only_the_holder_may_release(item, alice, bob):
    with pytest.raises(WorkItemConflict):
        work_item_release(actor=alice, work_item=item)
    work_item_claim(actor=alice, work_item=item)
    with pytest.raises(WorkItemConflict, match="此待办已由其他人员签收"):
        work_item_release(actor=bob, work_item=item)
    item.refresh_from_db()
    assert item.assignee == alice
