"""Counter personas: a clerk of centre A, a clerk of centre B, an officer of another department; and
an item of 市场监管 with three required materials (one may be supplied by shared data)."""

import pytest
from django.test import Client

from onevisit.catalog.models import MaterialRequirement
from onevisit.catalog.services import version_publish
from onevisit.org.models import ServiceCenter, Window
from onevisit.org.services import staff_role_grant

ALICE_ID = "11010519491231002X"
WALK_IN_ID = "330106199002153627"


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def centers(departments, region):
    a = ServiceCenter.objects.create(
        code="A", name="市民之家", region=region, address="解放东路18号", hours="9-17"
    )
    b = ServiceCenter.objects.create(
        code="B", name="西湖区行政服务中心", region=region, address="x", hours="9-17"
    )
    for center in (a, b):
        window = Window.objects.create(center=center, number="01", name="综合窗口", kind="general")
        window.departments.add(departments["scjg"])
    return {"a": a, "b": b}


def _clerk(django_user_model, departments, username, center):
    user = django_user_model.objects.create_user(username, first_name=username, password="pw-123456!")
    staff_role_grant(actor="t", user=user, department=departments["scjg"], role="clerk", center=center)
    return user


@pytest.fixture
def clerk_a(django_user_model, departments, centers):
    return _clerk(django_user_model, departments, "clerk_a", centers["a"])


@pytest.fixture
def clerk_b(django_user_model, departments, centers):
    return _clerk(django_user_model, departments, "clerk_b", centers["b"])


@pytest.fixture
def counter_item(make_item):
    """A service for individuals (个人办事)."""
    item = make_item(code="CT-1", name="食品经营许可", publish=False)
    item.audience = "person"
    item.save(update_fields=["audience"])
    version = item.versions.get()
    MaterialRequirement.objects.create(version=version, code="plan", name="经营场所平面图", order=2)
    MaterialRequirement.objects.create(version=version, code="health", name="从业人员健康证明", order=3)
    version_publish(actor="t", version=version)
    item.refresh_from_db()
    return item


def materials(item):
    return {m.code: m for m in item.current_version.materials.all()}


@pytest.fixture
def at_counter(clerk_a, alice, counter_item):
    """Clerk A's browser with Alice found at the counter."""
    client = login(clerk_a)
    response = client.post("/workbench/counter/", {"action": "find", "id_number": ALICE_ID})
    assert response.status_code == 302
    return client


def intake(client, item, outcome, paper=(), **extra):
    data = {"outcome": outcome, "f_name": "张三", "f_id_number": ALICE_ID, **extra}
    for code in paper:
        data[f"paper_{materials(item)[code].pk}"] = "1"
    return client.post(f"/workbench/counter/items/{item.code}/", data)
