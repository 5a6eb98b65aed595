"""一事一评: the applicant rates a finished case once, within the window; everything else is refused
with a clear message and changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from onevisit.cases.models import Case
from onevisit.core.models import AuditEvent
from onevisit.feedback.models import Rating, Rectification
from onevisit.feedback.services import MAX_COMMENT, rating_submit

pytestmark = pytest.mark.django_db


def test_the_applicant_rates_a_finished_case(finished, alice):
    case = finished(alice)
    rating = rating_submit(
        actor="alice", person=alice, case=case, level="5", tags=["fast", "no_visit"], comment="很快"
    )
    assert (rating.kind, rating.level, rating.tags, rating.comment) == (
        "case",
        5,
        ["fast", "no_visit"],
        "很快",
    )
    assert rating.department == case.department and rating.region == case.department.region
    assert rating.item == case.item_version.item and rating.channel == "online"
    assert rating.grade == "good" and not hasattr(rating, "rectification")
    assert AuditEvent.objects.filter(action="rating_submitted", object_id=str(rating.pk)).exists()


def test_a_rejected_case_can_be_rated_too(finished, alice):
    case = finished(alice, status=Case.Status.REJECTED)
    assert rating_submit(actor="a", person=alice, case=case, level=3, tags=[], comment="").grade == "neutral"


def test_the_agent_may_rate_the_case_they_filed(finished, alice, bob):
    case = finished(alice)
    Case.objects.filter(pk=case.pk).update(agent=bob)
    case.refresh_from_db()
    assert rating_submit(actor="b", person=bob, case=case, level=4, tags=[], comment="").rater == bob


def test_someone_elses_case_is_refused(finished, alice, bob):
    case = finished(alice)
    with pytest.raises(PermissionDenied):
        rating_submit(actor="b", person=bob, case=case, level=1, tags=[], comment="")
    with pytest.raises(PermissionDenied):
        rating_submit(actor="anon", person=None, case=case, level=1, tags=[], comment="")
    assert not Rating.objects.exists()


def test_rating_twice_is_refused_and_the_database_refuses_it_too(finished, alice):
    case = finished(alice)
    rating_submit(actor="a", person=alice, case=case, level=5, tags=[], comment="")
    with pytest.raises(ValidationError, match="已经评价"):
        rating_submit(actor="a", person=alice, case=case, level=1, tags=[], comment="")
    assert Rating.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            kind="case", case=case, level=1, rater=alice, department=case.department,
            region=case.department.region, channel="online",
        )  # fmt: skip


@pytest.mark.parametrize("status", [Case.Status.SUBMITTED, Case.Status.ACCEPTED, Case.Status.SUSPENDED])
def test_an_unfinished_case_cannot_be_rated(finished, alice, status):
    case = finished(alice)
    Case.objects.filter(pk=case.pk).update(status=status, decided_at=None)
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="办结后"):
        rating_submit(actor="a", person=alice, case=case, level=5, tags=[], comment="")
    assert not Rating.objects.exists()


@override_settings(ONEVISIT_RATING_WINDOW_DAYS=30)
def test_the_window_closes_30_days_after_the_decision(finished, alice, bob):
    open_case = finished(alice, days_ago=29)
    assert rating_submit(actor="a", person=alice, case=open_case, level=5, tags=[], comment="")
    late = finished(bob, days_ago=31)
    with pytest.raises(ValidationError, match="30"):
        rating_submit(actor="b", person=bob, case=late, level=5, tags=[], comment="")
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("level", ["6", "0", "abc", "", None, "3.5", -1])
def test_an_unknown_level_is_refused(finished, alice, level):
    with pytest.raises(ValidationError) as error:
        rating_submit(actor="a", person=alice, case=finished(alice), level=level, tags=[], comment="")
    assert "level" in error.value.message_dict
    assert not Rating.objects.exists()


def test_tags_must_belong_to_the_level_chosen(finished, alice):
    with pytest.raises(ValidationError) as error:
        rating_submit(actor="a", person=alice, case=finished(alice), level=5, tags=["slow"], comment="")
    assert "tags" in error.value.message_dict
    with pytest.raises(ValidationError):
        rating_submit(actor="a", person=alice, case=finished(alice), level=1, tags=["<script>"], comment="")
    assert not Rating.objects.exists()


def test_an_oversized_comment_is_refused(finished, alice):
    case = finished(alice)
    with pytest.raises(ValidationError) as error:
        rating_submit(actor="a", person=alice, case=case, level=5, tags=[], comment="好" * (MAX_COMMENT + 1))
    assert "500" in error.value.message_dict["comment"][0]
    assert rating_submit(actor="a", person=alice, case=case, level=5, tags=[], comment="好" * MAX_COMMENT)


def test_a_bad_rating_opens_a_rectification_with_working_day_deadlines(finished, alice, monkeypatch):
    friday = timezone.make_aware(dt.datetime(2026, 3, 6, 16, 0))  # a Friday without holidays around
    monkeypatch.setattr(timezone, "now", lambda: friday)
    case = finished(alice)
    Case.objects.filter(pk=case.pk).update(decided_at=friday - dt.timedelta(days=1))
    case.refresh_from_db()
    rating = rating_submit(actor="a", person=alice, case=case, level=1, tags=["slow"], comment="太慢")
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.callback_due == dt.date(2026, 3, 9)  # Monday: the weekend does not count
    assert rectification.rectify_due == dt.date(2026, 3, 27)  # 15 working days, three weekends skipped
    assert rectification.department == case.department and rectification.status == "waiting"


def test_a_neutral_rating_opens_no_rectification(finished, alice):
    rating_submit(actor="a", person=alice, case=finished(alice), level=3, tags=["waited"], comment="")
    assert not Rectification.objects.exists()
