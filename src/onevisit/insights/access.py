"""Who may read the indicators, and which cases behind them (RULES.md: personal data on a need-to-know basis).

- analysts (领导/分析人员) and supervisors read the dashboards and the cases of their region
  (the region of any department they hold the role in, with everything under it);
- evaluators (第三方评估, read-only) read the dashboards and the exports; behind a figure they see
  anonymised rows only (a keyed hash instead of the case number, never a name or an ID number);
- everyone else (clerks, officers, applicants) sees no dashboard.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from onevisit.cases.models import Case
from onevisit.cases.selectors import cases_for_staff
from onevisit.core.indicators import region_prefix
from onevisit.org.models import Role, StaffRole

READERS = (Role.ANALYST, Role.SUPERVISOR, Role.EVALUATOR)
REGION_READERS = (Role.ANALYST, Role.SUPERVISOR)


def roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return set()
    return set(StaffRole.objects.filter(user=user, role__in=READERS).values_list("role", flat=True))


def can_read(user: Any) -> bool:
    return bool(roles(user))


def sees_case_numbers(user: Any) -> bool:
    """Evaluators (and only evaluators) read anonymised rows."""
    return bool(roles(user) & set(REGION_READERS))


def region_codes(user: Any) -> list[str]:
    return sorted(
        set(
            StaffRole.objects.filter(user=user, role__in=REGION_READERS).values_list(
                "department__region__code", flat=True
            )
        )
    )


def visible_cases(user: Any, cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases behind a figure that ``user`` may list: their region's (analysts, supervisors) and
    their own departments' (``cases_for_staff``); evaluators all of them, anonymised by the caller."""
    mine = roles(user)
    if not mine:
        return cases.none()
    if not mine & set(REGION_READERS):
        return cases  # evaluator: rows without personal data
    q = Q()
    for code in region_codes(user):
        q |= Q(department__region__code__startswith=region_prefix(code))
    if StaffRole.objects.filter(user=user).exclude(role__in=READERS).exists():
        # also a case worker: their departments' cases too (an OR with a subquery, so only then)
        q |= Q(pk__in=cases_for_staff(user=user).values("pk"))
    return cases.filter(q)


def case_token(case_id: int) -> str:
    """A keyed hash of the case id: stable across exports, useless without the server's key."""
    key = ((settings.ONEVISIT_LOOKUP_KEY or settings.SECRET_KEY) + ":insights-export").encode()
    return hmac.new(key, str(case_id).encode(), hashlib.sha256).hexdigest()[:20]
