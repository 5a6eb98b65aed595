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


def _form(data, upload=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from onevisit.catalog.admin import RulesForm

    files = {"dmn_file": SimpleUploadedFile("rules.dmn", upload)} if upload is not None else {}
    return RulesForm(data=data, files=files)


def test_a_dmn_file_from_a_modeler_replaces_the_xml():
    form = _form({"dmn_xml": ""}, RULES.encode("utf-8"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["dmn_xml"] == RULES


@pytest.mark.parametrize(
    "upload, message",
    [
        (b"\xff\xfe not utf-8 \x00", "UTF-8"),
        (b"<definitions/>", "DMN"),
        (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><definitions/>', "DOCTYPE"),
        (b"x" * (1024 * 1024 + 1), "1 MB"),
    ],
)
def test_a_bad_dmn_file_is_refused_with_a_message(upload, message):
    form = _form({"dmn_xml": ""}, upload)
    assert not form.is_valid()
    assert "dmn_file" in form.errors


def test_rules_with_a_hostile_cell_are_refused_in_the_admin():
    hostile = table([("&gt; __import__('os').getpid()", "-", "approve", "ok")])
    form = _form({"dmn_xml": hostile})
    assert not form.is_valid() and "dmn_xml" in form.errors


def test_the_version_page_offers_the_upload(admin_client, draft):
    page = admin_client.get(f"/admin/catalog/itemversion/{draft.pk}/change/").content.decode()
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
