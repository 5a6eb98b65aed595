"""GET /api/v1/cases/{number}/: the department's cases, or those with a step in it; masked IDs only."""

import pytest

from .conftest import client_for, first_item

pytestmark = pytest.mark.django_db


def test_the_department_reads_its_case_without_personal_data(accepted, scjg_key):
    response = client_for(scjg_key).get(f"/api/v1/cases/{accepted.number}/")
    body = response.json()
    assert response.status_code == 200 and body["number"] == accepted.number
    assert body["applicant_id_masked"] == "110105********002X"
    text = response.content.decode()
    assert "11010519491231002X" not in text and "张三" not in text and "form_data" not in body
    assert [s["department"] for s in body["steps"]] == ["330100-SCJG"]


def test_each_read_is_in_the_applicants_data_use_log(accepted, scjg_key):
    from onevisit.exchange.models import DataAccess

    client_for(scjg_key).get(f"/api/v1/cases/{accepted.number}/")
    access = DataAccess.objects.get(kind="api")
    assert access.case_ref == accepted.number and access.subject_person == accepted.applicant_person
    assert access.department.code == "330100-SCJG" and access.purpose
    client_for(scjg_key).get("/api/v1/cases/NOPE/")
    assert DataAccess.objects.filter(kind="api").count() == 1  # nothing read, nothing logged


def test_a_department_with_a_step_in_the_case_reads_it(accepted, scjg_key, ga_key):
    assert client_for(ga_key).get(f"/api/v1/cases/{accepted.number}/").status_code == 404

    item = first_item(accepted)
    client_for(scjg_key).post(
        f"/api/v1/work-items/{item.pk}/complete/", {"decision": "approve"}, format="json"
    )
    assert client_for(ga_key).get(f"/api/v1/cases/{accepted.number}/").status_code == 200


def test_another_department_gets_not_found(accepted, make_token, departments):
    from onevisit.org.models import Department

    other = Department.objects.create(code="330100-SW", name="税务局", region=departments["scjg"].region)
    departments["sw"] = other
    _token, key = make_token("sw")
    assert client_for(key).get(f"/api/v1/cases/{accepted.number}/").status_code == 404
    assert client_for(key).get("/api/v1/cases/NOPE/").status_code == 404
