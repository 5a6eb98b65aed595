"""Template helpers of the supervision pages and the fee box of the case page."""

from typing import Any

from django import template

from onevisit.cases.fees import CHARGEABLE, may_charge

register = template.Library()


@register.filter
def may_charge_fee(user: Any, case: Any) -> bool:
    """Whether the user records fees on this case now (an officer of its department, case running)."""
    return case.status in CHARGEABLE and may_charge(user, case)
