"""Staff sign-in throttling on the workbench and the admin (one shared count), its audit trail, and who
may read that trail in the admin."""

import re

import pytest
from django.test import Client

from onevisit.core.models import AuditEvent
from onevisit.identity.models import LoginFailure
from onevisit.org.services import staff_role_grant

pytestmark = pytest.mark.django_db
PASSWORD = "pw-123456!"


@pytest.fixture
def client():
    return Client(REMOTE_ADDR="203.0.113.8")


def sign_in(client, username, password, path="/workbench/login/"):
    return client.post(path, {"username": username, "password": password})


def text(response):
    return response.content.decode()


def test_a_wrong_password_says_how_many_tries_are_left(client, officer_scjg):
    response = sign_in(client, "officer_scjg", "wrong")
    assert response.status_code == 200 and "再错 4 次将暂停登录" in text(response)
    assert "请输入一个正确的" in text(response)  # Django's own staff message, translated


def test_five_wrong_passwords_pause_the_username_on_the_workbench_and_the_admin(client, officer_scjg):
    for _ in range(3):
        sign_in(client, "officer_scjg", "wrong")
    sign_in(client, "officer_scjg", "wrong", path="/admin/login/")  # the admin counts too
    response = sign_in(client, "officer_scjg", "wrong")
    assert "该用户名登录失败次数过多" in text(response) and "15 分钟后重试" in text(response)
    response = sign_in(client, "officer_scjg", PASSWORD)
    assert "_auth_user_id" not in client.session and "该用户名登录失败次数过多" in text(response)
    response = sign_in(client, "officer_scjg", PASSWORD, path="/admin/login/")
    assert "_auth_user_id" not in client.session and "该用户名登录失败次数过多" in text(response)
    other = Client(REMOTE_ADDR="198.51.100.2")  # the pause is per name, from any network
    assert "_auth_user_id" not in other.session
    sign_in(other, "officer_scjg", PASSWORD)
    assert "_auth_user_id" not in other.session


def test_an_unknown_username_is_answered_like_a_known_one(client, officer_scjg):
    def clean(response, name):
        return re.sub(r'value="[^"]*"', "", text(response)).replace(name, "X")

    for _ in range(6):
        known = sign_in(client, "officer_scjg", "wrong")
        unknown = sign_in(Client(REMOTE_ADDR="198.51.100.3"), "nobody_here", "wrong")
        assert clean(known, "officer_scjg") == clean(unknown, "nobody_here")


def test_a_success_resets_the_count_and_signs_in(client, officer_scjg):
    for _ in range(4):
        sign_in(client, "officer_scjg", "wrong")
    assert sign_in(client, "officer_scjg", PASSWORD)["Location"] == "/workbench/"
    client.post("/workbench/logout/")
    assert "再错 4 次" in text(sign_in(client, "officer_scjg", "wrong"))


def test_an_applicant_password_at_the_staff_page_is_a_failure(client, django_user_model):
    django_user_model.objects.create_user("citizen", password=PASSWORD)
    response = sign_in(client, "citizen", PASSWORD)
    assert "_auth_user_id" not in client.session and "再错 4 次" in text(response)


@pytest.mark.parametrize(
    "data",
    [{}, {"username": "officer_scjg"}, {"password": PASSWORD}, {"username": "", "password": ""}],
)
def test_missing_fields_are_not_counted(client, officer_scjg, data):
    response = client.post("/workbench/login/", data)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert LoginFailure.objects.count() == 0


def test_hostile_and_oversized_usernames_are_refused_plainly(client, officer_scjg):
    response = sign_in(client, "<script>alert(1)</script>", "x")
    assert "<script>alert(1)</script>" not in text(response)
    response = sign_in(client, "a" * 10_000, "x")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert LoginFailure.objects.count() == 2
    longest = max(len(e.data["identifier"]) for e in AuditEvent.objects.filter(action="login_failed"))
    assert longest == 150  # cut before it is masked and hashed


def test_staff_log_in_and_out_are_audited(client, officer_scjg):
    sign_in(client, "officer_scjg", "wrong")
    sign_in(client, "officer_scjg", PASSWORD)
    client.post("/workbench/logout/")
    events = list(AuditEvent.objects.filter(object_type="identity.login"))
    assert [e.action for e in events] == ["login_failed", "login_succeeded", "logout"]
    for event in events:
        assert event.data["account_kind"] == "staff" and event.data["ip"] == "203.0.113.8"
        assert event.data["identifier"] == "of*********g" and PASSWORD not in str(event.data)
    assert events[1].actor == officer_scjg and events[2].actor == officer_scjg


def test_the_admin_sign_out_is_audited(client, catalog_admin):
    client.force_login(catalog_admin)
    client.post("/admin/logout/")
    assert AuditEvent.objects.filter(action="logout", actor=catalog_admin).exists()


def test_a_supervisor_reads_the_log_in_trail_in_the_admin_and_a_clerk_cannot(
    client, officer_scjg, departments, django_user_model
):
    sign_in(client, "officer_scjg", "wrong")
    supervisor = django_user_model.objects.create_user("supervisor", password=PASSWORD)
    staff_role_grant(actor="t", user=supervisor, department=departments["scjg"], role="supervisor")
    reader = Client()
    reader.force_login(supervisor)
    response = reader.get("/admin/core/auditevent/?action=login_failed")
    assert response.status_code == 200 and "login_failed" in text(response)
    event = AuditEvent.objects.get(action="login_failed")
    detail = text(reader.get(f"/admin/core/auditevent/{event.pk}/change/"))
    assert "of*********g" in detail and "203.0.113.8" in detail
    clerk = django_user_model.objects.create_user("clerk_x", password=PASSWORD)
    staff_role_grant(actor="t", user=clerk, department=departments["scjg"], role="clerk")
    outsider = Client()
    outsider.force_login(clerk)
    assert outsider.get("/admin/core/auditevent/").status_code == 403
