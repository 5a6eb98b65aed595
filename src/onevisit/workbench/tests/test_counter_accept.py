"""一窗受理: a complete application is accepted at the counter in one sitting, with a printable receipt."""

import io

import pytest

from onevisit.cases.models import Case, SuppliedMaterial
from onevisit.cases.tests.conftest import PDF
from onevisit.core.models import AuditEvent

from .counter_setup import intake, materials

pytestmark = pytest.mark.django_db


def test_a_complete_application_is_accepted_with_a_receipt(at_counter, counter_item, alice):
    scan = io.BytesIO(PDF)
    scan.name = "平面图.pdf"
    response = intake(
        at_counter, counter_item, "accept", paper=["lease", "plan", "health"],
        **{f"scan_{materials(counter_item)['plan'].pk}": scan},
    )  # fmt: skip
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/counter/cases/{case.pk}/receipt/")
    assert case.status == "accepted" and case.channel == "counter" and case.center.code == "A"
    assert case.visits == 1 and case.applicant_person == alice and case.number
    paper = SuppliedMaterial.objects.filter(case=case, source="paper")
    assert {m.requirement.code for m in paper} == {"lease", "plan", "health"}
    assert all(m.checked_by.username == "clerk_a" and m.checked_at for m in paper)
    assert SuppliedMaterial.objects.filter(case=case, source="upload").count() == 1
    assert AuditEvent.objects.filter(action="material_paper_checked").count() == 3
    page = at_counter.get(response["Location"]).content.decode()
    assert case.number in page and "食品经营许可" in page and "第三十二条" in page
    assert "110105********002X" in page and ALICE_NOT_IN_CLEAR not in page


ALICE_NOT_IN_CLEAR = "11010519491231002X"


def test_the_intake_page_is_one_form_prefilled_from_the_applicant(at_counter, counter_item):
    page = at_counter.get(f"/workbench/counter/items/{counter_item.code}/").content.decode()
    assert 'value="张三"' in page and 'name="idempotency_key"' in page
    for m in materials(counter_item).values():
        assert f'name="paper_{m.pk}"' in page and f'name="scan_{m.pk}"' in page
    assert page.count('name="outcome"') == 3


def test_a_double_click_files_one_case(at_counter, counter_item):
    key = "1c3f6a55-6b9e-4a40-9a0e-52f1f4d4f0aa"
    for _ in range(2):
        intake(at_counter, counter_item, "accept", paper=["lease", "plan", "health"], idempotency_key=key)
    assert Case.objects.count() == 1 and Case.objects.get().visits == 1


def test_accepting_with_a_material_missing_files_nothing_and_says_so(at_counter, counter_item):
    response = intake(at_counter, counter_item, "accept", paper=["lease", "plan"])
    assert response.status_code == 400
    assert "从业人员健康证明" in response.content.decode()
    assert not Case.objects.exists() and not SuppliedMaterial.objects.exists()


def test_a_form_error_is_shown_at_the_field_and_keeps_what_was_typed(at_counter, counter_item):
    response = intake(
        at_counter, counter_item, "accept", paper=["lease", "plan", "health"], f_id_number="12345"
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'href="#f_id_number"' in page and 'value="12345"' in page
    assert not Case.objects.exists()


def test_an_item_the_centre_does_not_take_is_not_found(at_counter, make_item, departments):
    from onevisit.catalog.models import ServiceItem

    other = make_item(code="GA-9", name="户口迁移")
    ServiceItem.objects.filter(pk=other.pk).update(department=departments["ga"])
    assert at_counter.get("/workbench/counter/items/GA-9/").status_code == 404
    assert "户口迁移" not in at_counter.get("/workbench/counter/?q=户口").content.decode()
    assert "食品经营许可" in at_counter.get("/workbench/counter/?q=食品").content.decode()
