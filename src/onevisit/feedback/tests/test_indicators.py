"""好评率 and 差评整改率 against a small hand-computed set; voided ratings are out of the rates but kept."""

import datetime as dt

import pytest
from django.utils import timezone

from onevisit.core.indicators import Scope
from onevisit.feedback.indicators import INDICATORS, good_rating_rate, rectification_rate
from onevisit.feedback.models import Rating, Rectification

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def data(departments, alice, two_step_item):
    """In March 2026, 市场监管: levels 5, 5, 4, 3, 2, 1, 1(voided); 公安: 5, 1; one 5 in April.

    Bad ratings with a rectification (市场监管): the 2 on time, the 1 late, the voided 1 on time."""
    scjg, ga = departments["scjg"], departments["ga"]
    item = two_step_item

    def rate(level, dept, day=DAY, voided=False, channel="online"):
        return Rating.objects.create(
            kind="counter", level=level, department=dept, region=dept.region, channel=channel,
            item=item if dept == scjg else None, created_at=_at(day), voided_at=_at(day) if voided else None,
        )  # fmt: skip

    for level in (5, 5, 4, 3):
        rate(level, scjg)
    two, one, voided = rate(2, scjg), rate(1, scjg, channel="counter"), rate(1, scjg, voided=True)
    rate(5, ga)
    rate(1, ga)
    rate(5, scjg, day=dt.date(2026, 4, 2))
    due = dt.date(2026, 3, 31)
    for rating, done in ((two, due), (one, due + dt.timedelta(days=1)), (voided, due)):
        Rectification.objects.create(
            rating=rating, department=scjg, callback_due=DAY, rectify_due=due, callback_at=_at(DAY),
            rectified_at=_at(done),
        )  # fmt: skip
    return {"scjg": scjg, "ga": ga, "item": item}


def _t(figure) -> tuple:
    return (figure.numerator, figure.denominator, figure.value)


def march(**filters) -> Scope:
    return Scope(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31), **filters)


def test_good_rating_rate(data):
    # March, everyone: good = 5, 5, 4, 5(公安) = 4 of 8 non-voided
    assert _t(good_rating_rate(march())) == (4, 8, 0.5)
    assert _t(good_rating_rate(march(department_id=data["scjg"].pk))) == (3, 6, 0.5)
    assert good_rating_rate(march(department_id=data["ga"].pk)).value == 0.5
    assert good_rating_rate(march(item_code=data["item"].code)).numerator == 3
    assert _t(good_rating_rate(march(channel="counter"))) == (0, 1, 0.0)
    assert good_rating_rate(march(region_code="330000")).denominator == 8
    assert _t(good_rating_rate(march(region_code="330200"))) == (0, 0, None)
    april = Scope(since=dt.date(2026, 4, 1), until=dt.date(2026, 4, 30))
    assert _t(good_rating_rate(april)) == (1, 1, 1.0)


def test_rectification_rate(data):
    # the 2 on time, the 1 a day late; the voided 1 (on time) counts in neither
    assert _t(rectification_rate(march())) == (1, 2, 0.5)
    assert _t(rectification_rate(march(department_id=data["ga"].pk))) == (0, 0, None)


def test_voided_ratings_are_kept(data):
    assert Rating.objects.filter(voided_at__isnull=False).count() == 1
    assert Rating.objects.count() == 10


def test_the_shared_shape():
    assert [i.key for i in INDICATORS] == ["good_rating_rate", "rectification_rate"]
    assert all(i.unit == "%" and i.drill is not None for i in INDICATORS)


def test_drill_gives_the_ratings_behind_the_figure(data):
    indicator = {i.key: i for i in INDICATORS}["rectification_rate"]
    assert indicator.drill is not None
    assert indicator.drill(march()).count() == 2
