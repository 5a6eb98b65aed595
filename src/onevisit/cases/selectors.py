"""Scoped reads of cases: staff see the cases of their departments, applicants their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onevisit.org.models import Role, StaffRole

from .models import Case, SuppliedMaterial

CASE_ROLES = (Role.OFFICER, Role.APPROVER, Role.CLERK)


def _staff_departments(user: Any) -> Any:
    return StaffRole.objects.filter(user=user, role__in=CASE_ROLES).values("department_id")


def cases_for_staff(*, user: Any) -> QuerySet[Case]:
    """Cases of the user's departments, or with a step in one of them (joint handling).

    A user whose only case role is counter clerk at a centre sees, of the counter cases, only
    those taken in at their own centre.
    """
    from onevisit.org.selectors import clerk_centers

    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return Case.objects.none()
    departments = _staff_departments(user)
    cases = (
        Case.objects.filter(
            Q(department__in=departments) | Q(process_instance__work_items__department__in=departments)
        )
        .exclude(status=Case.Status.DRAFT)
        .distinct()
        .select_related("item_version__item", "department__region", "applicant_person", "applicant_org")
    )
    back_office = StaffRole.objects.filter(user=user, role__in=(Role.OFFICER, Role.APPROVER)).exists()
    centers = clerk_centers(user)
    if back_office or not centers.exists():
        return cases
    return cases.filter(Q(center__isnull=True) | Q(center__in=centers))


def cases_to_accept(*, user: Any) -> QuerySet[Case]:
    """Submitted cases waiting for 受理 in the user's departments, oldest first."""
    return cases_for_staff(user=user).filter(status=Case.Status.SUBMITTED).order_by("submitted_at", "pk")


def cases_of_applicant(*, person: Any) -> QuerySet[Case]:
    if person is None:
        return Case.objects.none()
    return (
        Case.objects.filter(Q(applicant_person=person) | Q(agent=person))
        .select_related("item_version__item", "department__region")
        .order_by("-created_at")
    )


def material_for_staff(*, user: Any, pk: int) -> SuppliedMaterial | None:
    return SuppliedMaterial.objects.filter(pk=pk, case__in=cases_for_staff(user=user)).first()


def material_for_applicant(*, person: Any, pk: int) -> SuppliedMaterial | None:
    return SuppliedMaterial.objects.filter(pk=pk, case__in=cases_of_applicant(person=person)).first()


# ---- the counter (一窗受理) -------------------------------------------------------------------------


def cases_for_clerk(*, user: Any) -> QuerySet[Case]:
    """Cases taken in at the service centres where ``user`` works as a counter clerk, newest first."""
    from onevisit.org.selectors import clerk_centers

    return (
        Case.objects.filter(center__in=clerk_centers(user))
        .select_related("item_version__item", "department__region", "applicant_person", "center")
        .order_by("-created_at", "-pk")
    )


def counter_items(*, center: Any, query: str = "") -> Any:
    """Active items with a published version of the departments the centre's windows serve (a 综合窗口
    takes any of them), found by name or code."""
    from onevisit.catalog.models import ItemVersion, ServiceItem
    from onevisit.org.models import Department

    departments = Department.objects.filter(windows__center=center).values("pk")
    items = ServiceItem.objects.filter(
        department__in=departments,
        status=ServiceItem.Status.ACTIVE,
        current_version__state=ItemVersion.State.PUBLISHED,
    ).select_related("department", "current_version")
    query = (query or "").strip()[:60]
    if query:
        items = items.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return items.distinct().order_by("department__order", "code")
