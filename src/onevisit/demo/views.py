"""The demo's start page: one login per persona, so anyone can walk every journey in minutes."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


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
    return render(request, "demo/personas.html", {"rows": rows})
