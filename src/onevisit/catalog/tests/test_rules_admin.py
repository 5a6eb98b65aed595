"""A catalogue admin tries an item's decision table (秒批) on sample inputs before publishing, and
sees which rule decided each past case."""

from __future__ import annotations

import pytest

from onevisit.catalog.models import RuleDefinition
from onevisit.workflow.tests.test_rules import table

RULES = table(
    [("&lt; 60", "-", "reject", "未满60周岁"), ("&gt;= 60", "True", "approve", "年满60周岁的本市户籍老年人")],
    expression="age",
    second="local",
)


@pytest.fixture
def draft(make_item):
    item = make_item(code="C-R", publish=False)
    version = item.versions.get()
    RuleDefinition.objects.create(version=version, dmn_xml=RULES)
    return version


def url(version):
    return f"/admin/catalog/itemversion/{version.pk}/rules/test/"


def test_the_admin_tries_sample_inputs_and_sees_the_rule_that_matched(admin_client, draft):
    page = admin_client.get(url(draft)).content.decode()
    assert "年龄" in page and "本市户籍" in page and "<code>age</code>" in page
    response = admin_client.post(url(draft), {"in-0": "72", "in-1": "是"})
    page = response.content.decode()
    assert (
        response.status_code == 200
        and "approve" in page
        and "R2" in page
        and "年满60周岁的本市户籍老年人" in page
    )
    page = admin_client.post(url(draft), {"in-0": "72"}).content.decode()
    assert "manual" in page and "local" in page  # a missing value: people decide
    assert "/admin/cases/decision/?item=C-R" in page


@pytest.mark.parametrize(
    "age, local", [("seventy", "是"), ("72", "maybe"), ("<script>alert(1)</script>", "")]
)
def test_wrong_sample_values_say_how_to_fix_them(admin_client, draft, age, local):
    response = admin_client.post(url(draft), {"in-0": age, "in-1": local})
    page = response.content.decode()
    assert response.status_code == 400 and ("请填写数字" in page or "请填写“是”或“否”" in page)
    assert "<script>alert(1)</script>" not in page


def test_a_version_without_rules_says_so(admin_client, make_item):
    version = make_item(code="C-N", publish=False).versions.get()
    assert "此版本没有审批规则" in admin_client.get(url(version)).content.decode()


def test_only_staff_with_catalogue_rights_may_test(client, django_user_model, draft):
    user = django_user_model.objects.create_user("clerk", password="pw-123456!", is_staff=True)
    client.force_login(user)
    assert client.get(url(draft)).status_code in (302, 403)
