"""Deadlines across a holiday and a 调休 weekend, with a suspension, a correction and an extension."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onevisit.cases import services
from onevisit.workflow.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(file_case):
    return lambda item, person, on: services.case_accept(
        actor="clerk", case=file_case(item, person), on=on, at_counter=True
    )


def test_deadlines_skip_the_spring_festival_and_count_the_makeup_sunday(two_step_item, alice, accepted):
    case = accepted(two_step_item, alice, dt.date(2024, 2, 8))
    # 5 working days from Thu 8 Feb 2024: 9, 18 (Sun, 调休), 19, 20, 21
    assert case.promised_due == dt.date(2024, 2, 21)
    assert WorkItem.objects.get(instance=case.process_instance).due_date == dt.date(2024, 2, 9)


def test_a_special_procedure_stops_the_clock(two_step_item, alice, accepted):
    case = accepted(two_step_item, alice, dt.date(2026, 3, 2))
    with pytest.raises(ValidationError):
        services.case_suspend(actor="o", case=case, procedure="magic", expected_days=0, reason="")
    services.case_suspend(
        actor="o",
        case=case,
        procedure="expert_review",
        expected_days=10,
        reason="需组织专家评审",
        on=dt.date(2026, 3, 3),
    )
    case.refresh_from_db()
    assert case.status == "suspended" and "专家评审" in case.events.get(kind="suspended").message
    services.case_resume(actor="o", case=case, on=dt.date(2026, 3, 10))
    case.refresh_from_db()
    assert case.suspended_days == 5 and case.status == "accepted"
    assert case.promised_due == dt.date(2026, 3, 16)  # 9 March + 5 working days
    assert WorkItem.objects.get(instance=case.process_instance, status="open").due_date == dt.date(
        2026, 3, 10
    )


def test_an_extension_needs_an_approver_and_happens_once(
    two_step_item, alice, accepted, officer_scjg, approver_scjg
):
    case = accepted(two_step_item, alice, dt.date(2026, 3, 2))
    request = services.case_extension_request(actor=officer_scjg, case=case, reason="需要现场核查")
    with pytest.raises(services.CaseStateError):
        services.case_extension_decide(actor=officer_scjg, request=request, approve=True)
    services.case_extension_decide(actor=approver_scjg, request=request, approve=True)
    case.refresh_from_db()
    # 30 working days from 2 March 2026; 清明 makes Monday 6 April a holiday
    assert case.extension_days == 10 and case.statutory_due == dt.date(2026, 4, 14)
    assert "需要现场核查" in case.events.get(kind="extended").message
    with pytest.raises(services.CaseStateError):
        services.case_extension_request(actor=officer_scjg, case=case, reason="再延一次")


def test_a_return_for_correction_stops_the_clock_until_the_answer(
    two_step_item, alice, accepted, officer_scjg
):
    from django.utils import timezone

    case = accepted(two_step_item, alice, timezone.localdate())
    step = WorkItem.objects.get(instance=case.process_instance)
    with pytest.raises(ValidationError):
        services.case_step_complete(
            actor=officer_scjg, case=case, work_item=step, decision="return", opinion=""
        )
    services.case_step_complete(
        actor=officer_scjg, case=case, work_item=step, decision="return", opinion="请补充营业场所照片"
    )
    case.refresh_from_db()
    assert case.status == "correction"
    services.case_resubmit_correction(actor="a", case=case)
    case.refresh_from_db()
    assert case.status == "accepted" and case.suspended_days == 0
