"""Email address (confirmed by a link), the choice of channels, and sending by the chosen channels."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F

from onevisit.core.models import AuditEvent
from onevisit.identity import notify
from onevisit.identity.models import ApplicantAccount, EmailConfirmation, mask_email

pytestmark = pytest.mark.django_db
EMAIL = "Lin.Aili@Example.COM"


@pytest.fixture
def request_link(django_capture_on_commit_callbacks):
    """Ask for a confirmation link (the email goes out after the commit) and return its token."""

    def ask(account, email=EMAIL):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            notify.email_change_request(actor=account.user, account=account, email=email)
        assert len(mail.outbox) == 1
        match = re.search(r"/account/email/confirm/([A-Za-z0-9_-]{43})/", mail.outbox[0].body)
        assert match, mail.outbox[0].body
        return match.group(1)

    return ask


def _reload(account):
    return ApplicantAccount.objects.get(pk=account.pk)


def test_the_link_is_sent_in_chinese_after_the_commit_and_only_its_hash_is_kept(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify.email_change_request(actor=alice.user, account=alice, email=EMAIL)
    assert callbacks and mail.outbox == []
    callbacks[0]()
    message = mail.outbox[0]
    assert message.to == ["Lin.Aili@example.com"]  # the domain in lower case
    assert message.subject == "【政务服务】请确认您的电子邮箱"
    assert "林爱丽" in message.body and "24 小时内" in message.body
    assert "http://testserver/account/email/confirm/" in message.body
    token = re.search(r"confirm/([A-Za-z0-9_-]{43})/", message.body).group(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM identity_emailconfirmation")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
        cursor.execute("SELECT data FROM core_auditevent WHERE action = 'email_change_requested'")
        audit = " ".join(str(row[0]) for row in cursor.fetchall())
    assert token not in stored and "example.com" not in stored.lower()
    assert "L***@example.com" in audit and "Lin.Aili" not in audit
    assert _reload(alice).email == ""  # nothing changes before the link is opened


def test_following_the_link_confirms_the_address_once(alice, request_link):
    token = request_link(alice)
    account = notify.email_change_confirm(actor=alice.user, account=alice, token=token)
    assert account.email == "Lin.Aili@example.com" and account.sends_email
    assert account.email_masked == "L***@example.com"
    with pytest.raises(ValidationError, match="已确认"):
        notify.email_change_confirm(actor=alice.user, account=alice, token=token)
    assert AuditEvent.objects.filter(action="email_confirmed").count() == 1


def test_another_accounts_link_is_not_found_and_changes_nothing(alice, bob, request_link):
    token = request_link(alice)
    with pytest.raises(ValidationError, match="链接无效"):
        notify.email_change_confirm(actor=bob.user, account=bob, token=token)
    assert _reload(bob).email == "" and _reload(alice).email == ""
    assert EmailConfirmation.objects.get().confirmed_at is None


@pytest.mark.parametrize(
    "token", ["", "short", "x" * 43 + "y", "../../etc/passwd", "<script>alert(1)</script>", "a" * 43]
)
def test_forged_tokens_are_refused(alice, request_link, token):
    request_link(alice)
    with pytest.raises(ValidationError, match="链接无效"):
        notify.email_change_confirm(actor=alice.user, account=alice, token=token)
    assert _reload(alice).email == ""


def test_an_expired_link_and_a_replaced_link_are_refused(alice, request_link, settings):
    settings.ONEVISIT_EMAIL_CONFIRM_INTERVAL = 0
    first = request_link(alice)
    EmailConfirmation.objects.update(expires_at=F("sent_at") - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="已过期"):
        notify.email_change_confirm(actor=alice.user, account=alice, token=first)
    second = request_link(alice, "a@example.com")
    third = request_link(alice, "b@example.com")
    with pytest.raises(ValidationError, match="已过期"):
        notify.email_change_confirm(actor=alice.user, account=alice, token=second)  # replaced
    assert notify.email_change_confirm(actor=alice.user, account=alice, token=third).email == "b@example.com"


def test_a_link_is_not_emailed_once_it_is_void(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify.email_change_request(actor=alice.user, account=alice, email=EMAIL)
    EmailConfirmation.objects.update(expires_at=F("sent_at"))
    callbacks[0]()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "请输入电子邮箱地址"),
        ("   ", "请输入电子邮箱地址"),
        ("not-an-email", "name@example.com"),
        ("a@b", "name@example.com"),
        ("a@example.com\nBcc: victim@example.com", "name@example.com"),
        ("<script>@example.com", "name@example.com"),
        ("x" * 250 + "@example.com", "最多 254 个字符"),
    ],
)
def test_bad_addresses_get_a_clear_message_and_nothing_is_sent(alice, email, message):
    with pytest.raises(ValidationError) as info:
        notify.email_change_request(actor=alice.user, account=alice, email=email)
    assert message in info.value.message_dict["email"][0]
    assert EmailConfirmation.objects.count() == 0 and mail.outbox == []


def test_asking_again_too_soon_or_too_often_is_refused(alice, request_link, settings):
    request_link(alice)
    with pytest.raises(ValidationError, match="秒后重新获取"):
        notify.email_change_request(actor=alice.user, account=alice, email="other@example.com")
    settings.ONEVISIT_EMAIL_CONFIRM_INTERVAL = 0
    for n in range(4):
        request_link(alice, f"n{n}@example.com")
    with pytest.raises(ValidationError, match="已达上限"):
        notify.email_change_request(actor=alice.user, account=alice, email="sixth@example.com")
    assert EmailConfirmation.objects.count() == 5


def test_the_same_address_again_is_refused(alice, request_link):
    notify.email_change_confirm(actor=alice.user, account=alice, token=request_link(alice))
    with pytest.raises(ValidationError, match="已是您的电子邮箱"):
        notify.email_change_request(actor=alice.user, account=_reload(alice), email="lin.aili@EXAMPLE.com")


def test_channels_at_least_one_and_email_only_when_confirmed(alice, request_link):
    with pytest.raises(ValidationError) as info:
        notify.notification_preferences_set(actor=alice.user, account=alice, sms_on=False, email_on=False)
    assert "至少选择一种" in info.value.message_dict["channels"][0]
    with pytest.raises(ValidationError) as info:
        notify.notification_preferences_set(actor=alice.user, account=alice, sms_on=True, email_on=True)
    assert "先添加并确认" in info.value.message_dict["channels"][0]
    notify.email_change_confirm(actor=alice.user, account=alice, token=request_link(alice))
    account = notify.notification_preferences_set(
        actor=alice.user, account=alice, sms_on=False, email_on=True
    )
    assert (account.notify_sms, account.notify_email) == (False, True)
    account = notify.email_remove(actor=alice.user, account=account)
    assert account.email == "" and account.notify_sms  # text messages come back on
    assert [e.action for e in AuditEvent.objects.filter(object_type="identity.applicantaccount")][-3:] == [
        "email_confirmed",
        "notification_preferences_set",
        "email_removed",
    ]


def test_the_database_keeps_one_channel_on(alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicantAccount.objects.filter(pk=alice.pk).update(notify_sms=False, notify_email=False)


def test_notify_follows_each_accounts_choice(alice, bob, request_link, sms_outbox):
    notify.email_change_confirm(actor=alice.user, account=alice, token=request_link(alice))
    notify.notification_preferences_set(actor=alice.user, account=alice, sms_on=False, email_on=True)
    mail.outbox.clear()
    sent = notify.applicants_notify(
        person_ids=[alice.person_id, bob.person_id], sms_text="短信", email_subject="主题", email_body="正文"
    )
    assert sent == {"sms": 1, "email": 1}
    assert [m.phone for m in sms_outbox] == [bob.phone]
    assert [m.to for m in mail.outbox] == [["Lin.Aili@example.com"]]
    notify.notification_preferences_set(actor=alice.user, account=alice, sms_on=True, email_on=False)
    sms_outbox.clear()
    mail.outbox.clear()
    notify.applicants_notify(
        person_ids=[alice.person_id], sms_text="短信", email_subject="主题", email_body="正文"
    )
    assert len(sms_outbox) == 1 and mail.outbox == []


def test_one_failing_channel_does_not_stop_the_other(alice, request_link, monkeypatch, sms_outbox):
    notify.email_change_confirm(actor=alice.user, account=alice, token=request_link(alice))
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise OSError("SMTP server down")

    monkeypatch.setattr(notify, "send_mail", broken)
    sent = notify.applicants_notify(
        person_ids=[alice.person_id], sms_text="短信", email_subject="s", email_body="b"
    )
    assert sent == {"sms": 1, "email": 0} and len(sms_outbox) == 1


@pytest.mark.parametrize(
    ("address", "masked"),
    [("lin@example.com", "l***@example.com"), ("a@b.cn", "a***@b.cn"), ("", ""), ("x@y@z.cn", "x***@z.cn")],
)
def test_mask_email(address, masked):
    assert mask_email(address) == masked
