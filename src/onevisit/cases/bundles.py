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
from .models import BundleCase, Case, CaseEvent, SuppliedMaterial
from .services import CaseStateError, case_draft_save, case_event, case_number_next, case_submit, store_upload

logger = logging.getLogger(__name__)
SYSTEM = "system"
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
    from .bundle_gaps import later_keys

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
    return material_of(plan_of(bundle_case), material_key)


def material_of(plan: bundle_form.Plan, material_key: str) -> bundle_form.MergedMaterial:
    """The merged material ``material_key`` of the plan, or a message that the bundle does not ask for it."""
    merged = next((m for m in plan.materials if m.key == material_key), None)
    if merged is None:
        raise ValidationError(_("This material is not asked for by this bundle."))
    return merged


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
            tolerance.gaps_commit(
                actor=actor,
                case=child,
                later=tolerance.to_sign(child),
                commitment=signed.get(member.code),
                ip=ip,
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
