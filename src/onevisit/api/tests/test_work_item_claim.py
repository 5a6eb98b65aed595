"""POST /api/v1/work-items/{id}/claim/."""

import pytest

from onevisit.workflow.models import WorkItem

from .conftest import client_for, first_item

pytestmark = pytest.mark.django_db


def test_claim(accepted, scjg_key):
    item = first_item(accepted)
    response = client_for(scjg_key).post(f"/api/v1/work-items/{item.pk}/claim/")
    assert response.status_code == 200 and response.json()["status"] == "claimed"
    assert WorkItem.objects.get(pk=item.pk).assignee.service_token.name == "scjg 审批系统"


def test_claiming_an_item_of_another_department_is_not_found(accepted, ga_key):
    item = first_item(accepted)
    response = client_for(ga_key).post(f"/api/v1/work-items/{item.pk}/claim/")
    assert response.status_code == 404 and response.json()["message"]
    assert WorkItem.objects.get(pk=item.pk).status == "open"


def test_claiming_twice_from_two_systems_conflicts(accepted, scjg_key, make_token):
    item = first_item(accepted)
    other = make_token()[1]
    assert client_for(scjg_key).post(f"/api/v1/work-items/{item.pk}/claim/").status_code == 200
    response = client_for(other).post(f"/api/v1/work-items/{item.pk}/claim/")
    assert response.status_code == 409 and response.json()["code"] == "conflict"


@pytest.mark.parametrize("pk", ["999999", "abc", "-1"])
def test_an_unknown_item_is_not_found(accepted, scjg_key, pk):
    assert client_for(scjg_key).post(f"/api/v1/work-items/{pk}/claim/").status_code == 404
