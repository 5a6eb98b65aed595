"""The demo province loads through the catalogue's own checks, and every public page of it renders."""

import pytest
from django.test import Client

from onevisit.catalog.models import Bundle, ItemVersion, ServiceItem
from onevisit.catalog.selectors import item_search
from onevisit.core.audit import audit_verify
from onevisit.demo.loader import load_demo
from onevisit.org.models import Department, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return load_demo()


def test_demo_meets_the_issue_floor(demo):
    assert Region.objects.filter(level=3).count() >= 2 and Region.objects.filter(level=4).count() >= 3
    assert Region.objects.filter(level=5).exists()
    assert Department.objects.count() >= 15
    assert ServiceItem.objects.filter(status="active").count() >= 40
    assert Bundle.objects.filter(state="published").count() >= 5
    assert not ItemVersion.objects.filter(state="draft").exists()
    assert {c for c in ServiceItem.objects.values_list("status", flat=True)} >= {
        "active",
        "cancelled",
        "merged",
        "delegated",
    }
    assert audit_verify()[1] == []


EVERYDAY = [
    ("营业执照", "企业设立登记"),
    ("开饭店", "食品经营许可"),
    ("生孩子", "出生"),
    ("退休", "退休"),
    ("yyzz", "企业设立登记"),
]


def test_everyday_words_find_demo_items_in_the_top_five(demo):
    for query, expected_name in EVERYDAY:
        names = [item.name for item in item_search(query=query).items[:5]]
        assert any(expected_name in name for name in names), (query, names)


def test_every_public_page_renders(demo):
    client = Client()
    for code in ServiceItem.objects.values_list("code", flat=True):
        assert client.get(f"/items/{code}/").status_code == 200, code
        assert client.get(f"/items/{code}/process.bpmn").status_code == 200, code
    for code in Department.objects.values_list("code", flat=True):
        for tab in ("items", "powers", "responsibilities"):
            assert client.get(f"/departments/{code}/?tab={tab}").status_code == 200, code
    for code in Bundle.objects.values_list("code", flat=True):
        assert client.get(f"/bundles/{code}/").status_code == 200, code
    assert client.get("/").status_code == 200


def test_loading_twice_changes_nothing(demo):
    versions = ItemVersion.objects.count()
    load_demo()
    assert ItemVersion.objects.count() == versions


def test_zhao_min_has_a_serious_bad_credit_record_in_force(demo):
    """赵敏 is on the 严重失信 list in the registry; her matching credit record bars 容缺 and 告知承诺."""
    from onevisit.identity.models import CreditRecord
    from onevisit.identity.selectors import credit_bars, person_by_id_number

    zhao = person_by_id_number("332127197008182263")
    assert zhao is not None
    assert [r.kind for r in credit_bars(person=zhao, for_commitment=True)] == ["serious"]
    load_demo()  # loading again adds no second record
    assert CreditRecord.objects.filter(person=zhao).count() == 1
