"""On PostgreSQL: parallel issuances get unique numbers; the same case issued twice at once gives one
certificate; parallel new versions for one holder leave exactly one valid."""

import threading

import pytest
from django.db import connection, connections

from onevisit.certificates.models import Certificate

from .conftest import SENIOR

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises writers"
    ),
]


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(n):
        try:
            barrier.wait(timeout=10)
            results.append(work(n))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def test_one_case_issued_twice_at_once_gives_one_certificate(issue, alice):
    issue(person=alice.person, case_number="warm-up")  # keys and fonts loaded before the race
    results, errors = _in_threads(4, lambda n: issue(person=alice.person, case_number="C-RACE").pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Certificate.objects.filter(case_number="C-RACE").count() == 1


def test_parallel_versions_leave_one_valid_and_unique_numbers(issue, alice):
    issue(person=alice.person, case_number="warm-up")
    results, errors = _in_threads(
        6, lambda n: issue(person=alice.person, data={**SENIOR, "residence": f"地址{n}"}).number
    )
    assert errors == []
    assert len(set(results)) == 6
    assert Certificate.objects.filter(holder_person=alice.person, status="valid").count() == 1
    assert Certificate.objects.filter(holder_person=alice.person, status="superseded").count() == 6
