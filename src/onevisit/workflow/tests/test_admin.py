import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_admin_shows_instances_and_work_items_read_only(start_linear, catalog_admin):
    instance = start_linear()
    item = instance.work_items.get()
    client = Client()
    client.force_login(catalog_admin)
    for url in [
        "/admin/workflow/processinstance/",
        f"/admin/workflow/processinstance/{instance.pk}/change/",
        "/admin/workflow/workitem/",
        f"/admin/workflow/workitem/{item.pk}/change/",
        "/admin/workflow/timer/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/workflow/workitem/add/").status_code == 403
    response = client.post(f"/admin/workflow/workitem/{item.pk}/change/", {"status": "completed"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "open"
