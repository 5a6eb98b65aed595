"""The applicant log-in pages under throttling: the pause, its message in the visitor's language,
the same answers for numbers with and without an account, and the audit trail of each outcome."""

import re

import pytest
from django.test import Client

from onevisit.core.models import AuditEvent
from onevisit.identity.models import LoginFailure
from onevisit.identity.tests.conftest import ALICE, PASSWORD, last_code

pytestmark = pytest.mark.django_db
NOBODY = "13911112222"


@pytest.fixture
def client():
    return Client(REMOTE_ADDR="203.0.113.7")


def wrong(client, phone=ALICE["phone"], password="wrong-password"):
    return client.post("/account/login/", {"phone": phone, "password": password})


def page_text(response):
    return response.content.decode()


def test_each_wrong_password_says_how_many_tries_are_left(client, alice):
    response = wrong(client)
    assert response.status_code == 400
    assert "手机号码或密码不正确" in page_text(response) and "再错 4 次将暂停密码登录" in page_text(response)
    assert "再错 3 次" in page_text(wrong(client))


def test_the_fifth_wrong_password_pauses_log_in_even_with_the_right_one(client, alice):
    for _ in range(4):
        wrong(client)
    response = wrong(client)
    assert response.status_code == 400 and "密码错误次数过多" in page_text(response)
    response = client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD})
    page = page_text(response)
    assert response.status_code == 400 and "_auth_user_id" not in client.session
    assert "密码登录已暂停" in page and "15 分钟后重试" in page and "短信验证码登录" in page
    assert f'value="{ALICE["phone"]}"' in page  # what was typed is kept
    assert 'class="error-summary"' in page


def same_page(response, phone):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page_text(response)).replace(phone, "X")


def test_a_number_without_an_account_gets_exactly_the_same_answers(client, alice):
    other = Client(REMOTE_ADDR="198.51.100.1")
    for _ in range(6):
        with_account = wrong(client)
        without = wrong(other, NOBODY)
        assert with_account.status_code == without.status_code == 400
        assert same_page(with_account, ALICE["phone"]) == same_page(without, NOBODY)


def test_the_pause_is_told_in_english_to_an_english_visitor(client, alice):
    client.cookies["onevisit_language"] = "en"
    for _ in range(5):
        response = wrong(client)
    assert "Too many wrong passwords for this phone number" in page_text(response)
    assert "try again in 15 minutes" in page_text(response)


def test_the_code_log_in_still_works_while_passwords_are_paused_and_resets_the_count(
    client, alice, sms_outbox, django_capture_on_commit_callbacks
):
    for _ in range(5):
        wrong(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/login/code/", {"phone": ALICE["phone"]})
    response = client.post("/account/login/code/verify/", {"code": last_code(sms_outbox, ALICE["phone"])})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == alice.user.pk
    client.post("/account/logout/")
    assert client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD}).status_code == 302
    event = AuditEvent.objects.filter(action="login_succeeded").first()
    assert event.data["method"] == "code" and event.actor == alice.user


def test_a_success_resets_the_count(client, alice):
    for _ in range(4):
        wrong(client)
    assert client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD}).status_code == 302
    client.post("/account/logout/")
    assert "再错 4 次" in page_text(wrong(client))


def test_thirty_failures_from_one_network_pause_it_for_every_number(client, alice):
    for n in range(30):
        wrong(client, f"139000{n:05d}")
    response = client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD})
    assert response.status_code == 400 and "您所在网络的登录失败次数过多" in page_text(response)
    other = Client(REMOTE_ADDR="198.51.100.1")
    assert other.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请输入手机号码"),
        ({"phone": "", "password": "x"}, "请输入手机号码"),
        ({"phone": ALICE["phone"]}, "请输入密码"),
        ({"phone": "12345", "password": "x"}, "请输入11位手机号码"),
        ({"phone": "<script>alert(1)</script>", "password": "x"}, "请输入11位手机号码"),
        ({"phone": "1" * 5000, "password": "x"}, "请输入11位手机号码"),
    ],
)
def test_missing_and_malformed_input_is_a_typing_mistake_not_a_failed_log_in(client, alice, data, message):
    response = client.post("/account/login/", data)
    assert response.status_code == 400 and message in page_text(response)
    assert "<script>alert(1)</script>" not in page_text(response)
    assert LoginFailure.objects.count() == 0 and not AuditEvent.objects.filter(action="login_failed").exists()


def test_a_huge_password_is_just_wrong(client, alice):
    response = wrong(client, password="p" * 100_000)
    assert response.status_code == 400 and "再错 4 次" in page_text(response)


def test_log_in_and_out_are_audited_with_the_ip_and_a_masked_phone(client, alice, sms_outbox):
    wrong(client)
    client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD})
    client.post("/account/logout/")
    client.post("/account/login/code/", {"phone": ALICE["phone"]})
    client.post("/account/login/code/verify/", {"code": "000000"})
    events = list(AuditEvent.objects.filter(object_type="identity.login"))
    assert [(e.action, e.data["method"]) for e in events] == [
        ("login_failed", "password"),
        ("login_succeeded", "password"),
        ("logout", ""),
        ("login_failed", "code"),
    ]
    for event in events:
        assert event.data["ip"] == "203.0.113.7" and event.data["identifier"] == "139****0001"
        assert event.data["account_kind"] == "applicant"
        assert ALICE["phone"] not in str(event.data) and PASSWORD not in str(event.data)
