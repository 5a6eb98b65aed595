"""POST /api/v1/work-items/{id}/complete/ → case_step_complete; hostile bodies change nothing."""

import pytest

from onevisit.cases.models import Case, CaseEvent
from onevisit.workflow.models import WorkItem

from .conftest import client_for, first_item

pytestmark = pytest.mark.django_db


def _complete(key, item, body):
    return client_for(key).post(f"/api/v1/work-items/{item.pk}/complete/", body, format="json")


def test_approve_moves_the_case_to_the_next_department(accepted, scjg_key, ga_key):
    item = first_item(accepted)
    response = _complete(scjg_key, item, {"decision": "approve", "opinion": "材料齐全，同意"})
    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert client_for(ga_key).get("/api/v1/work-items/").json()["count"] == 1
    assert CaseEvent.objects.filter(case=accepted, kind="step_completed").exists()


def test_reject_needs_the_legal_basis_and_ends_the_case(accepted, scjg_key):
    item = first_item(accepted)
    response = _complete(scjg_key, item, {"decision": "reject", "opinion": "不符合条件"})
    assert response.status_code == 400 and "legal_basis" in response.json()["errors"]
    assert WorkItem.objects.get(pk=item.pk).status == "open"
    response = _complete(
        scjg_key, item, {"decision": "reject", "opinion": "不符合条件", "legal_basis": "《条例》第十九条"}
    )
    assert response.status_code == 200 and Case.objects.get(pk=accepted.pk).status == "rejected"


def test_return_asks_the_applicant_to_correct(accepted, scjg_key):
    response = _complete(scjg_key, first_item(accepted), {"decision": "return", "opinion": "请补正租赁合同"})
    assert response.status_code == 200 and Case.objects.get(pk=accepted.pk).status == "correction"


def test_completing_twice_conflicts_with_a_message(accepted, scjg_key):
    item = first_item(accepted)
    assert _complete(scjg_key, item, {"decision": "approve"}).status_code == 200
    for decision in ("approve", "return"):
        response = _complete(scjg_key, item, {"decision": decision, "opinion": "再次"})
        body = response.json()
        assert response.status_code == 409 and body["code"] == "conflict" and "已" in body["message"]
    assert Case.objects.get(pk=accepted.pk).status == "accepted"


def test_another_department_cannot_complete_it(accepted, ga_key):
    item = first_item(accepted)
    assert _complete(ga_key, item, {"decision": "approve"}).status_code == 404
    assert WorkItem.objects.get(pk=item.pk).status == "open"


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "approve", "opinion": "x" * 10_000},
        {"decision": "maybe"},
        {"decision": 1},
        {"decision": ["approve"]},
        {"decision": "approve", "opinion": {"$ne": 1}},
        {"decision": "approve", "legal_basis": ["a"]},
        {"opinion": "没有决定"},
        ["approve"],
        "approve",
    ],
)
def test_hostile_bodies_are_refused_and_change_nothing(accepted, scjg_key, body):
    item = first_item(accepted)
    events = CaseEvent.objects.count()
    response = _complete(scjg_key, item, body)
    payload = response.json()
    assert response.status_code == 400 and payload["code"] == "invalid" and payload["message"]
    assert WorkItem.objects.get(pk=item.pk).status == "open" and CaseEvent.objects.count() == events


def test_a_body_that_is_not_json_is_refused(accepted, scjg_key):
    item = first_item(accepted)
    response = client_for(scjg_key).post(
        f"/api/v1/work-items/{item.pk}/complete/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400 and WorkItem.objects.get(pk=item.pk).status == "open"
