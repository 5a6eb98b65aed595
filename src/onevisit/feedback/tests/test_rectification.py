"""差评整改: callback and rectification by the rated department's officers, on-time flags, the rater's
one follow-up rating; appeals decided by a supervisor of the region (void, never delete)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onevisit.core.models import AuditEvent
from onevisit.feedback import services
from onevisit.feedback.models import Appeal, Rating, Rectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad(finished, alice):
    case = finished(alice)
    return services.rating_submit(actor="a", person=alice, case=case, level=2, tags=["slow"], comment="慢")


def test_callback_then_rectification_on_time(bad, officer_scjg):
    rect = bad.rectification
    services.rectification_callback(actor=officer_scjg, rectification=rect, note="已致电，申请人说等了很久")
    rect = services.rectification_complete(actor=officer_scjg, rectification=rect, note="优化流程")
    rect.refresh_from_db()
    assert rect.status == "rectified" and rect.callback_on_time and rect.rectified_on_time
    assert rect.callback_by == officer_scjg and rect.rectify_note == "优化流程"
    assert AuditEvent.objects.filter(action="rating_rectified").count() == 1


def test_late_rectification_is_flagged(bad, officer_scjg, monkeypatch):
    rect = bad.rectification
    services.rectification_callback(actor=officer_scjg, rectification=rect, note="已回访")
    later = timezone.make_aware(dt.datetime.combine(rect.rectify_due + dt.timedelta(days=1), dt.time(10)))
    monkeypatch.setattr(timezone, "now", lambda: later)
    rect = services.rectification_complete(actor=officer_scjg, rectification=rect, note="已整改")
    assert rect.callback_on_time is True and rect.rectified_on_time is False


def test_another_department_cannot_record_and_nothing_changes(bad, officer_ga):
    with pytest.raises(PermissionDenied):
        services.rectification_callback(actor=officer_ga, rectification=bad.rectification, note="x")
    assert Rectification.objects.get().callback_at is None


def test_rectification_needs_the_callback_first_and_a_note(bad, officer_scjg):
    rect = bad.rectification
    with pytest.raises(ValidationError, match="回访"):
        services.rectification_complete(actor=officer_scjg, rectification=rect, note="已整改")
    with pytest.raises(ValidationError) as error:
        services.rectification_callback(actor=officer_scjg, rectification=rect, note="   ")
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.rectification_callback(actor=officer_scjg, rectification=rect, note="x" * 2001)
    assert Rectification.objects.get().callback_at is None


def test_one_follow_up_after_rectification(bad, alice, bob, officer_scjg):
    with pytest.raises(ValidationError):  # not rectified yet
        services.follow_up(actor="a", person=alice, rating=bad, level=4, tags=[], comment="")
    services.rectification_callback(actor=officer_scjg, rectification=bad.rectification, note="已回访")
    services.rectification_complete(actor=officer_scjg, rectification=bad.rectification, note="已整改")
    with pytest.raises(PermissionDenied):
        services.follow_up(actor="b", person=bob, rating=bad, level=4, tags=[], comment="")
    follow = services.follow_up(
        actor="a", person=alice, rating=bad, level=4, tags=["friendly"], comment="改进了"
    )
    assert follow.follow_up_of == bad and follow.department == bad.department and follow.case == bad.case
    with pytest.raises(ValidationError):
        services.follow_up(actor="a", person=alice, rating=bad, level=5, tags=[], comment="")
    assert Rating.objects.count() == 2


def test_appeal_voids_the_rating_which_is_kept(bad, officer_scjg, officer_ga, supervisor, other_supervisor):
    with pytest.raises(PermissionDenied):
        services.appeal_file(actor=officer_ga, rating=bad, ground="malicious", reason="x")
    with pytest.raises(ValidationError) as error:
        services.appeal_file(actor=officer_scjg, rating=bad, ground="other", reason="")
    assert set(error.value.message_dict) == {"ground", "reason"}
    appeal = services.appeal_file(actor=officer_scjg, rating=bad, ground="mistaken", reason="评错了部门")
    with pytest.raises(ValidationError):
        services.appeal_file(actor=officer_scjg, rating=bad, ground="mistaken", reason="再次")
    with pytest.raises(PermissionDenied):
        services.appeal_decide(actor=other_supervisor, appeal=appeal, void=True, reason="x")
    with pytest.raises(PermissionDenied):
        services.appeal_decide(actor=officer_scjg, appeal=appeal, void=True, reason="x")
    with pytest.raises(ValidationError):
        services.appeal_decide(actor=supervisor, appeal=appeal, void=True, reason="")
    assert Rating.objects.get(pk=bad.pk).voided_at is None
    services.appeal_decide(actor=supervisor, appeal=appeal, void=True, reason="核实为误评")
    rating = Rating.objects.get(pk=bad.pk)
    assert rating.voided_at and rating.voided_by == supervisor and rating.void_reason == "核实为误评"
    assert Appeal.objects.get().status == "voided"
    with pytest.raises(ValidationError):
        services.appeal_decide(actor=supervisor, appeal=appeal, void=False, reason="again")
    with pytest.raises(ValidationError):  # a voided rating's rectification is closed
        services.rectification_callback(actor=officer_scjg, rectification=bad.rectification, note="x")


def test_a_rejected_appeal_leaves_the_rating(bad, officer_scjg, supervisor):
    appeal = services.appeal_file(actor=officer_scjg, rating=bad, ground="malicious", reason="恶意")
    services.appeal_decide(actor=supervisor, appeal=appeal, void=False, reason="评价属实")
    assert Rating.objects.get(pk=bad.pk).voided_at is None
    assert Appeal.objects.get().status == "rejected"
    # a new appeal may be filed once the first is decided
    assert services.appeal_file(actor=officer_scjg, rating=bad, ground="malicious", reason="新证据")
