"""GET /api/v1/indicators/: the same figures as the dashboards, for a token with indicators:read;
bad periods and codes are refused with the one error shape and nothing computed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from onevisit.insights.indicators import INDICATORS

from .conftest import client_for


@pytest.fixture
def reader(make_token):
    return make_token(scopes=["indicators:read"])[1]


def test_a_reader_gets_every_indicator_computed_by_the_dashboards_functions(
    reader, two_step_item, file_case, alice
):
    case = file_case(two_step_item, alice, channel="online")
    day = timezone.localdate(case.submitted_at).isoformat()  # the local day, also just after midnight
    response = client_for(reader).get(
        f"/api/v1/indicators/?since={day}&until={day}&item={two_step_item.code}"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    figures = {row["key"]: row for row in body["indicators"]}
    assert set(figures) >= {i.key for i in INDICATORS} and {"good_rating_rate", "rectification_rate"} <= set(
        figures
    )
    online = next(i for i in INDICATORS if i.key == "online")
    assert figures["online"]["denominator"] == 1 and figures["online"]["value"] == 1.0
    assert figures["online"]["name"] == str(online.name)
    assert body["item"] == two_step_item.code and body["since"] == day
    # Nothing personal in an aggregate.
    assert alice.name not in response.content.decode() and case.number not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2026-05-01&until=2026-04-01", "non_field_errors"),
        ("since=1990-01-01&until=2026-01-01", "non_field_errors"),
        ("since=not-a-date", "since"),
        ("region=999999", "region"),
        ("department=<script>", "department"),
        ("channel=pigeon", "channel"),
        ("item=" + "X" * 500, "item"),
    ],
)
def test_bad_filters_are_refused_with_a_message(reader, query, field):
    response = client_for(reader).get(f"/api/v1/indicators/?{query}")
    assert response.status_code == 400
    assert field in response.content.decode()


def test_a_token_without_the_scope_or_no_token_is_refused(make_token):
    other = make_token(scopes=["cases:read"])[1]
    assert client_for(other).get("/api/v1/indicators/").status_code == 403
    assert client_for(None).get("/api/v1/indicators/").status_code == 401
