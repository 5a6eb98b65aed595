"""我的数据使用记录: every use of the applicant's personal data (and of the organizations they act for)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from onevisit.exchange.selectors import accesses_of
from onevisit.identity.models import ApplicantAccount
from onevisit.identity.selectors import organizations_for

from .account import applicant_required

PER_PAGE = 30


@never_cache
@require_http_methods(["GET"])
@applicant_required
def data_use(request: HttpRequest, account: ApplicantAccount) -> HttpResponse:
    organizations = list(organizations_for(account.person))
    page = Paginator(accesses_of(person=account.person, organizations=organizations), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/account/data_use.html",
        {"page": page, "person": account.person, "organizations": organizations},
    )
