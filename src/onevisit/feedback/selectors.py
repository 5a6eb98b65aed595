"""Who sees which ratings, rectifications, appeals and complaints.

- A department's staff (any role in it) see their department's; a counter clerk also the counter
  ratings made at their own tablet.
- A supervisor (督查) sees everything of their region and the regions under it, and decides appeals.
- The public sees only aggregates and recent comments, with no name, no case number and long runs of
  digits (ID and phone numbers) masked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from onevisit.core.indicators import region_prefix
from onevisit.org.models import Department, Role, StaffRole

from .models import GOOD_LEVELS, TAG_LABELS, Appeal, Complaint, Level, Rating, Rectification

HANDLER_ROLES = (Role.OFFICER, Role.APPROVER)
LONG_DIGITS = re.compile(r"\d{7,}[\dXx]?")


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


def department_ids(user: Any, roles: tuple[str, ...] | None = None) -> set[int]:
    """The departments where the user has a role (any role but supervisor, or those given)."""
    if not _staff(user):
        return set()
    rows = StaffRole.objects.filter(user=user)
    rows = rows.filter(role__in=roles) if roles else rows.exclude(role=Role.SUPERVISOR)
    return set(rows.values_list("department_id", flat=True))


def supervised_prefixes(user: Any) -> set[str]:
    """Region code prefixes the user supervises (their department's region and everything under it)."""
    if not _staff(user):
        return set()
    codes = StaffRole.objects.filter(user=user, role=Role.SUPERVISOR).values_list(
        "department__region__code", flat=True
    )
    return {region_prefix(code) for code in codes}


def _region_q(prefixes: set[str], path: str = "region__code") -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{path}__startswith": prefix})
    return q


def is_supervisor(user: Any) -> bool:
    return bool(supervised_prefixes(user))


def may_supervise(user: Any, region_code: str) -> bool:
    return any(region_code.startswith(prefix) for prefix in supervised_prefixes(user))


def may_handle(user: Any, department_id: int | None) -> bool:
    """Record a callback or a rectification, appeal a rating, answer a complaint of the department."""
    return department_id is not None and department_id in department_ids(user, HANDLER_ROLES)


def ratings_visible(user: Any) -> QuerySet[Rating]:
    if not _staff(user):
        return Rating.objects.none()
    q = Q(department_id__in=department_ids(user)) | Q(clerk=user) | _region_q(supervised_prefixes(user))
    return Rating.objects.filter(q).select_related(
        "department__region", "item", "case", "window", "rectification"
    )


def rectifications_visible(user: Any) -> QuerySet[Rectification]:
    """Open first, the one due soonest on top; then the finished ones, latest first."""
    if not _staff(user):
        return Rectification.objects.none()
    q = Q(department_id__in=department_ids(user)) | _region_q(
        supervised_prefixes(user), "rating__region__code"
    )
    return Rectification.objects.filter(q, rating__voided_at__isnull=True).select_related(
        "rating__item", "rating__case", "department"
    )


def rectifications_open(user: Any) -> list[Rectification]:
    rows = list(rectifications_visible(user).filter(rectified_at__isnull=True))
    rows.sort(key=lambda r: (r.next_due, r.pk))
    return rows


def appeals_to_decide(user: Any) -> QuerySet[Appeal]:
    return Appeal.objects.filter(
        _region_q(supervised_prefixes(user), "rating__region__code"), status=Appeal.Status.PENDING
    ).select_related("rating__department", "rating__item", "filed_by")


def appeals_visible(user: Any) -> QuerySet[Appeal]:
    q = Q(rating__department_id__in=department_ids(user)) | _region_q(
        supervised_prefixes(user), "rating__region__code"
    )
    return Appeal.objects.filter(q).select_related("rating__department", "rating__item", "filed_by")


def complaints_visible(user: Any) -> QuerySet[Complaint]:
    """Unanswered first (oldest on top), then answered."""
    if not _staff(user):
        return Complaint.objects.none()
    q = Q(department_id__in=department_ids(user)) | _region_q(supervised_prefixes(user))
    return (
        Complaint.objects.filter(q)
        .select_related("department", "item", "case")
        .order_by("-status", "created_at")  # "received" > "answered": unanswered first
    )


def complaint_by_code(code: str) -> Complaint | None:
    """The complaint of a tracking code (what its holder may read), or None."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return Complaint.objects.select_related("department", "item").filter(code=code).first()


def rating_of_case(*, case: Any, person: Any) -> Rating | None:
    """The person's own (first) rating of the case, with its rectification and follow-up."""
    if person is None:
        return None
    return (
        Rating.objects.filter(case=case, rater=person, kind=Rating.Kind.CASE, follow_up_of__isnull=True)
        .select_related("rectification")
        .prefetch_related("follow_ups")
        .first()
    )


def rating_window_closes(case: Any) -> dt.datetime | None:
    if case.decided_at is None:
        return None
    return case.decided_at + dt.timedelta(days=settings.ONEVISIT_RATING_WINDOW_DAYS)


def rating_open(case: Any, now: dt.datetime | None = None) -> bool:
    """Finished, and the window to rate it has not closed."""
    closes = rating_window_closes(case)
    return case.status in case.FINISHED and closes is not None and (now or timezone.now()) <= closes


# ---- the public face --------------------------------------------------------------------------


def mask_digits(text: str) -> str:
    """Runs of 7 digits or more (an ID or phone number, perhaps a case number) become asterisks."""
    return LONG_DIGITS.sub(lambda m: "*" * len(m.group(0)), text or "")


@dataclass(frozen=True)
class PublicRow:
    key: int
    name: str
    ratings: int
    good: int
    bad: int
    code: str = ""

    @property
    def rate(self) -> float | None:
        return self.good / self.ratings if self.ratings else None


@dataclass(frozen=True)
class PublicComment:
    level: int
    level_label: str
    tags: list[str]
    comment: str
    on: dt.date
    department: str
    item: str


def _published(since: dt.date | None) -> QuerySet[Rating]:
    ratings = Rating.objects.filter(voided_at__isnull=True)
    if since is not None:
        ratings = ratings.filter(created_at__date__gte=since)
    return ratings


def public_by_department(*, since: dt.date | None = None) -> list[PublicRow]:
    rows = (
        _published(since)
        .exclude(department=None)
        .values("department_id")
        .annotate(
            n=Count("pk"),
            good=Count("pk", filter=Q(level__in=GOOD_LEVELS)),
            bad=Count("pk", filter=Q(level__lte=Level.DISSATISFIED)),
        )
    )
    names = {d.pk: d.full_name for d in Department.objects.select_related("region")}
    result = [
        PublicRow(r["department_id"], names.get(r["department_id"], ""), r["n"], r["good"], r["bad"])
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r.ratings, r.name))


def public_by_item(*, since: dt.date | None = None, department_id: int | None = None) -> list[PublicRow]:
    ratings = _published(since).exclude(item=None)
    if department_id:
        ratings = ratings.filter(department_id=department_id)
    rows = ratings.values("item_id", "item__name").annotate(
        n=Count("pk"),
        good=Count("pk", filter=Q(level__in=GOOD_LEVELS)),
        bad=Count("pk", filter=Q(level__lte=Level.DISSATISFIED)),
    )
    result = [PublicRow(r["item_id"], r["item__name"], r["n"], r["good"], r["bad"]) for r in rows]
    return sorted(result, key=lambda r: (-r.ratings, r.name))


def public_comments(
    *, department_id: int | None = None, item_id: int | None = None, limit: int = 10
) -> list[PublicComment]:
    """The latest non-empty comments: level, tags, the comment with long digit runs masked, the day,
    the department and the service. Never the rater, the case or the clerk."""
    ratings = _published(None).exclude(comment="")
    if department_id:
        ratings = ratings.filter(department_id=department_id)
    if item_id:
        ratings = ratings.filter(item_id=item_id)
    rows = ratings.values(
        "level", "tags", "comment", "created_at", "department__name", "department__region__name", "item__name"
    )
    return [
        PublicComment(
            level=r["level"],
            level_label=str(Level(r["level"]).label),
            tags=[str(TAG_LABELS[t]) for t in r["tags"] if t in TAG_LABELS],
            comment=mask_digits(r["comment"]),
            on=timezone.localdate(r["created_at"]),
            department=f"{r['department__region__name'] or ''}{r['department__name'] or ''}",
            item=r["item__name"] or "",
        )
        for r in rows.order_by("-created_at", "-pk")[:limit]
    ]
