"""Writes of the counter (一窗受理): the clerk checks the paper originals, then, in one sitting,
accepts, tells everything missing at once (Art. 32), or refuses. Built on the case services."""

from __future__ import annotations

import uuid
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.catalog.models import ItemVersion, MaterialRequirement
from onevisit.core.audit import audit_log
from onevisit.identity.models import Person
from onevisit.org.models import ServiceCenter

from . import forms
from .models import Case, Channel, SuppliedMaterial
from .services import (
    _event,
    _locked,
    _require,
    case_accept,
    case_draft_save,
    case_number_next,
    case_refuse,
    case_request_correction,
    case_submit,
    material_upload,
    missing_materials,
)

COUNTER_OUTCOMES = ("accept", "notice", "refuse")


@transaction.atomic
def material_record_paper(*, actor: Any, case: Case, requirement: MaterialRequirement) -> SuppliedMaterial:
    """The clerk saw and checked the paper original of a material (核验原件)."""
    case = _locked(case)
    _require(case, Case.Status.DRAFT, Case.Status.CORRECTION, Case.Status.SUBMITTED)
    if requirement.version_id != case.item_version_id:
        raise ValidationError(_("This material is not asked for by this service."))
    material = SuppliedMaterial.objects.create(
        case=case,
        requirement=requirement,
        source=SuppliedMaterial.Source.PAPER,
        checked_by=actor if getattr(actor, "is_authenticated", False) else None,
        checked_at=timezone.now(),
    )
    _event(case, kind="material_checked", actor=actor, public=False,
           message=_("Paper original checked at the counter: %(name)s.") % {"name": requirement.name},
           data={"requirement": requirement.pk})  # fmt: skip
    audit_log(actor=actor, action="material_paper_checked", obj=material, data={"case": case.pk})
    return material


def _counter_file(*, actor: Any, case: Case, idempotency_key: uuid.UUID) -> Case:
    """File a draft taken in at the counter as submitted, whatever is missing: the clerk answers it on
    the spot (一次性告知 or 不予受理), so the applicant holds a case number either way."""
    case = _locked(case)
    _require(case, Case.Status.DRAFT)
    case.number = case_number_next(region_code=case.department.region.code, day=timezone.localdate())
    case.status = Case.Status.SUBMITTED
    case.submitted_at = timezone.now()
    case.idempotency_key = idempotency_key
    case.save(update_fields=["number", "status", "submitted_at", "idempotency_key"])
    _event(case, kind="submitted", actor=actor,
           message=_("The application was taken in at the counter; case number %(number)s.") % {"number": case.number})  # fmt: skip
    audit_log(actor=actor, action="case_submitted", obj=case, data={"number": case.number, "counter": True})
    return case


@transaction.atomic
def case_counter_notice(*, actor: Any, case: Case, idempotency_key: uuid.UUID, note: str = "") -> Case:
    """一次性告知 at the counter (Art. 32): the draft is filed and, at once, everything missing is
    listed — every required material not supplied and every form entry to complete — with the
    clerk's note. Counts as one visit."""
    case = _locked(case)
    _require(case, Case.Status.DRAFT)
    missing = missing_materials(case)
    problems = list(forms.validate(case.item_version.form.schema, case.form_data).values())
    note = (note or "").strip()
    lines = [*problems, *([note] if note else [])]
    if not missing and not lines:
        raise ValidationError(_("Nothing is missing: accept the application instead."))
    _counter_file(actor=actor, case=case, idempotency_key=idempotency_key)
    case_request_correction(actor=actor, case=case, missing=missing, note="；".join(lines))
    Case.objects.filter(pk=case.pk).update(visits=F("visits") + 1)
    return Case.objects.get(pk=case.pk)


@transaction.atomic
def case_counter_intake(
    *,
    actor: Any,
    center: ServiceCenter,
    version: ItemVersion,
    person: Person,
    form_data: dict[str, Any],
    outcome: str,
    idempotency_key: uuid.UUID,
    paper: list[MaterialRequirement] | None = None,
    scans: list[tuple[MaterialRequirement, IO[bytes], str]] | None = None,
    note: str = "",
    reasons: str = "",
    legal_basis: str = "",
) -> Case:
    """One sitting at the counter, all or nothing: the application, the paper originals checked, the
    scans, then accept (受理), tell everything missing (一次性告知) or refuse (不予受理). The same key
    gives the same case, so a double click files one case."""
    existing = Case.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if outcome not in COUNTER_OUTCOMES:
        raise ValidationError(_("Choose to accept, to list what is missing, or to refuse."))
    if outcome == "refuse":
        errors = {}
        if not (reasons or "").strip():
            errors["reasons"] = _("Give the reasons for the decision; the applicant reads them.")
        if not (legal_basis or "").strip():
            errors["legal_basis"] = _("Give the legal basis (law and article) of the decision.")
        if errors:
            raise ValidationError(errors)
    case = case_draft_save(
        actor=actor,
        version=version,
        form_data=form_data,
        channel=Channel.COUNTER,
        person=person,
        center=center,
    )
    for requirement in paper or []:
        material_record_paper(actor=actor, case=case, requirement=requirement)
    for requirement, stream, name in scans or []:
        material_upload(actor=actor, case=case, requirement=requirement, stream=stream, name=name)
    if outcome == "accept":
        case = case_submit(actor=actor, case=case, idempotency_key=idempotency_key)
        return case_accept(actor=actor, case=case, at_counter=True)
    if outcome == "notice":
        return case_counter_notice(actor=actor, case=case, idempotency_key=idempotency_key, note=note)
    _counter_file(actor=actor, case=case, idempotency_key=idempotency_key)
    case_refuse(actor=actor, case=case, reasons=reasons, legal_basis=legal_basis, at_counter=True)
    return Case.objects.get(pk=case.pk)
