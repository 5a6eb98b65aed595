"""Each indicator against the hand-computed history of conftest.py (see the table there)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from onevisit.core.indicators import Scope
from onevisit.insights import indicators as ind
from onevisit.insights.rollup import rollup_build

from .conftest import MARCH

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["live", "2026-03-15", "2026-04-30"])
def history(history, request):
    """Every figure is the same read from the cases, from the daily rollup up to mid-March plus the
    cases after it, or from the rollup alone."""
    if request.param != "live":
        rollup_build(until=dt.date.fromisoformat(request.param))
    return history


def value(key, **filters):
    return ind.BY_KEY[key].compute(Scope(*MARCH, **filters))


def assert_figure(figure, numerator, denominator):
    assert (figure.numerator, figure.denominator) == (numerator, denominator)
    assert figure.value == pytest.approx(numerator / denominator)


def test_visit_rates_over_finished_cases(history):
    # finished in March: c1 c2 c3 c4 c5 c7 c8 (c10 ended in April, c6 open, c9 never filed)
    assert_figure(value("zero_visit"), 4, 7)
    assert_figure(value("at_most_one_visit"), 6, 7)


def test_online_and_mobile_over_filed_cases(history):
    # filed in March: c1 c2 c3 c4 c5 c6 c7 c10 (c8 filed in February, c9 waiting)
    assert_figure(value("online"), 6, 8)
    assert_figure(value("mobile"), 1, 8)


def test_immediate_on_time_and_duration_over_decided_cases(history):
    # decided in March: c1 c2 c3 c4 c7 c8; only c3 is an immediate case decided on its acceptance day
    assert_figure(value("immediate"), 1, 6)
    # late: c2 (03-13 > 03-10) and c4 (03-09 > 03-05)
    assert_figure(value("on_time"), 4, 6)
    # working days: c1 4, c2 8 − 2 suspended, c3 0, c4 2, c7 1, c8 0 = 13 over 6 cases
    figure = value("duration")
    assert (figure.numerator, figure.denominator) == (13, 6)
    assert Fraction(figure.value).limit_denominator(100) == Fraction(13, 6)


def test_no_paper_instant_sharing_and_compression(history):
    # required materials of cases filed in March: c1 ×2, c2 ×2, c6 ×1; by certificate or shared data: 2
    assert_figure(value("no_paper"), 2, 5)
    # A has rules: decided A cases c1 (rules, no person), c2 (a person), c8 (no trace) → 1 of 3
    assert_figure(value("instant"), 1, 3)
    sharing = value("sharing")
    assert sharing.value == 2  # with an agreement, in March
    # items in force: A 5/20, B 0/10, C 1/3
    figure = value("compression")
    assert (figure.numerator, figure.denominator) == (6, 33)
    assert figure.value == pytest.approx(1 - 6 / 33)


def test_filters_by_region_department_item_and_channel(history):
    deps = history["departments"]
    # 杭州 (330100) excludes c7 of 宁波; the province includes it
    assert_figure(value("zero_visit", region_code="330100"), 3, 6)
    assert_figure(value("zero_visit", region_code="330000"), 4, 7)
    assert_figure(value("zero_visit", region_code="330200"), 1, 1)
    # 公安局: c3 c4
    assert_figure(value("at_most_one_visit", department_id=deps["ga"].pk), 1, 2)
    assert_figure(value("on_time", department_id=deps["ga"].pk), 1, 2)
    figure = value("duration", department_id=deps["ga"].pk)
    assert (figure.numerator, figure.denominator, figure.value) == (2, 2, 1)
    assert value("sharing", department_id=deps["ga"].pk).value == 1
    c = value("compression", department_id=deps["scjg"].pk)
    assert c.value == pytest.approx(1 - 5 / 20)
    # item A: c1 c2 c5 c8 finished
    assert_figure(value("zero_visit", item_code="A"), 3, 4)
    assert value("no_paper", item_code="B").value is None
    # counter: c3 c4 filed, none online
    assert_figure(value("online", channel="counter"), 0, 2)
    assert value("instant", channel="counter").value is None


def test_an_empty_period_gives_none(history):
    scope = Scope(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    for indicator in ind.INDICATORS:
        figure = indicator.compute(scope)
        if indicator.key == "sharing":
            assert figure.value == 0
        elif indicator.key == "compression":
            assert figure.value is not None  # over items in force, whatever the period
        else:
            assert figure.value is None, indicator.key
            assert figure.denominator == 0


def test_nothing_at_all_gives_none(db):
    scope = Scope(*MARCH)
    assert all(i.compute(scope).value in (None, 0) for i in ind.INDICATORS)


def test_breakdowns_agree_with_the_filters(history):
    scope = Scope(dt.date(2026, 2, 1), dt.date(2026, 4, 30))
    by_month = ind.breakdown(ind.BY_KEY["at_most_one_visit"], scope, "month")
    assert set(by_month) == {dt.date(2026, 3, 1), dt.date(2026, 4, 1)}
    assert (by_month[dt.date(2026, 3, 1)].numerator, by_month[dt.date(2026, 3, 1)].denominator) == (6, 7)
    assert (by_month[dt.date(2026, 4, 1)].numerator, by_month[dt.date(2026, 4, 1)].denominator) == (1, 1)
    march = Scope(*MARCH)
    for by, filter_name in [("department", "department_id"), ("item", "item_code"), ("channel", "channel")]:
        for key in ("zero_visit", "online", "on_time", "duration", "no_paper", "instant"):
            grouped = ind.breakdown(ind.BY_KEY[key], march, by)
            for group, figure in grouped.items():
                alone = value(key, **{filter_name: group})
                assert (figure.numerator, figure.denominator) == (alone.numerator, alone.denominator), (
                    key,
                    by,
                )
    per_dept = ind.breakdown(ind.BY_KEY["compression"], march, "department")
    assert per_dept[history["departments"]["scjg"].pk].value == pytest.approx(0.75)


def test_shared_queries_reuse_one_aggregate(history, django_assert_max_num_queries):
    with (
        ind.shared_queries(),
        django_assert_max_num_queries(3),
    ):  # the rollup's day, its rows, the cases after it
        value("zero_visit")
        value("at_most_one_visit")
        value("on_time")
        value("immediate")


def test_months_of_a_scope():
    scope = Scope(dt.date(2025, 11, 15), dt.date(2026, 2, 1))
    assert ind.months(scope) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
