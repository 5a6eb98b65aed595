"""Who may use the counter, finding the applicant, and what a clerk of another centre sees."""

import pytest

from onevisit.cases.models import Case
from onevisit.identity.models import Person

from .counter_setup import ALICE_ID, WALK_IN_ID, intake, login

pytestmark = pytest.mark.django_db


def test_a_wrong_id_number_gets_a_clear_message_and_creates_nothing(clerk_a, alice):
    client = login(clerk_a)
    response = client.post("/workbench/counter/", {"action": "find", "id_number": "110105194912310020"})
    page = response.content.decode()
    assert response.status_code == 200 and "18" in page and 'href="#id_id_number"' in page
    assert Person.objects.count() == 1 and not Case.objects.exists()
    assert "counter_person" not in client.session


def test_a_walk_in_is_registered_by_name_and_id_number(clerk_a, alice):
    client = login(clerk_a)
    page = client.post("/workbench/counter/", {"action": "find", "id_number": WALK_IN_ID}).content.decode()
    assert 'name="action" value="register"' in page
    response = client.post(
        "/workbench/counter/", {"action": "register", "name": "李四", "id_number": WALK_IN_ID}
    )
    assert response.status_code == 302
    person = Person.objects.get(name="李四")
    assert client.session["counter_person"] == person.pk
    assert "李四" in client.get("/workbench/counter/").content.decode()


def test_an_id_number_is_found_in_any_spelling(clerk_a, alice):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find", "id_number": f" {ALICE_ID.lower()} "})
    assert client.session["counter_person"] == alice.pk


def test_a_clerk_of_another_centre_sees_nothing(at_counter, counter_item, clerk_b):
    intake(at_counter, counter_item, "notice", paper=[])
    case = Case.objects.get()
    other = login(clerk_b)
    for kind in ("notice", "receipt", "refusal"):
        assert other.get(f"/workbench/counter/cases/{case.pk}/{kind}/").status_code == 404
    assert case.number not in other.get("/workbench/counter/").content.decode()
    assert case.number in at_counter.get("/workbench/counter/").content.decode()
    from onevisit.cases.selectors import cases_for_clerk

    assert list(cases_for_clerk(user=clerk_b)) == [] and list(
        cases_for_clerk(user=at_counter_user(case))
    ) == [case]


def at_counter_user(case):
    return case.created_by


def test_an_officer_cannot_use_the_counter(officer_ga, alice, counter_item):
    client = login(officer_ga)
    assert client.get("/workbench/counter/").status_code == 403
    assert client.post("/workbench/counter/", {"action": "find", "id_number": ALICE_ID}).status_code == 403
    assert client.get(f"/workbench/counter/items/{counter_item.code}/").status_code == 403
    assert "/workbench/counter/" not in client.get("/workbench/").content.decode()


def test_an_applicant_or_visitor_is_sent_to_the_staff_login(db):
    from django.test import Client

    response = Client().get("/workbench/counter/")
    assert response.status_code == 302 and "/workbench/login/" in response["Location"]


def test_a_clerk_of_another_centre_cannot_open_the_case_in_the_workbench(at_counter, counter_item, clerk_b):
    intake(at_counter, counter_item, "accept", paper=["lease", "plan", "health"])
    case = Case.objects.get()
    assert at_counter.get(f"/workbench/cases/{case.pk}/").status_code == 200
    assert login(clerk_b).get(f"/workbench/cases/{case.pk}/").status_code == 404
