"""不予受理 at the counter: reasons and legal basis on a printable notice; one visit."""

import pytest

from onevisit.cases.models import Case, Decision

from .counter_setup import intake

pytestmark = pytest.mark.django_db


def test_refusal_records_reasons_and_legal_basis_and_prints_a_notice(at_counter, counter_item):
    response = intake(
        at_counter, counter_item, "refuse", reasons="申请事项不属于本机关职权范围", legal_basis="《行政许可法》第三十二条第一款第二项"
    )  # fmt: skip
    case = Case.objects.get()
    assert response["Location"].endswith(f"/counter/cases/{case.pk}/refusal/")
    assert case.status == "not_accepted" and case.visits == 1 and case.number
    assert Decision.objects.get(case=case).legal_basis.startswith("《行政许可法》")
    page = at_counter.get(response["Location"]).content.decode()
    assert "申请事项不属于本机关职权范围" in page and "行政复议" in page


@pytest.mark.parametrize("missing", ["reasons", "legal_basis"])
def test_refusal_without_reasons_or_legal_basis_changes_nothing(at_counter, counter_item, missing):
    data = {"reasons": "不属于职权范围", "legal_basis": "《行政许可法》第三十二条", missing: " "}
    response = intake(at_counter, counter_item, "refuse", **data)
    assert response.status_code == 400 and f'id="{missing}"' in response.content.decode()
    assert not Case.objects.exists()


def test_an_unknown_outcome_changes_nothing(at_counter, counter_item):
    assert intake(at_counter, counter_item, "approve").status_code == 400
    assert not Case.objects.exists()
