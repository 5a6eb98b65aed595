"""Scoped reads of cases: staff see the cases of their departments, applicants their own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from onevisit.org.models import Department, Role, StaffRole

from .models import BundleCase, Case, SuppliedMaterial

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


# ---- the inbox (待办) and its filters ----------------------------------------------------------------

CLAIM_FILTERS = ("open", "mine", "others")
URGENCIES = ("red", "yellow", "normal")


@dataclass(frozen=True)
class InboxFilters:
    """What the officer narrowed the inbox to; an empty value means "any". Values are already
    checked against the officer's choices by the page, and narrowed again here (never widened)."""

    department: str = ""  # department code
    claim: str = ""  # one of CLAIM_FILTERS
    urgency: str = ""  # one of URGENCIES
    item: str = ""  # service item code
    number: str = ""  # part of a case number


@dataclass(frozen=True)
class InboxRow:
    work_item: Any
    urgency: str
    case: Case | None


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]
    counts: dict[str, int]  # per urgency, under every filter except the urgency filter itself
    to_accept: QuerySet[Case]


def inbox_departments(*, user: Any) -> QuerySet[Department]:
    """The departments whose work the user may filter the inbox by: their own, nothing else."""
    return Department.objects.filter(pk__in=_staff_departments(user)).order_by("order", "code")


def inbox_items(*, user: Any) -> list[tuple[str, str]]:
    """(code, name) of the service items that have an open step or a case waiting for acceptance
    in the user's inbox: the choices of the item filter."""
    from onevisit.catalog.models import ServiceItem
    from onevisit.workflow.selectors import work_items_for_department

    instances = work_items_for_department(user=user).values("instance_id")
    waiting = cases_to_accept(user=user).values("pk")
    return list(
        ServiceItem.objects.filter(
            Q(versions__cases__process_instance__in=instances) | Q(versions__cases__in=waiting)
        )
        .distinct()
        .order_by("code")
        .values_list("code", "name")
    )


def inbox_for_staff(*, user: Any, filters: InboxFilters, today: dt.date) -> Inbox:
    """The steps of the user's departments, due first, narrowed by ``filters``, with the count per
    urgency (红/黄/正常) of what the other filters leave; and the cases waiting for acceptance,
    narrowed by the department, item and case-number filters."""
    from onevisit.workflow.models import WorkItem
    from onevisit.workflow.selectors import work_item_urgency, work_items_for_department

    items = work_items_for_department(
        user=user, department_codes=[filters.department] if filters.department else None
    )
    if filters.claim == "open":
        items = items.filter(status=WorkItem.Status.OPEN)
    elif filters.claim == "mine":
        items = items.filter(status=WorkItem.Status.CLAIMED, assignee=user)
    elif filters.claim == "others":
        items = items.filter(status=WorkItem.Status.CLAIMED).exclude(assignee=user)
    if filters.item:
        items = items.filter(instance__case__item_version__item__code=filters.item)
    if filters.number:
        items = items.filter(instance__case__number__icontains=filters.number)
    steps = list(items)
    case_of = {
        c.process_instance_id: c
        for c in Case.objects.filter(process_instance__in=[i.instance_id for i in steps]).select_related(
            "item_version"
        )
    }
    rows = [InboxRow(i, work_item_urgency(i, today), case_of.get(i.instance_id)) for i in steps]
    counts = {level: sum(1 for r in rows if r.urgency == level) for level in URGENCIES}
    if filters.urgency:
        rows = [r for r in rows if r.urgency == filters.urgency]
    to_accept = cases_to_accept(user=user).select_related("item_version")
    if filters.department:
        to_accept = to_accept.filter(department__code=filters.department)
    if filters.item:
        to_accept = to_accept.filter(item_version__item__code=filters.item)
    if filters.number:
        to_accept = to_accept.filter(number__icontains=filters.number)
    return Inbox(rows=rows, counts=counts, to_accept=to_accept)


def cases_of_applicant(*, person: Any) -> QuerySet[Case]:
    if person is None:
        return Case.objects.none()
    return (
        Case.objects.filter(Q(applicant_person=person) | Q(agent=person))
        .select_related("item_version__item", "department__region")
        .order_by("-created_at")
    )


def bundle_cases_of_applicant(*, person: Any) -> QuerySet[BundleCase]:
    """一件事 the person filed for themselves or as an agent."""
    if person is None:
        return BundleCase.objects.none()
    return (
        BundleCase.objects.filter(Q(applicant_person=person) | Q(agent=person))
        .select_related("bundle")
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


def counter_items(*, center: Any, query: str = "", audience: str | None = None) -> Any:
    """Active items with a published version of the departments the centre's windows serve (a 综合窗口
    takes any of them), found by name or code; only those for ``audience`` (person or organization)
    when given."""
    from onevisit.catalog.models import ItemVersion, ServiceItem
    from onevisit.org.models import Department

    departments = Department.objects.filter(windows__center=center).values("pk")
    items = ServiceItem.objects.filter(
        department__in=departments,
        status=ServiceItem.Status.ACTIVE,
        current_version__state=ItemVersion.State.PUBLISHED,
    ).select_related("department", "current_version")
    if audience is not None:
        items = items.filter(audience=audience)
    query = (query or "").strip()[:60]
    if query:
        items = items.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return items.distinct().order_by("department__order", "code")


def authorization_for(*, organization: Any, agent: Any, item_code: str | None = None) -> Any:
    """The authorization in force today that lets ``agent`` act for ``organization`` (on
    ``item_code`` when given), or None."""
    from onevisit.identity.selectors import authorizations_valid

    for authorization in authorizations_valid(agent=agent).filter(grantor=organization):
        if item_code is None or authorization.covers(item_code):
            return authorization
    return None


def authorized_item_codes(*, organization: Any, agent: Any) -> set[str] | None:
    """The item codes ``agent`` may apply for on behalf of ``organization`` today: None for every item,
    else the union of the codes listed by the authorizations in force."""
    from onevisit.identity.models import AuthorizationScope
    from onevisit.identity.selectors import authorizations_valid

    codes: set[str] = set()
    for authorization in authorizations_valid(agent=agent).filter(grantor=organization):
        if authorization.scope == AuthorizationScope.ALL:
            return None
        codes.update(authorization.item_codes or [])
    return codes
