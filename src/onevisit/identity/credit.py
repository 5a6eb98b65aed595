"""Writes of credit records (信用记录): add with a legal basis, repair (信用修复) with a reason.

A record is never edited or deleted; a repair is written onto it, so the history stays whole. Whether a
subject may use 容缺 or 告知承诺 is read with ``credit_bars`` / ``credit_clean`` (defined in ``selectors``,
importable from here too).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.core.audit import audit_log
from onevisit.org.models import Department

from .models import CreditKind, CreditRecord, Organization, Person
from .selectors import credit_bars, credit_clean, credit_history

__all__ = [
    "CreditRecordStateError",
    "credit_bars",
    "credit_clean",
    "credit_input_clean",
    "credit_record_add",
    "credit_record_repair",
    "credit_records_read",
]

REASON_MAX = 1000
LEGAL_BASIS_MAX = 500
PURPOSE_MAX = 200


class CreditRecordStateError(ValidationError):
    """The record is not in a state that allows the operation (it is already repaired)."""


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _actor_label(actor: Any) -> str:
    return str(getattr(actor, "username", "") or actor or "system")[:150]


def _text(value: Any, *, field: str, limit: int, missing: str) -> str:
    """Trimmed text, or a ValidationError keyed by ``field``: missing, too long, or with control
    characters (kept out because they hide text on screen and PostgreSQL refuses NUL)."""
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("Keep this to at most %(limit)s characters (now %(count)s).")
                % {"limit": limit, "count": len(text)}
            }
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in text):
        raise ValidationError({field: _("Remove the control characters from this text.")})
    return text.replace("\r\n", "\n")


def credit_input_clean(
    *, kind: str, reason: str, legal_basis: str, valid_until: dt.date | None = None
) -> dict[str, Any]:
    """Check what a new record says; every problem is reported at once (keys: kind, reason, legal_basis,
    valid_until). Returns the cleaned values. Used by the service, the admin form and the API alike."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {"kind": kind, "valid_until": valid_until}
    if kind not in CreditKind.values:
        errors["kind"] = [
            _("Choose the kind of record: serious bad credit, false commitment or other bad credit.")
        ]
    checks = {
        "reason": (reason, REASON_MAX, _("Give the reason for the record: what the subject did.")),
        "legal_basis": (legal_basis, LEGAL_BASIS_MAX, _("Give the legal basis of the record.")),
    }
    for field, (value, limit, missing) in checks.items():
        try:
            cleaned[field] = _text(value, field=field, limit=limit, missing=missing)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.message_dict[field])
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = [_("The last day of the record cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def credit_record_add(
    *,
    actor: Any,
    person: Person | None = None,
    org: Organization | None = None,
    kind: str,
    reason: str,
    legal_basis: str,
    department: Department | None = None,
    valid_until: dt.date | None = None,
) -> CreditRecord:
    """Record a bad-credit mark on exactly one of ``person`` and ``org``. It bars 容缺 and 告知承诺 from now
    until it is repaired or its ``valid_until`` day has passed."""
    if (person is None) == (org is None):
        raise ValidationError({"subject": _("Name exactly one subject: a person or an organization.")})
    data = credit_input_clean(kind=kind, reason=reason, legal_basis=legal_basis, valid_until=valid_until)
    record = CreditRecord.objects.create(
        person=person,
        org=org,
        department=department,
        recorded_at=timezone.now(),
        recorded_by=_actor_user(actor),
        recorded_by_label=_actor_label(actor),
        **data,
    )
    audit_log(
        actor=actor,
        action="credit_record_added",
        obj=record,
        data={
            "person": person.pk if person else None,
            "org": org.pk if org else None,
            "kind": record.kind,
            "reason": record.reason,
            "legal_basis": record.legal_basis,
            "department": department.code if department else None,
            "valid_until": valid_until,
        },
    )
    return record


@transaction.atomic
def credit_record_repair(*, actor: Any, record: CreditRecord, reason: str) -> CreditRecord:
    """信用修复: the record stops counting now and keeps the repair with it. A record is repaired once;
    repairing it again raises ``CreditRecordStateError``."""
    text = _text(reason, field="reason", limit=REASON_MAX, missing=_("Give the reason for the repair."))
    now = timezone.now()
    updated = CreditRecord.objects.filter(pk=record.pk, repaired_at__isnull=True).update(
        repaired_at=now,
        repaired_by=_actor_user(actor),
        repaired_by_label=_actor_label(actor),
        repair_reason=text,
    )
    if not updated:
        raise CreditRecordStateError(_("This credit record is already repaired."), code="repaired")
    record.refresh_from_db()
    audit_log(actor=actor, action="credit_record_repaired", obj=record, data={"reason": text})
    return record


@transaction.atomic
def credit_records_read(
    *, actor: Any, person: Person | None = None, org: Organization | None = None, purpose: str
) -> list[CreditRecord]:
    """The subject's whole credit history, for someone other than the subject; the read is logged with
    its purpose (personal data: every read by another is recorded)."""
    records = list(credit_history(person=person, org=org))
    audit_log(
        actor=actor,
        action="credit_records_read",
        object_type=(Person if person is not None else Organization)._meta.label_lower,
        object_id=str((person or org).pk),  # type: ignore[union-attr]
        data={"purpose": purpose[:PURPOSE_MAX], "records": len(records)},
    )
    return records
