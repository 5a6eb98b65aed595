"""The demo's start page: one login per persona, so anyone can walk every journey in minutes."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onevisit.catalog.models import ServiceItem
from onevisit.identity import selectors
from onevisit.identity.models import ApplicantAccount

from .loader import _yaml


def _instant_demos() -> list[dict[str, Any]]:
    """秒批: whom to log in as to see each outcome, and what to choose (demo/data/instant_demo.yaml)."""
    outcomes = {
        "approve": _("Approved at once, with the certificate"),
        "reject": _("Refused at once, with the reasons"),
        "manual": _("Passed to an officer, with the reason"),
    }
    items = {
        i.code: i
        for i in ServiceItem.objects.filter(current_version__isnull=False).select_related(
            "current_version__form"
        )
    }
    rows = []
    for scenario in _yaml("instant_demo.yaml"):
        item = items.get(scenario["item"])
        if item is None:
            continue
        fields = item.current_version.form.schema.get("properties") or {}  # type: ignore[union-attr]
        for case in scenario["cases"]:
            chosen = [
                (
                    str(fields.get(name, {}).get("title") or name),
                    (_("Yes") if value else _("No")) if isinstance(value, bool) else str(value),
                )
                for name, value in case["typed"].items()
            ]
            rows.append(
                {
                    "item": item, "phone": case["phone"], "name": case["name"], "why": case["why"],
                    "outcome": case["outcome"], "outcome_label": outcomes[case["outcome"]], "chosen": chosen,
                }
            )  # fmt: skip
    return rows


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
    return render(
        request, "demo/personas.html", {"rows": rows, "citizens": citizens, "instant": _instant_demos()}
    )
