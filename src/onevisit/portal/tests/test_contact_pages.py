"""The email address and notification choice on the account page: add, confirm by the emailed link,
change, remove; bad and hostile input; alice never sees or confirms bob's address."""

import re

import pytest
from django.core import mail
from django.test import Client

from onevisit.core.models import AuditEvent
from onevisit.identity.models import ApplicantAccount, EmailConfirmation

pytestmark = pytest.mark.django_db
BACKEND = "onevisit.identity.auth.PhonePasswordBackend"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice.user, backend=BACKEND)
    return client


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    def do(client, path, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data or {})

    return do


def link_in_last_email():
    match = re.search(r"http://testserver(/account/email/confirm/[A-Za-z0-9_-]{43}/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def confirm(client, post, email="lin@example.com"):
    response = post(client, "/account/email/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/account/"
    link = link_in_last_email()
    assert post(client, link)["Location"] == "/account/"
    return link


def reload(account):
    return ApplicantAccount.objects.get(pk=account.pk)


def test_the_account_page_offers_an_email_address_and_the_choice(as_alice, alice):
    page = as_alice.get("/account/").content.decode()
    assert "如何通知您办件进展" in page and 'href="/account/email/"' in page and "添加电子邮箱" in page
    assert "短信发送至 139****0001" in page
    assert re.search(r'<input type="checkbox" id="id_email" name="email" value="on" disabled', page)


def test_add_and_confirm_an_email_address(as_alice, alice, post):
    response = post(as_alice, "/account/email/", {"email": "lin@example.com"})
    assert response.status_code == 302
    page = as_alice.get("/account/").content.decode()
    assert (
        "我们已向 l***@example.com 发送了一个链接" in page
        and "等待您打开发送至 l***@example.com 的链接" in page
    )
    assert reload(alice).email == ""
    link = link_in_last_email()
    confirm_page = as_alice.get(link).content.decode()
    assert "确认电子邮箱" in confirm_page and "l***@example.com" in confirm_page
    assert reload(alice).email == ""  # opening the link alone (a mail scanner) changes nothing
    assert post(as_alice, link)["Location"] == "/account/"
    assert reload(alice).email == "lin@example.com"
    page = as_alice.get("/account/").content.decode()
    assert "电子邮箱已确认" in page and "邮件发送至 l***@example.com" in page
    response = as_alice.get(link)
    assert response.status_code == 400 and "已确认" in response.content.decode()


def test_choose_email_only_then_remove_the_address(as_alice, alice, post):
    confirm(as_alice, post)
    response = post(as_alice, "/account/notifications/", {"email": "on"})
    assert response.status_code == 302
    assert (reload(alice).notify_sms, reload(alice).notify_email) == (False, True)
    assert "您的选择已保存" in as_alice.get("/account/").content.decode()
    page = as_alice.get("/account/email/").content.decode()
    assert "删除电子邮箱" in page
    post(as_alice, "/account/email/remove/")
    account = reload(alice)
    assert account.email == "" and account.notify_sms
    assert "已删除电子邮箱" in as_alice.get("/account/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请至少选择一种通知方式"),
        ({"sms": ""}, "请至少选择一种通知方式"),
        ({"email": "on"}, "请先添加并确认电子邮箱"),
        ({"sms": "on", "email": "on"}, "请先添加并确认电子邮箱"),
    ],
)
def test_impossible_choices_are_refused_and_nothing_changes(as_alice, alice, data, message):
    response = as_alice.post("/account/notifications/", data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page and 'class="error-summary"' in page
    assert 'href="#id_sms"' in page
    account = reload(alice)
    assert (account.notify_sms, account.notify_email) == (True, True)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "请输入电子邮箱地址"),
        ("lin at example", "name@example.com"),
        ("<script>alert(1)</script>@x.cn", "name@example.com"),
        ("x" * 300 + "@example.com", "254"),
        ("a@example.com\r\nBcc: b@example.com", "name@example.com"),
    ],
)
def test_bad_addresses_keep_the_page_and_send_nothing(as_alice, alice, post, email, message):
    response = post(as_alice, "/account/email/", {"email": email})
    page = response.content.decode()
    assert response.status_code == 400 and message in page and 'class="error-summary"' in page
    assert "<script>alert(1)</script>" not in page
    assert EmailConfirmation.objects.count() == 0 and mail.outbox == []


def test_asking_twice_within_a_minute_is_refused(as_alice, post):
    post(as_alice, "/account/email/", {"email": "lin@example.com"})
    response = post(as_alice, "/account/email/", {"email": "lin2@example.com"})
    assert response.status_code == 400 and "秒后重新获取" in response.content.decode()
    assert len(mail.outbox) == 1


def test_bob_cannot_confirm_alices_link_nor_see_her_address(as_alice, client, alice, bob, post):
    post(as_alice, "/account/email/", {"email": "lin@example.com"})
    link = link_in_last_email()
    client = Client()
    client.force_login(bob.user, backend=BACKEND)
    response = client.get(link)
    assert response.status_code == 400 and "链接无效" in response.content.decode()
    assert "l***@example.com" not in response.content.decode()
    assert post(client, link).status_code == 400
    assert reload(alice).email == "" and reload(bob).email == ""
    assert "l***@example.com" not in client.get("/account/").content.decode()


def test_the_pages_need_an_applicant(client, catalog_admin):
    for path in ("/account/email/", "/account/email/confirm/" + "a" * 43 + "/"):
        assert client.get(path)["Location"].startswith("/account/login/?next=")
    assert client.post("/account/notifications/", {"sms": "on"})["Location"].startswith("/account/login/")
    assert client.post("/account/email/remove/")["Location"].startswith("/account/login/")
    client.force_login(catalog_admin)  # staff have no applicant pages
    assert client.get("/account/email/")["Location"].startswith("/account/login/")


def test_a_confirmation_link_after_logging_in_returns_to_the_link(client, alice, post):
    from onevisit.identity.tests.conftest import ALICE, PASSWORD

    client.force_login(alice.user, backend=BACKEND)
    post(client, "/account/email/", {"email": "lin@example.com"})
    link = link_in_last_email()
    client.post("/account/logout/")
    login_url = client.get(link)["Location"]
    client.get(login_url)
    response = client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD})
    assert response["Location"] == link


def test_only_post_changes_anything(as_alice):
    assert as_alice.get("/account/notifications/").status_code == 405
    assert as_alice.get("/account/email/remove/").status_code == 405


def test_every_change_is_audited(as_alice, alice, post):
    confirm(as_alice, post)
    post(as_alice, "/account/notifications/", {"sms": "on", "email": "on"})
    post(as_alice, "/account/email/remove/")
    actions = list(
        AuditEvent.objects.filter(
            object_type="identity.applicantaccount", object_id=str(alice.pk)
        ).values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "email_change_requested",
        "email_confirmed",
        "notification_preferences_set",
        "email_removed",
    ]
