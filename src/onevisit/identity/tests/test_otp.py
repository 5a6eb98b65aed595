"""One-time codes: sent after commit, stored only as a keyed hash, limited, and single use."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F

from onevisit.core.models import AuditEvent
from onevisit.identity.models import OneTimeCode
from onevisit.identity.services import normalize_phone, otp_send, otp_verify

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def _message(exc: pytest.ExceptionInfo, field: str) -> str:
    return exc.value.message_dict[field][0]


def test_the_text_message_waits_for_the_commit(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        otp_send(actor="t", phone=PHONE, purpose="register")
    assert callbacks and sms_outbox == []
    callbacks[0]()
    assert len(sms_outbox) == 1 and sms_outbox[0].phone == PHONE and "5" in sms_outbox[0].text


def test_a_right_code_is_accepted_once(send_code):
    code = send_code(PHONE)
    otp = otp_verify(actor="t", phone=PHONE, purpose="register", code=code)
    assert otp.used_at is not None
    with pytest.raises(ValidationError) as info:
        otp_verify(actor="t", phone=PHONE, purpose="register", code=code)
    assert "已使用" in _message(info, "code")


def test_the_code_is_never_stored_in_clear(send_code):
    code = send_code(PHONE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM identity_onetimecode")
        rows = " ".join(str(v) for row in cursor.fetchall() for v in row)
        cursor.execute("SELECT data FROM core_auditevent")
        audit = " ".join(str(row[0]) for row in cursor.fetchall())
    assert code not in rows and PHONE not in rows
    assert code not in audit and PHONE not in audit and "139****5678" in audit


def test_a_code_for_login_or_register_does_not_work_for_the_other(send_code):
    code = send_code(PHONE, purpose="register")
    with pytest.raises(ValidationError) as info:
        otp_verify(actor="t", phone=PHONE, purpose="login", code=code)
    assert "先获取" in _message(info, "code")


def test_an_expired_code_is_refused(send_code):
    code = send_code(PHONE)
    OneTimeCode.objects.update(expires_at=F("sent_at") - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as info:
        otp_verify(actor="t", phone=PHONE, purpose="register", code=code)
    assert _message(info, "code") == "验证码已过期，请重新获取"


def test_five_wrong_codes_invalidate_it_and_each_attempt_is_counted(send_code):
    code = send_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as info:
            otp_verify(actor="t", phone=PHONE, purpose="register", code=wrong)
        assert f"{left} 次" in _message(info, "code")
    with pytest.raises(ValidationError) as info:
        otp_verify(actor="t", phone=PHONE, purpose="register", code=wrong)
    assert "错误次数过多" in _message(info, "code")
    with pytest.raises(ValidationError) as info:
        otp_verify(actor="t", phone=PHONE, purpose="register", code=code)  # even the right one
    assert "错误次数过多" in _message(info, "code")
    assert OneTimeCode.objects.get().attempts == 5
    assert AuditEvent.objects.filter(action="otp_failed").count() == 5


def test_only_the_newest_code_counts(send_code):
    first = send_code(PHONE)
    OneTimeCode.objects.update(sent_at=F("sent_at") - dt.timedelta(seconds=61))
    second = send_code(PHONE)
    if first != second:
        with pytest.raises(ValidationError):
            otp_verify(actor="t", phone=PHONE, purpose="register", code=first)
    assert otp_verify(actor="t", phone=PHONE, purpose="register", code=second)


def test_one_code_a_minute(send_code):
    send_code(PHONE)
    with pytest.raises(ValidationError) as info:
        otp_send(actor="t", phone=PHONE, purpose="login")
    assert "秒后" in _message(info, "phone")
    OneTimeCode.objects.update(sent_at=F("sent_at") - dt.timedelta(seconds=61))
    otp_send(actor="t", phone=PHONE, purpose="register")
    assert OneTimeCode.objects.count() == 2


def test_ten_codes_a_day(send_code):
    for _ in range(10):
        send_code(PHONE)
        OneTimeCode.objects.update(sent_at=F("sent_at") - dt.timedelta(minutes=2))
    with pytest.raises(ValidationError) as info:
        otp_send(actor="t", phone=PHONE, purpose="register")
    assert "10" in _message(info, "phone") and "明天" in _message(info, "phone")
    OneTimeCode.objects.update(sent_at=F("sent_at") - dt.timedelta(days=1))
    assert send_code(PHONE)


def test_a_login_code_is_not_sent_to_a_number_without_an_account(
    sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(actor="t", phone=PHONE, purpose="login")
    assert sms_outbox == [] and OneTimeCode.objects.count() == 1  # recorded, limited, not sent


@pytest.mark.parametrize(
    ("typed", "number"),
    [("139 1234 5678", PHONE), ("+86 139-1234-5678", PHONE), ("１３９１２３４５６７８", PHONE)],
)
def test_phone_numbers_are_normalized(typed, number):
    assert normalize_phone(typed) == number


@pytest.mark.parametrize(
    "typed", ["", "12345", "23912345678", "1391234567", "139123456789", "1' OR 1=1 --", "9" * 10_000]
)
def test_bad_phone_numbers_get_a_clear_message(typed):
    with pytest.raises(ValidationError) as info:
        otp_send(actor="t", phone=typed, purpose="register")
    assert "请输入11位手机号码" in _message(info, "phone")
    assert OneTimeCode.objects.count() == 0


@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "1234567"])
def test_malformed_codes_are_refused_without_counting_an_attempt(send_code, typed):
    send_code(PHONE)
    with pytest.raises(ValidationError) as info:
        otp_verify(actor="t", phone=PHONE, purpose="register", code=typed)
    assert "6位" in _message(info, "code")
    assert OneTimeCode.objects.get().attempts == 0


def test_a_late_delivery_of_a_used_code_is_dropped(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        otp = otp_send(actor="t", phone=PHONE, purpose="register")
    OneTimeCode.objects.filter(pk=otp.pk).update(expires_at=otp.sent_at)
    callbacks[0]()
    assert sms_outbox == []
