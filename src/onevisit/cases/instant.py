"""秒批: the item's published decision table decides a filed case, or hands it to people.

The inputs are the case's form data, in which every value the platform knows from trusted data has
already replaced what was typed (``evidence.trusted_apply`` at filing). Approve and reject are
decisions like any other, with the matched rule and the inputs stored in ``Decision.rule_trace``;
"manual" leaves the case waiting for acceptance and tells the applicant why. An officer of the
department can review an automatic decision and overturn it; the first decision stays in
``Decision.history``, the timeline and the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.core.audit import audit_log
from onevisit.workflow import rules

from . import issuance
from .models import Case, Decision
from .services import CaseStateError, _decide, _require, case_deadlines, case_event, case_locked

RULES_ACTOR = "秒批规则"


def is_instant(case: Case) -> bool:
    return hasattr(case.item_version, "rules")


def _legal_basis(case: Case) -> str:
    return "；".join(f"{b.get('law', '')}{b.get('article', '')}" for b in case.item_version.legal_basis)


@transaction.atomic
def case_instant_decide(*, actor: Any, case: Case) -> rules.RuleResult | None:
    """Run the rules over a filed case. Returns what they said, or ``None`` for an item without rules."""
    case = case_locked(case)
    if not is_instant(case):
        return None
    _require(case, Case.Status.SUBMITTED)
    definition = case.item_version.rules
    today = timezone.localdate()
    inputs = {k: v for k, v in case.form_data.items() if not k.startswith("_")}
    result = rules.decide(definition.dmn_xml, inputs, today=today)
    trace = result.trace(decision_id=definition.decision_id)
    if result.outcome == "manual":
        case_event(
            case, kind="instant_manual", actor=RULES_ACTOR, data={"rule_trace": trace},
            message=_("The rules could not decide at once (%(reason)s). An officer will handle the application.")
            % {"reason": result.reason},
        )  # fmt: skip
        audit_log(actor=actor, action="case_instant_manual", obj=case, data={"rule": result.rule_id})
        return result
    case.accepted_on = today
    case.status = Case.Status.ACCEPTED
    case.promised_due, case.statutory_due = case_deadlines(case)
    case.save(update_fields=["accepted_on", "status", "promised_due", "statutory_due"])
    case_event(
        case,
        kind="accepted",
        actor=RULES_ACTOR,
        message=_("Accepted and decided at once by the published rules (秒批)."),
    )
    outcome = Decision.Outcome.APPROVE if result.outcome == "approve" else Decision.Outcome.REJECT
    _decide(
        actor=RULES_ACTOR, case=case, outcome=outcome, reasons=result.reason, legal_basis=_legal_basis(case),
        rule_trace=trace,
    )  # fmt: skip
    audit_log(
        actor=actor,
        action="case_instant_decided",
        obj=case,
        data={"outcome": outcome, "rule": result.rule_id},
    )
    if outcome == Decision.Outcome.APPROVE and case.item_version.certificate_type:
        issuance.case_certificate_issue(actor=RULES_ACTOR, case_id=case.pk)
    return result


def may_review(user: Any, case: Case) -> bool:
    """Officers and approvers of the case's department may review an automatic decision."""
    from onevisit.org.models import Role

    return bool(
        getattr(user, "is_authenticated", False)
        and user.staff_roles.filter(
            department=case.department, role__in=[Role.OFFICER, Role.APPROVER]
        ).exists()
    )


@transaction.atomic
def case_decision_overturn(
    *, actor: Any, case: Case, outcome: str, reasons: str, legal_basis: str
) -> Decision:
    """复核: a person replaces an automatic decision; both stay on record."""
    case = case_locked(case)
    if not may_review(actor, case):
        raise PermissionDenied(_("Only officers of the handling department may review this decision."))
    decision = Decision.objects.select_for_update().filter(case=case).first()
    if decision is None or not decision.automatic:
        raise CaseStateError(_("Only a decision taken by the rules can be reviewed here."))
    if outcome not in (Decision.Outcome.APPROVE, Decision.Outcome.REJECT) or outcome == decision.outcome:
        raise ValidationError({"outcome": _("Choose the outcome that replaces the automatic decision.")})
    reasons, legal_basis = (reasons or "").strip(), (legal_basis or "").strip()
    errors = {}
    if not reasons:
        errors["reasons"] = _("Give the reasons for the decision; the applicant reads them.")
    if not legal_basis:
        errors["legal_basis"] = _("Give the legal basis (law and article) of the decision.")
    if errors:
        raise ValidationError(errors)
    previous = {
        "outcome": decision.outcome, "reasons": decision.reasons, "legal_basis": decision.legal_basis,
        "decided_at": decision.decided_at.isoformat(), "decided_by": None, "rule_trace": decision.rule_trace,
    }  # fmt: skip
    if decision.outcome == Decision.Outcome.APPROVE:
        issuance.certificate_withdraw(actor=actor, case=case, reason=reasons)
    decision.history = [*decision.history, previous]
    decision.outcome, decision.reasons, decision.legal_basis = outcome, reasons, legal_basis
    decision.decided_by = actor
    decision.decided_at = timezone.now()
    decision.save()
    case.status = Case.Status.APPROVED if outcome == Decision.Outcome.APPROVE else Case.Status.REJECTED
    case.decided_at = decision.decided_at
    if outcome == Decision.Outcome.REJECT:
        case.certificate_number = ""
        case.certificate_due = None  # nothing is due under Art. 44 any more
    case.save(update_fields=["status", "decided_at", "certificate_number", "certificate_due"])
    case_event(
        case, kind="decision_overturned", actor=actor,
        message=_("On review by an officer the automatic decision was replaced: %(outcome)s. %(reasons)s")
        % {"outcome": decision.get_outcome_display(), "reasons": reasons},
    )  # fmt: skip
    audit_log(
        actor=actor, action="case_decision_overturned", obj=case,
        data={"from": previous["outcome"], "to": outcome, "rule": decision.rule_trace.get("rule_id", "")},
    )  # fmt: skip
    if outcome == Decision.Outcome.APPROVE:
        issuance.schedule(case)
    return decision
