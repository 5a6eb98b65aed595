"""一件事一次办: a bundle filed once, run as one ordinary case per item.

A ``BundleCase`` holds the merged form (``catalog.bundle_form``) and, from the start, one child case
per item in draft. What the applicant types goes to every child that asks for it; an upload goes to
every child that asks for that material. Filing the bundle files, in one transaction, every child
that waits for nothing; a child that needs another item's result waits (``Case.Status.WAITING``)
until that item is approved and its certificate issued, then is filled from the certificate and
filed by ``bundle_advance`` — a job run after any change of a child, which is idempotent. A child
whose prerequisite is refused, withdrawn or terminated is terminated with the reason.

Nothing about the bundle's progress is stored: ``bundle_status``, ``bundle_deadlines`` and
``bundle_timeline`` derive it from the children. Only ``finished_at`` records that the applicant
was told, once, that everything is done.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.catalog import bundle_form
from onevisit.catalog.models import Bundle, ItemVersion, ServiceItem
from onevisit.certificates.models import Certificate
from onevisit.core.audit import audit_log
from onevisit.core.calendar import CalendarMissing, add_working_days
from onevisit.identity.models import Organization, Person
from onevisit.org.models import ServiceCenter

from . import commitment as approval
from . import forms, tolerance
from .models import BundleCase, Case, CaseEvent, CaseGap, Channel, SuppliedMaterial
from .services import CaseStateError, case_draft_save, case_event, case_number_next, case_submit, store_upload

logger = logging.getLogger(__name__)
SYSTEM = "system"
# Children whose gaps (容缺) may be supplied: those filed and running (or approved and waiting for
# the material), and those not filed yet because they wait for another item.
SUPPLIABLE = (*tolerance.SUPPLY_STATUSES, Case.Status.WAITING, Case.Status.DRAFT)
# Events of a child that the applicant must hear of at once; the rest wait for the one message
# that the whole bundle is done.
TOLD_AT_ONCE = {
    "correction_requested",
    "gap_reminder",
    "suspended",
    "extended",
    "certificate_revoked",
    "decision_overturned",
    "bundle_needs_input",
}


# --- Reading --------------------------------------------------------------------------------------


def plan_of(bundle_case: BundleCase) -> bundle_form.Plan:
    """The merged form and materials of a running bundle, from the versions it was started with."""
    return bundle_form.plan(bundle_case.bundle, bundle_form.members_from(bundle_case.plan))


def children_of(bundle_case: BundleCase) -> dict[str, Case]:
    children = bundle_case.children.select_related("item_version__item", "department__region")
    return {c.item_version.item.code: c for c in children}


def child_data(plan: bundle_form.Plan, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the merged answers say for one item's form, by that form's field names."""
    return {f.targets[code]: data[k] for k, f in plan.fields.items() if code in f.targets and k in data}


@dataclass(frozen=True)
class Status:
    key: str  # draft, in_progress, done, done_partly, not_done
    label: str


def bundle_status(bundle_case: BundleCase, children: list[Case] | None = None) -> Status:
    """Derived from the children: still a draft, being handled, all approved, some approved, none."""
    kids = children if children is not None else list(bundle_case.children.all())
    if bundle_case.submitted_at is None:
        return Status("draft", _("Not yet submitted"))
    if any(c.status not in Case.FINISHED for c in kids):
        return Status("in_progress", _("Being handled"))
    approved = sum(c.status == Case.Status.APPROVED for c in kids)
    if approved == len(kids):
        return Status("done", _("Done: every service approved"))
    if approved:
        return Status(
            "done_partly",
            _("Finished: %(n)d of %(total)d services approved") % {"n": approved, "total": len(kids)},
        )
    return Status("not_done", _("Finished: no service approved"))


@dataclass(frozen=True)
class Deadlines:
    promised: dt.date | None  # the bundle's promised limit, from filing
    statutory: dt.date | None  # Art. 42 joint handling: 45 working days (+15 when a child was extended)
    expected: dt.date | None  # the latest promised due date of the children so far


def bundle_deadlines(bundle_case: BundleCase, children: list[Case] | None = None) -> Deadlines:
    kids = children if children is not None else list(bundle_case.children.all())
    if bundle_case.submitted_at is None:
        return Deadlines(None, None, None)
    bundle = bundle_case.bundle
    start = timezone.localtime(bundle_case.submitted_at).date()
    suspended = max((c.suspended_days for c in kids), default=0)
    extension = bundle.statutory_extension_days if any(c.extension_days for c in kids) else 0

    def due(days: int | None) -> dt.date | None:
        # A year the calendar lacks is the admin's to add; the page says the date cannot be computed.
        try:
            return add_working_days(start, days) if days is not None else None
        except CalendarMissing:
            return None

    promised = due(bundle.promised_limit_days + suspended if bundle.promised_limit_days is not None else None)
    statutory = due(bundle.statutory_limit_days + suspended + extension)
    dues = [c.promised_due for c in kids if c.promised_due]
    return Deadlines(promised, statutory, max(dues) if dues else None)


def bundle_timeline(bundle_case: BundleCase, *, public_only: bool = True) -> list[CaseEvent]:
    """Every child's timeline as one, oldest first."""
    events = CaseEvent.objects.filter(case__bundle_case=bundle_case).select_related(
        "case__item_version", "department"
    )
    if public_only:
        events = events.filter(public=True)
    return list(events.order_by("at", "pk"))


def missing(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None
) -> list[bundle_form.MergedMaterial]:
    """Merged materials still to supply: required, not the result of an earlier item, nothing uploaded
    for some item that asks for it, and no certificate or shared data standing in for it."""
    from .evidence import evidence_for

    plan = plan or plan_of(bundle_case)
    children = children_of(bundle_case)
    supplied = set(
        SuppliedMaterial.objects.filter(case__bundle_case=bundle_case).values_list(
            "case_id", "requirement_id"
        )
    )
    later = later_keys(bundle_case, plan, children)
    known: dict[str, dict[int, Any]] = {}
    out = []
    for merged in plan.materials:
        if not merged.required or merged.key in later:
            continue
        for code, requirement in merged.requirements.items():
            child = children[code]
            if not requirement.required or (child.pk, requirement.pk) in supplied:
                continue
            if merged.provided_by and merged.provided_by in plan.member(code).needs:
                continue
            if requirement.skippable:
                if code not in known:
                    known[code] = evidence_for(child)
                if requirement.pk in known[code]:
                    continue
            out.append(merged)
            break
    return out


def _asking(merged: bundle_form.MergedMaterial) -> dict[str, Any]:
    """The items that require the merged material, with their requirement."""
    return {code: r for code, r in merged.requirements.items() if r.required}


def later_offered(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None, children: dict[str, Case] | None = None
) -> set[str]:
    """容缺 in a bundle: the merged materials the applicant may supply later — those that every item
    requiring them marks tolerable, for items that take 容缺, and an applicant with clean credit.
    Each item's own rules then apply to its case (deadline, reminders, termination)."""
    plan = plan or plan_of(bundle_case)
    children = children if children is not None else children_of(bundle_case)
    first = next(iter(children.values()), None)
    if first is None or not tolerance.credit_ok(first):
        return set()
    return tolerable_keys(plan)


def tolerable_keys(plan: bundle_form.Plan) -> set[str]:
    """The merged materials that every item requiring them marks tolerable, for items that take 容缺
    at all (credit aside: ``later_offered``, or ``tolerance.credit_ok_for`` at the counter)."""
    allows = {m.code: tolerance.version_allows(m.version) for m in plan.members}
    return {
        m.key
        for m in plan.materials
        if m.required
        and (asking := _asking(m))
        and all(r.tolerable and allows[code] for code, r in asking.items())
    }


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


def later_keys(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None, children: dict[str, Case] | None = None
) -> set[str]:
    """The merged materials marked "supply later": every item that requires them has the gap."""
    gaps = CaseGap.objects.filter(case__bundle_case=bundle_case)
    return _in_every_item(bundle_case, gaps.values_list("case_id", "requirement_id"), plan, children)


def _in_every_item(
    bundle_case: BundleCase,
    rows: Any,
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


def promise_offered(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None, children: dict[str, Case] | None = None
) -> set[str]:
    """告知承诺 in a bundle: the merged materials a commitment may replace — every item requiring them
    marks them replaceable and takes 告知承诺, and the applicant's credit allows it."""
    plan = plan or plan_of(bundle_case)
    children = children if children is not None else children_of(bundle_case)
    offers = {code: approval.offered(child) for code, child in children.items()}
    return {
        m.key
        for m in plan.materials
        if (asking := _asking(m)) and all(r.commitment_replaceable and offers[c] for c, r in asking.items())
    }


def promise_keys(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None, children: dict[str, Case] | None = None
) -> set[str]:
    """The merged materials replaced by a commitment in every item that requires them."""
    rows = SuppliedMaterial.objects.filter(
        case__bundle_case=bundle_case, source=SuppliedMaterial.Source.COMMITMENT
    )
    return _in_every_item(bundle_case, rows.values_list("case_id", "requirement_id"), plan, children)


def approvals_to_sign(bundle_case: BundleCase, plan: bundle_form.Plan | None = None) -> dict[str, str]:
    """The 告知承诺 text of each item with materials replaced by a commitment, by item code."""
    plan = plan or plan_of(bundle_case)
    children = children_of(bundle_case)
    texts = {}
    for member in plan.members:
        child = children[member.code]
        if requirements := approval.replaced(child):
            texts[member.code] = approval.commitment_text(child, requirements)
    return texts


def commitments_to_sign(bundle_case: BundleCase, plan: bundle_form.Plan | None = None) -> dict[str, str]:
    """The commitment text of each item with materials to supply later, by item code: what the check
    page shows and the applicant signs by filing."""
    plan = plan or plan_of(bundle_case)
    children = children_of(bundle_case)
    texts = {}
    for member in plan.members:
        child = children[member.code]
        if child.gaps.exists() and (requirements := tolerance.to_sign(child)):
            texts[member.code] = tolerance.commitment_text(child, requirements)
    return texts


# --- Writing --------------------------------------------------------------------------------------


def _locked(bundle_case: BundleCase) -> BundleCase:
    return BundleCase.objects.select_for_update(of=("self",)).select_related("bundle").get(pk=bundle_case.pk)


@transaction.atomic
def bundle_start(
    *,
    actor: Any,
    bundle: Bundle,
    channel: str,
    form_data: dict[str, Any] | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
    agent: Person | None = None,
    center: ServiceCenter | None = None,
) -> BundleCase:
    """Open a draft bundle case with a draft child case per item (of its current published version)."""
    if bundle.state != Bundle.State.PUBLISHED:
        raise ValidationError(_("This bundle does not take applications at the moment."))
    members = bundle_form.members_of(bundle)
    for member in members:
        item = member.version.item
        if item.status != ServiceItem.Status.ACTIVE or member.version.state != ItemVersion.State.PUBLISHED:
            raise ValidationError(
                _("“%(item)s” does not take applications at the moment, so neither does the bundle.")
                % {"item": item.name}
            )
    if len(members) != bundle.members.count():
        raise ValidationError(_("This bundle does not take applications at the moment."))
    if person is None and organization is None:
        raise ValidationError(_("A case needs an applicant."))
    plan = bundle_form.plan(bundle, members)
    data = _clean(plan, form_data or {})
    bundle_case = BundleCase.objects.create(
        bundle=bundle, plan=bundle_form.snapshot(members), applicant_person=person, applicant_org=organization,
        agent=agent, channel=channel, center=center, form_data=data,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    for member in members:
        child = case_draft_save(
            actor=actor, version=member.version, form_data=child_data(plan, member.code, data), channel=channel,
            person=person, organization=organization, agent=agent, center=center,
        )  # fmt: skip
        Case.objects.filter(pk=child.pk).update(bundle_case=bundle_case)
    audit_log(actor=actor, action="bundle_case_drafted", obj=bundle_case, data={"bundle": bundle.code})
    return bundle_case


def _clean(plan: bundle_form.Plan, data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(plan.fields))
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s.") % {"names": ", ".join(unknown[:5])})
    errors = forms.validate(plan.schema(), data, only=[])
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def bundle_draft_save(
    *, actor: Any, bundle_case: BundleCase, form_data: dict[str, Any], page_fields: list[str]
) -> BundleCase:
    """Save a page of the merged form, into the bundle and every child that asks for those fields."""
    bundle_case = _locked(bundle_case)
    if bundle_case.submitted_at is not None:
        raise CaseStateError(_("This application has been submitted; it can no longer be changed."))
    plan = plan_of(bundle_case)
    data = _clean(plan, form_data)
    kept = {k: v for k, v in bundle_case.form_data.items() if k not in page_fields}
    bundle_case.form_data = {**kept, **data}
    bundle_case.save(update_fields=["form_data"])
    for code, child in children_of(bundle_case).items():
        names = [plan.fields[k].targets[code] for k in page_fields if code in plan.fields[k].targets]
        if names:
            case_draft_save(
                actor=actor, version=child.item_version, form_data=child_data(plan, code, data),
                channel=child.channel, case=child, page_fields=names,
            )  # fmt: skip
    return bundle_case


@transaction.atomic
def bundle_material_upload(
    *, actor: Any, bundle_case: BundleCase, material_key: str, stream: IO[bytes], name: str
) -> list[SuppliedMaterial]:
    """One upload for every item of the bundle that asks for the material; the file is kept once."""
    bundle_case = _locked(bundle_case)
    merged = _draft_material(bundle_case, material_key)
    children = children_of(bundle_case)
    codes = list(merged.requirements)
    first = store_upload(
        actor=actor,
        case=children[codes[0]],
        requirement=merged.requirements[codes[0]],
        stream=stream,
        name=name,
    )
    copies = [first]
    for code in codes[1:]:
        copy = SuppliedMaterial.objects.get(pk=first.pk)
        copy.pk = None
        copy.case = children[code]
        copy.requirement = merged.requirements[code]
        copy.save()
        copies.append(copy)
    return copies


@transaction.atomic
def bundle_material_remove(*, actor: Any, bundle_case: BundleCase, material_key: str) -> int:
    """Take back what was uploaded for a merged material (to upload another file)."""
    bundle_case = _locked(bundle_case)
    merged = _draft_material(bundle_case, material_key)
    ids = [r.pk for r in merged.requirements.values()]
    count, _detail = SuppliedMaterial.objects.filter(
        case__bundle_case=bundle_case, requirement_id__in=ids, source=SuppliedMaterial.Source.UPLOAD
    ).delete()
    audit_log(actor=actor, action="bundle_material_removed", obj=bundle_case, data={"material": material_key})
    return count


def _draft_material(bundle_case: BundleCase, material_key: str) -> bundle_form.MergedMaterial:
    """The merged material ``material_key`` of a draft bundle (locked by the caller)."""
    if bundle_case.submitted_at is not None:
        raise CaseStateError(_("This application has been submitted; it can no longer be changed."))
    merged = next((m for m in plan_of(bundle_case).materials if m.key == material_key), None)
    if merged is None:
        raise ValidationError(_("This material is not asked for by this bundle."))
    return merged


@transaction.atomic
def bundle_gap_mark(*, actor: Any, bundle_case: BundleCase, material_key: str, later: bool) -> None:
    """容缺 while drafting: mark a merged material "supply later" for every item that requires it, or
    take the mark back. Each item's own checks apply; if one refuses, nothing is marked."""
    bundle_case = _locked(bundle_case)
    merged = _draft_material(bundle_case, material_key)
    asking = _asking(merged) if later else merged.requirements
    if not asking:
        raise ValidationError(
            _("%(name)s cannot be supplied later: the service needs it with the application.")
            % {"name": merged.name}
        )
    children = children_of(bundle_case)
    for code, requirement in asking.items():
        tolerance.gap_mark(actor=actor, case=children[code], requirement=requirement, later=later)


@transaction.atomic
def bundle_promise_mark(*, actor: Any, bundle_case: BundleCase, material_key: str, replace: bool) -> None:
    """告知承诺 while drafting: replace a merged material by the commitment in every item that requires
    it, or take that back. Each item's own checks apply; if one refuses, nothing is marked."""
    bundle_case = _locked(bundle_case)
    merged = _draft_material(bundle_case, material_key)
    asking = _asking(merged) if replace else merged.requirements
    if not asking:
        raise ValidationError(
            _("A commitment cannot replace these materials for this service: %(names)s.")
            % {"names": merged.name}
        )
    children = children_of(bundle_case)
    for code, requirement in asking.items():
        approval.commitment_mark(actor=actor, case=children[code], requirement=requirement, replace=replace)


def gaps_open(
    bundle_case: BundleCase, plan: bundle_form.Plan | None = None
) -> list[bundle_form.MergedMaterial]:
    """After filing: the merged materials still to supply later in some item of the bundle."""
    plan = plan or plan_of(bundle_case)
    children = children_of(bundle_case)
    open_ = set(
        CaseGap.objects.filter(
            case__bundle_case=bundle_case, case__status__in=SUPPLIABLE, supplied_at__isnull=True
        ).values_list("case_id", "requirement_id")
    )
    return [
        m for m in plan.materials if any((children[c].pk, r.pk) in open_ for c, r in m.requirements.items())
    ]


@transaction.atomic
def bundle_gap_supply(
    *, actor: Any, bundle_case: BundleCase, material_key: str, stream: IO[bytes], name: str
) -> int:
    """补交 in a bundle: one upload closes the gap of that material in every item that has it. An item
    still waiting for another gets the material now and needs no gap any more. Returns the number
    of items supplied; the file is kept once."""
    bundle_case = _locked(bundle_case)
    merged = next((m for m in plan_of(bundle_case).materials if m.key == material_key), None)
    if merged is None:
        raise ValidationError(_("This material is not asked for by this bundle."))
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
            material = store_upload(
                actor=actor, case=child, requirement=requirement, stream=stream, name=name
            )
            stored = material
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


def _key(idempotency_key: uuid.UUID, code: str) -> uuid.UUID:
    """Each child's submission key, derived from the bundle's: filing again files nothing twice."""
    return uuid.uuid5(idempotency_key, code)


@transaction.atomic
def bundle_submit(
    *,
    actor: Any,
    bundle_case: BundleCase,
    idempotency_key: uuid.UUID | str,
    ip: str | None = None,
    commitments: dict[str, str] | None = None,
    approvals: dict[str, str] | None = None,
) -> BundleCase:
    """File the bundle: the children that wait for nothing are filed now, the others wait.

    ``commitments``: for each item with materials to supply later (容缺), by item code, the exact
    commitment text the applicant read (``commitments_to_sign``) and signs by filing. A waiting
    item's commitment is signed now too, and its case is filed on it once it may start.
    ``approvals``: likewise, the 告知承诺 texts (``approvals_to_sign``) of the items where a
    commitment replaces a material."""
    try:
        idempotency_key = uuid.UUID(str(idempotency_key))
    except ValueError as exc:
        raise ValidationError(_("The form has expired; open it again and submit.")) from exc
    other = BundleCase.objects.filter(idempotency_key=idempotency_key).exclude(pk=bundle_case.pk).exists()
    if other:
        raise CaseStateError(_("This submission key belongs to another case."))
    bundle_case = _locked(bundle_case)
    if bundle_case.idempotency_key == idempotency_key:
        return bundle_case
    if bundle_case.submitted_at is not None:
        raise CaseStateError(_("This application has already been submitted."))
    plan = plan_of(bundle_case)
    errors = forms.validate(plan.schema(), bundle_case.form_data)
    if errors:
        raise ValidationError(errors)
    still = missing(bundle_case, plan)
    if still:
        raise ValidationError(
            _("Upload these materials first: %(names)s.") % {"names": "、".join(m.name for m in still)}
        )
    children = children_of(bundle_case)
    first = children[plan.members[0].code]
    bundle_case.number = case_number_next(region_code=first.department.region.code, day=timezone.localdate())
    bundle_case.submitted_at = timezone.now()
    bundle_case.idempotency_key = idempotency_key
    try:
        with transaction.atomic():
            bundle_case.save(update_fields=["number", "submitted_at", "idempotency_key"])
    except IntegrityError:
        return BundleCase.objects.get(idempotency_key=idempotency_key)
    names = {m.code: m.version.name for m in plan.members}
    signed = commitments or {}
    promised = approvals or {}
    for member in plan.members:
        child = children[member.code]
        if member.needs:
            # Signed now, as the applicant read them; checked again when the item is filed.
            approval.on_submit(actor=actor, case=child, text=promised.get(member.code), ip=ip)
            if child.gaps.exists() and (later := tolerance.to_sign(child)):
                if not tolerance.credit_ok(child):
                    raise ValidationError(
                        _("Because of a bad-credit record, applications with missing materials are not open to you. Upload the missing materials to apply.")
                    )  # fmt: skip
                tolerance.commitment_sign(
                    actor=actor, case=child, requirements=later, text=signed.get(member.code), ip=ip
                )
            child.status = Case.Status.WAITING
            child.save(update_fields=["status"])
            case_event(
                child, kind="bundle_waiting", actor=actor, public=True,
                message=_("Part of %(bundle)s (%(number)s); handled once this is done: %(needs)s.")
                % {"bundle": bundle_case.bundle.name, "number": bundle_case.number,
                   "needs": "、".join(names[n] for n in sorted(member.needs))},
            )  # fmt: skip
        else:
            case_submit(
                actor=actor, case=child, idempotency_key=_key(idempotency_key, member.code), ip=ip,
                commitment=signed.get(member.code), approval_commitment=promised.get(member.code),
            )  # fmt: skip
    audit_log(
        actor=actor, action="bundle_case_submitted", obj=bundle_case, data={"number": bundle_case.number}
    )
    return bundle_case


def bundle_instant(*, actor: Any, bundle_case: BundleCase, codes: list[str] | None = None) -> None:
    """Let the published rules decide at once the just-filed children (of ``codes``, else all those
    that wait for nothing) that are 秒批 items. Run after filing, outside its transaction."""
    from . import instant

    plan = plan_of(bundle_case)
    wanted = codes if codes is not None else [m.code for m in plan.members if not m.needs]
    for code, child in children_of(bundle_case).items():
        if code not in wanted or child.status != Case.Status.SUBMITTED or not instant.is_instant(child):
            continue
        if child.events.filter(kind="instant_manual").exists():
            continue
        try:
            instant.case_instant_decide(actor=actor, case=child)
        except Exception:  # the child is filed; if the rules fail, people take it over
            logger.exception("instant decision failed for case %s", child.number)


def _certificate_values(plan: bundle_form.Plan, code: str, children: dict[str, Case]) -> dict[str, Any]:
    """The fields of item ``code`` that the certificates of the items it waited for fill in."""
    values: dict[str, Any] = {}
    schema = plan.member(code).version.form.schema.get("properties") or {}
    for name, source in (plan.provided.get(code) or {}).items():
        number = children[source].certificate_number
        certificate = (
            Certificate.objects.filter(number=number).select_related("type").first() if number else None
        )
        if certificate is None:
            continue
        element = str(schema.get(name, {}).get("x-data-element") or name)
        for key, value in certificate.data.items():
            if element in (key, f"org.{key}", f"{certificate.type.code}.{key}") and value not in (None, ""):
                values[name] = value
    return values


def _ready(need: Case) -> bool:
    return need.status == Case.Status.APPROVED and (
        not need.item_version.certificate_type or bool(need.certificate_number)
    )


@transaction.atomic
def bundle_advance(*, actor: Any = SYSTEM, bundle_case_id: int) -> dict[str, int]:
    """File the children whose prerequisites are done, terminate those whose prerequisites failed,
    and tell the applicant once when every child is finished. Safe to run any number of times."""
    bundle_case = (
        BundleCase.objects.select_for_update().select_related("bundle").filter(pk=bundle_case_id).first()
    )
    done = {"filed": 0, "terminated": 0, "finished": 0}
    if bundle_case is None or bundle_case.submitted_at is None or bundle_case.idempotency_key is None:
        return done
    plan = plan_of(bundle_case)
    children = children_of(bundle_case)
    names = {m.code: m.version.name for m in plan.members}
    for member in plan.members:
        child = children[member.code]
        if child.status != Case.Status.WAITING:
            continue
        needs = [children[n] for n in sorted(member.needs)]
        failed = [n for n in needs if n.status in Case.FINISHED and n.status != Case.Status.APPROVED]
        if failed:
            _terminate(actor, child, _("%(items)s was not approved, so this service is not handled.")
                       % {"items": "、".join(names[n.item_version.item.code] for n in failed)})  # fmt: skip
            done["terminated"] += 1
        elif all(_ready(n) for n in needs):
            done["filed"] += _release(actor, bundle_case, plan, member.code, child, children)
    fresh = list(bundle_case.children.select_related("item_version"))
    # Done when every child is finished and every approval's certificate is in the wallet.
    if bundle_case.finished_at is None and all(
        c.status in Case.FINISHED and (c.status != Case.Status.APPROVED or _ready(c)) for c in fresh
    ):
        bundle_case.finished_at = timezone.now()
        bundle_case.save(update_fields=["finished_at"])
        from .tasks import bundle_case_notify

        bundle_case_notify.enqueue(bundle_case_id=bundle_case.pk)
        audit_log(
            actor=actor, action="bundle_case_finished", obj=bundle_case, data={"number": bundle_case.number}
        )
        done["finished"] = 1
    return done


def _terminate(actor: Any, child: Case, reason: str) -> None:
    child.status = Case.Status.TERMINATED
    child.decided_at = timezone.now()
    child.save(update_fields=["status", "decided_at"])
    case_event(child, kind="terminated", actor=actor, message=reason)
    audit_log(actor=actor, action="case_terminated", obj=child, data={"reason": reason})


def _release(
    actor: Any,
    bundle_case: BundleCase,
    plan: bundle_form.Plan,
    code: str,
    child: Case,
    children: dict[str, Case],
) -> int:
    """Fill in what the earlier items' certificates say, and file the child; if its form or
    materials are still incomplete, hand it back to the applicant as a draft."""
    filled = _certificate_values(plan, code, children)
    child.form_data = {
        **child.form_data,
        **{k: v for k, v in filled.items() if child.form_data.get(k) in (None, "")},
    }
    child.status = Case.Status.DRAFT
    child.save(update_fields=["form_data", "status"])
    assert bundle_case.idempotency_key is not None
    try:
        with transaction.atomic():
            case_submit(actor=actor, case=child, idempotency_key=_key(bundle_case.idempotency_key, code))
    except ValidationError as exc:
        case_event(
            child, kind="bundle_needs_input", actor=actor,
            message=_("The earlier services are done; this one needs your input before it can be filed: %(why)s")
            % {"why": " ".join(exc.messages)[:300]},
        )  # fmt: skip
        return 0
    bundle_instant(actor=actor, bundle_case=bundle_case, codes=[code])
    return 1


def bundle_case_send(*, bundle_case_id: int) -> bool:
    """The one message that the whole bundle is finished, with what each service came to."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from onevisit.identity.notify import applicants_notify, site_link

    bundle_case = BundleCase.objects.select_related("bundle").get(pk=bundle_case_id)
    children = list(bundle_case.children.select_related("item_version"))
    people = [p for p in (bundle_case.applicant_person_id, bundle_case.agent_id) if p]
    with translation.override(settings.LANGUAGE_CODE):
        status = bundle_status(bundle_case, children)
        lines = "\n".join(f"- {c.item_version.name}: {c.get_status_display()}" for c in children)
        text = _("[Government services] %(bundle)s %(number)s: %(status)s.") % {
            "bundle": bundle_case.bundle.name, "number": bundle_case.number, "status": status.label,
        }  # fmt: skip
        link = site_link(reverse("portal:bundle_case", args=[bundle_case.pk]))
        body = _("Hello,\n\n%(bundle)s (%(number)s) is finished: %(status)s.\n\n%(lines)s\n\n"
                 "Certificates are in your wallet. See everything: %(link)s\n") % {
            "bundle": bundle_case.bundle.name, "number": bundle_case.number, "status": status.label,
            "lines": lines, "link": link,
        }  # fmt: skip
    applicants_notify(person_ids=people, sms_text=text, email_subject=text, email_body=body)
    return True


@transaction.atomic
def bundle_counter_intake(
    *,
    actor: Any,
    center: ServiceCenter,
    bundle: Bundle,
    person: Person,
    organization: Organization | None = None,
    form_data: dict[str, Any],
    paper: list[str],
    idempotency_key: uuid.UUID,
    later: list[str] | None = None,
    commitments: dict[str, str] | None = None,
) -> BundleCase:
    """一件事 at the counter, in one sitting and all or nothing: the merged form, the paper originals
    the clerk checked (one tick per merged material serves every item), filing, and 受理 of every
    service that waits for nothing (秒批 ones are decided at once). One visit for each service.

    容缺: ``later`` are the merged materials the applicant will supply online; ``commitments`` the
    texts (``counter_commitments``) the applicant read and signed in front of the clerk, by item code
    (None until the clerk confirms they did)."""
    from django.db.models import F

    from .counter import material_record_paper
    from .instant import case_instant_decide, is_instant
    from .services import case_accept

    existing = BundleCase.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    bundle_case = bundle_start(
        actor=actor, bundle=bundle, channel=Channel.COUNTER, form_data=form_data,
        person=None if organization else person, organization=organization,
        agent=person if organization else None, center=center,
    )  # fmt: skip
    plan = plan_of(bundle_case)
    children = children_of(bundle_case)
    by_key = {m.key: m for m in plan.materials}
    for key in paper:
        merged = by_key.get(key)
        if merged is None:
            raise ValidationError(_("This material is not asked for by this bundle."))
        for code, requirement in merged.requirements.items():
            if not (merged.provided_by and merged.provided_by in plan.member(code).needs):
                material_record_paper(actor=actor, case=children[code], requirement=requirement)
    for key in later or []:
        if key in paper:
            raise ValidationError(
                _("%(names)s: not missing (checked, scanned or known from shared data), so it cannot be supplied later. Untick “supply later”.")
                % {"names": by_key[key].name if key in by_key else key}
            )  # fmt: skip
        bundle_gap_mark(actor=actor, bundle_case=bundle_case, material_key=key, later=True)
    if later and commitments is None:
        raise ValidationError(
            {"commitment_read": _("Let the applicant read the commitment below and sign it, then tick that they did and accept again.")}
        )  # fmt: skip
    bundle_case = bundle_submit(
        actor=actor, bundle_case=bundle_case, idempotency_key=idempotency_key, commitments=commitments
    )
    for child in bundle_case.children.filter(gaps__isnull=False).distinct():
        case_event(child, kind="commitment_witnessed", actor=actor, public=False,
                   message=_("The applicant read and signed the commitment at the counter; the clerk confirmed it."))  # fmt: skip
    # The one visit counts for every service: those accepted now count it at acceptance.
    accepted_now = []
    for child in bundle_case.children.filter(status=Case.Status.SUBMITTED):
        if is_instant(child):
            result = case_instant_decide(actor=actor, case=child)
            if result is not None and result.outcome != "manual":
                continue
        case_accept(actor=actor, case=child, at_counter=True)
        accepted_now.append(child.pk)
    Case.objects.filter(bundle_case=bundle_case).exclude(pk__in=accepted_now).update(visits=F("visits") + 1)
    return bundle_case
