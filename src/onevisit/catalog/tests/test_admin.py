import io
import json

import pytest
from django.test import Client

from conftest import bpmn
from onevisit.catalog import transfer
from onevisit.catalog.models import ItemChange, ItemVersion, ServiceItem
from onevisit.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(catalog_admin):
    client = Client()
    client.force_login(catalog_admin)
    return client


def test_publish_from_the_admin(admin_client, make_item):
    item = make_item(publish=False)
    version = item.versions.get()
    page = admin_client.get(f"/admin/catalog/itemversion/{version.pk}/change/").content.decode()
    assert "Publish this version" in page or "发布此版本" in page
    response = admin_client.post(f"/admin/catalog/itemversion/{version.pk}/publish/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == "published"


def test_publish_shows_every_problem_and_changes_nothing(admin_client, make_item):
    item = make_item(publish=False, statutory=1, promised=3, process=bpmn({"GHOST": [("a", "受理", 0)]}))
    version = item.versions.get()
    response = admin_client.post(f"/admin/catalog/itemversion/{version.pk}/publish/", follow=True)
    text = response.content.decode()
    assert "GHOST" in text and ("statutory" in text or "法定时限" in text)
    version.refresh_from_db()
    assert version.state == "draft"


def test_a_published_version_cannot_be_edited_in_the_admin(admin_client, make_item):
    item = make_item()
    version = item.current_version
    admin_client.post(
        f"/admin/catalog/itemversion/{version.pk}/change/", {"name": "改名", "kind": "promised"}
    )
    version.refresh_from_db()
    assert version.name == "企业设立登记"
    assert admin_client.get(f"/admin/catalog/itemversion/{version.pk}/delete/").status_code == 403


def test_new_version_button_creates_a_draft(admin_client, make_item):
    item = make_item()
    response = admin_client.post(f"/admin/catalog/serviceitem/{item.pk}/new-version/")
    draft = ItemVersion.objects.get(item=item, number=2)
    assert response["Location"].endswith(f"/admin/catalog/itemversion/{draft.pk}/change/")


def test_lifecycle_form_requires_reason_and_successor(admin_client, make_item):
    item = make_item()
    other = make_item(code="X-2", name="企业登记")
    url = f"/admin/catalog/serviceitem/{item.pk}/lifecycle/"
    assert admin_client.post(url, {"action": "merge", "reason": "合并"}).status_code == 200
    assert ServiceItem.objects.get(pk=item.pk).status == "active"
    assert (
        admin_client.post(url, {"action": "merge", "successor": other.pk, "reason": "两项合并"}).status_code
        == 302
    )
    assert ItemChange.objects.get(item=item, kind="merged").reason == "两项合并"
    assert AuditEvent.objects.filter(action="item_merged").exists()


def test_export_and_import_through_the_admin(admin_client, make_item):
    make_item()
    data = admin_client.get("/admin/catalog/serviceitem/export/json/").content
    assert json.loads(data)["format"] == "onevisit-catalog"
    xlsx = admin_client.get("/admin/catalog/serviceitem/export/xlsx/")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(data)
    upload.name = "catalog.json"
    assert admin_client.post("/admin/catalog/serviceitem/import/", {"file": upload}).status_code == 302


def test_import_of_a_wrong_file_shows_problems(admin_client, make_item):
    make_item()
    bad = io.BytesIO(b"<svg onload=alert(1)>")
    bad.name = "catalog.exe"
    page = admin_client.post("/admin/catalog/serviceitem/import/", {"file": bad}).content.decode()
    assert ".json" in page and "<svg onload" not in page
    records = json.loads(transfer.export_json())
    records["items"][0]["department"] = "NOPE"
    wrong = io.BytesIO(json.dumps(records).encode())
    wrong.name = "catalog.json"
    page = admin_client.post("/admin/catalog/serviceitem/import/", {"file": wrong}).content.decode()
    assert "NOPE" in page


def test_an_outsider_cannot_use_catalogue_admin(make_item, django_user_model):
    make_item()
    outsider = django_user_model.objects.create_user("outsider", password="pw-123456!", is_staff=True)
    client = Client()
    client.force_login(outsider)
    assert client.get("/admin/catalog/serviceitem/export/json/").status_code == 403
    assert client.get("/admin/catalog/serviceitem/import/").status_code == 403
