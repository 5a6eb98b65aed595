"""Writes of the counter (一窗受理): the clerk checks the paper originals, then, in one sitting,
accepts, tells everything missing at once (Art. 32), or refuses. Built on the case services."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.catalog.models import Bundle, ItemVersion, MaterialRequirement, ServiceItem
from onevisit.catalog.models.powers import Audience
from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.identity.models import Authorization, Organization, Person
from onevisit.identity.services import (
    authorization_grant,
    normalize_id_number,
    normalize_uscc,
    organization_register,
    person_register,
)
from onevisit.org.models import ServiceCenter

from . import bundles, forms, tolerance
from .bundle_gaps import bundle_gap_mark
from .instant import case_instant_decide, is_instant
from .models import BundleCase, Case, Channel, SuppliedMaterial
from .selectors import authorization_for
from .services import (
    _require,
    case_accept,
    case_draft_save,
    case_event,
    case_locked,
    case_number_next,
    case_refuse,
    case_request_correction,
    case_submit,
    material_upload,
    missing_materials,
)

COUNTER_OUTCOMES = ("accept", "notice", "refuse")
MAX_ITEM_CODES = 50


@transaction.atomic
def material_record_paper(*, actor: Any, case: Case, requirement: MaterialRequirement) -> SuppliedMaterial:
    """The clerk saw and checked the paper original of a material (核验原件)."""
    case = case_locked(case)
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
    case_event(case, kind="material_checked", actor=actor, public=False,
           message=_("Paper original checked at the counter: %(name)s.") % {"name": requirement.name},
           data={"requirement": requirement.pk})  # fmt: skip
    audit_log(actor=actor, action="material_paper_checked", obj=material, data={"case": case.pk})
    return material


def _counter_file(*, actor: Any, case: Case, idempotency_key: uuid.UUID) -> Case:
    """File a draft taken in at the counter as submitted, whatever is missing: the clerk answers it on
    the spot (一次性告知 or 不予受理), so the applicant holds a case number either way."""
    case = case_locked(case)
    _require(case, Case.Status.DRAFT)
    case.number = case_number_next(region_code=case.department.region.code, day=timezone.localdate())
    case.status = Case.Status.SUBMITTED
    case.submitted_at = timezone.now()
    case.idempotency_key = idempotency_key
    case.save(update_fields=["number", "status", "submitted_at", "idempotency_key"])
    case_event(case, kind="submitted", actor=actor,
           message=_("The application was taken in at the counter; case number %(number)s.") % {"number": case.number})  # fmt: skip
    audit_log(actor=actor, action="case_submitted", obj=case, data={"number": case.number, "counter": True})
    return case


@transaction.atomic
def case_counter_notice(*, actor: Any, case: Case, idempotency_key: uuid.UUID, note: str = "") -> Case:
    """一次性告知 at the counter (Art. 32): the draft is filed and, at once, everything missing is
    listed — every required material not supplied and every form entry to complete — with the
    clerk's note. Counts as one visit."""
    case = case_locked(case)
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


def _check_applicant(*, version: ItemVersion, person: Person, organization: Organization | None) -> None:
    item = version.item
    if organization is None and item.audience == Audience.ORGANIZATION:
        raise ValidationError(
            _(
                "This service is for organisations (法人办事): find or register the organisation and "
                "the person acting for it first."
            )
        )
    if organization is not None and item.audience == Audience.PERSON:
        raise ValidationError(
            _("This service is for individuals (个人办事): take it in for a person, not for an organisation.")
        )
    if (
        organization is not None
        and authorization_for(organization=organization, agent=person, item_code=item.code) is None
    ):
        raise ValidationError(
            _(
                "%(agent)s has no authorization in force to act for %(organization)s on this service. "
                "Record the authorization letter (授权委托书) first."
            )
            % {"agent": person.name, "organization": organization.name}
        )


@transaction.atomic
def case_counter_intake(
    *,
    actor: Any,
    center: ServiceCenter,
    version: ItemVersion,
    person: Person,
    organization: Organization | None = None,
    form_data: dict[str, Any],
    outcome: str,
    idempotency_key: uuid.UUID,
    paper: list[MaterialRequirement] | None = None,
    scans: list[tuple[MaterialRequirement, IO[bytes], str]] | None = None,
    note: str = "",
    reasons: str = "",
    legal_basis: str = "",
    later: list[MaterialRequirement] | None = None,
    commitment: str | None = None,
    ip: str | None = None,
) -> Case:
    """One sitting at the counter, all or nothing: the application, the paper originals checked, the
    scans, then accept (受理), tell everything missing (一次性告知) or refuse (不予受理). The same key
    gives the same case, so a double click files one case.

    容缺 at the counter: ``later`` are the tolerable materials the applicant will supply online; on
    accepting, ``commitment`` is the text the applicant read and signed in front of the clerk (None
    until the clerk confirms it), recorded by ``tolerance`` exactly as an online commitment.

    ``person`` is the person at the counter: the applicant, or, when ``organization`` is given, the
    经办人 applying for it under an authorization in force for this item. A service for
    organisations (法人) is taken in only for an organisation, one for individuals only for a person.
    """
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
    _check_applicant(version=version, person=person, organization=organization)
    case = case_draft_save(
        actor=actor,
        version=version,
        form_data=form_data,
        channel=Channel.COUNTER,
        person=None if organization else person,
        organization=organization,
        agent=person if organization else None,
        center=center,
    )
    for requirement in paper or []:
        material_record_paper(actor=actor, case=case, requirement=requirement)
    for requirement, stream, name in scans or []:
        material_upload(actor=actor, case=case, requirement=requirement, stream=stream, name=name)
    if outcome == "accept" and later:
        _counter_gaps(actor=actor, case=case, later=later, commitment=commitment)
        case = case_submit(
            actor=actor, case=case, idempotency_key=idempotency_key, commitment=commitment, ip=ip
        )
        case_event(case, kind="commitment_witnessed", actor=actor, public=False,
               message=_("The applicant read and signed the commitment at the counter; the clerk confirmed it."))  # fmt: skip
        return case_accept(actor=actor, case=case, at_counter=True)
    if outcome == "accept":
        case = case_submit(actor=actor, case=case, idempotency_key=idempotency_key)
        if is_instant(case):  # 秒批 at the counter too: decided now, or accepted for people as usual
            result = case_instant_decide(actor=actor, case=case)
            if result is not None and result.outcome != "manual":
                Case.objects.filter(pk=case.pk).update(visits=F("visits") + 1)
                return Case.objects.get(pk=case.pk)
        return case_accept(actor=actor, case=case, at_counter=True)
    if outcome == "notice":
        return case_counter_notice(actor=actor, case=case, idempotency_key=idempotency_key, note=note)
    _counter_file(actor=actor, case=case, idempotency_key=idempotency_key)
    case_refuse(actor=actor, case=case, reasons=reasons, legal_basis=legal_basis, at_counter=True)
    return Case.objects.get(pk=case.pk)


def _counter_gaps(
    *, actor: Any, case: Case, later: list[MaterialRequirement], commitment: str | None
) -> None:
    """容缺 at the counter, checked in the clerk's words before anything is filed: the item takes it,
    the applicant's credit is clean, each material may follow later and is not also here, every main
    material is here, and the applicant has signed the commitment."""
    if not tolerance.item_allows(case):
        raise ValidationError(_("This service does not accept applications with missing materials (容缺)."))
    if not tolerance.credit_ok(case):
        raise ValidationError(
            _("The applicant has a bad-credit record in force, so the application cannot be accepted with missing materials (容缺). Check every material, or tell everything missing at once.")
        )  # fmt: skip
    missing = {r.pk: r for r in missing_materials(case)}
    here = [r.name for r in later if r.pk not in missing]
    if here:
        raise ValidationError(
            _("%(names)s: not missing (checked, scanned or known from shared data), so it cannot be supplied later. Untick “supply later”.")
            % {"names": "、".join(here)}
        )  # fmt: skip
    for requirement in later:
        tolerance.gap_mark(actor=actor, case=case, requirement=requirement, later=True)
    marked = {r.pk for r in later}
    main = [r.name for pk, r in missing.items() if pk not in marked]
    if main:
        raise ValidationError(
            _("These materials are missing and cannot follow later: %(names)s. Accept with missing materials only when every main material is here; otherwise tell everything missing at once.")
            % {"names": "、".join(main)}
        )  # fmt: skip
    if commitment is None:
        raise ValidationError(
            {"commitment_read": _("Let the applicant read the commitment below and sign it, then tick that they did and accept again.")}
        )  # fmt: skip


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
    texts (``bundle_gaps.counter_commitments``) the applicant read and signed in front of the clerk,
    by item code (None until the clerk confirms they did)."""
    existing = BundleCase.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    bundle_case = bundles.bundle_start(
        actor=actor, bundle=bundle, channel=Channel.COUNTER, form_data=form_data,
        person=None if organization else person, organization=organization,
        agent=person if organization else None, center=center,
    )  # fmt: skip
    plan = bundles.plan_of(bundle_case)
    children = bundles.children_of(bundle_case)
    for key in paper:
        merged = bundles.material_of(plan, key)
        for code, requirement in merged.requirements.items():
            if not (merged.provided_by and merged.provided_by in plan.member(code).needs):
                material_record_paper(actor=actor, case=children[code], requirement=requirement)
    for key in later or []:
        if key in paper:
            raise ValidationError(
                _("%(names)s: not missing (checked, scanned or known from shared data), so it cannot be supplied later. Untick “supply later”.")
                % {"names": bundles.material_of(plan, key).name}
            )  # fmt: skip
        bundle_gap_mark(actor=actor, bundle_case=bundle_case, material_key=key, later=True)
    if later and commitments is None:
        raise ValidationError(
            {"commitment_read": _("Let the applicant read the commitment below and sign it, then tick that they did and accept again.")}
        )  # fmt: skip
    bundle_case = bundles.bundle_submit(
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


# ---- organisations at the counter (法人, 经办人 and 授权委托) ------------------------------------------


def _item_codes(value: str | Sequence[str] | None) -> list[str] | None:
    """Codes from the letter of authorization (spaces, commas or 、 between them); None means every item."""
    if value is None:
        return None
    words = re.split(r"[\s,，、;；]+", value) if isinstance(value, str) else list(value)
    return [w.strip() for w in words if w.strip()]


def _agent(
    *, agent_name: str, agent_id_number: str, valid_from: dt.date | None, valid_until: dt.date | None,
    item_codes: list[str] | None,
) -> tuple[dict[str, list[str]], str, Person | None]:  # fmt: skip
    """Every problem with the agent and the authorization at once; the clean ID number and the
    person already registered with it, if any."""
    errors: dict[str, list[str]] = {}
    number = ""
    existing = None
    try:
        number = normalize_id_number(agent_id_number or "")
    except ValidationError as exc:
        errors["agent_id_number"] = [m for ms in exc.message_dict.values() for m in ms]
    else:
        existing = Person.objects.filter(id_number_hash=crypto.lookup_hash(number)).first()
    name = " ".join((agent_name or "").split())
    if existing is None and not name and "agent_id_number" not in errors:
        errors["agent_name"] = [
            _("Enter the name of the person acting for the organisation, as on their ID card.")
        ]
    elif existing is not None and name and name != existing.name:
        errors["agent_name"] = [
            _("The name does not match the ID number. Enter both exactly as on the ID card.")
        ]
    elif len(name) > 60:
        errors["agent_name"] = [_("A name can have at most %(max)s characters.") % {"max": 60}]
    today = timezone.localdate()
    if valid_from is None:
        errors["valid_from"] = [_("Enter the first day of the authorization, as in the letter.")]
    elif valid_from > today:
        errors["valid_from"] = [
            _("The authorization must be in force today: its start date cannot be later.")
        ]
    if valid_until is not None and valid_until < today:
        errors["valid_until"] = [_("This authorization has already ended; ask for a letter in force.")]
    elif valid_until is not None and valid_from is not None and valid_until < valid_from:
        errors["valid_until"] = [_("The end date must be on or after the start date.")]
    problem = _codes_problem(item_codes)
    if problem:
        errors["item_codes"] = [problem]
    return errors, number, existing


def _codes_problem(item_codes: list[str] | None) -> str:
    if item_codes is None:
        return ""
    if not item_codes:
        return _("List at least one service item code, or allow every item.")
    if len(item_codes) > MAX_ITEM_CODES:
        return _("List at most %(max)s service item codes.") % {"max": MAX_ITEM_CODES}
    known = set(ServiceItem.objects.filter(code__in=item_codes).values_list("code", flat=True))
    unknown = [c for c in item_codes if c not in known]
    if unknown:
        return _(
            "No service item has the code %(codes)s. Copy the codes from the letter of authorization."
        ) % {"codes": "、".join(c[:40] for c in unknown[:5])}
    return ""


def agent_problems(
    *,
    agent_name: str,
    agent_id_number: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None = None,
    item_codes: str | Sequence[str] | None = None,
) -> dict[str, list[str]]:
    """What is wrong with an agent and their authorization, field by field (nothing is written)."""
    return _agent(
        agent_name=agent_name, agent_id_number=agent_id_number, valid_from=valid_from,
        valid_until=valid_until, item_codes=_item_codes(item_codes),
    )[0]  # fmt: skip


def organization_problems(
    *,
    name: str,
    uscc_code: str,
    legal_representative: str = "",
    agent_name: str,
    agent_id_number: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None = None,
    item_codes: str | Sequence[str] | None = None,
) -> dict[str, list[str]]:
    """What is wrong with a walk-in organisation, its agent and the authorization, field by field."""
    errors: dict[str, list[str]] = {}
    clean_name = " ".join((name or "").split())
    if not clean_name:
        errors["name"] = [_("Enter the organisation's name as on its business licence.")]
    elif len(clean_name) > 120:
        errors["name"] = [_("A name can have at most %(max)s characters.") % {"max": 120}]
    if len(" ".join((legal_representative or "").split())) > 60:
        errors["legal_representative"] = [_("A name can have at most %(max)s characters.") % {"max": 60}]
    try:
        normalize_uscc(uscc_code or "")
    except ValidationError as exc:
        errors["uscc"] = [m for ms in exc.message_dict.values() for m in ms]
    errors.update(
        agent_problems(
            agent_name=agent_name,
            agent_id_number=agent_id_number,
            valid_from=valid_from,
            valid_until=valid_until,
            item_codes=item_codes,
        )
    )
    return errors


@transaction.atomic
def counter_agent_authorize(
    *,
    actor: Any,
    organization: Organization,
    agent_name: str,
    agent_id_number: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None = None,
    item_codes: str | Sequence[str] | None = None,
) -> Authorization:
    """The 经办人 shows the organisation's letter of authorization (授权委托书) at the counter: the
    agent is registered if new and the authorization recorded. Every problem is reported at once."""
    codes = _item_codes(item_codes)
    errors, number, existing = _agent(
        agent_name=agent_name, agent_id_number=agent_id_number, valid_from=valid_from,
        valid_until=valid_until, item_codes=codes,
    )  # fmt: skip
    if errors or valid_from is None:
        raise ValidationError(errors)
    agent = existing or person_register(actor=actor, name=" ".join(agent_name.split()), id_number=number)
    return authorization_grant(
        actor=actor, grantor=organization, agent=agent, valid_from=valid_from, valid_until=valid_until,
        item_codes=codes,
    )  # fmt: skip


@transaction.atomic
def counter_organization_register(
    *,
    actor: Any,
    name: str,
    uscc_code: str,
    legal_representative: str = "",
    agent_name: str,
    agent_id_number: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None = None,
    item_codes: str | Sequence[str] | None = None,
) -> Authorization:
    """A walk-in organisation: the organisation, the person acting for it and the authorization,
    all or nothing. Every problem is reported at once."""
    authorization: dict[str, Any] = {
        "agent_name": agent_name, "agent_id_number": agent_id_number, "valid_from": valid_from,
        "valid_until": valid_until, "item_codes": item_codes,
    }  # fmt: skip
    errors = organization_problems(
        name=name, uscc_code=uscc_code, legal_representative=legal_representative, **authorization
    )
    if errors:
        raise ValidationError(errors)
    organization = organization_register(
        actor=actor,
        name=" ".join(name.split()),
        uscc_code=uscc_code,
        legal_representative=" ".join((legal_representative or "").split()),
    )
    return counter_agent_authorize(actor=actor, organization=organization, **authorization)
