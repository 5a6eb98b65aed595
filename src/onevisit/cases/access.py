"""Reads of a case's personal data by staff or another system, logged for the applicant (用数记录).

The workbench's case and material pages and the API's case endpoint call ``case_read_log``; the
applicant (and the organization, and its 经办人) see each line in 我的数据使用记录.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from onevisit.exchange.models import DataAccess
from onevisit.exchange.services import access_record
from onevisit.org.models import Department

from .models import Case

# A staff member reloading the same page does not fill the applicant's log: one line per reader,
# case and kind of read within this window.
SAME_READ_WINDOW = dt.timedelta(minutes=30)


def case_read_log(
    *, actor: Any, case: Case, kind: str, purpose: str, department: Department | None = None, role: str = ""
) -> list[DataAccess]:
    """One line per data subject of the case (the person or organization, and the agent)."""
    if kind not in DataAccess.Kind.values:
        raise ValueError(f"unknown access kind {kind!r}")
    user = actor if getattr(actor, "is_authenticated", False) else None
    if (
        user is not None
        and DataAccess.objects.filter(
            user=user, case_ref=case.number or "", kind=kind, purpose=purpose[:200],
            at__gte=timezone.now() - SAME_READ_WINDOW,
        ).exists()
    ):  # fmt: skip
        return []
    subjects = [(case.applicant_person, None), (None, case.applicant_org), (case.agent, None)]
    logged = []
    for person, org in subjects:
        if person is None and org is None:
            continue
        access = access_record(
            actor=actor, kind=kind, purpose=purpose, case_ref=case.number or "", department=department,
            person=person, org=org, role=role,
        )  # fmt: skip
        if access is not None:
            logged.append(access)
    return logged
