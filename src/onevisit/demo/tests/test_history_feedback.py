"""The ratings of the synthetic history: bulk, bounded queries, rules kept (bad named ratings get a
rectification with working-day due dates, one follow-up at most), and a second run adds nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from onevisit.cases.models import Case
from onevisit.cases.tests.conftest import alice, two_step_item  # noqa: F401
from onevisit.core.calendar import add_working_days
from onevisit.core.indicators import Scope
from onevisit.demo.history_feedback import add_ratings
from onevisit.feedback.indicators import good_rating_rate, rectification_rate
from onevisit.feedback.models import BAD_LEVELS, Rating, Rectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(two_step_item, alice):  # noqa: F811
    version = two_step_item.current_version
    now = timezone.now()
    rows = [
        Case(
            number=f"330100202601{n:08d}",
            item_version=version,
            department=two_step_item.department,
            applicant_person=alice,
            channel="online",
            status="approved" if n % 10 else "accepted",
            decided_at=(now - dt.timedelta(days=5 + n % 200)) if n % 10 else None,
        )
        for n in range(1, 3001)
    ]
    return [c.pk for c in Case.objects.bulk_create(rows)]


def test_add_ratings(cases, django_assert_max_num_queries):
    with django_assert_max_num_queries(60):  # per batch, not per row: 3,000 cases take about 45
        created = add_ratings(case_ids=cases, seed=7)
    ratings = Rating.objects.filter(follow_up_of__isnull=True)
    assert 1500 < ratings.count() < 2300  # about 70 % of the 2,700 finished cases
    assert created == Rating.objects.count()
    assert not ratings.filter(case__status="accepted").exists()
    bad = ratings.filter(level__in=BAD_LEVELS)
    assert bad.exists() and bad.count() == Rectification.objects.count()
    assert ratings.filter(voided_at__isnull=False).exists()
    for r in Rectification.objects.select_related("rating")[:20]:
        day = timezone.localdate(r.rating.created_at)
        assert r.callback_due == add_working_days(day, 1) and r.rectify_due == add_working_days(day, 15)
    assert Rectification.objects.filter(rectified_at__isnull=False).exists()
    assert Rating.objects.filter(follow_up_of__isnull=False).exists()
    year = Scope(since=timezone.localdate() - dt.timedelta(days=400), until=timezone.localdate())
    assert 0.85 < good_rating_rate(year).value < 0.97
    assert 0.5 < rectification_rate(year).value <= 1
    assert add_ratings(case_ids=cases, seed=7) == 0  # nothing twice
