"""Revocation needs a reason; expiry is computed from the last valid day and set by the nightly sweep;
certificate_valid_for (免提交, 秒批) returns only a certificate in force."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onevisit.certificates.models import Certificate
from onevisit.certificates.selectors import certificate_check, certificate_valid_for, certificates_of_holder
from onevisit.certificates.services import CertificateStateError, certificate_revoke, certificates_expire
from onevisit.certificates.tasks import certificates_expire_sweep
from onevisit.core.models import AuditEvent

from .conftest import SENIOR

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_revoking_needs_a_reason(issue, alice, reason):
    certificate = issue(person=alice.person)
    with pytest.raises(ValidationError) as info:
        certificate_revoke(actor="t", certificate=certificate, reason=reason)
    assert "reason" in info.value.message_dict
    certificate.refresh_from_db()
    assert (
        certificate.status == "valid" and not AuditEvent.objects.filter(action="certificate_revoked").exists()
    )


def test_a_too_long_reason_is_refused(issue, alice):
    certificate = issue(person=alice.person)
    with pytest.raises(ValidationError):
        certificate_revoke(actor="t", certificate=certificate, reason="x" * 501)
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_a_revoked_certificate_is_no_longer_in_force(issue, alice):
    certificate = issue(person=alice.person)
    certificate_revoke(actor="t", certificate=certificate, reason="告知承诺不实，撤销许可")
    certificate.refresh_from_db()
    assert (
        certificate.status == "revoked"
        and certificate.revoked_at
        and certificate.revoked_reason == "告知承诺不实，撤销许可"
    )
    assert certificate_check(certificate).status == "revoked"
    assert certificate_valid_for(type_code="senior_card", person=alice.person) is None
    assert AuditEvent.objects.get(action="certificate_revoked").data["reason"] == "告知承诺不实，撤销许可"
    with pytest.raises(CertificateStateError):
        certificate_revoke(actor="t", certificate=certificate, reason="again")


def test_expiry_is_computed_before_the_sweep_and_set_by_it(issue, acme, today):
    from .test_issue import LICENCE

    data = {
        "operator": LICENCE["name"],
        "uscc": LICENCE["uscc"],
        "legal_representative": "李娜",
        "address": "杭州",
        "premises": "杭州市西湖区某路1号",
        "main_format": "餐饮服务经营者",
        "business_items": "热食类食品制售",
    }
    old = issue(
        org=acme, type_code="food_business_licence", data=data, valid_from=today - dt.timedelta(days=5 * 366)
    )
    current = issue(
        org=acme, type_code="food_business_licence", data={**data, "premises": "另一处"}, valid_from=today
    )
    assert old.valid_until < today and old.status == "valid"
    assert old.status_on(today) == "expired" and certificate_check(old).status == "expired"
    assert certificate_valid_for(type_code="food_business_licence", org=acme) == current
    assert certificates_expire(today=today) == 1
    old.refresh_from_db()
    assert old.status == "expired"
    assert certificates_expire(today=today) == 0  # idempotent
    assert AuditEvent.objects.filter(action="certificates_expired").count() == 1


def test_the_last_day_is_still_valid(issue, acme, today):
    certificate = issue(org=acme)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=today)
    certificate.refresh_from_db()
    assert certificate.status_on(today) == "valid"
    assert certificates_expire(today=today) == 0
    assert certificate_valid_for(type_code="business_licence", org=acme) == certificate
    assert certificates_expire(today=today + dt.timedelta(days=1)) == 1


def test_the_daily_task_runs_the_sweep(issue, alice, today, django_capture_on_commit_callbacks):
    certificate = issue(person=alice.person)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=today - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        certificates_expire_sweep.enqueue()
    certificate.refresh_from_db()
    assert certificate.status == "expired"


def test_valid_for_ignores_future_provisional_when_asked_and_other_holders(issue, alice, bob, today):
    future = issue(person=alice.person, valid_from=today + dt.timedelta(days=3))
    assert certificate_valid_for(type_code="senior_card", person=alice.person) is None
    assert (
        certificate_valid_for(type_code="senior_card", person=alice.person, on=today + dt.timedelta(days=3))
        == future
    )
    provisional = issue(person=bob.person, data={**SENIOR, "name": "包博文"}, provisional=True)
    assert certificate_valid_for(type_code="senior_card", person=bob.person) == provisional
    assert certificate_valid_for(type_code="senior_card", person=bob.person, allow_provisional=False) is None
    assert list(certificates_of_holder(person=alice.person)) == [future]
    with pytest.raises(ValueError):
        certificates_of_holder()


def test_the_sweep_is_scheduled_every_hour():
    from huey.contrib.djhuey import HUEY

    import onevisit.certificates.tasks  # noqa: F401 - registers the periodic task

    periodic = {task.name: task for task in HUEY._registry.periodic_tasks}
    sweep = periodic["certificates_expire_sweep_periodic"]
    assert sweep.validate_datetime(dt.datetime(2026, 11, 27, 0, 5))
    assert sweep.validate_datetime(dt.datetime(2026, 11, 27, 16, 5))  # 00:05 in Shanghai
    assert not sweep.validate_datetime(dt.datetime(2026, 11, 27, 16, 6))
