import pytest
from django.core.exceptions import ValidationError

from onevisit.catalog.models import ItemChange, ItemSearchIndex, ServiceItem
from onevisit.catalog.services import item_cancel, item_delegate, item_merge
from onevisit.org.models import Department, Region

pytestmark = pytest.mark.django_db


def test_cancel_records_reason_and_hides_from_search(make_item):
    item = make_item()
    item_cancel(actor="test", item=item, reason="依据国发〔2024〕1号取消")
    item.refresh_from_db()
    assert item.status == ServiceItem.Status.CANCELLED
    change = ItemChange.objects.get(item=item, kind="cancelled")
    assert change.reason == "依据国发〔2024〕1号取消"
    assert not ItemSearchIndex.objects.get(item=item).visible


def test_cancel_without_reason_changes_nothing(make_item):
    item = make_item()
    with pytest.raises(ValidationError):
        item_cancel(actor="test", item=item, reason="  ")
    item.refresh_from_db()
    assert item.status == ServiceItem.Status.ACTIVE
    assert not ItemChange.objects.filter(item=item, kind="cancelled").exists()


def test_delegate_goes_to_a_lower_level_with_successor(make_item, departments):
    item = make_item()
    county = Region.objects.get(code="330106")
    Department.objects.create(code="330106-SCJG", name="市场监督管理局", region=county)
    lower = make_item(code="330106-SCJG-001")
    lower.department = Department.objects.get(code="330106-SCJG")
    lower.save()
    item_delegate(actor="test", item=item, successor=lower, reason="下放至区级实施")
    item.refresh_from_db()
    assert item.status == "delegated" and item.successor == lower
    with pytest.raises(ValidationError):
        item_delegate(actor="test", item=lower, successor=item, reason="向上")


def test_merge_names_the_successor(make_item):
    a = make_item()
    b = make_item(code="330100-SCJG-002", name="企业登记")
    item_merge(actor="test", item=a, successor=b, reason="合并为企业登记")
    assert ItemChange.objects.get(item=a, kind="merged").successor == b
    with pytest.raises(ValidationError):
        item_merge(actor="test", item=b, successor=b, reason="x")
