"""容缺 on the applicant's case page: the notice (page and PDF) and the upload of each missing material.

Thin views: ``cases.tolerance`` checks and writes; scoping is that of the case page (another
applicant's case is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from onevisit.cases import tolerance
from onevisit.cases.gap_notice import gap_notice, gap_notice_pdf
from onevisit.identity.models import ApplicantAccount

from .account import applicant_required
from .cases import _case


@never_cache
@require_GET
@applicant_required
def notice(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    case = _case(account, number)
    document = gap_notice(case)
    if document is None:
        raise Http404
    return render(request, "portal/cases/gap_notice.html", {"case": case, "notice": document})


@never_cache
@require_GET
@applicant_required
def notice_pdf(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    case = _case(account, number)
    document = gap_notice(case)
    if document is None:
        raise Http404
    tracking = request.build_absolute_uri(reverse("portal:case", args=[case.number]))
    response = HttpResponse(gap_notice_pdf(document, tracking_url=tracking), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="gap-notice-{case.number}.pdf"'
    return response


@require_POST
@applicant_required
def supply(request: HttpRequest, account: ApplicantAccount, number: str, gap_id: int) -> HttpResponse:
    """补交: one missing material, uploaded from the case page."""
    case = _case(account, number)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose the file of the missing material."))
        tolerance.gap_supply(
            actor=request.user, case=case, gap_id=gap_id, stream=upload, name=upload.name or ""
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("portal:case", args=[case.number]) + f"#gap-{gap_id}")
    messages.success(request, _("Thank you: the missing material is received."))
    return redirect("portal:case", number=case.number)
