"""The audit log: every change appends a hash-chained event in the same transaction.

The chain head row is locked (``select_for_update``) while appending, so concurrent writers get
consecutive sequence numbers; ``audit_verify`` recomputes every hash and detects a changed,
inserted or deleted row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "prev": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()


def _digest(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))
    return result


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (it refuses otherwise)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_log must be called inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = str(getattr(actor, "username", "") or actor or "system")
    event = AuditEvent(
        seq=head.seq + 1,
        at=timezone.now(),
        actor=user,
        actor_label=label[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=_jsonable(data or {}),
        prev_hash=head.hash,
    )
    event.hash = _digest(event)
    event.save()
    AuditHead.objects.filter(id=1).update(seq=event.seq, hash=event.hash)
    return event


@dataclass
class AuditProblem:
    seq: int
    problem: str


def audit_verify() -> tuple[int, list[AuditProblem]]:
    """Walk the chain; return the number of events checked and the problems found."""
    problems: list[AuditProblem] = []
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if event.seq != expected_seq:
            problems.append(AuditProblem(expected_seq, f"events {expected_seq}..{event.seq - 1} are missing"))
        if event.prev_hash != prev_hash:
            problems.append(AuditProblem(event.seq, "does not link to the event before it"))
        if _digest(event) != event.hash:
            problems.append(AuditProblem(event.seq, "content was changed after it was written"))
        prev_hash = event.hash
        expected_seq = event.seq + 1
    head = AuditHead.objects.filter(id=1).first()
    head_seq = head.seq if head else 0
    if head_seq != expected_seq - 1 or (head and head.hash != prev_hash and head_seq):
        problems.append(
            AuditProblem(head_seq, f"the chain ends at {expected_seq - 1} but its head says {head_seq}")
        )
    return count, problems
