"""容缺受理: filing with a tolerable material missing, its deadline, supplying it, the sweep."""

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from onevisit.cases import notify, services, tolerance
from onevisit.cases.models import Case, CaseEvent, Commitment
from onevisit.cases.tests.conftest import FORM, PDF
from onevisit.catalog.models import MaterialRequirement
from onevisit.catalog.services import version_publish
from onevisit.certificates.models import Certificate
from onevisit.core.calendar import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are matched in English here; the Chinese ones are checked by the page tests.
    with translation.override("en"):
        yield


try:
    from onevisit.identity import credit as _credit  # noqa: F401

    HAS_CREDIT = True
except ImportError:
    HAS_CREDIT = False


def _draft(item, person):
    return services.case_draft_save(
        actor="applicant", version=item.current_version, form_data=FORM, channel="online", person=person
    )


def _lease(item):
    return item.current_version.materials.get(code="lease")


def _file_with_gap(item, person):
    case = _draft(item, person)
    tolerance.gap_mark(actor="applicant", case=case, requirement=_lease(item), later=True)
    text = tolerance.commitment_text(case, [_lease(item)])
    return services.case_submit(
        actor="applicant", case=case, idempotency_key=uuid.uuid4(), commitment=text, ip="203.0.113.9"
    )


def test_an_eligible_applicant_is_filed_and_accepted_with_the_gap(two_step_item, alice):
    case = _file_with_gap(two_step_item, alice)
    assert case.status == Case.Status.SUBMITTED and case.with_gaps
    signed = Commitment.objects.get(case=case)
    assert signed.kind == "tolerance" and signed.signed_by == alice and signed.ip == "203.0.113.9"
    assert signed.sha256 == tolerance.text_hash(signed.text) and "住所使用证明" in signed.text
    assert "终止" in signed.text or "terminated" in signed.text
    today = timezone.localdate()
    case = services.case_accept(actor="clerk", case=case, on=today)
    gap = case.gaps.get()
    assert gap.deadline == add_working_days(today, 5)  # promised limit 5 < the default 10
    assert case.events.filter(kind="accepted_with_gaps", public=True).exists()


def test_a_missing_material_that_is_not_tolerable_refuses_the_filing(two_step_item, alice):
    case = _draft(two_step_item, alice)
    id_doc = two_step_item.current_version.materials.get(code="applicant-id")
    with pytest.raises(ValidationError, match="cannot be supplied later"):
        tolerance.gap_mark(actor="a", case=case, requirement=id_doc, later=True)
    assert not case.gaps.exists()


def test_a_main_material_missing_refuses_the_filing_even_with_the_gap(two_step_item, alice):
    version = two_step_item.current_version
    extra = MaterialRequirement.objects.create(version=version, code="plan", name="经营方案", order=2)
    case = _draft(two_step_item, alice)
    tolerance.gap_mark(actor="a", case=case, requirement=_lease(two_step_item), later=True)
    text = tolerance.commitment_text(case, [_lease(two_step_item)])
    with pytest.raises(ValidationError, match=extra.name):
        services.case_submit(actor="a", case=case, idempotency_key=uuid.uuid4(), commitment=text)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not Commitment.objects.exists()


def test_a_changed_or_missing_commitment_text_is_refused(two_step_item, alice):
    case = _draft(two_step_item, alice)
    tolerance.gap_mark(actor="a", case=case, requirement=_lease(two_step_item), later=True)
    for text in (None, "我承诺", tolerance.commitment_text(case, [_lease(two_step_item)]) + " "):
        with pytest.raises(ValidationError, match="commitment has changed"):
            services.case_submit(actor="a", case=case, idempotency_key=uuid.uuid4(), commitment=text)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not case.number and not Commitment.objects.exists()


def test_an_item_decided_on_the_spot_does_not_offer_gaps(make_item, alice):
    item = make_item(
        code="I-0", statutory=0, promised=0, kind="immediate",
        process=__import__("conftest").bpmn({"330100-SCJG": [("review", "审核", 0)]}),
    )  # fmt: skip
    case = _draft(item, alice)
    assert not tolerance.offered(case)
    with pytest.raises(ValidationError, match="does not accept"):
        tolerance.gap_mark(actor="a", case=case, requirement=_lease(item), later=True)


def test_a_bad_credit_record_bars_gaps_at_filing_and_at_acceptance(two_step_item, alice, monkeypatch):
    if HAS_CREDIT:
        from onevisit.identity import credit

        target = credit
    else:
        import sys
        import types

        target = types.ModuleType("onevisit.identity.credit")
        monkeypatch.setitem(sys.modules, "onevisit.identity.credit", target)
    monkeypatch.setattr(target, "credit_clean", lambda **kw: True, raising=False)
    case = _file_with_gap(two_step_item, alice)
    monkeypatch.setattr(target, "credit_clean", lambda **kw: False, raising=False)
    with pytest.raises(ValidationError, match="bad-credit"):
        services.case_accept(actor="clerk", case=case)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED and case.accepted_on is None
    other = _draft(two_step_item, alice)
    assert not tolerance.offered(other)
    with pytest.raises(ValidationError, match="bad-credit"):
        tolerance.gap_mark(actor="a", case=other, requirement=_lease(two_step_item), later=True)


def test_the_deadline_never_passes_the_promised_limit_across_a_holiday(two_step_item, alice, settings):
    settings.ONEVISIT_TOLERANCE_DAYS = 30
    case = _file_with_gap(two_step_item, alice)
    accepted = dt.date(2026, 9, 30)  # the day before the National Day holiday
    case = services.case_accept(actor="clerk", case=case, on=accepted)
    gap = case.gaps.get()
    assert gap.deadline == case.promised_due == add_working_days(accepted, 5)
    assert gap.deadline > dt.date(2026, 10, 8)  # the holiday week does not count


def test_supplied_on_time_closes_the_gaps(two_step_item, alice, django_capture_on_commit_callbacks):
    case = services.case_accept(actor="clerk", case=_file_with_gap(two_step_item, alice))
    gap = case.gaps.get()
    tolerance.gap_supply(
        actor="applicant", case=case, gap_id=gap.pk, stream=io.BytesIO(PDF), name="lease.pdf"
    )
    gap.refresh_from_db()
    assert gap.supplied_at is not None and not case.open_gaps.exists()
    assert case.materials.filter(requirement=gap.requirement).exists()
    kinds = list(case.events.filter(public=True).values_list("kind", flat=True))
    assert "gap_supplied" in kinds and "gaps_closed" in kinds
    with pytest.raises(ValidationError, match="already supplied"):
        tolerance.gap_supply(actor="a", case=case, gap_id=gap.pk, stream=io.BytesIO(PDF), name="l.pdf")
    # Nothing left to sweep.
    assert tolerance.gaps_sweep(today=gap.deadline + dt.timedelta(days=30)) == {
        "reminded": 0,
        "terminated": 0,
    }


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "lease.pdf", "empty"),
        (b"MZ\x90\x00 not a pdf", "lease.pdf", None),
        (b"<script>alert(1)</script>", "../../etc/passwd.pdf", None),
        (PDF + b"0" * (10 * 1024 * 1024), "big.pdf", "10 MB"),
    ],
)
def test_hostile_or_oversized_uploads_to_a_gap_are_refused(two_step_item, alice, content, name, message):
    case = services.case_accept(actor="clerk", case=_file_with_gap(two_step_item, alice))
    gap = case.gaps.get()
    with pytest.raises(ValidationError, match=message):
        tolerance.gap_supply(actor="a", case=case, gap_id=gap.pk, stream=io.BytesIO(content), name=name)
    gap.refresh_from_db()
    assert gap.supplied_at is None and not case.materials.filter(source="upload").exists()


def test_another_case_s_gap_cannot_be_filled(two_step_item, alice, bob):
    mine = services.case_accept(actor="clerk", case=_file_with_gap(two_step_item, alice))
    theirs = services.case_accept(actor="clerk", case=_file_with_gap(two_step_item, bob))
    with pytest.raises(ValidationError, match="not missing"):
        tolerance.gap_supply(
            actor="a", case=mine, gap_id=theirs.gaps.get().pk, stream=io.BytesIO(PDF), name="x.pdf"
        )
    assert not theirs.materials.filter(source="upload").exists()


def test_the_reminder_is_sent_once(two_step_item, alice):
    case = services.case_accept(actor="clerk", case=_file_with_gap(two_step_item, alice))
    deadline = case.gaps.get().deadline
    early = timezone.localdate()
    assert tolerance.gaps_sweep(today=early)["reminded"] == 0
    day_before = deadline - dt.timedelta(days=1)
    assert tolerance.gaps_sweep(today=day_before) == {"reminded": 1, "terminated": 0}
    assert tolerance.gaps_sweep(today=day_before) == {"reminded": 0, "terminated": 0}
    reminders = CaseEvent.objects.filter(case=case, kind="gap_reminder")
    # Public: the notification job texts (and emails) it to the applicant, once.
    assert reminders.count() == 1 and reminders.get().public
    assert notify.case_event_send(event_id=reminders.get().pk) is True
    assert notify.case_event_send(event_id=reminders.get().pk) is False


def _approved_with_gap(make_item, person, officer, capture, *, provisional, code):
    """A 秒批-style senior card item handled by a person, filed with the lease missing, approved."""
    from onevisit.demo.loader import load_certificate_types
    from onevisit.workflow.models import WorkItem

    from .test_instant import SENIOR_FORM

    load_certificate_types()
    item = make_item(code=code, form=json.loads(json.dumps(SENIOR_FORM)), publish=False, promised=5, statutory=20,
                     process=__import__("conftest").bpmn({"330100-SCJG": [("review", "审核", 1)]}))  # fmt: skip
    version = item.versions.get()
    version.certificate_type, version.provisional_certificate = "senior_card", provisional
    version.save()
    version_publish(actor="test", version=version)
    item.refresh_from_db()
    data = {"name": person.name, "id_number": "11010519491231002X", "age": 76, "residence": "杭州市西湖区"}
    case = services.case_draft_save(
        actor="a", version=item.current_version, form_data=data, channel="online", person=person
    )
    lease = _lease(item)
    tolerance.gap_mark(actor="a", case=case, requirement=lease, later=True)
    case = services.case_submit(
        actor="a",
        case=case,
        idempotency_key=uuid.uuid4(),
        commitment=tolerance.commitment_text(case, [lease]),
    )
    case = services.case_accept(actor="clerk", case=case)
    step = WorkItem.objects.get(instance=case.process_instance, status="open")
    with capture(execute=True):
        services.case_step_complete(
            actor=officer, case=case, work_item=step, decision="approve", opinion="符合"
        )
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    return case


def test_past_the_deadline_the_case_is_terminated_and_the_provisional_certificate_revoked(
    make_item, alice, officer_scjg, django_capture_on_commit_callbacks
):
    case = _approved_with_gap(
        make_item,
        alice,
        officer_scjg,
        django_capture_on_commit_callbacks,
        provisional=True,
        code="330100-MZ-019",
    )
    provisional = Certificate.objects.get(number=case.certificate_number)
    assert provisional.provisional and provisional.status == "valid"
    deadline = case.gaps.get().deadline
    counts = tolerance.gaps_sweep(today=deadline + dt.timedelta(days=1))
    assert counts["terminated"] == 1
    case.refresh_from_db()
    provisional.refresh_from_db()
    assert case.status == Case.Status.TERMINATED and not case.is_open
    assert provisional.status == "revoked" and "住所使用证明" in provisional.revoked_reason
    event = case.events.get(kind="terminated")
    assert event.public and "住所使用证明" in event.message
    # Idempotent: the next day finds nothing to do.
    assert tolerance.gaps_sweep(today=deadline + dt.timedelta(days=2)) == {"reminded": 0, "terminated": 0}


def test_a_case_still_being_handled_is_terminated_and_its_process_cancelled(two_step_item, alice):
    case = services.case_accept(actor="clerk", case=_file_with_gap(two_step_item, alice))
    deadline = case.gaps.get().deadline
    assert tolerance.gaps_sweep(today=deadline + dt.timedelta(days=1))["terminated"] == 1
    case.refresh_from_db()
    assert case.status == Case.Status.TERMINATED and case.process_instance.status == "cancelled"
    with pytest.raises(ValidationError):
        tolerance.gap_supply(
            actor="a", case=case, gap_id=case.gaps.get().pk, stream=io.BytesIO(PDF), name="l.pdf"
        )


def test_supplying_replaces_the_provisional_certificate_by_the_final_one(
    make_item, alice, officer_scjg, django_capture_on_commit_callbacks
):
    case = _approved_with_gap(
        make_item,
        alice,
        officer_scjg,
        django_capture_on_commit_callbacks,
        provisional=True,
        code="330100-MZ-020",
    )
    provisional = case.certificate_number
    with django_capture_on_commit_callbacks(execute=True):
        tolerance.gap_supply(
            actor="a", case=case, gap_id=case.gaps.get().pk, stream=io.BytesIO(PDF), name="lease.pdf"
        )
    case.refresh_from_db()
    final = Certificate.objects.get(number=case.certificate_number)
    assert final.number != provisional and not final.provisional and final.status == "valid"
    assert Certificate.objects.get(number=provisional).status == "superseded"


def test_without_the_item_setting_no_certificate_until_the_gaps_close(
    make_item, alice, officer_scjg, django_capture_on_commit_callbacks
):
    case = _approved_with_gap(
        make_item,
        alice,
        officer_scjg,
        django_capture_on_commit_callbacks,
        provisional=False,
        code="330100-MZ-021",
    )
    assert not case.certificate_number and case.events.filter(kind="certificate_waits_for_gaps").exists()
    with django_capture_on_commit_callbacks(execute=True):
        tolerance.gap_supply(
            actor="a", case=case, gap_id=case.gaps.get().pk, stream=io.BytesIO(PDF), name="lease.pdf"
        )
    case.refresh_from_db()
    assert not Certificate.objects.get(number=case.certificate_number).provisional
