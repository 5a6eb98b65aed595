"""Reads of the exchange that the pages and the API share."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onevisit.identity.models import Organization, Person

from .models import DataAccess, DataRecord, DataResource


def resource_by_code(code: str) -> DataResource | None:
    if not code:
        return None
    return DataResource.objects.select_related("provider__region").filter(code=code, active=True).first()


def own_record(
    resource: DataResource, *, person: Person | None = None, org: Organization | None = None
) -> dict[str, Any] | None:
    """The subject's own record, for showing it to the subject (their own data: not a logged access)."""
    subject_hash = person.id_number_hash if person is not None else (org.uscc_hash if org is not None else "")
    record = DataRecord.objects.filter(resource=resource, subject_hash=subject_hash).first()
    return dict(record.data or {}) if record is not None else None


def accesses_of(
    *, person: Person, organizations: QuerySet[Organization] | list[Organization] | None = None
) -> QuerySet[DataAccess]:
    """我的数据使用记录: uses of the person's data, and of the organizations they act for."""
    where = Q(subject_person=person)
    if organizations:
        where |= Q(subject_org__in=list(organizations))
    return (
        DataAccess.objects.filter(where)
        .select_related(
            "resource", "resource__provider__region", "department__region", "agreement", "subject_org"
        )
        .order_by("-at", "-id")
    )
