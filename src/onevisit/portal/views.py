"""Citizen-facing pages: thin views over catalogue selectors."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from onevisit.catalog import selectors
from onevisit.catalog.models import Channel, LifeEvent
from onevisit.org.models import Department

from .context import ELDER_COOKIE


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    events = [e for e in selectors.life_events() if e.item_count]  # type: ignore[attr-defined]
    return render(
        request,
        "portal/home.html",
        {
            "person_events": [e for e in events if e.audience == "person"],
            "org_events": [e for e in events if e.audience == "organization"],
            "popular": selectors.popular_items(),
            "bundles": selectors.published_bundles()[:6],
            "departments": [d for d in selectors.departments_with_items() if d.item_count][:12],  # type: ignore[attr-defined]
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    live = bool(request.headers.get("HX-Request"))
    result = selectors.item_search(
        query=request.GET.get("q", ""), max_length=settings.ONEVISIT_SEARCH_MAX_QUERY, record_miss=not live
    )
    context = {"result": result, "query": result.query, "max_length": settings.ONEVISIT_SEARCH_MAX_QUERY}
    return render(request, "portal/_search_results.html" if live else "portal/search.html", context)


@require_GET
def life_event(request: HttpRequest, code: str) -> HttpResponse:
    event = get_object_or_404(LifeEvent, code=code)
    items = selectors.item_list(life_event=code)
    bundles = selectors.published_bundles().filter(life_event=event)
    return render(request, "portal/life_event.html", {"event": event, "items": items, "bundles": bundles})


@require_GET
def departments(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/departments.html", {"departments": selectors.departments_with_items()})


@require_GET
def department(request: HttpRequest, code: str) -> HttpResponse:
    dept = get_object_or_404(Department.objects.select_related("region"), code=code)
    tab = request.GET.get("tab", "items")
    if tab not in ("items", "powers", "responsibilities"):
        tab = "items"
    return render(
        request,
        "portal/department.html",
        {
            "department": dept,
            "tab": tab,
            "items": selectors.item_list(department=code),
            "powers": selectors.department_powers(dept),
        },
    )


@require_GET
def item_guide(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.item_guide(code=code)
    if item is None or item.current_version is None:
        raise Http404
    version = item.current_version
    steps = selectors.process_steps(version)
    dept_names = selectors.department_names([s.lane for s in steps.steps] if steps else [])
    return render(
        request,
        "portal/item.html",
        {
            "item": item,
            "version": version,
            "materials": list(version.materials.all()),
            "steps": [(s, dept_names.get(s.lane, s.lane)) for s in steps.steps] if steps else [],
            "has_diagram": bool(steps and steps.has_diagram),
            "channel_labels": [Channel(c).label for c in version.channels if c in Channel.values],
        },
    )


@require_GET
def item_process(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.item_guide(code=code)
    if item is None or item.current_version is None or not hasattr(item.current_version, "process"):
        raise Http404
    return HttpResponse(
        selectors.process_xml_for_display(item.current_version), content_type="application/xml; charset=utf-8"
    )


@require_GET
def bundles(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/bundles.html", {"bundles": selectors.published_bundles()})


@require_GET
def bundle(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(selectors.published_bundles(), code=code)
    return render(request, "portal/bundle.html", {"bundle": obj})


@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if request.POST.get("on") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(ELDER_COOKIE)
    return response
