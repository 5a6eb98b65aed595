from typing import Any

from django.conf import settings
from django.http import HttpRequest

from onevisit.identity import selectors

ELDER_COOKIE = "onevisit_elder"
ACTING_FOR = "onevisit_acting_for"


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
        "service_hotline": settings.ONEVISIT_SERVICE_HOTLINE,
        "demo_instance": settings.ONEVISIT_DEMO,
        **applicant_context(request),
    }


def applicant_context(request: HttpRequest) -> dict[str, Any]:
    """The signed-in applicant and the organization they act for, checked again on every page so
    that a revoked or expired authorization stops at once."""
    user = getattr(request, "user", None)
    account = selectors.account_of(user)
    if account is None:
        return {"applicant": None, "acting_for": None}
    acting_for = None
    chosen = request.session.get(ACTING_FOR)
    if chosen:
        acting_for = selectors.organizations_for(account.person).filter(pk=chosen).first()
        if acting_for is None:
            request.session.pop(ACTING_FOR, None)
    return {"applicant": account, "acting_for": acting_for}
