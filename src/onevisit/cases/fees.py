"""收费: a fee the department charges on a case, recorded as charged (amount in yuan). Supervision
compares it with the item version's published fee list and raises a red card for a fee not in it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onevisit.core.audit import audit_log
from onevisit.org.models import Role, StaffRole

from .models import Case, CaseFee
from .services import case_event, case_locked

MAX_NAME = 100
MAX_BASIS = 300
MAX_AMOUNT = Decimal("1000000")
CHARGEABLE = (
    Case.Status.SUBMITTED, Case.Status.CORRECTION, Case.Status.ACCEPTED, Case.Status.SUSPENDED,
    Case.Status.APPROVED,
)  # fmt: skip


def may_charge(user: Any, case: Case) -> bool:
    """Officers and approvers of the case's department record its fees."""
    if not getattr(user, "is_authenticated", False):
        return False
    return StaffRole.objects.filter(
        user=user, department_id=case.department_id, role__in=(Role.OFFICER, Role.APPROVER)
    ).exists()


def _amount(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None
    return amount if amount is not None and amount.is_finite() else None


@transaction.atomic
def case_fee_charge(*, actor: Any, case: Case, name: str, amount: Any, basis: str = "") -> CaseFee:
    """Record a fee charged on ``case``: a name (as in the fee list), an amount in yuan (more than 0,
    at most 1,000,000, to the fen) and its basis (the charging document)."""
    if not may_charge(actor, case):
        raise PermissionDenied(_("Only an officer of the case's department may record its fees."))
    case = case_locked(case)
    if case.status not in CHARGEABLE:
        raise ValidationError(
            _("A fee cannot be recorded while the case is “%(status)s”.")
            % {"status": case.get_status_display()}
        )
    errors: dict[str, str] = {}
    name, basis = (name or "").strip(), (basis or "").strip()
    if not name:
        errors["name"] = _("Enter the name of the fee, as in the fee list.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name of the fee may be at most %(n)d characters.") % {"n": MAX_NAME}
    value = _amount(amount)
    if value is None:
        errors["amount"] = _("Enter the amount in yuan, e.g. 80 or 12.50.")
    elif value <= 0:
        errors["amount"] = _("The amount must be more than 0 yuan.")
    elif value > MAX_AMOUNT:
        errors["amount"] = _("The amount may be at most 1,000,000 yuan.")
    elif value != value.quantize(Decimal("0.01")):
        errors["amount"] = _("The amount has at most two decimals (fen).")
    if len(basis) > MAX_BASIS:
        errors["basis"] = _("The basis may be at most %(n)d characters.") % {"n": MAX_BASIS}
    if errors:
        raise ValidationError(errors)
    assert value is not None
    fee = CaseFee.objects.create(case=case, name=name, amount=value, basis=basis, charged_by=actor)
    case_event(
        case, kind="fee_charged", actor=actor,
        message=_("Fee charged: %(name)s, %(amount)s yuan.") % {"name": name, "amount": f"{value:.2f}"},
        data={"fee": fee.pk},
    )  # fmt: skip
    audit_log(
        actor=actor, action="case_fee_charged", obj=fee,
        data={"case": case.pk, "name": name, "amount": str(value), "basis": basis},
    )  # fmt: skip
    return fee
