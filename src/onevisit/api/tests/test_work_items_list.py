"""GET /api/v1/work-items/: the token's department's open items, due first, with urgency."""

import pytest

from .conftest import client_for, first_item

pytestmark = pytest.mark.django_db


def test_the_department_sees_its_open_items_with_urgency(accepted, scjg_key, ga_key):
    body = client_for(scjg_key).get("/api/v1/work-items/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == first_item(accepted).pk and row["department"] == "330100-SCJG"
    assert row["urgency"] in ("normal", "yellow", "red") and row["case_number"] == accepted.number
    assert row["status"] == "open" and row["due_date"]
    assert client_for(ga_key).get("/api/v1/work-items/").json()["count"] == 0


def test_items_come_due_first(two_step_item, alice, file_case, scjg_key):
    import datetime as dt

    from onevisit.cases import services

    for day in (dt.date(2026, 3, 9), dt.date(2026, 3, 2)):
        services.case_accept(actor="t", case=file_case(two_step_item, alice), on=day)
    dues = [r["due_date"] for r in client_for(scjg_key).get("/api/v1/work-items/").json()["results"]]
    assert dues == sorted(dues) and len(dues) == 2
