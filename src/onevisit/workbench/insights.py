"""Indicator dashboards (数据看板), drill-down and the evaluator's exports. Read-only pages: every view
is GET only; who may read what is ``onevisit.insights.access``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onevisit.catalog.models import Channel, ServiceItem
from onevisit.core.indicators import Indicator, Scope
from onevisit.insights import access, exports
from onevisit.insights import indicators as ind
from onevisit.insights.filters import FilterForm
from onevisit.insights.forecast import forecast
from onevisit.org.models import Department

from .views import staff_required

BREAKDOWN_KEYS = ("at_most_one_visit", "zero_visit", "online", "on_time", "duration")
TREND_KEYS = ("at_most_one_visit", "online", "mobile", "on_time")
PAGE = 50


def all_indicators() -> list[Indicator]:
    """Those over cases (insights) and, when the app is there, those over ratings (feedback)."""
    try:
        from onevisit.feedback.indicators import INDICATORS as feedback
    except ImportError:
        feedback = []
    return [*ind.INDICATORS, *feedback]


def _reader(request: HttpRequest) -> None:
    if not access.can_read(request.user):
        raise PermissionDenied(_("The dashboards are for analysts, supervisors and evaluators."))


def _form(request: HttpRequest) -> FilterForm:
    form = FilterForm(request.GET)
    form.is_valid()
    return form


def _invalid(request: HttpRequest, form: FilterForm, template: str, **context: Any) -> HttpResponse:
    return render(request, template, {"form": form, "nav": "insights", **context}, status=400)


def _pct(figure: Any) -> float | None:
    return None if figure is None or figure.value is None else round(figure.value * 100, 2)


def _value(indicator: Indicator, figure: Any) -> float | None:
    if figure is None or figure.value is None:
        return None
    return round(figure.value * 100, 2) if indicator.unit == "%" else round(figure.value, 2)


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = _form(request)
    template = "workbench/insights/dashboard.html"
    if form.errors:
        return _invalid(request, form, template)
    scope = form.scope()
    indicators = all_indicators()
    with ind.shared_queries():
        cards = [(i, f, exports.display(i, f)) for i, f in ((i, i.compute(scope)) for i in indicators)]
        headline = next(c for c in cards if c[0].key == ind.HEADLINE)
        months = ind.months(scope)
        volume = ind.volume_by_month(scope)
        trends = {k: ind.breakdown(ind.BY_KEY[k], scope, "month") for k in TREND_KEYS}
        trend_rows = [
            (m, volume.get(m, 0), [_value(ind.BY_KEY[k], trends[k].get(m)) for k in TREND_KEYS])
            for m in months
        ]
        names: dict[str, dict[Any, Any]] = {
            "department": dict(Department.objects.values_list("pk", "name")),
            "item": dict(ServiceItem.objects.values_list("code", "name")),
            "channel": dict(Channel.choices),
        }
        tables = []
        for by, title in (
            ("department", _("By department")),
            ("item", _("By service")),
            ("channel", _("By channel")),
        ):
            grouped = {k: ind.breakdown(ind.BY_KEY[k], scope, by) for k in BREAKDOWN_KEYS}
            finished = grouped[ind.HEADLINE]
            keys = sorted(
                {g for figures in grouped.values() for g in figures if g is not None},
                key=lambda g: -finished.get(g, ind.EMPTY).denominator,
            )
            label: dict[Any, Any] = names[by]
            rows = [
                (label.get(g, g), [exports.display(ind.BY_KEY[k], grouped[k].get(g, ind.EMPTY)) for k in BREAKDOWN_KEYS],
                 int(finished.get(g, ind.EMPTY).denominator))
                for g in keys
            ]  # fmt: skip
            tables.append((by, title, rows))
    outlook = forecast(scope, today=timezone.localdate())
    chart = {
        "months": [m.strftime("%Y-%m") for m in months],
        "volume": [volume.get(m, 0) for m in months],
        "series": [
            {
                "name": str(ind.BY_KEY[k].name),
                "data": [_value(ind.BY_KEY[k], trends[k].get(m)) for m in months],
            }
            for k in TREND_KEYS
        ],
        "labels": {"volume": _("Cases filed"), "rate": _("Rate (%)")},
    }
    query = request.GET.urlencode()
    return render(
        request,
        template,
        {
            "form": form,
            "nav": "insights",
            "scope": scope,
            "headline": headline,
            "cards": cards,
            "drillable": {i.key for i in ind.INDICATORS if i.drill is not None},
            "chart": chart,
            "trend_keys": [ind.BY_KEY[k] for k in TREND_KEYS],
            "trend_rows": trend_rows,
            "breakdown_keys": [ind.BY_KEY[k] for k in BREAKDOWN_KEYS],
            "tables": tables,
            "forecast": outlook,
            "query": query,
            "evaluator": not access.sees_case_numbers(request.user),
        },
    )


@require_GET
@staff_required
def drill(request: HttpRequest, key: str) -> HttpResponse:
    _reader(request)
    indicator = ind.BY_KEY.get(key)
    if indicator is None or indicator.drill is None:
        raise Http404(_("There is no list of cases behind this figure."))
    form = _form(request)
    template = "workbench/insights/drill.html"
    if form.errors:
        return _invalid(request, form, template, indicator=indicator)
    scope = form.scope()
    cases = (
        access.visible_cases(request.user, indicator.drill(scope))
        .select_related("item_version", "department")
        .order_by("-decided_at", "-submitted_at", "-pk")
    )
    page = Paginator(cases, PAGE).get_page(request.GET.get("page"))
    numbers = access.sees_case_numbers(request.user)
    rows = [
        {
            "ref": case.number if numbers else access.case_token(case.pk),
            "item": case.item_version.name,
            "department": case.department.name,
            "channel": case.get_channel_display(),
            "filed": case.submitted_at,
            "decided": case.decided_at,
            "due": case.promised_due,
            "visits": case.visits,
            "status": case.get_status_display(),
        }
        for case in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "nav": "insights",
            "indicator": indicator,
            "figure": indicator.compute(scope),
            "shown": exports.display(indicator, indicator.compute(scope)),
            "page": page,
            "rows": rows,
            "numbers": numbers,
            "query": params.urlencode(),
            "scope": scope,
        },
    )


def _export_scope(request: HttpRequest) -> tuple[FilterForm, Scope | None]:
    _reader(request)
    form = _form(request)
    return form, (None if form.errors else form.scope())


def _filename(scope: Scope, name: str) -> str:
    return f"onevisit-{name}-{scope.since:%Y%m%d}-{scope.until:%Y%m%d}"


def _attachment(
    content: bytes | Any, content_type: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    response: HttpResponse | StreamingHttpResponse
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@staff_required
def export(request: HttpRequest, name: str) -> HttpResponse | StreamingHttpResponse:
    form, scope = _export_scope(request)
    if scope is None:
        return _invalid(request, form, "workbench/insights/dashboard.html")
    if name == "cases.csv":
        cases = access.visible_cases(request.user, ind.filed_cases(scope))
        return _attachment(
            exports.csv_stream(exports.anonymised_rows(cases)),
            "text/csv; charset=utf-8",
            _filename(scope, "cases") + ".csv",
        )
    table = exports.rows(all_indicators(), scope)
    labels = form.labels()
    if name == "indicators.csv":
        return _attachment(
            exports.indicators_csv(table, scope, labels),
            "text/csv; charset=utf-8",
            _filename(scope, "indicators") + ".csv",
        )
    if name == "indicators.xlsx":
        return _attachment(
            exports.indicators_xlsx(table, scope, labels),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _filename(scope, "indicators") + ".xlsx",
        )
    if name == "report.pdf":
        author = request.user.get_full_name() or request.user.get_username()  # type: ignore[union-attr]
        return _attachment(
            exports.report_pdf(table, scope, labels, author=author),
            "application/pdf",
            _filename(scope, "report") + ".pdf",
        )
    raise Http404(_("There is no such export."))
