"""Writes of cases. Each state change is one call: the change, its timeline line and its audit event
in one transaction; the workflow is driven from here (the workflow knows nothing of cases).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.catalog.models import ItemVersion, MaterialRequirement
from onevisit.core.audit import audit_log
from onevisit.core.calendar import add_working_days
from onevisit.identity.models import Organization, Person
from onevisit.org.models import Department, ServiceCenter

from . import forms, uploads
from .models import Case, CaseCounter, CaseEvent, Channel, Decision, ExtensionRequest, SuppliedMaterial


class CaseStateError(ValidationError):
    """The action does not fit the case's current state; nothing was changed."""


def _require(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise CaseStateError(
            _("This cannot be done while the case is “%(status)s”.") % {"status": case.get_status_display()}
        )


def _instance(case: Case) -> Any:
    """The case's process instance (it exists from acceptance on)."""
    if case.process_instance is None:
        raise CaseStateError(_("This case has not been accepted yet."))
    return case.process_instance


def case_locked(case: Case) -> Case:
    """The case row, locked. Only that row (``of=self``): locking the joined department or version
    too would serialise every case of a department, and deadlock with other writers, whose
    foreign-key checks at commit need those rows while they hold the audit chain's head."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version__item", "department__region")
        .get(pk=case.pk)
    )


def case_event(
    case: Case,
    *,
    kind: str,
    message: str,
    actor: Any,
    public: bool = True,
    department: Department | None = None,
    data: dict | None = None,
) -> CaseEvent:
    """A timeline line; a public line is also sent to the applicant after the commit. A line of a
    bundle's child is sent only when the applicant must act (``bundles.TOLD_AT_ONCE``): the bundle
    tells them once when everything is done. Any change of a child moves its bundle on."""
    from .bundles import TOLD_AT_ONCE
    from .tasks import bundle_case_advance, case_event_notify

    label = str(
        getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "") or actor or ""
    )
    event = CaseEvent.objects.create(
        case=case, kind=kind, message=message[:500], actor_label=label[:150], public=public,
        department=department or case.department, data=data or {},
    )  # fmt: skip
    if public and (case.bundle_case_id is None or kind in TOLD_AT_ONCE):
        case_event_notify.enqueue(event_id=event.pk)
    if case.bundle_case_id is not None and kind not in ("bundle_waiting", "bundle_needs_input"):
        bundle_case_advance.enqueue(bundle_case_id=case.bundle_case_id)
    return event


def case_number_next(*, region_code: str, day: dt.date) -> str:
    """Region code + date + sequence. Unique under concurrency (the counter row is locked); gaps
    appear when a transaction that took a number rolls back, which the rules tolerate."""
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(
        region_code=region_code, day=day
    )
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{region_code}{day:%Y%m%d}{counter.last:05d}"


def case_deadlines(case: Case) -> tuple[dt.date | None, dt.date | None]:
    """(promised, statutory) due dates: working days from acceptance, plus suspension and extension."""
    version = case.item_version
    if case.accepted_on is None:
        return None, None
    extra = case.suspended_days
    promised = add_working_days(case.accepted_on, (version.promised_limit_days or 0) + extra)
    statutory = add_working_days(
        case.accepted_on, (version.statutory_limit_days or 0) + extra + case.extension_days
    )
    return promised, statutory


@transaction.atomic
def case_draft_save(
    *,
    actor: Any,
    version: ItemVersion,
    form_data: dict[str, Any],
    channel: str,
    person: Person | None = None,
    organization: Organization | None = None,
    agent: Person | None = None,
    center: ServiceCenter | None = None,
    case: Case | None = None,
    page_fields: list[str] | None = None,
) -> Case:
    """Save what the applicant has typed so far (validated only for unknown or oversized fields).

    ``page_fields`` names the fields of the page being saved: those left empty are cleared.
    """
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    schema = version.form.schema
    errors = {k: v for k, v in forms.validate(schema, form_data, only=[]).items()}
    if errors:
        raise ValidationError(errors)
    if case is None:
        if version.state != ItemVersion.State.PUBLISHED or version.item.status != "active":
            raise ValidationError(_("This service does not take applications at the moment."))
        if person is None and organization is None:
            raise ValidationError(_("A case needs an applicant."))
        case = Case.objects.create(
            item_version=version, department=version.item.department, applicant_person=person,
            applicant_org=organization, agent=agent, channel=channel, center=center, form_data=form_data,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        audit_log(actor=actor, action="case_drafted", obj=case, data={"item": version.item.code})
        return case
    case = case_locked(case)
    _require(case, Case.Status.DRAFT, Case.Status.CORRECTION)
    kept = {k: v for k, v in case.form_data.items() if k not in (page_fields or [])}
    case.form_data = {**kept, **form_data}
    case.save(update_fields=["form_data"])
    return case


@transaction.atomic
def material_upload(
    *, actor: Any, case: Case, requirement: MaterialRequirement, stream: IO[bytes], name: str
) -> SuppliedMaterial:
    case = case_locked(case)
    _require(case, Case.Status.DRAFT, Case.Status.CORRECTION, Case.Status.SUBMITTED)
    return store_upload(actor=actor, case=case, requirement=requirement, stream=stream, name=name)


def store_upload(
    *, actor: Any, case: Case, requirement: MaterialRequirement, stream: IO[bytes], name: str
) -> SuppliedMaterial:
    """Check and keep an uploaded material (the caller holds the case's lock and checked its state)."""
    if requirement.version_id != case.item_version_id:
        raise ValidationError(_("This material is not asked for by this service."))
    checked = uploads.check_upload(stream, name)
    material = SuppliedMaterial(
        case=case, requirement=requirement, source=SuppliedMaterial.Source.UPLOAD, original_name=checked.name,
        content_type=checked.content_type, extension=checked.extension, size=len(checked.content),
        sha256=checked.sha256,
    )  # fmt: skip
    material.file.save("upload", ContentFile(checked.content), save=False)
    material.save()
    audit_log(
        actor=actor,
        action="material_uploaded",
        obj=material,
        data={"case": case.pk, "sha256": checked.sha256},
    )
    return material


def missing_materials(case: Case, *, known: dict[int, Any] | None = None) -> list[MaterialRequirement]:
    """Required materials with nothing supplied and no certificate or shared data of the applicant to stand in."""
    from .evidence import evidence_for

    supplied = set(case.materials.values_list("requirement_id", flat=True))
    required = [m for m in case.item_version.materials.all() if m.required and m.pk not in supplied]
    if known is None:
        known = evidence_for(case) if any(m.skippable for m in required) else {}
    return [m for m in required if m.pk not in known]


@transaction.atomic
def case_submit(
    *,
    actor: Any,
    case: Case,
    idempotency_key: uuid.UUID | str,
    commitment: str | None = None,
    ip: str | None = None,
    approval_commitment: str | None = None,
) -> Case:
    """File the case. The same key always gives the same case: a double click files one case.

    Materials marked "supply later" (容缺) need ``commitment``: the exact text the applicant read
    and signed by submitting (see ``tolerance``). Materials replaced by a commitment (告知承诺) need
    ``approval_commitment``, likewise (see ``commitment``)."""
    try:
        idempotency_key = uuid.UUID(str(idempotency_key))
    except ValueError as exc:
        raise ValidationError(_("The form has expired; open it again and submit.")) from exc
    existing = Case.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.pk != case.pk:
        raise CaseStateError(_("This submission key belongs to another case."))
    # Lock, then look again: a concurrent submit with the same key may have just committed.
    case = case_locked(case)
    if case.idempotency_key == idempotency_key:
        return case
    _require(case, Case.Status.DRAFT, Case.Status.CORRECTION)
    errors = forms.validate(case.item_version.form.schema, case.form_data)
    if errors:
        raise ValidationError(errors)
    from . import tolerance
    from .evidence import evidence_for, evidence_use, trusted_apply

    known = evidence_for(case)
    missing = missing_materials(case, known=known)
    tolerance.on_submit(actor=actor, case=case, missing=missing, commitment=commitment, ip=ip)
    from . import commitment as approval

    promise = approval.on_submit(actor=actor, case=case, text=approval_commitment, ip=ip)
    correcting = case.status == Case.Status.CORRECTION
    if not case.number:
        case.number = case_number_next(region_code=case.department.region.code, day=timezone.localdate())
    case.status = Case.Status.SUBMITTED
    case.submitted_at = timezone.now()
    case.idempotency_key = idempotency_key
    try:
        with transaction.atomic():
            case.save(update_fields=["number", "status", "submitted_at", "idempotency_key"])
    except IntegrityError:
        return Case.objects.get(idempotency_key=idempotency_key)
    evidence_use(actor=actor, case=case, known=known)
    trusted_apply(actor=actor, case=case)
    case_event(
        case, kind="corrected" if correcting else "submitted", actor=actor,
        message=_("The corrected application was submitted.") if correcting else _("The application was submitted; case number %(number)s.") % {"number": case.number},
    )  # fmt: skip
    if missing:
        case_event(case, kind="gaps_committed", actor=actor,
               message=_("Filed with materials to supply later (容缺): %(names)s. The commitment to supply them is signed.")
               % {"names": "、".join(m.name for m in missing)})  # fmt: skip
    if promise is not None:
        case_event(case, kind="commitment_signed", actor=actor,
               message=_("Filed on a commitment (告知承诺) instead of: %(names)s.")
               % {"names": "、".join(m.name for m in approval.replaced(case))})  # fmt: skip
    audit_log(actor=actor, action="case_submitted", obj=case, data={"number": case.number})
    return case


@transaction.atomic
def case_request_correction(*, actor: Any, case: Case, missing: list[MaterialRequirement], note: str) -> Case:
    """一次性告知 (Art. 32): everything missing, told at once."""
    case = case_locked(case)
    _require(case, Case.Status.SUBMITTED)
    note = (note or "").strip()
    if not missing and not note:
        raise ValidationError(_("List every missing material or explain what must be corrected."))
    wrong = [m for m in missing if m.version_id != case.item_version_id]
    if wrong:
        raise ValidationError(_("A listed material is not asked for by this service."))
    case.status = Case.Status.CORRECTION
    case.save(update_fields=["status"])
    case_event(case, kind="correction_requested", actor=actor,
           message=_("Please supply or correct, all at once: %(list)s") % {"list": "；".join([*(m.name for m in missing), *([note] if note else [])])},
           data={"missing": [m.pk for m in missing], "note": note})  # fmt: skip
    audit_log(
        actor=actor, action="case_correction_requested", obj=case, data={"missing": [m.pk for m in missing]}
    )
    return case


@transaction.atomic
def case_accept(*, actor: Any, case: Case, on: dt.date | None = None, at_counter: bool = False) -> Case:
    """受理: deadlines start and the item's process starts."""
    from onevisit.workflow.services import process_start

    case = case_locked(case)
    _require(case, Case.Status.SUBMITTED)
    case.accepted_on = on or timezone.localdate()
    case.status = Case.Status.ACCEPTED
    case.promised_due, case.statutory_due = case_deadlines(case)
    from . import tolerance

    gaps = tolerance.on_accept(actor=actor, case=case)
    if at_counter:
        case.visits += 1
    version = case.item_version
    case.process_instance = process_start(
        actor=actor,
        bpmn_xml=version.process.bpmn_xml,
        data={"case_number": case.number},
        started_on=case.accepted_on,
    )
    case.save(
        update_fields=["accepted_on", "status", "promised_due", "statutory_due", "visits", "process_instance"]
    )
    case_event(case, kind="accepted", actor=actor,
           message=_("Accepted. Promised by %(date)s.") % {"date": f"{case.promised_due:%Y年%m月%d日}"})  # fmt: skip
    if gaps:
        case_event(case, kind="accepted_with_gaps", actor=actor, message=tolerance.accepted_message(gaps))
    audit_log(actor=actor, action="case_accepted", obj=case, data={"on": case.accepted_on.isoformat()})
    return case


@transaction.atomic
def case_refuse(*, actor: Any, case: Case, reasons: str, legal_basis: str, at_counter: bool = False) -> Case:
    """不予受理, with reasons and legal basis (both required)."""
    case = case_locked(case)
    _require(case, Case.Status.SUBMITTED, Case.Status.CORRECTION)
    _decide(
        actor=actor,
        case=case,
        outcome=Decision.Outcome.NOT_ACCEPTED,
        reasons=reasons,
        legal_basis=legal_basis,
    )
    if at_counter:
        Case.objects.filter(pk=case.pk).update(visits=F("visits") + 1)
    return case


@transaction.atomic
def case_withdraw(*, actor: Any, case: Case, reason: str = "") -> Case:
    case = case_locked(case)
    _require(case, Case.Status.DRAFT, *Case.OPEN)
    if case.process_instance_id:
        from onevisit.workflow.services import process_cancel

        process_cancel(actor=actor, instance=_instance(case), reason="withdrawn")
    case.status = Case.Status.WITHDRAWN
    case.decided_at = timezone.now()
    case.save(update_fields=["status", "decided_at"])
    case_event(
        case,
        kind="withdrawn",
        actor=actor,
        message=_("The applicant withdrew the application."),
        data={"reason": reason},
    )
    audit_log(actor=actor, action="case_withdrawn", obj=case, data={"reason": reason})
    return case


def _decide(
    *, actor: Any, case: Case, outcome: str, reasons: str, legal_basis: str, rule_trace: dict | None = None
) -> Decision:
    reasons, legal_basis = (reasons or "").strip(), (legal_basis or "").strip()
    if outcome != Decision.Outcome.APPROVE and not (reasons and legal_basis):
        errors = {}
        if not reasons:
            errors["reasons"] = _("Give the reasons for the decision; the applicant reads them.")
        if not legal_basis:
            errors["legal_basis"] = _("Give the legal basis (law and article) of the decision.")
        raise ValidationError(errors)
    decision = Decision.objects.create(
        case=case, outcome=outcome, reasons=reasons, legal_basis=legal_basis,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None, rule_trace=rule_trace or {},
    )  # fmt: skip
    case.status = {
        Decision.Outcome.APPROVE: Case.Status.APPROVED,
        Decision.Outcome.REJECT: Case.Status.REJECTED,
        Decision.Outcome.NOT_ACCEPTED: Case.Status.NOT_ACCEPTED,
    }[Decision.Outcome(outcome)]
    case.decided_at = timezone.now()
    case.save(update_fields=["status", "decided_at"])
    if outcome == Decision.Outcome.APPROVE:
        from .issuance import schedule

        schedule(case)
    case_event(
        case,
        kind=f"decided_{outcome}",
        actor=actor,
        message=_("Decision: %(outcome)s. %(reasons)s")
        % {"outcome": decision.get_outcome_display(), "reasons": reasons},
    )
    audit_log(
        actor=actor, action="case_decided", obj=case, data={"outcome": outcome, "legal_basis": legal_basis}
    )
    return decision


# ---- steps, corrections, special procedures and extensions after acceptance ---------------------

STEP_DECISIONS = ("approve", "reject", "return")
SPECIAL_PROCEDURES = {
    "hearing": _("hearing (听证)"),
    "testing": _("testing or inspection (检验检测)"),
    "expert_review": _("expert review (专家评审)"),
    "quarantine": _("quarantine (检疫)"),
}  # fmt: skip


def _refresh_deadlines(case: Case) -> None:
    case.promised_due, case.statutory_due = case_deadlines(case)
    case.save(update_fields=["promised_due", "statutory_due", "suspended_days", "extension_days", "status"])


@transaction.atomic
def case_step_complete(
    *, actor: Any, case: Case, work_item: Any, decision: str, opinion: str, legal_basis: str = ""
) -> Case:
    """An officer finishes a step: approve (the process goes on), reject (with reasons and legal
    basis; the case ends) or return for correction (the clock stops until the applicant answers)."""
    from onevisit.workflow.services import process_cancel, process_suspend, work_item_complete

    case = case_locked(case)
    _require(case, Case.Status.ACCEPTED)
    if work_item.instance_id != case.process_instance_id:
        raise CaseStateError(_("This step does not belong to this case."))
    if decision not in STEP_DECISIONS:
        raise ValidationError({"decision": _("Choose approve, reject or return for correction.")})
    opinion = (opinion or "").strip()
    if decision == "return":
        if not opinion:
            raise ValidationError({"opinion": _("Say exactly what the applicant must supply or correct.")})
        process_suspend(actor=actor, instance=_instance(case), on=timezone.localdate(), reason="correction")
        case.status = Case.Status.CORRECTION
        case.save(update_fields=["status"])
        case_event(case, kind="correction_requested", actor=actor, department=work_item.department,
               message=_("Please supply or correct, all at once: %(list)s") % {"list": opinion}, data={"step": work_item.name})  # fmt: skip
        audit_log(actor=actor, action="case_returned", obj=case, data={"work_item": work_item.pk})
        return case
    if decision == "reject":
        _decide(
            actor=actor, case=case, outcome=Decision.Outcome.REJECT, reasons=opinion, legal_basis=legal_basis
        )
        instance = work_item_complete(
            actor=actor, work_item=work_item, result={"decision": decision, "opinion": opinion}
        )
        if instance.status != "completed":  # a refusal at the last step has nothing left to stop
            process_cancel(actor=actor, instance=instance, reason="rejected")
        return case
    instance = work_item_complete(
        actor=actor, work_item=work_item, result={"decision": decision, "opinion": opinion}
    )
    case_event(case, kind="step_completed", actor=actor, department=work_item.department,
           message=_("%(step)s done by %(department)s.") % {"step": work_item.name, "department": work_item.department.name},
           data={"opinion": opinion})  # fmt: skip
    if instance.status == "completed":
        basis = "；".join(f"{b.get('law', '')}{b.get('article', '')}" for b in case.item_version.legal_basis)
        _decide(actor=actor, case=case, outcome=Decision.Outcome.APPROVE, reasons=opinion, legal_basis=basis)
    return case


@transaction.atomic
def case_resubmit_correction(*, actor: Any, case: Case) -> Case:
    """The applicant answered a correction asked after acceptance: the clock runs again."""
    from onevisit.workflow.services import process_resume

    case = case_locked(case)
    _require(case, Case.Status.CORRECTION)
    if case.accepted_on is None:
        raise CaseStateError(_("This case was not accepted yet; submit it again instead."))
    errors = forms.validate(case.item_version.form.schema, case.form_data)
    if errors:
        raise ValidationError(errors)
    return _resume(actor=actor, case=case, on=timezone.localdate(), resume=process_resume, kind="corrected",
                   message=_("The applicant supplied the correction; handling continues."))  # fmt: skip


def _resume(*, actor: Any, case: Case, on: dt.date, resume: Any, kind: str, message: str) -> Case:
    from onevisit.core.calendar import working_days_between

    instance = case.process_instance
    assert instance is not None and instance.suspended_on is not None
    case.suspended_days += working_days_between(instance.suspended_on, on)
    resume(actor=actor, instance=instance, on=on)
    case.status = Case.Status.ACCEPTED
    _refresh_deadlines(case)
    case_event(
        case,
        kind=kind,
        actor=actor,
        message=message
        + " "
        + _("New promised date: %(date)s.") % {"date": f"{case.promised_due:%Y年%m月%d日}"},
    )
    audit_log(actor=actor, action=f"case_{kind}", obj=case, data={"suspended_days": case.suspended_days})
    return case


@transaction.atomic
def case_suspend(
    *, actor: Any, case: Case, procedure: str, expected_days: int, reason: str, on: dt.date | None = None
) -> Case:
    """特别程序 (Art. 45): the clock stops; the applicant is told what happens and how long it may take."""
    from onevisit.workflow.services import process_suspend

    case = case_locked(case)
    _require(case, Case.Status.ACCEPTED)
    errors = {}
    if procedure not in SPECIAL_PROCEDURES:
        errors["procedure"] = _("Choose the special procedure.")
    if not isinstance(expected_days, int) or not 1 <= expected_days <= 365:
        errors["expected_days"] = _("Give the expected length in days, from 1 to 365.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason; the applicant reads it.")
    if errors:
        raise ValidationError(errors)
    process_suspend(actor=actor, instance=_instance(case), on=on or timezone.localdate(), reason=reason)
    case.status = Case.Status.SUSPENDED
    case.save(update_fields=["status"])
    case_event(case, kind="suspended", actor=actor,
           message=_("Special procedure: %(procedure)s, expected to take about %(days)d days; this time is not counted in the time limit. %(reason)s")
           % {"procedure": SPECIAL_PROCEDURES[procedure], "days": expected_days, "reason": reason.strip()},
           data={"procedure": procedure, "expected_days": expected_days})  # fmt: skip
    audit_log(
        actor=actor,
        action="case_suspended",
        obj=case,
        data={"procedure": procedure, "expected_days": expected_days},
    )
    return case


@transaction.atomic
def case_resume(*, actor: Any, case: Case, on: dt.date | None = None) -> Case:
    from onevisit.workflow.services import process_resume

    case = case_locked(case)
    _require(case, Case.Status.SUSPENDED)
    return _resume(actor=actor, case=case, on=on or timezone.localdate(), resume=process_resume, kind="resumed",
                   message=_("The special procedure is over; handling continues."))  # fmt: skip


@transaction.atomic
def case_extension_request(*, actor: Any, case: Case, reason: str) -> ExtensionRequest:
    case = case_locked(case)
    _require(case, Case.Status.ACCEPTED, Case.Status.SUSPENDED)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the extension; the applicant reads it.")})
    if case.extensions.exclude(status=ExtensionRequest.Status.REFUSED).exists():
        raise CaseStateError(_("A case may be extended only once (Art. 42)."))
    request = ExtensionRequest.objects.create(case=case, reason=reason.strip(), requested_by=actor)
    case_event(
        case,
        kind="extension_requested",
        actor=actor,
        public=False,
        message=_("Extension requested: %(reason)s") % {"reason": reason.strip()},
    )
    audit_log(actor=actor, action="case_extension_requested", obj=request, data={"case": case.pk})
    return request


@transaction.atomic
def case_extension_decide(*, actor: Any, request: ExtensionRequest, approve: bool) -> ExtensionRequest:
    """The approver signs off (or refuses); an approved extension adds 10 working days and tells the applicant why."""
    from onevisit.org.models import Role, StaffRole
    from onevisit.workflow.services import work_items_extend

    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    case = case_locked(request.case)
    if request.status != ExtensionRequest.Status.PENDING:
        raise CaseStateError(_("This extension request was already decided."))
    if not StaffRole.objects.filter(user=actor, department=case.department, role=Role.APPROVER).exists():
        raise CaseStateError(_("Only an approver of the department may sign off an extension."))
    request.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        case.extension_days += request.days
        work_items_extend(actor=actor, instance=_instance(case), working_days=request.days)
        _refresh_deadlines(case)
        case_event(case, kind="extended", actor=actor,
               message=_("The time limit is extended by %(days)d working days (Art. 42) because: %(reason)s. New statutory date: %(date)s.")
               % {"days": request.days, "reason": request.reason, "date": f"{case.statutory_due:%Y年%m月%d日}"})  # fmt: skip
    audit_log(actor=actor, action="case_extension_decided", obj=request, data={"approve": approve})
    return request
