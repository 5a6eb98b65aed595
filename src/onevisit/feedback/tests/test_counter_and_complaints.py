"""一次一评 at the counter tablet, and complaints (投诉) with their tracking code and answer."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onevisit.cases.models import Case
from onevisit.core import crypto
from onevisit.feedback import services
from onevisit.feedback.models import Complaint, Rating

pytestmark = pytest.mark.django_db


def test_counter_rating_records_window_and_clerk(clerk, window, departments):
    rating = services.counter_rating_submit(
        actor=clerk, window=window, level=5, tags=["friendly"], comment=""
    )
    assert (rating.kind, rating.window, rating.clerk, rating.rater) == ("counter", window, clerk, None)
    assert rating.department == departments["scjg"] and rating.channel == "counter"  # the window's only one


def test_counter_rating_with_a_case_of_the_centre(clerk, window, finished, alice):
    case = finished(alice)
    Case.objects.filter(pk=case.pk).update(center=window.center)
    rating = services.counter_rating_submit(
        actor=clerk, window=window, level=1, tags=["slow"], comment="", case_number=case.number
    )
    assert rating.case == case and rating.item == case.item_version.item
    assert not hasattr(rating, "rectification")  # anonymous: nobody to call back


def test_counter_rating_refuses_unknown_case_and_other_clerks(clerk, window, finished, alice, officer_scjg):
    case = finished(alice)  # filed online: not taken in at this centre
    with pytest.raises(ValidationError) as error:
        services.counter_rating_submit(
            actor=clerk, window=window, level=5, tags=[], comment="", case_number=case.number
        )
    assert "case_number" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.counter_rating_submit(actor=officer_scjg, window=window, level=5, tags=[], comment="")
    with pytest.raises(ValidationError):
        services.counter_rating_submit(actor=clerk, window=window, level=9, tags=[], comment="")
    assert not Rating.objects.exists()


def test_anyone_files_a_complaint_and_follows_it_to_the_answer(departments, officer_scjg, officer_ga):
    complaint = services.complaint_file(
        actor="anonymous", person=None, department=departments["scjg"], text="窗口人员态度差",
        contact_name="王先生", contact_phone="138 0000 0001",
    )  # fmt: skip
    assert complaint.code.startswith("TS") and len(complaint.code) == 12 and complaint.status == "received"
    assert crypto.decrypt(complaint.contact_phone_encrypted) == "13800000001"
    with pytest.raises(PermissionDenied):
        services.complaint_answer(actor=officer_ga, complaint=complaint, answer="x")
    with pytest.raises(ValidationError):
        services.complaint_answer(actor=officer_scjg, complaint=complaint, answer="")
    services.complaint_answer(actor=officer_scjg, complaint=complaint, answer="已批评教育当事人")
    complaint.refresh_from_db()
    assert complaint.status == "answered" and complaint.answered_by == officer_scjg
    with pytest.raises(ValidationError):
        services.complaint_answer(actor=officer_scjg, complaint=complaint, answer="again")


def test_complaint_bad_input_changes_nothing(departments, finished, alice, bob):
    case = finished(alice)
    with pytest.raises(ValidationError) as error:
        services.complaint_file(
            actor="x", person=None, department=None, text="", contact_phone="12345", contact_name="名" * 61
        )
    assert set(error.value.message_dict) == {"department", "text", "contact_phone", "contact_name"}
    with pytest.raises(ValidationError) as error:  # someone else's case
        services.complaint_file(actor="b", person=bob, department=None, text="慢", case_number=case.number)
    assert "case_number" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.complaint_file(actor="x", person=None, department=departments["ga"], text="x" * 2001)
    assert not Complaint.objects.exists()
    own = services.complaint_file(
        actor="a", person=alice, department=None, text="慢", case_number=case.number
    )
    assert own.case == case and own.department == case.department and own.item == case.item_version.item
