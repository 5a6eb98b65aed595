"""The complainant hears of the answer and the rater of the rectification, each once, after the
commit; complaints are filed once per form and throttled per person and per network."""

import uuid

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from onevisit.core.models import AuditEvent
from onevisit.feedback import notify, services
from onevisit.feedback.models import Complaint
from onevisit.identity.services import applicant_account_open
from onevisit.identity.sms import LocmemBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox():
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()


@pytest.fixture
def alice_account(alice):
    return applicant_account_open(
        actor="t", person=alice, phone="13800001111", password_hash=make_password("x-1234!")
    )


def _complain(department, **kwargs):
    values = {"actor": "anon", "person": None, "department": department, "text": "窗口态度差"} | kwargs
    return services.complaint_file(**values)


def test_a_named_complainant_is_told_of_the_answer_once(
    departments, alice, alice_account, officer_scjg, outbox, django_capture_on_commit_callbacks
):
    complaint = _complain(departments["scjg"], actor="alice", person=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_answer(actor=officer_scjg, complaint=complaint, answer="已批评教育并整改")
        assert outbox == []  # nothing before the commit
    assert [m.phone for m in outbox] == ["13800001111"]
    assert complaint.code in outbox[0].text and f"/complaints/{complaint.code}/" in outbox[0].text
    assert "已答复" in outbox[0].text
    assert notify.complaint_answer_send(complaint_id=complaint.pk) is False  # a second run sends nothing
    assert len(outbox) == 1


def test_an_anonymous_complainant_is_texted_at_the_number_left(
    departments, officer_scjg, outbox, django_capture_on_commit_callbacks
):
    with_phone = _complain(departments["scjg"], contact_phone="139 0000 2222")
    without = _complain(departments["scjg"], text="无联系方式")
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_answer(actor=officer_scjg, complaint=with_phone, answer="已处理")
        services.complaint_answer(actor=officer_scjg, complaint=without, answer="已处理")
    assert [m.phone for m in outbox] == ["13900002222"]  # the other reads it on the tracking page
    assert Complaint.objects.filter(answer_notified_at__isnull=False).count() == 2


def test_an_unanswered_complaint_is_not_announced(departments, outbox):
    complaint = _complain(departments["scjg"], contact_phone="13900002222")
    assert notify.complaint_answer_send(complaint_id=complaint.pk) is False and outbox == []


def test_the_rater_hears_of_the_rectification_with_the_follow_up_link(
    finished, alice, alice_account, officer_scjg, outbox, django_capture_on_commit_callbacks
):
    case = finished(alice)
    rating = services.rating_submit(actor="a", person=alice, case=case, level=1, tags=["slow"], comment="慢")
    rectification = services.rectification_callback(
        actor=officer_scjg, rectification=rating.rectification, note="已回访"
    )
    assert outbox == []  # the callback itself is the phone call
    with django_capture_on_commit_callbacks(execute=True):
        services.rectification_complete(actor=officer_scjg, rectification=rectification, note="增设窗口")
    assert len(outbox) == 1 and f"/cases/{case.number}/rate/follow-up/" in outbox[0].text
    assert notify.rectification_send(rectification_id=rectification.pk) is False
    assert len(outbox) == 1


def test_the_same_form_files_one_complaint(departments):
    key = uuid.uuid4()
    first = _complain(departments["scjg"], idempotency_key=key, ip="10.0.0.1")
    again = _complain(departments["scjg"], idempotency_key=str(key), ip="10.0.0.1", text="再次点击")
    assert again == first and Complaint.objects.count() == 1
    assert AuditEvent.objects.filter(action="complaint_filed").count() == 1
    with pytest.raises(ValidationError) as error:
        _complain(departments["scjg"], idempotency_key="'; drop table--")
    assert "页面已过期" in str(error.value.messages) and Complaint.objects.count() == 1


def test_anonymous_complaints_are_throttled_per_network(departments, settings):
    settings.ONEVISIT_COMPLAINTS_PER_HOUR = 2
    for n in range(2):
        _complain(departments["scjg"], ip="203.0.113.9", text=f"第{n}次")
    with pytest.raises(ValidationError) as error:
        _complain(departments["scjg"], ip="203.0.113.9", text="第三次")
    assert "过去一小时" in str(error.value.messages) and Complaint.objects.count() == 2
    _complain(departments["scjg"], ip="203.0.113.10")  # another network
    assert Complaint.objects.count() == 3
    assert "203.0.113" not in str(list(Complaint.objects.values_list("client_key", flat=True)))


def test_a_named_complainant_is_throttled_whatever_the_network(departments, alice, settings):
    settings.ONEVISIT_COMPLAINTS_PER_HOUR = 1
    _complain(departments["scjg"], person=alice, ip="10.0.0.1")
    with pytest.raises(ValidationError):
        _complain(departments["scjg"], person=alice, ip="10.0.0.2")
    _complain(departments["scjg"], ip="10.0.0.1")  # anonymous from the same network: counted apart
    assert Complaint.objects.count() == 2
