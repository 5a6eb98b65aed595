import pytest
from django.test import Client

from onevisit.catalog.models import Bundle, BundleItem
from onevisit.catalog.services import PublishError, bundle_publish, bundle_withdraw, item_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(make_item):
    a = make_item(code="B-1", name="企业设立登记")
    b = make_item(code="B-2", name="食品经营许可")
    bundle = Bundle.objects.create(
        code="restaurant", name="开餐馆", audience="organization", promised_limit_days=5
    )
    first = BundleItem.objects.create(bundle=bundle, item=a, order=0)
    second = BundleItem.objects.create(bundle=bundle, item=b, order=1)
    second.depends_on.add(first)
    return bundle


def test_a_sound_bundle_publishes_and_can_be_withdrawn(bundle):
    bundle_publish(actor="t", bundle=bundle)
    assert Bundle.objects.get(pk=bundle.pk).state == "published"
    assert Client().get("/bundles/restaurant/").status_code == 200
    bundle_withdraw(actor="t", bundle=bundle)
    assert Client().get("/bundles/restaurant/").status_code == 404


def _problems(bundle) -> list[str]:
    with pytest.raises(PublishError) as info:
        bundle_publish(actor="t", bundle=bundle)
    assert Bundle.objects.get(pk=bundle.pk).state == "draft"
    return info.value.messages


def test_circular_order_is_refused(bundle):
    first, second = bundle.members.order_by("order")
    first.depends_on.add(second)
    assert any("circle" in m or "循环" in m or "圈" in m for m in _problems(bundle))


def test_ended_items_and_overlong_promises_are_refused(bundle):
    item_cancel(actor="t", item=bundle.members.first().item, reason="取消")
    bundle.promised_limit_days = 50
    bundle.save()
    problems = _problems(bundle)
    assert len(problems) == 2


def test_a_single_item_is_no_bundle(make_item):
    lone = Bundle.objects.create(code="lone", name="单项", audience="person")
    BundleItem.objects.create(bundle=lone, item=make_item(code="L-1"))
    assert _problems(lone)


def test_publish_action_in_the_admin(bundle, catalog_admin):
    client = Client()
    client.force_login(catalog_admin)
    client.post("/admin/catalog/bundle/", {"action": "publish", "_selected_action": [bundle.pk]})
    assert Bundle.objects.get(pk=bundle.pk).state == "published"
