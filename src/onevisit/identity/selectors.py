"""Reads of identity that need scoping: an applicant sees only their own account and the
organizations that authorized them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from onevisit.core import crypto

from .models import ApplicantAccount, Authorization, EmailConfirmation, Organization, Person


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
