"""事后核查 (双随机): draw a reproducible sample of approvals on commitment and record the checks.

The draw is reproducible: the population (case ids, ascending) and the seed are stored, and
``draw_sample(population, officers, ratio, seed)`` gives the same cases and inspectors every time.
A false commitment replaces the approval by a revocation (the approval stays in ``Decision.history``),
revokes the certificate and writes a credit record (国办发〔2020〕42号), all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.cases import commitment as approval
from onevisit.cases import issuance
from onevisit.cases.models import Case, Decision
from onevisit.cases.services import case_event, case_locked
from onevisit.cases.uploads import check_upload
from onevisit.catalog.models import ServiceItem
from onevisit.core.audit import audit_log
from onevisit.identity.credit import credit_record_add
from onevisit.org.models import Role, StaffRole

from .models import PostCheck, PostCheckDraw
from .selectors import may_draw

LEGAL_BASIS = "《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）"
INSPECTORS = 2
MAX_NOTE = 2000
MAX_SEED = 64


def sample_size(population: int, ratio: int) -> int:
    """ratio percent of the population, rounded up; at least one when there is any."""
    if population == 0:
        return 0
    return min(population, max(1, math.ceil(population * ratio / 100)))


def draw_sample(
    population: list[int], officers: list[int], ratio: int, seed: str
) -> list[tuple[int, list[int]]]:
    """The sampled case ids, in the order drawn, each with its inspectors' user ids.
    Pure: the same inputs give the same result, so anyone can re-draw a stored draw."""
    rng = random.Random(seed)
    cases = rng.sample(sorted(population), sample_size(len(population), ratio))
    pool = sorted(officers)
    return [(case_id, sorted(rng.sample(pool, INSPECTORS))) for case_id in cases]


def population_of(item: ServiceItem, since: dt.date, until: dt.date) -> list[int]:
    """Ids of the item's cases approved on a commitment, decided in [since, until], not checked before."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return sorted(
        approval.approved_on_commitment()
        .filter(item_version__item=item, decided_at__gte=start, decided_at__lt=end)
        .exclude(post_checks__isnull=False)
        .values_list("pk", flat=True)
    )


def default_ratio(item: ServiceItem) -> int:
    """The ratio a draw uses when none is given: the item's own (on its version in force), else the
    platform's ``ONEVISIT_POST_CHECK_RATIO``."""
    version = item.current_version
    own = version.post_check_ratio if version is not None else None
    return int(settings.ONEVISIT_POST_CHECK_RATIO) if own is None else own


def officers_of(item: ServiceItem) -> list[int]:
    return sorted(
        set(
            StaffRole.objects.filter(
                department=item.department, role=Role.OFFICER, user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )


@transaction.atomic
def post_check_draw(
    *,
    actor: Any,
    item: ServiceItem,
    since: dt.date | None,
    until: dt.date | None,
    seed: str | None = None,
    ratio: int | None = None,
) -> PostCheckDraw:
    """双随机: draw the cases to check and two inspectors for each; store seed and population."""
    if not may_draw(actor, item):
        raise PermissionDenied(_("Only a supervisor of the service's region may draw post-checks."))
    errors: dict[str, str] = {}
    if since is None:
        errors["since"] = _("Enter the first day of the period.")
    if until is None:
        errors["until"] = _("Enter the last day of the period.")
    if since and until and since > until:
        errors["until"] = _("The last day must be on or after the first day.")
    if until and until > timezone.localdate():
        errors["until"] = _("The period cannot end in the future.")
    ratio = default_ratio(item) if ratio is None else ratio
    if isinstance(ratio, bool) or not isinstance(ratio, int) or not 1 <= ratio <= 100:
        errors["ratio"] = _("The ratio must be a whole number of percent from 1 to 100.")
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > MAX_SEED or not seed.isprintable():
        errors["seed"] = _("The seed may be at most %(n)d printable characters.") % {"n": MAX_SEED}
    if errors:
        raise ValidationError(errors)
    assert since is not None and until is not None
    population = population_of(item, since, until)
    officers = officers_of(item)
    if population and len(officers) < INSPECTORS:
        raise ValidationError(
            _("The department needs at least %(n)d officers to draw inspectors from.") % {"n": INSPECTORS}
        )
    sample = draw_sample(population, officers, ratio, seed)
    draw = PostCheckDraw.objects.create(
        item=item, since=since, until=until, ratio=ratio, seed=seed, population=population,
        officers=officers, sampled=[case_id for case_id, _inspectors in sample], drawn_by=actor,
    )  # fmt: skip
    for case_id, inspectors in sample:
        check = PostCheck.objects.create(draw=draw, case_id=case_id)
        check.inspectors.set(inspectors)
        case_event(
            Case.objects.get(pk=case_id), kind="post_check_drawn", actor=actor, public=False,
            message=_("Drawn for a post-check of the commitment (事后核查)."),
        )  # fmt: skip
    audit_log(
        actor=actor, action="post_check_drawn", obj=draw,
        data={"seed": seed, "ratio": ratio, "population": len(population), "sampled": draw.sampled},
    )  # fmt: skip
    return draw


@transaction.atomic
def post_check_record(
    *,
    actor: Any,
    check: PostCheck,
    outcome: str,
    note: str,
    evidence: IO[bytes] | None,
    evidence_name: str = "",
) -> PostCheck:
    """An assigned inspector records the result; a false commitment revokes the approval."""
    check = PostCheck.objects.select_for_update().get(pk=check.pk)
    if not check.inspectors.filter(pk=getattr(actor, "pk", None) or 0).exists():
        raise PermissionDenied(_("Only an inspector assigned to this check may record its result."))
    if check.status != PostCheck.Status.PENDING:
        raise ValidationError(_("The result of this check is already recorded."))
    errors: dict[str, Any] = {}
    if outcome not in (PostCheck.Status.PASSED, PostCheck.Status.FALSE_COMMITMENT):
        errors["outcome"] = _("Choose whether the commitment was true or false.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Describe what was checked and what was found.")
    elif len(note) > MAX_NOTE:
        errors["note"] = _("The note may be at most %(n)d characters.") % {"n": MAX_NOTE}
    checked = None
    if evidence is None:
        errors["evidence"] = _("Upload the evidence of the check (PDF, JPEG or PNG).")
    else:
        try:
            checked = check_upload(evidence, evidence_name)
        except ValidationError as error:
            errors["evidence"] = error.messages
    if errors:
        raise ValidationError(errors)
    assert checked is not None
    case = case_locked(check.case)
    if outcome == PostCheck.Status.FALSE_COMMITMENT:
        _revoke(actor=actor, case=case, note=note)
    check.status, check.note = outcome, note
    check.evidence_name, check.evidence_type, check.evidence_sha256 = (
        checked.name, checked.content_type, checked.sha256,
    )  # fmt: skip
    check.evidence.save("evidence", ContentFile(checked.content), save=False)
    check.recorded_by, check.recorded_at = actor, timezone.now()
    check.save()
    case_event(
        case, kind="post_check_recorded", actor=actor, public=False,
        message=_("Post-check recorded: %(result)s. %(note)s")
        % {"result": check.get_status_display(), "note": note},
    )  # fmt: skip
    audit_log(
        actor=actor, action="post_check_recorded", obj=check,
        data={"case": case.pk, "outcome": outcome, "evidence_sha256": checked.sha256},
    )  # fmt: skip
    return check


def _revoke(*, actor: Any, case: Case, note: str) -> None:
    """The approval is revoked for a false commitment: decision replaced (history kept), certificate
    revoked, the signer (and the organisation applying) get a credit record."""
    if case.status != Case.Status.APPROVED:
        raise ValidationError(_("Only an approved case can be revoked for a false commitment."))
    decision = Decision.objects.select_for_update().get(case=case)
    reasons = _("The approval is revoked because the commitment was false: %(note)s") % {"note": note}
    issuance.certificate_withdraw(actor=actor, case=case, reason=reasons)
    previous = {
        "outcome": decision.outcome, "reasons": decision.reasons, "legal_basis": decision.legal_basis,
        "decided_at": decision.decided_at.isoformat(), "decided_by": decision.decided_by_id,
        "rule_trace": decision.rule_trace,
    }  # fmt: skip
    decision.history = [*decision.history, previous]
    decision.outcome, decision.reasons, decision.legal_basis = Decision.Outcome.REJECT, reasons, LEGAL_BASIS
    decision.decided_by, decision.decided_at, decision.rule_trace = actor, timezone.now(), {}
    decision.save()
    case.status, case.decided_at = Case.Status.REJECTED, decision.decided_at
    case.certificate_number, case.certificate_due = "", None
    case.save(update_fields=["status", "decided_at", "certificate_number", "certificate_due"])
    case_event(
        case, kind="decision_revoked", actor=actor,
        message=_("The approval is revoked after a post-check found the commitment false: %(note)s")
        % {"note": note},
    )  # fmt: skip
    signed = approval.signed(case)
    subjects: list[dict[str, Any]] = []
    if signed is not None:
        subjects.append({"person": signed.signed_by})
    if case.applicant_org is not None:
        subjects.append({"org": case.applicant_org})
    for subject in subjects:
        credit_record_add(
            actor=actor, kind="false_commitment", reason=note[:500], legal_basis=LEGAL_BASIS,
            department=case.department, **subject,
        )  # fmt: skip
    audit_log(actor=actor, action="case_decision_revoked", obj=case, data={"reason": "false_commitment"})
