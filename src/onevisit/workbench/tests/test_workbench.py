import pytest
from django.test import Client

from onevisit.cases.models import Case
from onevisit.workflow.models import WorkItem

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def submitted(two_step_item, alice, file_case):
    return file_case(two_step_item, alice)


def test_inbox_needs_a_staff_login(db):
    response = Client().get("/workbench/")
    assert response.status_code == 302 and "/workbench/login/" in response["Location"]


def test_accept_then_two_departments_complete_their_steps(submitted, officer_scjg, officer_ga):
    scjg, ga = _client(officer_scjg), _client(officer_ga)
    assert submitted.number in scjg.get("/workbench/").content.decode()
    scjg.post(f"/workbench/cases/{submitted.pk}/accept/")
    case = Case.objects.get(pk=submitted.pk)
    assert case.status == "accepted"
    first = WorkItem.objects.get(instance=case.process_instance, status="open")
    page = scjg.get("/workbench/").content.decode()
    assert first.name in page and ("正常" in page or "Normal" in page)
    scjg.post(f"/workbench/cases/{case.pk}/claim/", {"work_item": first.pk})
    scjg.post(
        f"/workbench/cases/{case.pk}/complete/",
        {"work_item": first.pk, "decision": "approve", "opinion": "同意"},
    )
    second = WorkItem.objects.get(instance=case.process_instance, status="open")
    assert second.name in ga.get("/workbench/").content.decode()
    assert (
        second.name
        not in scjg.get("/workbench/").content.decode().split('<main id="main"')[1].split("待受理")[0]
    )
    ga.post(
        f"/workbench/cases/{case.pk}/complete/",
        {"work_item": second.pk, "decision": "approve", "opinion": "核查无误"},
    )
    assert Case.objects.get(pk=case.pk).status == "approved"


def test_a_second_completion_is_told_clearly(submitted, officer_scjg, django_user_model, departments):
    from onevisit.org.services import staff_role_grant

    colleague = django_user_model.objects.create_user("colleague", password="pw-123456!")
    staff_role_grant(actor="t", user=colleague, department=departments["scjg"], role="officer")
    _client(officer_scjg).post(f"/workbench/cases/{submitted.pk}/accept/")
    case = Case.objects.get(pk=submitted.pk)
    item = WorkItem.objects.get(instance=case.process_instance)
    _client(officer_scjg).post(
        f"/workbench/cases/{case.pk}/complete/",
        {"work_item": item.pk, "decision": "approve", "opinion": "同意"},
    )
    page = (
        _client(colleague)
        .post(
            f"/workbench/cases/{case.pk}/complete/",
            {"work_item": item.pk, "decision": "approve", "opinion": "也同意"},
            follow=True,
        )
        .content.decode()
    )
    assert "已办结" in page or "办件处于" in page


def test_an_officer_of_another_department_sees_nothing(submitted, officer_ga):
    client = _client(officer_ga)
    assert submitted.number not in client.get("/workbench/").content.decode()
    assert client.get(f"/workbench/cases/{submitted.pk}/").status_code == 404
    assert client.post(f"/workbench/cases/{submitted.pk}/accept/").status_code == 404
    material = submitted.materials.get(source="upload")
    assert client.get(f"/workbench/materials/{material.pk}/").status_code == 404
    assert Case.objects.get(pk=submitted.pk).status == "submitted"


def test_materials_are_served_to_the_department_with_safe_headers(submitted, officer_scjg):
    material = submitted.materials.get(source="upload")
    response = _client(officer_scjg).get(f"/workbench/materials/{material.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_refusal_without_reasons_shows_an_error_and_changes_nothing(submitted, officer_scjg):
    page = (
        _client(officer_scjg)
        .post(f"/workbench/cases/{submitted.pk}/refuse/", {"reasons": "", "legal_basis": ""}, follow=True)
        .content.decode()
    )
    assert Case.objects.get(pk=submitted.pk).status == "submitted"
    assert "理由" in page or "reasons" in page


def test_applicants_cannot_use_the_workbench(submitted, django_user_model):
    citizen = django_user_model.objects.create_user("citizen", password="pw-123456!")
    response = _client(citizen).get(f"/workbench/cases/{submitted.pk}/")
    assert response.status_code == 302
    login = Client().post("/workbench/login/", {"username": "citizen", "password": "pw-123456!"})
    assert login.status_code == 200  # refused: not staff


def test_identifiers_in_the_form_are_masked_on_the_case_page(submitted, officer_scjg):
    page = _client(officer_scjg).get(f"/workbench/cases/{submitted.pk}/").content.decode()
    assert "11010519491231002X" not in page and "1101**********002X" in page
