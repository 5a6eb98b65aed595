"""The demo's start page: one login per persona, so anyone can walk every journey in minutes."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onevisit.identity import selectors
from onevisit.identity.models import ApplicantAccount


@require_GET
def personas(request: HttpRequest) -> HttpResponse:
    if not settings.ONEVISIT_DEMO:
        raise Http404
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .prefetch_related("staff_roles__department__region")
        .order_by("username")
    )
    rows = [
        {"username": u.username, "name": u.get_full_name() or u.first_name,
         "roles": [(r.get_role_display(), r.department.full_name) for r in u.staff_roles.all()],
         "superuser": u.is_superuser}
        for u in users
    ]  # fmt: skip
    accounts = ApplicantAccount.objects.filter(user__is_active=True).select_related("person").order_by("pk")
    # The demo phones are synthetic, so they are shown in full here (and only here).
    citizens = [
        {
            "phone": account.phone,
            "name": account.person.name,
            "organizations": [o.name for o in selectors.organizations_for(account.person)],
        }
        for account in accounts
    ]
    return render(request, "demo/personas.html", {"rows": rows, "citizens": citizens})
