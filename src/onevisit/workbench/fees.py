"""收费: an officer of the case's department records a fee charged on it (from the case page)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onevisit.cases.fees import case_fee_charge, may_charge
from onevisit.cases.selectors import cases_for_staff

from .views import staff_required


@require_POST
@staff_required
def fee_charge(request: HttpRequest, pk: int) -> HttpResponse:
    case = cases_for_staff(user=request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    if not may_charge(request.user, case):
        raise PermissionDenied
    post = request.POST
    try:
        fee = case_fee_charge(
            actor=request.user, case=case, name=post.get("fee_name", "")[:1000],
            amount=post.get("fee_amount", "")[:100], basis=post.get("fee_basis", "")[:1000],
        )  # fmt: skip
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The fee %(name)s (%(amount)s yuan) is recorded.") % {
            "name": fee.name, "amount": f"{fee.amount:.2f}"})  # fmt: skip
    return redirect("workbench:case", pk=case.pk)
