"""我的办件: the applicant's cases, one case's page (next action, deadlines, decision, timeline),
withdrawal, the receipt PDF and the applicant's own uploaded files."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from onevisit.cases import selectors, services, tolerance
from onevisit.cases.models import Case
from onevisit.identity.models import ApplicantAccount

from . import scope
from .account import applicant_required
from .apply import resume_url
from .receipt import receipt_pdf

CHIPS = {
    Case.Status.DRAFT: "chip-muted",
    Case.Status.SUBMITTED: "chip-info",
    Case.Status.CORRECTION: "chip-warn",
    Case.Status.ACCEPTED: "chip-info",
    Case.Status.SUSPENDED: "chip-warn",
    Case.Status.APPROVED: "chip-good",
    Case.Status.REJECTED: "chip-bad",
    Case.Status.NOT_ACCEPTED: "chip-bad",
    Case.Status.WITHDRAWN: "chip-muted",
    Case.Status.TERMINATED: "chip-bad",
}
WITHDRAWABLE = (Case.Status.SUBMITTED, Case.Status.CORRECTION, Case.Status.ACCEPTED, Case.Status.SUSPENDED)


def _case(account: ApplicantAccount, number: str) -> Case:
    return get_object_or_404(scope.visible_cases(account).exclude(number=None), number=number[:32])


@never_cache
@require_GET
@applicant_required
def case_list(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    cases = list(scope.profile_cases(request, account).select_related("bundle_case"))
    # A bundle's children show on the bundle's page until the bundle is filed; a waiting child has
    # no number yet.
    drafts = [
        (c, resume_url(c))
        for c in cases
        if c.status == Case.Status.DRAFT and (c.bundle_case is None or c.bundle_case.submitted_at is not None)
    ]
    filed = [
        (c, CHIPS.get(Case.Status(c.status), ""))
        for c in cases
        if c.status not in (Case.Status.DRAFT, Case.Status.WAITING)
    ]
    bundle_cases = scope.profile_bundle_cases(request, account)
    return render(
        request, "portal/cases/list.html", {"drafts": drafts, "filed": filed, "bundle_cases": bundle_cases}
    )


@never_cache
@require_GET
@applicant_required
def case_detail(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    case = _case(account, number)
    events = list(case.events.filter(public=True).select_related("department").order_by("-at", "-id"))
    correction = next((e for e in events if e.kind == "correction_requested"), None)
    code = case.item_version.item.code
    from .ratings import case_rating_context  # 好差评 block (ratings.py imports this module)

    return render(
        request,
        "portal/cases/detail.html",
        {
            **case_rating_context(case, account.person),
            "case": case,
            "item": case.item_version.item,
            "chip": CHIPS.get(Case.Status(case.status), ""),
            "events": events,
            "correction": correction if case.status == Case.Status.CORRECTION else None,
            "correction_urls": {
                "form": reverse("portal:apply_step", args=[code, case.pk, 1]),
                "materials": reverse("portal:apply_materials", args=[code, case.pk]),
                "check": reverse("portal:apply_check", args=[code, case.pk]),
            },
            "decision": getattr(case, "decision", None),
            "materials": list(case.materials.select_related("requirement")),
            "can_withdraw": case.status in WITHDRAWABLE,
            "gaps": (gaps := list(case.gaps.select_related("requirement"))),
            "open_gaps": [g for g in gaps if g.is_open] if case.status in tolerance.SUPPLY_STATUSES else [],
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def case_withdraw(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    """Withdraw before a decision, after a confirmation page."""
    case = _case(account, number)
    if case.status not in WITHDRAWABLE:
        messages.error(request, _("This case can no longer be withdrawn."))
        return redirect("portal:case", number=case.number)
    reason = request.POST.get("reason", "").strip()
    error = ""
    if request.method == "POST":
        if len(reason) > 500:
            error = _("Keep the reason to at most 500 characters.")
        else:
            try:
                services.case_withdraw(actor=request.user, case=case, reason=reason)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("Your application is withdrawn."))
                return redirect("portal:case", number=case.number)
    return render(
        request,
        "portal/cases/withdraw.html",
        {"case": case, "item": case.item_version.item, "reason": reason, "error": error},
        status=400 if error else 200,
    )


@never_cache
@require_GET
@applicant_required
def case_receipt(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    case = _case(account, number)
    tracking = request.build_absolute_uri(reverse("portal:case", args=[case.number]))
    response = HttpResponse(receipt_pdf(case, tracking_url=tracking), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{case.number}.pdf"'
    return response


@never_cache
@require_GET
@applicant_required
def material_download(request: HttpRequest, account: ApplicantAccount, pk: int) -> HttpResponse:
    """A file the applicant uploaded; nobody else's (404 for everyone else, as if it did not exist)."""
    material = selectors.material_for_applicant(person=account.person, pk=pk)
    if material is None or not material.file:
        raise Http404
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.original_name or f"material{material.extension}",
        content_type=material.content_type or "application/octet-stream",
    )
    return cast(HttpResponse, response)
