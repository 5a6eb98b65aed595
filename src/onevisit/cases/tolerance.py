"""容缺受理 (accept with gaps): a case filed while secondary materials are missing.

Allowed only when every missing material is marked tolerable by the item, all other required
materials are present, the item is not decided on the spot (promised limit 0) and the applicant's
credit is clean (checked at filing and again at acceptance). The applicant signs a commitment (its
exact text and hash are kept); each gap gets a deadline at acceptance, N working days later but never
beyond the promised limit. The daily sweep reminds before the deadline and terminates the case when
it passes with a gap still open, revoking a provisional certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.catalog.models import ItemVersion, MaterialRequirement
from onevisit.core.audit import audit_log
from onevisit.core.calendar import add_working_days, working_days_between

from .models import Case, CaseGap, Commitment, SuppliedMaterial

if TYPE_CHECKING:
    from onevisit.identity.models import CreditRecord, Organization, Person
    from onevisit.org.models import Department

# Where a gap may still be supplied: before a decision, and after an approval that waits for it.
SUPPLY_STATUSES = (*Case.OPEN, Case.Status.APPROVED)


def tolerance_days() -> int:
    return int(getattr(settings, "ONEVISIT_TOLERANCE_DAYS", 10))


def reminder_days() -> int:
    return int(getattr(settings, "ONEVISIT_TOLERANCE_REMIND_DAYS", 2))


def credit_ok(case: Case) -> bool:
    """The applicant (person, and organisation if any) has no bad-credit record barring 容缺."""
    return credit_ok_for(person=case.agent or case.applicant_person, org=case.applicant_org)


def credit_ok_for(*, person: Person | None, org: Organization | None) -> bool:
    """``credit_ok`` before there is a case (the counter asks while the applicant is in front of it)."""
    from onevisit.identity.credit import credit_clean

    if person is not None and not credit_clean(person=person):
        return False
    return org is None or credit_clean(org=org)


def credit_barring(case: Case, *, for_commitment: bool = False) -> list[CreditRecord]:
    """The credit records in force that bar the applicant (person, and organisation if any) from 容缺
    or, with ``for_commitment``, from 告知承诺 — what the portal names when it says why."""
    from onevisit.identity.credit import credit_bars

    person = case.agent or case.applicant_person
    records = list(credit_bars(person=person, for_commitment=for_commitment)) if person is not None else []
    if case.applicant_org is not None:
        records += credit_bars(org=case.applicant_org, for_commitment=for_commitment)
    return records


def item_allows(case: Case) -> bool:
    """The item takes 容缺 at all: some material is tolerable and it is not an on-the-spot item."""
    return version_allows(case.item_version)


def version_allows(version: ItemVersion) -> bool:
    if version.promised_limit_days == 0:
        return False
    return any(m.tolerable and m.required for m in version.materials.all())


def offered(case: Case) -> bool:
    """Whether the materials page offers "supply later" to this applicant."""
    return item_allows(case) and credit_ok(case)


def max_days(case: Case) -> int:
    """Working days from acceptance the applicant has: the setting, capped by the promised limit."""
    return version_max_days(case.item_version)


def version_max_days(version: ItemVersion) -> int:
    promised = version.promised_limit_days
    return tolerance_days() if promised is None else min(tolerance_days(), promised)


def gap_deadline(case: Case) -> dt.date:
    assert case.accepted_on is not None
    return add_working_days(case.accepted_on, max_days(case) + case.suspended_days)


def commitment_text(case: Case, requirements: list[MaterialRequirement]) -> str:
    """The words the applicant signs. It names each material and its form, the deadline rule and
    the consequence; the same text (and so the same hash) comes out for the same case and list."""
    return version_commitment_text(case.item_version, case.department, requirements)


def version_commitment_text(
    version: ItemVersion, department: Department, requirements: list[MaterialRequirement]
) -> str:
    """``commitment_text`` before there is a case: the counter shows it to the applicant to read
    before the application is filed; the case's own text is the same, word for word."""
    days = version_max_days(version)
    lines = [
        _("Commitment to supply missing materials (容缺受理承诺书)"),
        _("Service: %(service)s; department: %(department)s.")
        % {"service": version.name, "department": department.full_name},
        _("I apply although these materials are missing, and I commit to supply each of them online:"),
    ]
    for n, requirement in enumerate(requirements, start=1):
        lines.append(
            f"{n}. "
            + _("%(name)s (form: %(form)s)")
            % {"name": requirement.name, "form": requirement.get_form_display()}
        )
    lines += [
        _(
            "Deadline: within %(days)d working days of the acceptance of my application, and never "
            "later than the promised time limit of the service. The exact date is on the notice I "
            "receive at acceptance."
        )
        % {"days": days},
        _(
            "If any of them is not supplied by the deadline, the case is terminated, and a certificate "
            "issued provisionally on this application is revoked."
        ),
        _("I confirm that the information I gave is true and that I have read this commitment."),
    ]
    return "\n".join(lines)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def marked(case: Case) -> list[MaterialRequirement]:
    """The materials the applicant chose to supply later, in the item's order."""
    return [
        gap.requirement
        for gap in case.gaps.select_related("requirement").order_by("requirement__order", "requirement_id")
    ]


@transaction.atomic
def gap_mark(*, actor: Any, case: Case, requirement: MaterialRequirement, later: bool) -> None:
    """While drafting: mark a tolerable material "supply later", or take the mark back."""
    from .services import _require, case_locked

    case = case_locked(case)
    _require(case, Case.Status.DRAFT, Case.Status.CORRECTION)
    if case.accepted_on is not None:
        raise ValidationError(_("Materials can be marked to supply later only before acceptance."))
    if requirement.version_id != case.item_version_id:
        raise ValidationError(_("This material is not asked for by this service."))
    if not later:
        case.gaps.filter(requirement=requirement).delete()
        return
    if not (requirement.tolerable and requirement.required):
        raise ValidationError(
            _("%(name)s cannot be supplied later: the service needs it with the application.")
            % {"name": requirement.name}
        )
    if not item_allows(case):
        raise ValidationError(_("This service does not accept applications with missing materials."))
    if not credit_ok(case):
        raise ValidationError(
            _("Because of a bad-credit record, applications with missing materials are not open to you.")
        )
    CaseGap.objects.get_or_create(case=case, requirement=requirement)
    audit_log(actor=actor, action="case_gap_marked", obj=case, data={"requirement": requirement.pk})


def on_submit(
    *,
    actor: Any,
    case: Case,
    missing: list[MaterialRequirement],
    commitment: str | None,
    ip: str | None,
) -> None:
    """Inside ``case_submit`` (case locked): check the gaps, record the commitment; raises if not allowed.

    ``missing`` are the required materials with nothing supplied; those marked "supply later"
    become the case's gaps, any other one refuses the filing."""
    gaps = {gap.requirement_id: gap for gap in case.gaps.all()}
    # A material uploaded after all is no gap any more.
    supplied_now = [pk for pk in gaps if pk not in {m.pk for m in missing}]
    if supplied_now:
        case.gaps.filter(requirement_id__in=supplied_now).delete()
    later = [m for m in missing if m.pk in gaps]
    needed = [m for m in missing if m.pk not in gaps]
    if needed:
        raise ValidationError(
            _("Supply these materials first: %(names)s.") % {"names": "、".join(m.name for m in needed)}
        )
    gaps_commit(actor=actor, case=case, later=later, commitment=commitment, ip=ip)


def gaps_commit(
    *, actor: Any, case: Case, later: list[MaterialRequirement], commitment: str | None, ip: str | None
) -> None:
    """The materials ``later`` may follow, and the applicant signed the commitment for exactly them:
    ``commitment`` now, or (None) word for word earlier — a bundle's item is signed for when the
    bundle is filed and filed itself once the items it waits for are done. Raises if not."""
    if not later:
        return
    if any(not m.tolerable for m in later) or not item_allows(case):
        raise ValidationError(
            _("These materials cannot be supplied later for this service: %(names)s.")
            % {
                "names": "、".join(m.name for m in later if not m.tolerable)
                or "、".join(m.name for m in later)
            }
        )
    if not credit_ok(case):
        raise ValidationError(
            _("Because of a bad-credit record, applications with missing materials are not open to you. Upload the missing materials to apply.")
        )  # fmt: skip
    signature(
        actor=actor, case=case, kind=Commitment.Kind.TOLERANCE, expected=commitment_text(case, later),
        text=commitment, ip=ip, requirements=later,
    )  # fmt: skip


def to_sign(case: Case, known: dict[int, Any] | None = None) -> list[MaterialRequirement]:
    """The materials marked "supply later" that are still missing: what the commitment names
    (``known``: ``evidence.evidence_for(case)``, when the caller has it already)."""
    from .evidence import evidence_for

    later = marked(case)
    if not later:
        return []
    supplied = set(case.materials.values_list("requirement_id", flat=True))
    known = evidence_for(case) if known is None else known
    return [r for r in later if r.pk not in supplied and r.pk not in known]


def text_to_sign(case: Case) -> str:
    """The commitment the applicant signs by filing ("" when nothing is to follow later)."""
    later = to_sign(case)
    return commitment_text(case, later) if later else ""


def signature(
    *,
    actor: Any,
    case: Case,
    kind: str,
    expected: str,
    text: str | None,
    ip: str | None,
    requirements: list[MaterialRequirement],
) -> Commitment:
    """A signed commitment (容缺 or 告知承诺) of the case: ``text`` recorded if it is exactly the
    ``expected`` words the applicant was shown, or, without ``text``, the same words signed earlier.
    Otherwise nothing is recorded and the applicant is asked to read again."""
    if text is None:
        earlier = case.commitments.filter(kind=kind, sha256=text_hash(expected)).first()
        if earlier is not None:
            return earlier
    if text is None or text.replace("\r\n", "\n") != expected:
        raise ValidationError(
            _("The commitment has changed since you read it. Read it again below and submit again.")
        )
    signer = case.agent or case.applicant_person
    if signer is None:
        raise ValidationError(_("A person must sign the commitment."))
    record = Commitment.objects.create(
        case=case, kind=kind, text=expected, sha256=text_hash(expected), signed_by=signer, ip=ip or None
    )
    audit_log(
        actor=actor, action="commitment_signed", obj=case,
        data={"kind": record.kind, "sha256": record.sha256, "materials": [m.pk for m in requirements]},
    )  # fmt: skip
    return record


def on_accept(*, actor: Any, case: Case) -> list[CaseGap]:
    """Inside ``case_accept`` (case locked, ``accepted_on`` set): credit again, then the deadlines."""
    gaps = list(case.gaps.filter(supplied_at__isnull=True).select_related("requirement"))
    if not gaps:
        return []
    if not item_allows(case):
        raise ValidationError(_("This service does not accept applications with missing materials."))
    if not credit_ok(case):
        raise ValidationError(
            _("The applicant now has a bad-credit record, so the case cannot be accepted with missing materials. Ask for the materials or refuse it.")
        )  # fmt: skip
    deadline = gap_deadline(case)
    CaseGap.objects.filter(pk__in=[g.pk for g in gaps]).update(deadline=deadline)
    for gap in gaps:
        gap.deadline = deadline
    audit_log(actor=actor, action="case_gaps_accepted", obj=case, data={"deadline": deadline.isoformat()})
    return gaps


def accepted_message(gaps: list[CaseGap]) -> str:
    deadline = gaps[0].deadline
    assert deadline is not None
    return _(
        "Accepted with missing materials (容缺受理). Supply %(names)s online by %(date)s; otherwise the case is terminated."
    ) % {"names": "、".join(g.requirement.name for g in gaps), "date": f"{deadline:%Y年%m月%d日}"}  # fmt: skip


@transaction.atomic
def gap_supply(*, actor: Any, case: Case, gap_id: int, stream: IO[bytes], name: str) -> CaseGap:
    """补交: the applicant uploads a missing material; when the last gap closes, the department and
    the applicant see it on the timeline and the final certificate replaces a provisional one."""
    from .services import case_locked, store_upload

    case = case_locked(case)
    gap = open_gap(case, gap_id)
    material = store_upload(actor=actor, case=case, requirement=gap.requirement, stream=stream, name=name)
    return gap_fill(actor=actor, case=case, gap=gap, material=material)


def open_gap(case: Case, gap_id: int) -> CaseGap:
    """The gap ``gap_id`` of the (locked) case, if it may be supplied now; else a message why not."""
    from .services import _require

    _require(case, *SUPPLY_STATUSES)
    gap = (
        CaseGap.objects.select_for_update().select_related("requirement").filter(case=case, pk=gap_id).first()
    )
    if gap is None:
        raise ValidationError(_("This material is not missing from this case."))
    if not gap.is_open:
        raise ValidationError(_("This material was already supplied."))
    if gap.deadline is not None and gap.deadline < timezone.localdate():
        raise ValidationError(_("The deadline for this material has passed."))
    return gap


def gap_fill(*, actor: Any, case: Case, gap: CaseGap, material: SuppliedMaterial) -> CaseGap:
    """Close an open gap with a material stored for it (inside the caller's transaction)."""
    from .services import case_event

    gap.supplied_at = timezone.now()
    gap.save(update_fields=["supplied_at"])
    case_event(
        case, kind="gap_supplied", actor=actor,
        message=_("Missing material supplied: %(name)s.") % {"name": gap.requirement.name},
        data={"material": material.pk, "requirement": gap.requirement_id},
    )  # fmt: skip
    if not case.gaps.filter(supplied_at__isnull=True).exists():
        case_event(
            case, kind="gaps_closed", actor=actor,
            message=_("All the missing materials are supplied; the commitment is fulfilled."),
        )  # fmt: skip
        if case.status == Case.Status.APPROVED and case.item_version.certificate_type:
            from .tasks import case_certificate_issue

            transaction.on_commit(lambda: case_certificate_issue.enqueue(case_id=case.pk))
    audit_log(
        actor=actor, action="case_gap_supplied", obj=case, data={"gap": gap.pk, "material": material.pk}
    )
    return gap


@transaction.atomic
def case_terminate(*, actor: Any, case: Case, reason: str) -> Case:
    """终止: the commitment was not kept. The process stops, a provisional certificate is revoked."""
    from onevisit.workflow.models import ProcessInstance
    from onevisit.workflow.services import process_cancel

    from .issuance import certificate_withdraw
    from .services import _require, case_event, case_locked

    case = case_locked(case)
    _require(case, *SUPPLY_STATUSES)
    instance = case.process_instance
    if instance is not None and instance.status == ProcessInstance.Status.RUNNING:
        process_cancel(actor=actor, instance=instance, reason="terminated")
    case.status = Case.Status.TERMINATED
    case.decided_at = timezone.now()
    case.save(update_fields=["status", "decided_at"])
    case_event(
        case,
        kind="terminated",
        actor=actor,
        message=_("The case is terminated: %(reason)s") % {"reason": reason},
    )
    certificate_withdraw(actor=actor, case=case, reason=reason)
    audit_log(actor=actor, action="case_terminated", obj=case, data={"reason": reason})
    return case


def gaps_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: one reminder per gap shortly before its deadline; termination after it.

    Idempotent: a reminder is claimed on ``reminded_at`` before it is sent, and a terminated case
    has no open gap left to find."""
    from .services import case_event

    today = today or timezone.localdate()
    counts = {"reminded": 0, "terminated": 0}
    overdue = (
        CaseGap.objects.filter(supplied_at__isnull=True, deadline__lt=today, case__status__in=SUPPLY_STATUSES)
        .values_list("case_id", flat=True)
        .distinct()
    )
    for case_id in list(overdue):
        with transaction.atomic():
            case = Case.objects.get(pk=case_id)
            names = "、".join(g.requirement.name for g in case.gaps.filter(supplied_at__isnull=True))
            reason = _("the missing materials (%(names)s) were not supplied by the deadline.") % {
                "names": names
            }
            case_terminate(actor="system", case=case, reason=reason)
            counts["terminated"] += 1
    # Only the days up to each deadline are counted: the calendar knows them (the deadline was
    # computed), even near the end of the last year it holds.
    soon = CaseGap.objects.filter(
        supplied_at__isnull=True, reminded_at__isnull=True, deadline__gte=today,
        case__status__in=SUPPLY_STATUSES,
    ).select_related("case", "requirement")  # fmt: skip
    due = [g for g in soon if g.deadline and working_days_between(today, g.deadline) <= reminder_days()]
    by_case: dict[int, list[CaseGap]] = {}
    for gap in due:
        by_case.setdefault(gap.case_id, []).append(gap)
    for gaps in by_case.values():
        with transaction.atomic():
            claimed = CaseGap.objects.filter(pk__in=[g.pk for g in gaps], reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            deadline = min(g.deadline for g in gaps if g.deadline is not None)
            case_event(
                gaps[0].case, kind="gap_reminder", actor="system",
                message=_("Reminder: supply %(names)s online by %(date)s, or the case will be terminated.")
                % {"names": "、".join(g.requirement.name for g in gaps), "date": f"{deadline:%Y年%m月%d日}"},
            )  # fmt: skip
            counts["reminded"] += 1
    return counts
