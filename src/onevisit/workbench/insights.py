"""Indicator dashboards (数据看板), drill-down and the evaluator's exports. Read-only pages: every view
is GET only; who may read what is ``onevisit.insights.access``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onevisit.catalog.models import Channel, ServiceItem
from onevisit.core.indicators import Indicator, Scope
from onevisit.insights import access, exports
from onevisit.insights import indicators as ind
from onevisit.insights.forecast import forecast
from onevisit.org.models import Department, Region

from .views import staff_required

MAX_YEARS = 10
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


def _year_ago(today: dt.date) -> dt.date:
    index = today.year * 12 + today.month - 1 - 11
    return dt.date(index // 12, index % 12 + 1, 1)


class FilterForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.CharField(label=gettext_lazy("Region code"), required=False, max_length=12)
    department = forms.CharField(label=gettext_lazy("Department"), required=False, max_length=40)
    item = forms.CharField(label=gettext_lazy("Service item"), required=False, max_length=40)
    channel = forms.CharField(label=gettext_lazy("Channel"), required=False, max_length=20)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:  # show the period used when none was asked for
            data = data.copy()
            today = timezone.localdate()
            if not data.get("since"):
                data["since"] = _year_ago(today).isoformat()
            if not data.get("until"):
                data["until"] = today.isoformat()
        super().__init__(data, **kwargs)
        bad_date = gettext_lazy("Enter a date such as 2026-01-31.")
        for name in ("since", "until"):
            self.fields[name].error_messages["invalid"] = bad_date
        for name in ("region", "department", "item", "channel"):
            self.fields[name].error_messages["max_length"] = gettext_lazy("This code is too long.")
        departments = Department.objects.order_by("code").values_list("code", "name")
        items = ServiceItem.objects.order_by("code").values_list("code", "name")
        regions = Region.objects.order_by("code").values_list("code", "name")
        self.fields["region"].widget = forms.Select(
            choices=[("", _("All regions")), *[(c, f"{n} {c}") for c, n in regions]]
        )
        self.fields["department"].widget = forms.Select(choices=[("", _("All departments")), *departments])
        self.fields["item"].widget = forms.Select(
            choices=[("", _("All services")), *[(c, f"{n} {c}") for c, n in items]]
        )
        self.fields["channel"].widget = forms.Select(choices=[("", _("All channels")), *Channel.choices])

    def clean_region(self) -> Region | None:
        code = self.cleaned_data["region"].strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(_("There is no region with the code “%(code)s”.") % {"code": code})
        return region

    def clean_department(self) -> Department | None:
        code = self.cleaned_data["department"].strip()
        if not code:
            return None
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise ValidationError(_("There is no department with the code “%(code)s”.") % {"code": code})
        return department

    def clean_item(self) -> str | None:
        code = self.cleaned_data["item"].strip()
        if not code:
            return None
        if not ServiceItem.objects.filter(code=code).exists():
            raise ValidationError(_("There is no service item with the code “%(code)s”.") % {"code": code})
        return code

    def clean_channel(self) -> str | None:
        value = self.cleaned_data["channel"].strip()
        if not value:
            return None
        if value not in Channel.values:
            raise ValidationError(_("“%(value)s” is not a channel.") % {"value": value})
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        if "since" in data and "until" in data:
            since = data["since"] or _year_ago(today)
            until = data["until"] or today
            if until < since:
                raise ValidationError(
                    _("The period ends before it starts: the end date must be on or after the start date.")
                )
            if (until - since).days > MAX_YEARS * 366:
                raise ValidationError(
                    _("The period may span at most %(years)s years.") % {"years": MAX_YEARS}
                )
            data["since"], data["until"] = since, until
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            since=data["since"],
            until=data["until"],
            region_code=data["region"].code if data["region"] else None,
            department_id=data["department"].pk if data["department"] else None,
            item_code=data["item"],
            channel=data["channel"],
        )

    def labels(self) -> dict[str, str]:  # shown in the exports' headers
        data = self.cleaned_data
        return {
            _("Region"): data["region"].name if data["region"] else "",
            _("Department"): data["department"].name if data["department"] else "",
            _("Service item"): data["item"] or "",
            _("Channel"): str(Channel(data["channel"]).label) if data["channel"] else "",
        }


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
