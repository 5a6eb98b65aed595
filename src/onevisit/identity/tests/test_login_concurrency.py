"""On PostgreSQL: a burst of simultaneous wrong passwords for one name gets no more checks than the limit."""

import threading

import pytest
from django.db import connection, connections

from onevisit.core.models import AuditEvent
from onevisit.identity import login

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway"),
]


def test_a_burst_of_attempts_cannot_pass_the_limit():
    count = 20
    barrier = threading.Barrier(count)
    checked, refused, errors = [], [], []

    def run(n):
        try:
            barrier.wait(timeout=10)
            attempt = login.login_attempt_begin(
                kind="applicant", identifier="13900000001", ip=f"198.51.100.{n}"
            )
        except login.LoginLocked:
            refused.append(n)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        else:
            checked.append(n)
            login.login_attempt_failed(attempt=attempt)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(checked) == 5 and len(refused) == count - 5
    assert AuditEvent.objects.filter(action="login_failed").count() == len(checked)
    assert AuditEvent.objects.filter(action="login_refused").count() == len(refused)
