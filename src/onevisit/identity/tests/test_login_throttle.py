"""Password log-in throttling: per account name, per IP, for a window; reset by a success; the same
answers whether or not an account exists; every outcome audited without secrets."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test import RequestFactory

from onevisit.core import crypto
from onevisit.core.audit import audit_verify
from onevisit.core.models import AuditEvent
from onevisit.identity import login
from onevisit.identity.models import LoginFailure

pytestmark = pytest.mark.django_db
PHONE = "13900000001"
IP = "203.0.113.7"


def fail(identifier=PHONE, *, kind="applicant", ip=IP):
    attempt = login.login_attempt_begin(kind=kind, identifier=identifier, ip=ip)
    return login.login_attempt_failed(attempt=attempt)


def age(minutes):
    """Move every recorded failure and pause ``minutes`` into the past."""
    shift = dt.timedelta(minutes=minutes)
    LoginFailure.objects.update(at=F("at") - shift)
    LoginFailure.objects.exclude(account_locked_until=None).update(
        account_locked_until=F("account_locked_until") - shift
    )
    LoginFailure.objects.exclude(ip_locked_until=None).update(ip_locked_until=F("ip_locked_until") - shift)


def test_five_failures_pause_the_name_for_the_window():
    for left in (4, 3, 2, 1):
        assert fail().attempts_left == left
    fifth = fail()
    assert fifth.attempts_left == 0 and fifth.locked is not None and fifth.locked.scope == "account"
    with pytest.raises(login.LoginLocked) as info:
        login.login_attempt_begin(kind="applicant", identifier=PHONE, ip=IP)
    assert info.value.minutes == 15
    assert "15 分钟后重试" in info.value.message and "短信验证码登录" in info.value.message
    # the refused attempt is not a failure and does not lengthen the pause
    assert LoginFailure.objects.count() == 5
    age(14)
    with pytest.raises(login.LoginLocked) as info:
        login.login_attempt_begin(kind="applicant", identifier=PHONE, ip=IP)
    assert info.value.minutes == 1
    age(2)
    assert login.login_attempt_begin(kind="applicant", identifier=PHONE, ip=IP).pk


def test_failures_older_than_the_window_do_not_count():
    for _ in range(4):
        fail()
    age(16)
    assert fail().attempts_left == 4
    assert LoginFailure.objects.count() == 1  # the old rows were pruned


def test_the_limits_are_settings(settings):
    settings.ONEVISIT_LOGIN_MAX_FAILURES = 2
    settings.ONEVISIT_LOGIN_WINDOW_MINUTES = 3
    assert fail().attempts_left == 1
    locked = fail().locked
    assert locked is not None and locked.minutes == 3


def test_a_success_resets_the_name_but_not_the_network(django_user_model):
    user = django_user_model.objects.create_user("someone")
    for _ in range(4):
        fail()
    attempt = login.login_attempt_begin(kind="applicant", identifier=PHONE, ip=IP)
    login.login_attempt_succeeded(attempt=attempt, user=user)
    assert fail().attempts_left == 4
    assert LoginFailure.objects.filter(ip=IP).count() == 5  # four cleared + one new


def test_a_name_that_has_no_account_is_counted_and_answered_the_same():
    nobody = "13911112222"
    answers = [fail(nobody).attempts_left for _ in range(4)]
    assert answers == [4, 3, 2, 1]
    assert fail(nobody).locked is not None


def test_names_are_counted_apart_and_kinds_are_counted_apart():
    for _ in range(5):
        fail()
    assert fail("13900000002").attempts_left == 4
    assert fail(PHONE, kind="staff").attempts_left == 4  # a staff username that looks like the phone


def test_thirty_failures_from_one_ip_pause_that_network(settings):
    settings.ONEVISIT_LOGIN_MAX_FAILURES_PER_IP = 6
    for n in range(5):
        fail(f"1390000010{n}")
    result = fail("13900000200")
    assert result.locked is not None and result.locked.scope == "network"
    with pytest.raises(login.LoginLocked) as info:
        login.login_attempt_begin(kind="staff", identifier="fresh_name", ip=IP)
    assert info.value.scope == "network" and "您所在网络" in info.value.message
    # another network is not affected
    assert login.login_attempt_begin(kind="applicant", identifier="13900000300", ip="198.51.100.1").pk


def test_the_default_limits():
    from django.conf import settings

    assert settings.ONEVISIT_LOGIN_MAX_FAILURES == 5
    assert settings.ONEVISIT_LOGIN_MAX_FAILURES_PER_IP == 30
    assert settings.ONEVISIT_LOGIN_WINDOW_MINUTES == 15


def test_an_unknown_ip_is_counted_by_name_only():
    for _ in range(4):
        assert fail(ip=None).locked is None
    assert fail(ip=None).locked is not None


def test_the_staff_message_names_no_hotline_and_the_english_one_is_english():
    from django.utils import translation

    for _ in range(5):
        result = fail("clerk_wang", kind="staff")
    assert result.locked is not None
    assert "该用户名" in result.locked.message and "系统管理员" in result.locked.message
    with translation.override("en"):
        assert result.locked.message.startswith("Too many wrong passwords for this username.")


def test_every_outcome_is_audited_without_the_password_or_the_phone(django_user_model):
    user = django_user_model.objects.create_user("someone")
    for _ in range(5):
        fail()
    with pytest.raises(login.LoginLocked):
        login.login_attempt_begin(kind="applicant", identifier=PHONE, ip=IP)
    attempt = login.login_attempt_begin(kind="staff", identifier="clerk_wang", ip=IP)
    login.login_attempt_succeeded(attempt=attempt, user=user)
    login.logout_record(user=user, ip=IP)
    actions = list(AuditEvent.objects.filter(object_type="identity.login").values_list("action", flat=True))
    assert actions == [*["login_failed"] * 5, "login_locked", "login_refused", "login_succeeded", "logout"]
    failed = AuditEvent.objects.filter(action="login_failed").first()
    assert failed.data == {
        "account_kind": "applicant",
        "identifier": "139****0001",
        "identifier_hash": crypto.lookup_hash(PHONE),
        "ip": IP,
        "method": "password",
        "outcome": "failure",
        "failures": 1,
    }
    assert failed.object_id == crypto.lookup_hash(PHONE)
    locked = AuditEvent.objects.get(action="login_locked")
    assert locked.data["outcome"] == "lockout" and locked.data["scope"] == "account" and locked.data["until"]
    success = AuditEvent.objects.get(action="login_succeeded")
    assert success.actor == user and success.data["identifier"] == "cl*******g"
    assert success.data["account_kind"] == "staff"
    assert AuditEvent.objects.get(action="logout").data["account_kind"] == "staff"
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM core_auditevent")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
        cursor.execute("SELECT * FROM identity_loginfailure")
        rows = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert PHONE not in stored and PHONE not in rows and "clerk_wang" not in stored
    assert audit_verify()[1] == []


def test_the_logout_of_an_applicant_names_the_masked_phone(alice):
    login.logout_record(user=alice.user, ip=None)
    event = AuditEvent.objects.get(action="logout")
    assert event.data["account_kind"] == "applicant" and event.data["identifier"] == "139****0001"
    assert event.actor == alice.user


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.7", "", 0, "203.0.113.7"),
        ("10.0.0.1", "198.51.100.9", 0, "10.0.0.1"),  # no trusted proxy: the header is ignored
        ("10.0.0.1", "1.2.3.4, 198.51.100.9", 1, "198.51.100.9"),  # the forged left entry is ignored
        ("10.0.0.1", "1.2.3.4, 198.51.100.9, 10.0.0.2", 2, "198.51.100.9"),
        ("10.0.0.1", "not-an-ip", 1, None),
        ("", "", 0, None),
        ("2001:db8::1", "", 0, "2001:db8::1"),
    ],
)
def test_the_client_ip(settings, remote, forwarded, proxies, expected):
    settings.ONEVISIT_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert login.client_ip(request) == expected


def test_hostile_identifiers_are_only_hashed():
    hostile = "' OR 1=1; --<script>alert(1)</script>" + "x" * 5000
    assert fail(hostile, kind="staff").attempts_left == 4
    row = LoginFailure.objects.get()
    assert row.identifier_hash == crypto.lookup_hash(hostile[:150]) and len(row.identifier_hash) == 64
    event = AuditEvent.objects.get(action="login_failed")
    assert "<script>" not in str(event.data) and len(event.data["identifier"]) == 150


def test_settings_checks_refuse_nonsense(settings):
    from onevisit.identity.checks import login_and_email_check

    assert login_and_email_check() == []
    settings.ONEVISIT_LOGIN_MAX_FAILURES = 0
    settings.ONEVISIT_SITE_URL = ""
    ids = [e.id for e in login_and_email_check()]
    assert ids == ["identity.E003", "identity.E004"]
