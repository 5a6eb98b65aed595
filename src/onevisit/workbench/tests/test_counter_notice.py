"""一次性告知 (Art. 32) at the counter: everything missing, on one printable notice, one visit."""

import pytest

from onevisit.cases.models import Case, CaseEvent

from .counter_setup import intake, materials

pytestmark = pytest.mark.django_db


def test_the_notice_lists_every_missing_material_and_form_entry_at_once(at_counter, counter_item):
    response = intake(at_counter, counter_item, "notice", paper=["plan"], f_name="", note="申请表未签名")
    case = Case.objects.get()
    assert response["Location"].endswith(f"/counter/cases/{case.pk}/notice/")
    assert case.status == "correction" and case.visits == 1 and case.number
    event = CaseEvent.objects.get(case=case, kind="correction_requested")
    m = materials(counter_item)
    assert sorted(event.data["missing"]) == sorted([m["lease"].pk, m["health"].pk])
    page = at_counter.get(response["Location"]).content.decode()
    for text in (
        "住所使用证明",
        "从业人员健康证明",
        "申请表未签名",
        "姓名",
        "《行政许可法》第三十二条",
        "印章",
    ):
        assert text in page, text
    assert "经营场所平面图" not in page.split("doc-missing")[1].split("</ol>")[0]


def test_the_documents_print_without_the_workbench_around_them():
    from pathlib import Path

    import onevisit.workbench

    css = (Path(onevisit.workbench.__file__).parent / "static/workbench/workbench.css").read_text()
    assert "@media print" in css and ".site-header" in css.split("@media print")[1]


def test_a_notice_when_nothing_is_missing_is_refused(at_counter, counter_item):
    response = intake(at_counter, counter_item, "notice", paper=["lease", "plan", "health"])
    assert response.status_code == 400 and not Case.objects.exists()


def test_the_applicant_answers_the_notice_and_the_case_can_then_be_filed(at_counter, counter_item):
    import uuid

    from onevisit.cases import counter, services

    intake(at_counter, counter_item, "notice", paper=["plan"])
    case = Case.objects.get()
    for code in ("lease", "health"):
        counter.material_record_paper(actor="t", case=case, requirement=materials(counter_item)[code])
    case = services.case_submit(actor="t", case=case, idempotency_key=uuid.uuid4())
    assert case.status == "submitted"
