"""电子证照 on approval (Art. 44: within 10 working days of the decision).

An approved case of an item that issues a certificate gets ``certificate_due`` at the decision and
a job that issues it after the commit; 秒批 issues it at once, inside the decision's transaction.
Issuing is idempotent: a case has at most one certificate of its item's type.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.certificates import services as certificates
from onevisit.certificates.models import CertificateType
from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.core.calendar import add_working_days

from . import forms
from .models import Case

ISSUE_WITHIN_DAYS = 10  # Art. 44


def certificate_data(case: Case, kind: CertificateType) -> dict[str, Any]:
    """The certificate's fields, by key: standard facts of the case, then the form by field name or
    data element (``business.name`` fills ``name`` or ``business_name``)."""
    person, org = case.applicant_person or case.agent, case.applicant_org
    holder_id = (
        crypto.decrypt(org.uscc_encrypted)
        if org
        else crypto.decrypt(person.id_number_encrypted)
        if person
        else ""
    )
    standard: dict[str, Any] = {
        "holder_name": org.name if org else (person.name if person else ""),
        "holder_id_number": holder_id,
        "name": org.name if org else (person.name if person else ""),
        "id_number": holder_id,
        "issue_date": timezone.localdate().isoformat(),
        "issuer": case.department.name,
        "case_number": case.number or "",
        "item_name": case.item_version.name,
    }
    # A registration takes effect on the day it is decided (注册日期, 登记日期, 成立日期).
    today = timezone.localdate()
    standard["registered_on"] = standard["established_on"] = f"{today.year}年{today.month}月{today.day}日"
    if org is not None:
        standard |= {"uscc": holder_id, "legal_representative": org.legal_representative}
    elif len(holder_id) == 18 and holder_id[6:14].isdigit():
        # GB 11643: the birth date is digits 7–14, and the 17th digit is odd for men.
        standard |= {
            "gender": "男" if int(holder_id[16]) % 2 else "女",
            "birth_date": f"{holder_id[6:10]}年{int(holder_id[10:12])}月{int(holder_id[12:14])}日",
        }
    by_element: dict[str, Any] = {}
    for field in forms.fields_of(case.item_version.form.schema):
        element = str(field.schema.get("x-data-element") or "")
        value = case.form_data.get(field.name)
        if value in (None, "") or not element:
            continue
        by_element.setdefault(element, value)
        by_element.setdefault(element.replace(".", "_"), value)
        by_element.setdefault(element.rsplit(".", 1)[-1], value)
    data: dict[str, Any] = {}
    for spec in kind.fields:
        key = spec["key"]
        for source in (case.certificate_extra or {}, case.form_data, by_element, standard):
            if source.get(key) not in (None, ""):
                data[key] = source[key]
                break
        else:
            data[key] = ""
    return data


def missing_fields(case: Case) -> list[dict[str, Any]]:
    """The certificate's required fields that neither the form nor the case provide (制证信息 to enter)."""
    type_code = case.item_version.certificate_type
    kind = CertificateType.objects.filter(code=type_code).first() if type_code else None
    if kind is None:
        return []
    data = certificate_data(case, kind)
    return [f for f in kind.fields if f.get("required", True) and data.get(f["key"]) in (None, "")]


def schedule(case: Case) -> None:
    """At an approval (inside its transaction): set the Art. 44 due date and issue after the commit."""
    from .tasks import case_certificate_issue

    if not case.item_version.certificate_type:
        return
    case.certificate_due = add_working_days(timezone.localdate(), ISSUE_WITHIN_DAYS)
    case.save(update_fields=["certificate_due"])
    case_certificate_issue.enqueue(case_id=case.pk)


@transaction.atomic
def case_certificate_issue(*, actor: Any, case_id: int) -> str:
    """Issue the certificate of an approved case (idempotent); returns its number ("" if none is due)."""
    from .services import case_event

    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version", "department", "applicant_person", "applicant_org", "agent")
        .get(pk=case_id)
    )
    type_code = case.item_version.certificate_type
    if case.status != Case.Status.APPROVED or not type_code:
        return case.certificate_number
    # 容缺: while materials are missing, a provisional certificate or none (an item setting); once
    # they are all in, the final one supersedes the provisional one.
    gaps_open = case.gaps.filter(supplied_at__isnull=True).exists()
    if case.certificate_number and (gaps_open or not _is_provisional(case.certificate_number)):
        return case.certificate_number
    if gaps_open and not case.item_version.provisional_certificate:
        if not case.events.filter(kind="certificate_waits_for_gaps").exists():
            case_event(
                case, kind="certificate_waits_for_gaps", actor=actor,
                message=_("The certificate is issued once all the missing materials are supplied."),
            )  # fmt: skip
        return ""
    kind = CertificateType.objects.get(code=type_code)
    missing = missing_fields(case)
    if missing:
        # The department enters what the form does not say (制证信息) on the case page; say so once.
        if not case.events.filter(kind="certificate_pending").exists():
            case_event(
                case, kind="certificate_pending", actor=actor, public=False,
                message=_("The certificate needs details the application does not give: %(fields)s. Enter them on the case page.")
                % {"fields": "、".join(str(f.get("label") or f["key"]) for f in missing)},
            )  # fmt: skip
        return ""
    certificate = certificates.certificate_issue(
        actor=actor,
        type_code=type_code,
        data=certificate_data(case, kind),
        issuer=case.department,
        # One certificate per case and type: the provisional one (容缺) is filed under a marked
        # number, so that the final one, filed under the case's, supersedes it.
        case_number=f"{case.number}-P" if gaps_open else case.number or "",
        holder_person=None if case.applicant_org else (case.applicant_person or case.agent),
        holder_org=case.applicant_org,
        provisional=gaps_open,
    )
    case.certificate_number = certificate.number
    case.save(update_fields=["certificate_number"])
    message = (
        _("Provisional electronic certificate issued: %(type)s No. %(number)s. It is replaced by the final one when the missing materials are supplied, and revoked if they are not.")
        if gaps_open
        else _("Electronic certificate issued: %(type)s No. %(number)s. It is in 我的证照.")
    )  # fmt: skip
    case_event(
        case,
        kind="certificate_issued",
        actor=actor,
        message=message % {"type": kind.name, "number": certificate.number},
        data={"certificate": certificate.number, "provisional": gaps_open},
    )
    audit_log(
        actor=actor, action="case_certificate_issued", obj=case, data={"certificate": certificate.number}
    )
    return certificate.number


def _is_provisional(number: str) -> bool:
    from onevisit.certificates.selectors import certificate_by_number

    certificate = certificate_by_number(number)
    return certificate is not None and certificate.provisional and certificate.status == "valid"


def certificate_withdraw(*, actor: Any, case: Case, reason: str) -> None:
    """The approval was overturned (inside the caller's transaction): the certificate is revoked."""
    if not case.certificate_number:
        return
    from onevisit.certificates.selectors import certificate_by_number

    certificate = certificate_by_number(case.certificate_number)
    if certificate is not None and certificate.status != "revoked":
        certificates.certificate_revoke(actor=actor, certificate=certificate, reason=reason)
        from .services import case_event

        case_event(
            case, kind="certificate_revoked", actor=actor,
            message=_("The electronic certificate No. %(number)s is revoked: %(reason)s")
            % {"number": certificate.number, "reason": reason},
        )  # fmt: skip


MAX_DETAIL = 200


@transaction.atomic
def case_certificate_complete(*, actor: Any, case: Case, values: dict[str, str]) -> str:
    """制证: an officer of the department enters the certificate's missing details; then it is issued."""
    from .instant import may_review
    from .services import CaseStateError, case_locked

    case = case_locked(case)
    if not may_review(actor, case):
        raise PermissionDenied(_("Only officers of the handling department may issue its certificate."))
    if case.status != Case.Status.APPROVED or case.certificate_number:
        raise CaseStateError(_("This case has no certificate waiting to be issued."))
    missing = missing_fields(case)
    errors: dict[str, str] = {}
    entered: dict[str, str] = {}
    for spec in missing:
        value = " ".join(str(values.get(spec["key"], "")).split())
        if not value:
            errors[spec["key"]] = _("Enter %(label)s.") % {"label": spec.get("label") or spec["key"]}
        elif len(value) > MAX_DETAIL:
            errors[spec["key"]] = _("%(label)s may be at most %(n)d characters.") % {
                "label": spec.get("label") or spec["key"], "n": MAX_DETAIL,
            }  # fmt: skip
        else:
            entered[spec["key"]] = value
    if errors:
        raise ValidationError(errors)
    case.certificate_extra = {**(case.certificate_extra or {}), **entered}
    case.save(update_fields=["certificate_extra"])
    audit_log(actor=actor, action="case_certificate_details", obj=case, data={"fields": sorted(entered)})
    return case_certificate_issue(actor=actor, case_id=case.pk)
