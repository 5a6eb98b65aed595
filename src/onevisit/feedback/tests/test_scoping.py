"""Persona tests: a department's staff see their own department's ratings, rectifications and
complaints; a supervisor their region's; the public only aggregates and comments without personal data."""

import pytest

from onevisit.feedback import selectors, services
from onevisit.feedback.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_departments(finished, alice, bob, departments):
    """A bad rating of 市场监管's case by alice, and a rating of a 公安 counter service."""
    case = finished(alice)
    bad = services.rating_submit(
        actor="a", person=alice, case=case, level=1, tags=["slow"],
        comment=f"办件 {case.number} 太慢，我的电话13800000001，身份证11010519491231002X",
    )  # fmt: skip
    ga = Rating.objects.create(
        kind="counter", level=5, department=departments["ga"], region=departments["ga"].region, channel="counter",
        comment="很好",
    )  # fmt: skip
    services.complaint_file(actor="x", person=None, department=departments["scjg"], text="态度差")
    services.complaint_file(actor="x", person=None, department=departments["ga"], text="排队久")
    return bad, ga


def test_a_department_sees_its_own_only(two_departments, officer_scjg, officer_ga):
    bad, ga = two_departments
    assert list(selectors.ratings_visible(officer_scjg)) == [bad]
    assert list(selectors.ratings_visible(officer_ga)) == [ga]
    assert [r.rating for r in selectors.rectifications_visible(officer_scjg)] == [bad]
    assert not selectors.rectifications_visible(officer_ga).exists()
    assert [c.department.code for c in selectors.complaints_visible(officer_ga)] == ["330100-GA"]


def test_a_supervisor_sees_the_region_and_no_other(two_departments, supervisor, other_supervisor):
    assert selectors.ratings_visible(supervisor).count() == 2
    assert selectors.complaints_visible(supervisor).count() == 2
    assert not selectors.ratings_visible(other_supervisor).exists()
    assert not selectors.complaints_visible(other_supervisor).exists()


def test_applicants_and_anonymous_see_nothing_of_the_staff_lists(two_departments, alice, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    user = django_user_model.objects.create_user("citizen")
    for who in (AnonymousUser(), user):
        assert not selectors.ratings_visible(who).exists()
        assert not selectors.complaints_visible(who).exists()


def test_the_public_sees_no_personal_data(two_departments, alice):
    bad, _ga = two_departments
    comments = selectors.public_comments()
    assert len(comments) == 2
    text = " ".join(str(vars(c)) for c in comments)
    assert bad.case.number not in text and "13800000001" not in text and "11010519491231002X" not in text
    assert alice.name not in text
    assert "***********" in comments[-1].comment  # the phone number, masked
    rows = {r.name: r for r in selectors.public_by_department()}
    assert rows["杭州市市场监督管理局"].ratings == 1 and rows["杭州市市场监督管理局"].rate == 0.0
    assert rows["杭州市公安局"].rate == 1.0


def test_mask_digits():
    assert (
        selectors.mask_digits("电话 0571-12345 手机13800000001 号码123456")
        == "电话 0571-12345 手机*********** 号码123456"
    )
    assert selectors.mask_digits("11010519491231002X") == "*" * 18
