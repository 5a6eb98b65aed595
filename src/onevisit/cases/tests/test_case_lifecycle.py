import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError

from onevisit.cases import notify, services
from onevisit.cases.models import Case, CaseEvent
from onevisit.cases.tests.conftest import MONDAY
from onevisit.core.audit import audit_verify
from onevisit.workflow.models import WorkItem

pytestmark = pytest.mark.django_db
FORM = {"name": "张三", "id_number": "11010519491231002X"}


def _filed(item, person, pdf, actor="applicant"):
    case = services.case_draft_save(
        actor=actor, version=item.current_version, form_data=FORM, channel="online", person=person
    )
    lease = item.current_version.materials.get(code="lease")
    services.material_upload(actor=actor, case=case, requirement=lease, stream=pdf(), name="租赁合同.pdf")
    return services.case_submit(actor=actor, case=case, idempotency_key=uuid.uuid4())


def test_submit_gives_a_number_and_a_double_submit_files_one_case(two_step_item, alice, pdf):
    case = services.case_draft_save(
        actor="a", version=two_step_item.current_version, form_data=FORM, channel="online", person=alice
    )
    lease = two_step_item.current_version.materials.get(code="lease")
    services.material_upload(actor="a", case=case, requirement=lease, stream=pdf(), name="租赁合同.pdf")
    key = uuid.uuid4()
    first = services.case_submit(actor="a", case=case, idempotency_key=key)
    again = services.case_submit(actor="a", case=case, idempotency_key=key)
    assert first.pk == again.pk and first.number.startswith("330100") and len(first.number) == 19
    assert Case.objects.filter(status="submitted").count() == 1
    assert CaseEvent.objects.filter(case=case, kind="submitted").count() == 1


def test_numbers_are_unique_and_ordered(two_step_item, alice, pdf):
    numbers = [_filed(two_step_item, alice, pdf).number for _ in range(3)]
    assert len(set(numbers)) == 3 and numbers == sorted(numbers)


def test_invalid_form_is_refused_with_field_messages_and_changes_nothing(two_step_item, alice):
    case = services.case_draft_save(
        actor="a",
        version=two_step_item.current_version,
        form_data={"id_number": "123"},
        channel="online",
        person=alice,
    )
    with pytest.raises(ValidationError) as info:
        services.case_submit(actor="a", case=case, idempotency_key=uuid.uuid4())
    assert set(info.value.message_dict) == {"name", "id_number"}
    case.refresh_from_db()
    assert case.status == "draft" and case.number is None


def test_unknown_fields_and_channels_are_refused(two_step_item, alice):
    with pytest.raises(ValidationError):
        services.case_draft_save(
            actor="a",
            version=two_step_item.current_version,
            form_data={"x": 1},
            channel="online",
            person=alice,
        )
    with pytest.raises(ValidationError):
        services.case_draft_save(
            actor="a", version=two_step_item.current_version, form_data={}, channel="pigeon", person=alice
        )


def test_accept_starts_the_process_and_the_clock(two_step_item, alice, pdf):
    case = services.case_accept(
        actor="clerk", case=_filed(two_step_item, alice, pdf), on=MONDAY, at_counter=True
    )
    assert case.status == "accepted" and case.visits == 1
    assert case.promised_due == dt.date(2026, 3, 9) and case.statutory_due == dt.date(2026, 3, 30)
    item = WorkItem.objects.get(instance=case.process_instance)
    assert item.department.code == "330100-SCJG" and item.due_date == dt.date(2026, 3, 3)


def test_two_departments_approve_in_turn_and_the_case_is_approved(
    two_step_item, alice, pdf, officer_scjg, officer_ga
):
    case = services.case_accept(actor="clerk", case=_filed(two_step_item, alice, pdf), on=MONDAY)
    first = WorkItem.objects.get(instance=case.process_instance, status="open")
    services.case_step_complete(
        actor=officer_scjg, case=case, work_item=first, decision="approve", opinion="材料齐全"
    )
    second = WorkItem.objects.get(instance=case.process_instance, status="open")
    assert second.department.code == "330100-GA"
    with pytest.raises(Exception):
        services.case_step_complete(
            actor=officer_scjg, case=case, work_item=second, decision="approve", opinion="越权"
        )
    services.case_step_complete(
        actor=officer_ga, case=case, work_item=second, decision="approve", opinion="核查无误"
    )
    case.refresh_from_db()
    assert case.status == "approved" and case.decision.legal_basis.startswith("《市场主体登记管理条例》")
    assert [e.kind for e in case.events.all()] == [
        "submitted",
        "accepted",
        "step_completed",
        "step_completed",
        "decided_approve",
    ]
    assert audit_verify()[1] == []


def test_a_rejection_needs_reasons_and_legal_basis(two_step_item, alice, pdf, officer_scjg):
    case = services.case_accept(actor="clerk", case=_filed(two_step_item, alice, pdf), on=MONDAY)
    step = WorkItem.objects.get(instance=case.process_instance)
    with pytest.raises(ValidationError) as info:
        services.case_step_complete(
            actor=officer_scjg, case=case, work_item=step, decision="reject", opinion="不符合条件"
        )
    assert "legal_basis" in info.value.message_dict
    case.refresh_from_db()
    assert case.status == "accepted" and WorkItem.objects.get(pk=step.pk).status == "open"
    services.case_step_complete(
        actor=officer_scjg,
        case=case,
        work_item=step,
        decision="reject",
        opinion="经营场所不符合要求",
        legal_basis="《食品安全法》第三十五条",
    )
    case.refresh_from_db()
    assert case.status == "rejected" and case.process_instance.status == "cancelled"


def test_refusal_at_acceptance_and_wrong_state_actions(two_step_item, alice, pdf):
    case = _filed(two_step_item, alice, pdf)
    with pytest.raises(ValidationError):
        services.case_refuse(actor="clerk", case=case, reasons="", legal_basis="")
    services.case_refuse(
        actor="clerk",
        case=case,
        reasons="不属于本机关职权范围",
        legal_basis="《行政许可法》第三十二条第一款第（二）项",
        at_counter=True,
    )
    case.refresh_from_db()
    assert case.status == "not_accepted" and case.visits == 1
    for action in (services.case_accept, services.case_withdraw):
        with pytest.raises(services.CaseStateError):
            action(actor="x", case=case)


def test_one_notice_lists_everything_missing(two_step_item, alice, pdf):
    case = _filed(two_step_item, alice, pdf)
    lease = two_step_item.current_version.materials.get(code="lease")
    services.case_request_correction(actor="clerk", case=case, missing=[lease], note="申请表签名不完整")
    case.refresh_from_db()
    assert case.status == "correction"
    notice = case.events.get(kind="correction_requested").message
    assert "住所使用证明" in notice and "签名" in notice
    again = services.case_submit(actor="a", case=case, idempotency_key=uuid.uuid4())
    assert again.status == "submitted" and again.number == case.number


def test_withdraw_before_a_decision_cancels_the_process(two_step_item, alice, pdf):
    case = services.case_accept(actor="clerk", case=_filed(two_step_item, alice, pdf), on=MONDAY)
    services.case_withdraw(actor="a", case=case)
    case.refresh_from_db()
    assert (
        case.status == "withdrawn"
        and not WorkItem.objects.filter(instance=case.process_instance, status="open").exists()
    )


def test_missing_required_material_blocks_submission(make_item, alice):
    from onevisit.catalog.models import MaterialRequirement

    item = make_item(code="C-2")
    MaterialRequirement.objects.filter(version=item.current_version, code="lease").update(required=True)
    case = services.case_draft_save(
        actor="a", version=item.current_version, form_data=FORM, channel="online", person=alice
    )
    with pytest.raises(ValidationError, match="住所使用证明"):
        services.case_submit(actor="a", case=case, idempotency_key=uuid.uuid4())


def test_the_applicant_is_told_by_sms_at_each_public_step_once(
    two_step_item, pdf, django_capture_on_commit_callbacks, db
):
    from django.contrib.auth.hashers import make_password

    from onevisit.identity.services import applicant_account_open, person_register
    from onevisit.identity.sms import LocmemBackend

    person = person_register(actor="t", name="王五", id_number="110105194912310038")
    applicant_account_open(
        actor="t", person=person, phone="13800001111", password_hash=make_password("x-123456!")
    )
    LocmemBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = _filed(two_step_item, person, pdf)
    assert [m.phone for m in LocmemBackend.outbox] == ["13800001111"]
    assert case.number in LocmemBackend.outbox[0].text
    event = case.events.get(kind="submitted")
    assert notify.case_event_send(event_id=event.pk) is False  # already told
    assert len(LocmemBackend.outbox) == 1


def test_a_field_emptied_on_its_page_is_cleared_from_the_draft(two_step_item, alice):
    version = two_step_item.current_version
    case = services.case_draft_save(
        actor="a", version=version, form_data=FORM, channel="online", person=alice
    )
    services.case_draft_save(
        actor="a",
        version=version,
        form_data={"name": "张三"},
        channel="online",
        case=case,
        page_fields=["name", "id_number"],
    )
    case.refresh_from_db()
    assert case.form_data == {"name": "张三"}
