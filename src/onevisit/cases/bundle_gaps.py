"""容缺 and 告知承诺 in a bundle (decision 0010, addendum).

A merged material may be left out when every item that requires it allows it: supplied later (容缺,
a ``CaseGap`` on each such child) or replaced by a commitment (告知承诺, a ``SuppliedMaterial`` of
source ``commitment`` on each). Filing the bundle signs each item's own commitment text (see
``bundles.bundle_submit``); deadlines, reminders and termination stay each child's. After filing,
one upload on the bundle's page supplies a missing material to every item that lacks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onevisit.catalog import bundle_form
from onevisit.catalog.models import MaterialRequirement

from . import commitment as approval
from . import tolerance
from .bundles import _draft_material, _locked, children_of, material_of, plan_of
from .models import BundleCase, Case, CaseGap, SuppliedMaterial
from .services import store_upload

# Children whose gaps may be supplied: those filed and running (or approved and waiting for the
# material), and those not filed yet because they wait for another item.
SUPPLIABLE = (*tolerance.SUPPLY_STATUSES, Case.Status.WAITING, Case.Status.DRAFT)


def _asking(merged: bundle_form.MergedMaterial) -> dict[str, MaterialRequirement]:
    """The items that require the merged material, with their requirement."""
    return {code: r for code, r in merged.requirements.items() if r.required}


def _allowed_in_every_item(
    plan: bundle_form.Plan, allows: Callable[[Any, MaterialRequirement], bool]
) -> set[str]:
    """The required merged materials for which ``allows(version, requirement)`` holds in every item
    that requires them."""
    versions = {m.code: m.version for m in plan.members}
    return {
        m.key
        for m in plan.materials
        if (asking := _asking(m)) and all(allows(versions[code], r) for code, r in asking.items())
    }


def tolerable_keys(plan: bundle_form.Plan) -> set[str]:
    """The merged materials that every item requiring them marks tolerable, for items that take 容缺
    at all (credit aside: ``later_offered``, or ``tolerance.credit_ok_for`` at the counter)."""
    return _allowed_in_every_item(plan, lambda version, r: r.tolerable and tolerance.version_allows(version))


def replaceable_keys(plan: bundle_form.Plan) -> set[str]:
    """The merged materials a commitment may replace in every item requiring them (credit aside)."""
    return _allowed_in_every_item(
        plan, lambda version, r: r.commitment_replaceable and approval.item_allows(version)
    )


def _applicant(children: dict[str, Case]) -> Case | None:
    """A child, to ask about the applicant (every child has the bundle's applicant)."""
    return next(iter(children.values()), None)


def later_offered(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None, children: dict[str, Case] | None = None
) -> set[str]:
    """The merged materials this applicant may supply later: ``tolerable_keys``, with clean credit."""
    children = children if children is not None else children_of(bundle_case)
    child = _applicant(children)
    if child is None or not tolerance.credit_ok(child):
        return set()
    return tolerable_keys(plan or plan_of(bundle_case))


def promise_offered(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None, children: dict[str, Case] | None = None
) -> set[str]:
    """The merged materials a commitment may replace for this applicant: ``replaceable_keys``, with
    credit that allows 告知承诺."""
    children = children if children is not None else children_of(bundle_case)
    child = _applicant(children)
    if child is None or not approval.credit_ok(child):
        return set()
    return replaceable_keys(plan or plan_of(bundle_case))


def _in_every_item(
    bundle_case: BundleCase,
    rows: Iterable[tuple[int, int]],
    plan: bundle_form.Plan | None,
    children: dict[str, Case] | None,
) -> set[str]:
    """The merged materials for which every item requiring them has a (case, requirement) in ``rows``."""
    found = set(rows)
    if not found:
        return set()
    plan = plan or plan_of(bundle_case)
    children = children if children is not None else children_of(bundle_case)
    return {
        m.key
        for m in plan.materials
        if (asking := _asking(m)) and all((children[c].pk, r.pk) in found for c, r in asking.items())
    }


def later_keys(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None, children: dict[str, Case] | None = None
) -> set[str]:
    """The merged materials marked "supply later": every item that requires them has the gap."""
    gaps = CaseGap.objects.filter(case__bundle_case=bundle_case)
    return _in_every_item(bundle_case, gaps.values_list("case_id", "requirement_id"), plan, children)


def promise_keys(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None, children: dict[str, Case] | None = None
) -> set[str]:
    """The merged materials replaced by a commitment in every item that requires them."""
    rows = SuppliedMaterial.objects.filter(
        case__bundle_case=bundle_case, source=SuppliedMaterial.Source.COMMITMENT
    )
    return _in_every_item(bundle_case, rows.values_list("case_id", "requirement_id"), plan, children)


def _per_item(
    bundle_case: BundleCase, plan: bundle_form.Plan | None, text_of: Callable[[Case], str]
) -> dict[str, str]:
    plan = plan or plan_of(bundle_case)
    children = children_of(bundle_case)
    return {m.code: text for m in plan.members if (text := text_of(children[m.code]))}


def commitments_to_sign(bundle_case: BundleCase, plan: bundle_form.Plan | None = None) -> dict[str, str]:
    """The 容缺 commitment of each item with materials to supply later, by item code: what the check
    page shows and the applicant signs by filing."""
    return _per_item(bundle_case, plan, tolerance.text_to_sign)


def approvals_to_sign(bundle_case: BundleCase, plan: bundle_form.Plan | None = None) -> dict[str, str]:
    """The 告知承诺书 of each item with materials replaced by a commitment, by item code."""
    return _per_item(bundle_case, plan, approval.text_to_sign)


def counter_commitments(plan: bundle_form.Plan, later: list[str]) -> dict[str, str]:
    """容缺 at the counter, before anything is filed: the commitment text of each item that would
    miss materials ``later`` (merged keys), by item code — the words its case will ask for."""
    texts = {}
    for member in plan.members:
        requirements = [
            r for m in plan.materials if m.key in later for c, r in _asking(m).items() if c == member.code
        ]
        if requirements:
            requirements.sort(key=lambda r: (r.order, r.pk))
            texts[member.code] = tolerance.version_commitment_text(
                member.version, member.version.item.department, requirements
            )
    return texts


# --- While drafting -------------------------------------------------------------------------------


def _draft_targets(
    bundle_case: BundleCase, material_key: str, *, marking: bool, refusal: Callable[[str], str]
) -> list[tuple[Case, MaterialRequirement]]:
    """The children and requirements a mark on ``material_key`` applies to: the items that require it
    when marking, every item that asks for it when taking the mark back."""
    merged = _draft_material(bundle_case, material_key)
    targets = _asking(merged) if marking else merged.requirements
    if not targets:
        raise ValidationError(refusal(merged.name))
    children = children_of(bundle_case)
    return [(children[code], requirement) for code, requirement in targets.items()]


@transaction.atomic
def bundle_gap_mark(*, actor: Any, bundle_case: BundleCase, material_key: str, later: bool) -> None:
    """容缺 while drafting: mark a merged material "supply later" for every item that requires it, or
    take the mark back. Each item's own checks apply; if one refuses, nothing is marked."""
    targets = _draft_targets(
        _locked(bundle_case), material_key, marking=later,
        refusal=lambda name: _("%(name)s cannot be supplied later: the service needs it with the application.")
        % {"name": name},
    )  # fmt: skip
    for child, requirement in targets:
        tolerance.gap_mark(actor=actor, case=child, requirement=requirement, later=later)


@transaction.atomic
def bundle_promise_mark(*, actor: Any, bundle_case: BundleCase, material_key: str, replace: bool) -> None:
    """告知承诺 while drafting: replace a merged material by the commitment in every item that requires
    it, or take that back. Each item's own checks apply; if one refuses, nothing is marked."""
    targets = _draft_targets(
        _locked(bundle_case), material_key, marking=replace,
        refusal=lambda name: _("A commitment cannot replace these materials for this service: %(names)s.")
        % {"names": name},
    )  # fmt: skip
    for child, requirement in targets:
        approval.commitment_mark(actor=actor, case=child, requirement=requirement, replace=replace)


# --- After filing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenGap:
    """A merged material still to supply later in some item of a filed bundle."""

    index: int  # its place in the plan's materials (the bundle page's upload form)
    merged: bundle_form.MergedMaterial
    gaps: list[CaseGap]  # the open gaps of the children, in their order
    deadline: dt.date | None  # the earliest of the children's (none until one of them is accepted)


def gaps_open(bundle_case: BundleCase, plan: bundle_form.Plan | None = None) -> list[OpenGap]:
    plan = plan or plan_of(bundle_case)
    gaps = list(
        CaseGap.objects.filter(
            case__bundle_case=bundle_case, case__status__in=SUPPLIABLE, supplied_at__isnull=True
        ).select_related("requirement")
    )
    out = []
    for index, merged in enumerate(plan.materials):
        ids = {r.pk for r in merged.requirements.values()}
        mine = [g for g in gaps if g.requirement_id in ids]
        if mine:
            dates = [g.deadline for g in mine if g.deadline]
            out.append(OpenGap(index, merged, mine, min(dates, default=None)))
    return out


@transaction.atomic
def bundle_gap_supply(
    *, actor: Any, bundle_case: BundleCase, material_key: str, stream: IO[bytes], name: str
) -> int:
    """补交 in a bundle: one upload closes the gap of that material in every item that has it. An item
    still waiting for another gets the material now and needs no gap any more. Returns the number
    of items supplied; the file is kept once."""
    bundle_case = _locked(bundle_case)
    merged = material_of(plan_of(bundle_case), material_key)
    if bundle_case.submitted_at is None:
        raise ValidationError(_("This material is not missing from this case."))
    children = children_of(bundle_case)
    targets = []
    for code, requirement in merged.requirements.items():
        child = Case.objects.select_for_update(of=("self",)).get(pk=children[code].pk)
        gap = child.gaps.filter(requirement=requirement, supplied_at__isnull=True).first()
        if gap is not None and child.status in SUPPLIABLE:
            targets.append((child, requirement, gap))
    if not targets:
        raise ValidationError(_("This material is not missing from this case."))
    stored = None
    for child, requirement, gap in targets:
        waiting = child.status in (Case.Status.WAITING, Case.Status.DRAFT)
        if not waiting:
            gap = tolerance.open_gap(child, gap.pk)  # the deadline and the case's state
        if stored is None:
            material = stored = store_upload(
                actor=actor, case=child, requirement=requirement, stream=stream, name=name
            )
        else:
            material = SuppliedMaterial.objects.get(pk=stored.pk)
            material.pk = None
            material.case, material.requirement = child, requirement
            material.save()
        if waiting:
            gap.delete()  # not filed yet: the material is simply there when it is
        else:
            tolerance.gap_fill(actor=actor, case=child, gap=gap, material=material)
    return len(targets)
