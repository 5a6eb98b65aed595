"""免提交 and 秒填: what the government already knows, instead of what the applicant brings or types.

``evidence_for`` finds, for each material of a case, a valid certificate in the applicant's wallet
or a record in a department's registry that the handling department may use. It reads the
applicant's own data for the applicant (not a logged access). ``evidence_use`` runs when the case
is filed: each piece becomes a supplied material, the consent is recorded and the department's
lookup is logged (用数记录).

``trusted_values`` gives the form fields whose value comes from trusted data (identity, registries),
keyed by the field's data element; at filing and for 秒批 they override what was typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.catalog.models import MaterialRequirement
from onevisit.certificates.selectors import certificate_valid_for
from onevisit.core import crypto
from onevisit.exchange import selectors as exchange_selectors
from onevisit.exchange import services as exchange
from onevisit.exchange.models import DataResource, SubjectKind
from onevisit.identity.models import Organization, Person

from . import forms
from .models import Case, SuppliedMaterial

SECRET_HINTS = ("id_number", "uscc", "phone", "bank", "account")


@dataclass
class Evidence:
    """One material the applicant need not supply, and what stands in for it."""

    requirement: MaterialRequirement
    source: str  # SuppliedMaterial.Source.CERTIFICATE or SHARED_DATA
    reference: str  # a certificate number or a data resource code
    title: str
    provider: str
    preview: list[tuple[str, str]] = field(default_factory=list)
    resource: DataResource | None = None
    person: Person | None = None
    org: Organization | None = None


@dataclass(frozen=True)
class Trusted:
    value: Any
    source: str  # shown beside the value: where it comes from


def _masked(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    text = "" if value is None else str(value)
    if any(hint in key for hint in SECRET_HINTS) and len(text) > 8:
        return crypto.mask(text, 4, 4)
    return text


def _subject(case: Case, kind: str) -> tuple[Person | None, Organization | None]:
    """Whose data a resource is about: the organization, or the person (the 经办人 of an organization)."""
    if kind == SubjectKind.ORGANIZATION:
        return None, case.applicant_org
    return (case.applicant_person or case.agent), None


def _certificate(case: Case, requirement: MaterialRequirement) -> Evidence | None:
    for person, org in ((None, case.applicant_org), (case.applicant_person or case.agent, None)):
        if person is None and org is None:
            continue
        certificate = certificate_valid_for(type_code=requirement.certificate_type, person=person, org=org)
        if certificate is not None:
            until = certificate.valid_until.isoformat() if certificate.valid_until else _("long-term")
            return Evidence(
                requirement=requirement,
                source=SuppliedMaterial.Source.CERTIFICATE,
                reference=certificate.number,
                title=certificate.type.name,
                provider=certificate.issuer.full_name,
                preview=[(_("Certificate number"), certificate.number), (_("Valid until"), until)],
                person=person,
                org=org,
            )
    return None


def _shared(case: Case, requirement: MaterialRequirement) -> Evidence | None:
    resource = exchange_selectors.resource_by_code(requirement.shared_data)
    if resource is None or not exchange.permission(resource, case.department)[0]:
        return None
    person, org = _subject(case, resource.subject_kind)
    if person is None and org is None:
        return None
    record = exchange_selectors.own_record(resource, person=person, org=org)
    if not record:
        return None
    preview = [
        (str(f.get("label") or f["key"]), _masked(f["key"], record[f["key"]]))
        for f in resource.fields
        if f.get("key") in record
    ]
    return Evidence(
        requirement=requirement,
        source=SuppliedMaterial.Source.SHARED_DATA,
        reference=resource.code,
        title=resource.name,
        provider=resource.provider.full_name,
        preview=preview,
        resource=resource,
        person=person,
        org=org,
    )


def evidence_for(case: Case) -> dict[int, Evidence]:
    """Materials of the case that data can stand in for, by requirement id (certificates first)."""
    found: dict[int, Evidence] = {}
    for requirement in case.item_version.materials.all():
        evidence = None
        if requirement.certificate_type:
            evidence = _certificate(case, requirement)
        if evidence is None and requirement.shared_data:
            evidence = _shared(case, requirement)
        if evidence is not None:
            found[requirement.pk] = evidence
    return found


def evidence_use(
    *, actor: Any, case: Case, known: dict[int, Evidence] | None = None
) -> list[SuppliedMaterial]:
    """At filing (inside the caller's transaction): every material nobody uploaded and data can
    stand in for becomes a supplied material; the consent and the department's lookup are logged."""
    supplied = set(case.materials.values_list("requirement_id", flat=True))
    created = []
    for requirement_id, evidence in (evidence_for(case) if known is None else known).items():
        if requirement_id in supplied:
            continue  # the applicant chose to upload it
        purpose = _("No need to supply: %(material)s") % {"material": evidence.requirement.name}
        if evidence.resource is not None:
            exchange.consent_give(
                actor=actor, resource=evidence.resource, case_ref=case.number or "", person=evidence.person,
                org=evidence.org,
            )  # fmt: skip
            shared = exchange.data_lookup(
                actor=actor, department=case.department, resource=evidence.resource, purpose=purpose,
                case_ref=case.number or "", person=evidence.person, org=evidence.org,
            )  # fmt: skip
            if shared is None:  # the record went away since the applicant saw it
                raise ValidationError(
                    _(
                        "%(material)s: the government's record of it is no longer available; upload it instead."
                    )
                    % {"material": evidence.requirement.name}
                )
        else:
            exchange.access_record(
                actor=actor, kind="shared_data", purpose=f"{purpose}（{evidence.title} {evidence.reference}）",
                case_ref=case.number or "", department=case.department, person=evidence.person, org=evidence.org,
            )  # fmt: skip
        created.append(
            SuppliedMaterial.objects.create(
                case=case,
                requirement=evidence.requirement,
                source=evidence.source,
                reference=evidence.reference,
                original_name=evidence.title[:120],
            )
        )
    return created


# --- 秒填: trusted values of form fields -----------------------------------------------------------


def _age(id_number: str, today: dt.date) -> int | None:
    try:
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _trusted(case: Case, *, today: dt.date, read: Any, only: list[str] | None = None) -> dict[str, Trusted]:
    """Form values known from trusted sources, by field name (``only`` these fields, if given);
    ``read(resource, person, org)`` fetches a record."""
    person = case.applicant_person or case.agent
    known: dict[str, Trusted] = {}
    # Name and ID number are prefilled from the profile and stay editable (帮办: someone may type for
    # another); what is derived from the verified identity, like the age, is not the applicant's to type.
    if person is not None:
        age = _age(crypto.decrypt(person.id_number_encrypted), today)
        if age is not None:
            known["applicant.age"] = Trusted(age, _("your verified identity (ID number)"))
    wanted = {
        str(f.schema.get("x-data-element")): f
        for f in forms.fields_of(case.item_version.form.schema)
        if only is None or f.name in only
    }
    if not wanted:
        return {}
    for resource in DataResource.objects.filter(active=True).select_related("provider__region"):
        elements = {
            f["data_element"]: f["key"]
            for f in resource.fields
            if f.get("data_element") in wanted and f["data_element"] not in known
        }
        if not elements or not exchange.permission(resource, case.department)[0]:
            continue
        subject_person, subject_org = _subject(case, resource.subject_kind)
        if subject_person is None and subject_org is None:
            continue
        record = read(resource, subject_person, subject_org, sorted(elements.values()))
        label = f"{resource.name}（{resource.provider.full_name}）"
        for element, key in elements.items():
            if record is not None and record.get(key) is not None:
                known[element] = Trusted(record[key], label)
    return {
        wanted[element].name: trusted
        for element, trusted in known.items()
        if element in wanted and forms.fits(wanted[element], trusted.value)
    }


def trusted_values(
    case: Case, *, today: dt.date | None = None, only: list[str] | None = None
) -> dict[str, Trusted]:
    """For the applicant's own pages (prefill, check your answers): their own data, not a logged access.
    ``only`` limits the work to some fields (the per-field check as the applicant types)."""
    return _trusted(
        case,
        today=today or timezone.localdate(),
        only=only,
        read=lambda resource, person, org, keys: exchange_selectors.own_record(
            resource, person=person, org=org
        ),
    )


def trusted_apply(*, actor: Any, case: Case) -> dict[str, Trusted]:
    """At filing (inside the caller's transaction): the department looks the data up (logged, checked
    against the sharing class) and the trusted values replace what was typed."""
    item = case.item_version.name

    def read(resource: DataResource, person: Person | None, org: Organization | None, keys: list[str]) -> Any:
        shared = exchange.data_lookup(
            actor=actor, department=case.department, resource=resource, case_ref=case.number or "",
            purpose=_("Prefill and check the application for %(item)s") % {"item": item}, person=person, org=org,
        )  # fmt: skip
        return shared.data if shared is not None else None

    trusted = _trusted(case, today=timezone.localdate(), read=read)
    read_only = {f.name for f in forms.fields_of(case.item_version.form.schema) if f.read_only}
    data = {k: v for k, v in case.form_data.items() if k not in read_only or k in trusted}
    data |= {name: t.value for name, t in trusted.items()}
    if data != case.form_data:
        case.form_data = data
        case.save(update_fields=["form_data"])
    return trusted
