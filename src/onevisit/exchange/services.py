"""Every use of shared data goes through here: checked against the sharing class, logged.

``data_lookup`` is the one way a department reads another department's data about a subject;
``access_record`` logs any other read of a subject's personal data (a case file, a material).
Both write a ``DataAccess`` line the subject can read in 我的数据使用记录.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.core.audit import audit_log
from onevisit.identity.models import Organization, Person
from onevisit.org.models import Department

from .models import Consent, DataAccess, DataRecord, DataResource, SharingAgreement, SharingClass, SubjectKind

MAX_PURPOSE = 200


class ExchangeError(Exception):
    """The lookup or consent was refused; the message is in the user's language. Nothing changed."""


@dataclass(frozen=True)
class SharedData:
    resource: DataResource
    data: dict[str, Any]
    agreement: SharingAgreement | None


def _subject_hash(person: Person | None, org: Organization | None) -> str:
    if (person is None) == (org is None):
        raise ExchangeError(_("Name exactly one subject: a person or an organization."))
    return person.id_number_hash if person is not None else org.uscc_hash  # type: ignore[union-attr]


def agreement_for(
    resource: DataResource, department: Department, *, on: dt.date | None = None
) -> SharingAgreement | None:
    """The consumer's agreement in force for a 有条件共享 resource, if any."""
    on = on or timezone.localdate()
    return (
        SharingAgreement.objects.filter(resource=resource, consumer=department, revoked_at__isnull=True)
        .filter(valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-valid_from")
        .first()
    )


def permission(resource: DataResource, department: Department) -> tuple[bool, SharingAgreement | None]:
    """May ``department`` use ``resource``? (its own data, 无条件共享, or an agreement in force)."""
    if not resource.active:
        return False, None
    if resource.provider_id == department.pk or resource.sharing_class == SharingClass.UNCONDITIONAL:
        return True, None
    if resource.sharing_class == SharingClass.CONDITIONAL:
        agreement = agreement_for(resource, department)
        return agreement is not None, agreement
    return False, None


def _allowed_fields(resource: DataResource, agreement: SharingAgreement | None) -> list[str]:
    keys = [f["key"] for f in resource.fields if f.get("key")]
    if agreement is not None and agreement.fields:
        keys = [k for k in keys if k in agreement.fields]
    return keys


@transaction.atomic
def data_lookup(
    *,
    actor: Any,
    department: Department,
    resource: DataResource,
    purpose: str,
    case_ref: str,
    person: Person | None = None,
    org: Organization | None = None,
    role: str = "",
) -> SharedData | None:
    """Read a subject's record for a case and a purpose; refused unless the sharing class allows it.

    Returns ``None`` when the registry holds no record; the attempt is logged either way.
    """
    purpose = (purpose or "").strip()
    if not purpose or not case_ref:
        raise ExchangeError(_("A data lookup must name its case and purpose."))
    if len(purpose) > MAX_PURPOSE:
        raise ExchangeError(_("The purpose is too long (at most 200 characters)."))
    subject_hash = _subject_hash(person, org)
    wanted = SubjectKind.PERSON if person is not None else SubjectKind.ORGANIZATION
    if resource.subject_kind != wanted:
        raise ExchangeError(
            _("%(resource)s does not hold data about this kind of subject.") % {"resource": resource}
        )
    allowed, agreement = permission(resource, department)
    if not allowed:
        if resource.sharing_class == SharingClass.NONE:
            raise ExchangeError(_("%(resource)s is not shared (不予共享).") % {"resource": resource})
        raise ExchangeError(
            _("%(department)s has no sharing agreement in force for %(resource)s.")
            % {"department": department, "resource": resource}
        )
    record = DataRecord.objects.filter(resource=resource, subject_hash=subject_hash).first()
    keys = _allowed_fields(resource, agreement)
    DataAccess.objects.create(
        kind=DataAccess.Kind.SHARED_DATA,
        subject_person=person,
        subject_org=org,
        resource=resource,
        agreement=agreement,
        department=department,
        user=actor if getattr(actor, "is_authenticated", False) else None,
        role=role[:40],
        case_ref=case_ref[:40],
        purpose=purpose,
        fields=keys,
        found=record is not None,
    )
    if record is None:
        return None
    return SharedData(
        resource=resource,
        data={k: v for k, v in (record.data or {}).items() if k in keys},
        agreement=agreement,
    )


def access_record(
    *,
    actor: Any,
    kind: str,
    purpose: str,
    case_ref: str = "",
    department: Department | None = None,
    person: Person | None = None,
    org: Organization | None = None,
    role: str = "",
    fields: list[str] | None = None,
) -> DataAccess | None:
    """Log that ``actor`` read a subject's personal data (a case file, a material, an API read)."""
    if person is None and org is None:
        return None
    return DataAccess.objects.create(
        kind=kind,
        subject_person=person,
        subject_org=org,
        department=department,
        user=actor if getattr(actor, "is_authenticated", False) else None,
        role=role[:40],
        case_ref=case_ref[:40],
        purpose=purpose[:MAX_PURPOSE],
        fields=fields or [],
    )


@transaction.atomic
def consent_give(
    *,
    actor: Any,
    resource: DataResource,
    case_ref: str,
    person: Person | None = None,
    org: Organization | None = None,
) -> Consent:
    """The applicant agrees that ``resource`` be used for one case (idempotent)."""
    _subject_hash(person, org)
    consent, created = Consent.objects.get_or_create(
        resource=resource,
        case_ref=case_ref,
        withdrawn_at=None,
        defaults={
            "subject_person": person,
            "subject_org": org,
            "given_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    if created:
        audit_log(
            actor=actor,
            action="exchange.consent_give",
            obj=consent,
            data={"resource": resource.code, "case": case_ref},
        )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, resource: DataResource, case_ref: str) -> int:
    """The applicant chose to upload instead; the consent ends (kept in history)."""
    consents = list(
        Consent.objects.select_for_update().filter(resource=resource, case_ref=case_ref, withdrawn_at=None)
    )
    for consent in consents:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit_log(
            actor=actor,
            action="exchange.consent_withdraw",
            obj=consent,
            data={"resource": resource.code, "case": case_ref},
        )
    return len(consents)


@transaction.atomic
def record_put(
    *,
    actor: Any,
    resource: DataResource,
    data: dict[str, Any],
    person: Person | None = None,
    org: Organization | None = None,
) -> DataRecord:
    """Store a subject's record in a registry (the demo loader and the provider's feed use this)."""
    subject_hash = _subject_hash(person, org)
    unknown = sorted(set(data) - {f.get("key") for f in resource.fields})
    if unknown:
        raise ExchangeError(
            _("%(resource)s has no field %(fields)s.") % {"resource": resource, "fields": ", ".join(unknown)}
        )
    record, _created = DataRecord.objects.update_or_create(
        resource=resource, subject_hash=subject_hash, defaults={"data": data}
    )
    audit_log(actor=actor, action="exchange.record_put", obj=record, data={"resource": resource.code})
    return record
