"""GET /api/v1/indicators/: the indicators of RULES.md (评估指标) over a period and filters, computed by
the same functions as the dashboards and the exports; aggregates only, for a token with
``indicators:read`` (an evaluator's or a leader's system)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onevisit.core.indicators import Indicator
from onevisit.feedback.indicators import INDICATORS as RATING_INDICATORS
from onevisit.insights.filters import FilterForm
from onevisit.insights.indicators import INDICATORS as CASE_INDICATORS
from onevisit.org.models import ServiceToken

from .auth import ServiceTokenAuthentication, TokenScope
from .work import _errors


def indicators() -> list[Indicator]:
    return [*CASE_INDICATORS, *RATING_INDICATORS]


class IndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    formula = serializers.CharField(help_text="What is divided by what, in words.")
    unit = serializers.ChoiceField(choices=["%", "days", "count"])
    numerator = serializers.FloatField()
    denominator = serializers.FloatField()
    value = serializers.FloatField(
        allow_null=True, help_text="numerator / denominator (a share 0–1 for %); null: nothing to count."
    )


class IndicatorReadingSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    region = serializers.CharField(allow_null=True)
    department = serializers.CharField(allow_null=True)
    item = serializers.CharField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    indicators = IndicatorSerializer(many=True)


FILTERS = [
    OpenApiParameter("since", str, description="First day, YYYY-MM-DD (default: a year ago)."),
    OpenApiParameter("until", str, description="Last day, YYYY-MM-DD (default: today); at most 10 years."),
    OpenApiParameter("region", str, description="GB/T 2260 region code; the region and all under it."),
    OpenApiParameter("department", str, description="Department code."),
    OpenApiParameter("item", str, description="Service item code."),
    OpenApiParameter("channel", str, description="online, mobile, counter, kiosk or cross_region."),
]


class IndicatorListView(APIView):
    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [TokenScope]
    action = "list"
    required_scopes = {"list": [ServiceToken.Scope.INDICATORS_READ]}

    @extend_schema(
        operation_id="indicators_read",
        parameters=FILTERS,
        responses={200: IndicatorReadingSerializer, **_errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        form = FilterForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    k if k != "__all__" else "non_field_errors": [str(m) for m in v]
                    for k, v in form.errors.items()
                }
            )
        scope = form.scope()
        data = form.cleaned_data
        rows: list[dict[str, Any]] = []
        for indicator in indicators():
            figure = indicator.compute(scope)
            rows.append(
                {
                    "key": indicator.key,
                    "name": str(indicator.name),
                    "formula": str(indicator.formula),
                    "unit": indicator.unit,
                    "numerator": figure.numerator,
                    "denominator": figure.denominator,
                    "value": figure.value,
                }
            )
        reading = {
            "since": scope.since, "until": scope.until, "region": scope.region_code,
            "department": data["department"].code if data["department"] else None,
            "item": scope.item_code, "channel": scope.channel, "indicators": rows,
        }  # fmt: skip
        return Response(IndicatorReadingSerializer(reading).data)
