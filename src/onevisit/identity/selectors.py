"""Reads of identity that need scoping: an applicant sees only their own account and the
organizations that authorized them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from onevisit.core import crypto
from onevisit.core.models import AuditEvent

from .models import (
    ApplicantAccount,
    Authorization,
    CreditKind,
    CreditRecord,
    EmailConfirmation,
    Organization,
    Person,
)


def account_for_phone(phone: str) -> ApplicantAccount | None:
    """The active applicant account of a phone number, or None (also for a malformed number)."""
    from .services import normalize_phone

    try:
        number = normalize_phone(phone)
    except ValidationError:
        return None
    return (
        ApplicantAccount.objects.select_related("user", "person")
        .filter(phone_hash=crypto.lookup_hash(number), user__is_active=True, user__is_staff=False)
        .first()
    )


def account_of(user: Any) -> ApplicantAccount | None:
    """The applicant account of a signed-in user; None for anonymous visitors and staff."""
    if not getattr(user, "is_authenticated", False) or user.is_staff or not user.is_active:
        return None
    try:
        account: ApplicantAccount = user.applicant_account
    except ApplicantAccount.DoesNotExist:
        return None
    return account


def authorizations_valid(*, agent: Person, on: dt.date | None = None) -> QuerySet[Authorization]:
    """Authorizations in force for ``agent`` on day ``on`` (today by default): started, not ended,
    and not revoked on or before that day."""
    day = on or timezone.localdate()
    return (
        Authorization.objects.filter(agent=agent, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=day))
        .select_related("grantor")
        .order_by("grantor__name", "pk")
    )


def organizations_for(person: Person, *, on: dt.date | None = None) -> QuerySet[Organization]:
    """The organizations ``person`` may act for (经办人) on day ``on`` (today by default)."""
    ids = authorizations_valid(agent=person, on=on).values("grantor_id")
    return Organization.objects.filter(pk__in=ids).order_by("name")


def person_by_id_number(id_number: str) -> Person | None:
    """The person with this 居民身份证 number (exact, through the keyed hash).

    Raises ``ValidationError`` for a number that is not a valid ID number, so the caller can say how
    to fix it rather than "not found".
    """
    from .services import normalize_id_number

    return Person.objects.filter(id_number_hash=crypto.lookup_hash(normalize_id_number(id_number))).first()


def organization_by_uscc(code: str) -> Organization | None:
    """The organization with this 统一社会信用代码 (exact, through the keyed hash).

    Raises ``ValidationError`` (key ``uscc``) for a code that is not a valid USCC.
    """
    from .services import normalize_uscc

    return Organization.objects.filter(uscc_hash=crypto.lookup_hash(normalize_uscc(code))).first()


def email_pending(account: ApplicantAccount) -> EmailConfirmation | None:
    """The newest email change of ``account`` still waiting for its link to be opened."""
    return (
        EmailConfirmation.objects.filter(
            account=account, confirmed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-sent_at")
        .first()
    )


# --- Credit records (信用记录) --------------------------------------------------------------------

# 容缺 is barred by any bad-credit record in force; 告知承诺 only by serious bad credit or a past false
# commitment (RULES.md §容缺受理, §告知承诺制).
COMMITMENT_BARRING_KINDS = (CreditKind.SERIOUS, CreditKind.FALSE_COMMITMENT)


def _subject_filter(person: Person | None, org: Organization | None) -> Q:
    if (person is None) == (org is None):
        raise ValueError("give exactly one of person and org")
    return Q(person=person) if person is not None else Q(org=org)


def credit_history(
    *, person: Person | None = None, org: Organization | None = None
) -> QuerySet[CreditRecord]:
    """Every credit record of the subject, in force or not, newest first."""
    return (
        CreditRecord.objects.filter(_subject_filter(person, org))
        .select_related("person", "org", "department")
        .order_by("-recorded_at", "-pk")
    )


def credit_bars(
    *,
    person: Person | None = None,
    org: Organization | None = None,
    on: dt.date | None = None,
    for_commitment: bool = False,
) -> list[CreditRecord]:
    """The records in force on day ``on`` (today by default) that bar the subject from 容缺 (any kind)
    or, with ``for_commitment``, from 告知承诺 (serious bad credit and false commitments only).

    In force: recorded by that day, not repaired on or before it, and its ``valid_until`` not passed.
    An empty list means the subject is eligible as far as credit goes.
    """
    day = on or timezone.localdate()
    records = [r for r in credit_history(person=person, org=org) if r.in_force(day)]
    if for_commitment:
        records = [r for r in records if r.kind in COMMITMENT_BARRING_KINDS]
    return records


def credit_clean(
    *,
    person: Person | None = None,
    org: Organization | None = None,
    on: dt.date | None = None,
    for_commitment: bool = False,
) -> bool:
    """True when no credit record bars the subject (see ``credit_bars``)."""
    return not credit_bars(person=person, org=org, on=on, for_commitment=for_commitment)


def credit_record_events(records: list[CreditRecord]) -> dict[int, list[AuditEvent]]:
    """The audit events of each record (added, repaired), oldest first, by record id."""
    events: dict[int, list[AuditEvent]] = {r.pk: [] for r in records}
    rows = AuditEvent.objects.filter(
        object_type=CreditRecord._meta.label_lower, object_id__in=[str(pk) for pk in events]
    ).order_by("seq")
    for event in rows:
        events[int(event.object_id)].append(event)
    return events
