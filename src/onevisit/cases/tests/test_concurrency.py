"""On PostgreSQL: parallel submits get unique numbers; a double submit with one key files one case."""

import threading
import uuid

import pytest
from django.db import connection, connections

from onevisit.cases import services
from onevisit.cases.models import Case
from onevisit.cases.tests.conftest import FORM

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


def _drafts(item, person, count, pdf):
    lease = item.current_version.materials.get(code="lease")
    drafts = []
    for _ in range(count):
        case = services.case_draft_save(
            actor="a", version=item.current_version, form_data=FORM, channel="online", person=person
        )
        services.material_upload(actor="a", case=case, requirement=lease, stream=pdf(), name="a.pdf")
        drafts.append(case)
    return drafts


def test_parallel_submits_get_unique_numbers(two_step_item, alice, pdf):
    drafts = _drafts(two_step_item, alice, 8, pdf)
    results, errors = _in_threads(
        8, lambda n: services.case_submit(actor="a", case=drafts[n], idempotency_key=uuid.uuid4()).number
    )
    assert errors == []
    assert len(set(results)) == 8


def test_a_double_submit_files_one_case(two_step_item, alice, pdf):
    (draft,) = _drafts(two_step_item, alice, 1, pdf)
    key = uuid.uuid4()
    results, errors = _in_threads(
        4, lambda n: services.case_submit(actor="a", case=draft, idempotency_key=key).pk
    )
    assert errors == [] and set(results) == {draft.pk}
    assert Case.objects.filter(status="submitted").count() == 1
    assert Case.objects.get(pk=draft.pk).events.filter(kind="submitted").count() == 1


def test_locking_a_case_leaves_its_department_and_version_free(two_step_item, alice):
    """Only the case row is locked: with the department locked too, a concurrent writer whose
    foreign-key check needs it at commit deadlocks against the audit chain's head (500s found by
    benchmarks/submit_load.py at 4 clients)."""
    from django.db import DatabaseError, transaction

    from onevisit.catalog.models import ItemVersion
    from onevisit.org.models import Department

    case = services.case_draft_save(
        actor="a", version=two_step_item.current_version, form_data=FORM, channel="online", person=alice
    )
    locked, probed = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            services.case_locked(case)
            locked.set()
            probed.wait(timeout=10)
        connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with transaction.atomic():
            Department.objects.select_for_update(nowait=True).get(pk=case.department_id)
            ItemVersion.objects.select_for_update(nowait=True).get(pk=case.item_version_id)
            with pytest.raises(DatabaseError), transaction.atomic():
                Case.objects.select_for_update(nowait=True).get(pk=case.pk)
    finally:
        probed.set()
        holder.join(timeout=10)
