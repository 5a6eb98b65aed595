"""Public timeline lines reach the applicant by email too (in Chinese, with the case number, status
and a link), once per line, after the commit, by the channels the applicant chose."""

import re
import uuid

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.utils import translation

from onevisit.cases import notify as case_notify
from onevisit.cases import services
from onevisit.cases.models import CaseEvent
from onevisit.cases.tests.conftest import FORM, MONDAY
from onevisit.identity import notify
from onevisit.identity.services import applicant_account_open
from onevisit.identity.sms import LocmemBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(alice, django_capture_on_commit_callbacks):
    """张三's account with a confirmed email address."""
    account = applicant_account_open(
        actor="t", person=alice, phone="13800001111", password_hash=make_password("x-123456!")
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify.email_change_request(actor=account.user, account=account, email="zhangsan@example.com")
    token = re.search(r"confirm/([A-Za-z0-9_-]{43})/", mail.outbox[-1].body).group(1)
    account = notify.email_change_confirm(actor=account.user, account=account, token=token)
    mail.outbox.clear()
    LocmemBackend.outbox.clear()
    return account


def _filed(item, person, pdf):
    case = services.case_draft_save(
        actor="applicant", version=item.current_version, form_data=FORM, channel="online", person=person
    )
    lease = item.current_version.materials.get(code="lease")
    services.material_upload(
        actor="applicant", case=case, requirement=lease, stream=pdf(), name="租赁合同.pdf"
    )
    return services.case_submit(actor="applicant", case=case, idempotency_key=uuid.uuid4())


def test_each_public_step_is_emailed_in_chinese_once(
    two_step_item, alice, account, pdf, officer_scjg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _filed(two_step_item, alice, pdf)
    assert len(mail.outbox) == 1 and len(LocmemBackend.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangsan@example.com"]
    assert message.subject == f"【政务服务】办件 {case.number}：已提交，待受理"
    assert f"办件编号：{case.number}" in message.body
    assert "当前状态：已提交，待受理" in message.body
    assert "最新进展：" in message.body and case.number in message.body
    assert f"http://testserver/cases/{case.number}/" in message.body
    assert "12345" in message.body
    event = case.events.get(kind="submitted")
    assert case_notify.case_event_send(event_id=event.pk) is False  # already told
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept(actor=officer_scjg, case=case, on=MONDAY)
    assert len(mail.outbox) == 2 and "当前状态：已受理，办理中" in mail.outbox[1].body


def test_the_email_is_chinese_even_when_the_step_was_taken_in_english(
    two_step_item, alice, account, pdf, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        case = _filed(two_step_item, alice, pdf)
    assert mail.outbox[0].subject.startswith("【政务服务】办件")
    assert "当前状态：已提交，待受理" in mail.outbox[0].body
    assert LocmemBackend.outbox[0].text.startswith("【政务服务】")
    assert case.number in LocmemBackend.outbox[0].text


def test_nothing_is_sent_before_the_commit(
    two_step_item, alice, account, pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _filed(two_step_item, alice, pdf)
    assert callbacks and mail.outbox == [] and LocmemBackend.outbox == []


def test_email_only_and_text_only(two_step_item, alice, account, pdf, django_capture_on_commit_callbacks):
    notify.notification_preferences_set(actor=account.user, account=account, sms_on=False, email_on=True)
    with django_capture_on_commit_callbacks(execute=True):
        _filed(two_step_item, alice, pdf)
    assert len(mail.outbox) == 1 and LocmemBackend.outbox == []
    mail.outbox.clear()
    notify.notification_preferences_set(actor=account.user, account=account, sms_on=True, email_on=False)
    with django_capture_on_commit_callbacks(execute=True):
        _filed(two_step_item, alice, pdf)
    assert mail.outbox == [] and len(LocmemBackend.outbox) == 1


def test_internal_lines_are_never_sent(
    two_step_item, alice, account, pdf, officer_scjg, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _filed(two_step_item, alice, pdf)
    mail.outbox.clear()
    hidden = CaseEvent.objects.create(case=case, kind="note", message="内部", public=False)
    assert case_notify.case_event_send(event_id=hidden.pk) is False
    assert mail.outbox == []
