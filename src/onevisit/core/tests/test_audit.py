import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from onevisit.core.audit import audit_log, audit_verify
from onevisit.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _write(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_log(
                actor="tester", action="thing_changed", object_type="thing", object_id=str(i), data={"i": i}
            )


def test_chain_verifies_when_untouched(capsys):
    _write(5)
    count, problems = audit_verify()
    assert count == 5 and problems == []
    call_command("audit", "verify")
    assert "5 events verified" in capsys.readouterr().out


def test_changed_row_is_detected():
    _write(4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET data = %s WHERE seq = 2", ['{"i": 99}'])
    _, problems = audit_verify()
    assert [p.seq for p in problems] == [2]
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify")


def test_deleted_row_is_detected_in_the_middle_and_at_the_end():
    _write(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = 2")
    assert audit_verify()[1]
    _write(0)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = 4")
    problems = audit_verify()[1]
    assert any("head" in p.problem for p in problems)


def test_events_cannot_be_updated_or_deleted_through_the_orm():
    _write(1)
    event = AuditEvent.objects.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_log(actor="x", action="y", object_type="z", object_id="1")


def test_a_rolled_back_change_leaves_no_event():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_log(actor="x", action="y", object_type="z", object_id="1")
        1 / 0
    assert AuditEvent.objects.count() == 0
    assert audit_verify()[1] == []
