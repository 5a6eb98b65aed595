"""Applicant account pages: register, log in by password or code, log out, profile, acting for an
organization; hostile input; staff and applicants kept apart; alice never sees bob's data."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from onevisit.identity.models import ApplicantAccount, OneTimeCode, Person
from onevisit.identity.services import authorization_grant
from onevisit.identity.tests.conftest import ALICE, BOB, PASSWORD, last_code

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
ID = "330106199002153619"
BACKEND = "onevisit.identity.auth.PhonePasswordBackend"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST and run the on-commit callbacks (the SMS task), as a real request would."""

    def do(path, data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data, **kwargs)

    return do


def start_registration(post, sms_outbox, phone=PHONE):
    response = post("/account/register/", {"phone": phone})
    assert response.status_code == 302 and response["Location"] == "/account/register/code/"
    response = post("/account/register/code/", {"code": last_code(sms_outbox, phone)})
    assert response.status_code == 302 and response["Location"] == "/account/register/details/"


def test_register_end_to_end(client, post, sms_outbox):
    page = client.get("/account/register/").content.decode()
    assert 'autocomplete="tel-national"' in page and 'inputmode="numeric"' in page
    start_registration(post, sms_outbox)
    page = client.get("/account/register/details/").content.decode()
    assert "139****5678" in page and PHONE not in page
    response = post("/account/register/details/", {"name": "林爱丽", "id_number": ID, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/"
    profile = client.get("/account/").content.decode()
    assert "林爱丽" in profile and "330106********3619" in profile and "139****5678" in profile
    assert ID not in profile and PHONE not in profile
    assert "退出" in profile and "我的账户" in profile
    account = ApplicantAccount.objects.get()
    assert not account.user.is_staff
    assert "onevisit_register_phone" not in client.session  # the steps are done


def test_wrong_code_keeps_the_page_and_says_how_many_tries_are_left(client, post, sms_outbox):
    post("/account/register/", {"phone": PHONE})
    code = last_code(sms_outbox, PHONE)
    response = post("/account/register/code/", {"code": f"{(int(code) + 1) % 10**6:06d}"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in page and 'href="#id_code"' in page
    assert "还可以再试 4 次" in page and 'aria-invalid="true"' in page
    assert "<title>错误：" in page


def test_expired_and_reused_codes(client, post, sms_outbox):
    post("/account/register/", {"phone": PHONE})
    code = last_code(sms_outbox, PHONE)
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    page = post("/account/register/code/", {"code": code}).content.decode()
    assert "验证码已过期，请重新获取" in page
    OneTimeCode.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=2))
    post("/account/register/code/", {"action": "resend"})
    code = last_code(sms_outbox, PHONE)
    assert post("/account/register/code/", {"code": code}).status_code == 302
    page = post("/account/register/code/", {"code": code}).content.decode()
    assert "该验证码已使用" in page


def test_asking_again_within_a_minute_is_refused(client, post, sms_outbox):
    post("/account/register/", {"phone": PHONE})
    response = post("/account/register/code/", {"action": "resend"})
    assert response.status_code == 400 and "秒后重新获取" in response.content.decode()
    assert len(sms_outbox) == 1


@pytest.mark.parametrize("phone", ["", "12345", "<script>", "1' OR '1'='1", "1" * 10_000])
def test_bad_phone_numbers(client, post, sms_outbox, phone):
    response = post("/account/register/", {"phone": phone})
    page = response.content.decode()
    assert response.status_code == 400 and 'href="#id_phone"' in page
    assert "请输入" in page and "手机号码" in page
    assert OneTimeCode.objects.count() == 0 and sms_outbox == []
    assert 'value="<script>"' not in page


def test_hostile_details_are_refused_clearly_and_nothing_is_created(client, post, sms_outbox):
    start_registration(post, sms_outbox)
    response = post(
        "/account/register/details/",
        {"name": "林" * 10_000, "id_number": "330106199002153610", "password": "12345678"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_name"' in page and "最多 60 个字" in page
    assert 'href="#id_id_number"' in page and "18位" in page
    assert 'href="#id_password"' in page
    assert Person.objects.count() == 0 and ApplicantAccount.objects.count() == 0
    # What was typed is kept, except the password.
    assert 'value="330106199002153610"' in page and 'value="12345678"' not in page


def test_an_invalid_check_digit_alone_gets_its_message(client, post, sms_outbox):
    start_registration(post, sms_outbox)
    response = post(
        "/account/register/details/",
        {"name": "林爱丽", "id_number": "330106199002153610", "password": PASSWORD},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "请输入18位居民身份证号码" in page
    assert 'value="林爱丽"' in page and Person.objects.count() == 0


def test_script_and_sql_in_a_name_are_kept_as_text_and_escaped(client, post, sms_outbox):
    start_registration(post, sms_outbox)
    name = "<script>alert(1)</script>'; DROP"
    post("/account/register/details/", {"name": name, "id_number": ID, "password": PASSWORD})
    page = client.get("/account/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert Person.objects.get().name == name


def test_the_details_step_needs_the_code_step(client):
    assert client.get("/account/register/details/")["Location"] == "/account/register/"
    assert client.get("/account/register/code/")["Location"] == "/account/register/"


def test_login_with_password(client, alice):
    response = client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert ALICE["name"] in client.get("/").content.decode()


def test_login_with_a_wrong_password_keeps_the_phone(client, alice):
    response = client.post("/account/login/", {"phone": ALICE["phone"], "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 400 and "手机号码或密码不正确" in page
    assert f'value="{ALICE["phone"]}"' in page and "_auth_user_id" not in client.session


def test_login_with_a_text_message_code(client, post, alice, sms_outbox):
    assert client.get("/account/login/").content.decode().count("/account/login/code/") >= 1
    response = post("/account/login/code/", {"phone": ALICE["phone"]})
    assert response["Location"] == "/account/login/code/verify/"
    response = post("/account/login/code/verify/", {"code": last_code(sms_outbox, ALICE["phone"])})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert int(client.session["_auth_user_id"]) == alice.user.pk


def test_login_returns_to_a_safe_next_page_only(client, alice):
    client.get("/account/login/?next=/items/")
    response = client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD})
    assert response["Location"] == "/items/"
    client.post("/account/logout/")
    client.get("/account/login/?next=https://evil.example/")
    response = client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD})
    assert response["Location"] == "/account/"


def test_logout_is_a_post(client, alice):
    client.force_login(alice.user, backend=BACKEND)
    assert client.get("/account/logout/").status_code == 405
    assert client.post("/account/logout/")["Location"] == "/"
    assert client.get("/account/")["Location"].startswith("/account/login/")


def test_staff_cannot_log_in_as_applicants(client, django_user_model):
    django_user_model.objects.create_user("13800009999", password=PASSWORD, is_staff=True)
    response = client.post("/account/login/", {"phone": "13800009999", "password": PASSWORD})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_a_signed_in_staff_user_has_no_applicant_pages(client, catalog_admin):
    client.force_login(catalog_admin)
    assert client.get("/account/")["Location"].startswith("/account/login/")
    assert "登录" in client.get("/").content.decode()


def test_applicants_never_reach_the_admin(client, alice):
    client.post("/account/login/", {"phone": ALICE["phone"], "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    client.post("/account/logout/")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": alice.user.username, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, with its error
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_alice_sees_only_her_own_profile(client, alice, bob, acme):
    authorization_grant(actor="t", grantor=acme, agent=bob.person, valid_from=timezone.localdate())
    client.force_login(alice.user, backend=BACKEND)
    page = client.get("/account/").content.decode()
    assert ALICE["name"] in page and BOB["name"] not in page
    assert bob.person.id_number_masked not in page and acme.name not in page
    # bob's organization cannot be chosen by alice
    client.post("/account/acting-for/", {"profile": acme.pk})
    assert "onevisit_acting_for" not in client.session
    assert "没有获得该单位的授权" in client.get("/account/").content.decode()


def test_acting_for_an_authorized_organization(client, alice, acme):
    authorization = authorization_grant(
        actor="t", grantor=acme, agent=alice.person, valid_from=timezone.localdate()
    )
    client.force_login(alice.user, backend=BACKEND)
    page = client.get("/account/").content.decode()
    assert acme.name in page and acme.uscc_masked in page and "全部事项" in page
    client.post("/account/acting-for/", {"profile": acme.pk})
    header = client.get("/").content.decode()
    assert f"<strong>{acme.name}</strong> 经办人" in header
    from onevisit.identity.services import authorization_revoke

    authorization_revoke(actor="t", authorization=authorization)
    header = client.get("/").content.decode()  # a revoked authorization stops at once
    assert "本人（林爱丽）" in header and "onevisit_acting_for" not in client.session
    client.post("/account/acting-for/", {"profile": ""})
    assert "onevisit_acting_for" not in client.session


def test_profile_without_login_redirects(client):
    assert client.get("/account/")["Location"] == "/account/login/?next=/account/"


def test_header_offers_login_and_register(client):
    page = client.get("/").content.decode()
    assert 'href="/account/login/"' in page and 'href="/account/register/"' in page
