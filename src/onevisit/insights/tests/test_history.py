"""The synthetic history (onevisit demo_history): what it makes, and that the indicators read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from onevisit.cases.models import Case, Decision, SuppliedMaterial
from onevisit.core.indicators import Scope
from onevisit.demo.history import generate
from onevisit.exchange.models import DataAccess
from onevisit.insights import indicators as ind

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)


def test_a_year_of_history_with_seasonality(make_item):
    make_item(code="A", statutory=20, promised=5)
    make_item(code="B", name="事项乙", statutory=10, promised=3)
    report = generate(cases=3000, seed=5, today=TODAY)
    cases = Case.objects.filter(number__startswith="H5-")
    assert cases.count() == report.cases == 3000
    assert report.finished + report.open == 3000 and report.open > 0
    assert not cases.filter(submitted_at__isnull=True).exists()
    assert not cases.filter(status__in=Case.FINISHED, decided_at__isnull=True).exists()
    assert cases.filter(status=Case.Status.ACCEPTED, decided_at__isnull=True).count() == report.open
    assert Decision.objects.filter(case__in=cases).count() == report.decisions
    assert SuppliedMaterial.objects.filter(case__in=cases).count() == report.materials > 0
    assert DataAccess.objects.filter(case_ref__startswith="H5-").count() == report.accesses
    assert cases.filter(suspended_days__gt=0).exists()
    assert not cases.filter(decided_at__lt=F("submitted_at")).exists()
    # some late decisions, and some overdue cases still open
    scope = Scope(TODAY - dt.timedelta(days=365), TODAY)
    on_time = ind.BY_KEY["on_time"].compute(scope)
    assert 0.85 < on_time.value < 0.99
    # the Spring Festival month (February 2026) is quieter than March, per day
    months = ind.volume_by_month(scope)
    assert months[dt.date(2026, 2, 1)] / 28 < 0.85 * months[dt.date(2026, 3, 1)] / 31
    # nothing dated in the future
    assert not cases.filter(decided_at__date__gt=TODAY).exists()


def test_the_same_seed_twice_is_refused_and_bad_sizes_too(make_item):
    make_item(code="A")
    call_command("demo_history", cases=50, seed=9, no_ratings=True)
    with pytest.raises(CommandError, match="seed 9"):
        call_command("demo_history", cases=50, seed=9, no_ratings=True)
    for bad in (0, -5, 10_000_000):
        with pytest.raises(CommandError):
            call_command("demo_history", cases=bad, seed=10)


def test_without_a_catalogue_it_says_what_to_do(db):
    with pytest.raises(CommandError, match="loaddemo"):
        call_command("demo_history", cases=10, seed=1)


def test_the_rollup_command(history):
    from onevisit.insights.models import DailyFact, Rollup

    call_command("insights_rollup", until="2026-03-31")
    assert Rollup.objects.get().until == dt.date(2026, 3, 31)
    assert DailyFact.objects.filter(day__gt=dt.date(2026, 3, 31)).count() == 0
    scope = Scope(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    figure = ind.BY_KEY["zero_visit"].compute(scope)
    assert (figure.numerator, figure.denominator) == (4, 7)
    with pytest.raises(CommandError, match="2026-11-25"):
        call_command("insights_rollup", until="yesterday")
    call_command("insights_rollup", clear=True)
    assert not Rollup.objects.exists() and not DailyFact.objects.exists()
    assert ind.BY_KEY["zero_visit"].compute(scope) == figure


def test_the_periodic_rollup_runs_once_a_day(history):
    from onevisit.insights.models import Rollup
    from onevisit.insights.tasks import insights_rollup

    assert insights_rollup.call() > 0
    assert Rollup.objects.get().until == timezone.localdate() - dt.timedelta(days=1)
    assert insights_rollup.call() == 0
