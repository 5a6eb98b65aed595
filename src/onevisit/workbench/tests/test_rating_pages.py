"""好差评 in the workbench: each department sees and handles its own ratings, rectifications and
complaints; a supervisor decides appeals; bad input is explained and changes nothing; the counter
tablet records a rating per applicant and resets."""

import datetime as dt

import pytest
from django.utils import timezone

from onevisit.cases.models import Case
from onevisit.feedback import services
from onevisit.feedback.models import Appeal, Complaint, Rating
from onevisit.org.models import Region
from onevisit.org.services import staff_role_grant

from .counter_setup import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(two_step_item, file_case):
    def make(person):
        case = file_case(two_step_item, person)
        Case.objects.filter(pk=case.pk).update(
            status="approved", decided_at=timezone.now() - dt.timedelta(days=1)
        )
        return Case.objects.get(pk=case.pk)

    return make


@pytest.fixture
def bad(finished, alice):
    return services.rating_submit(
        actor="a", person=alice, case=finished(alice), level=1, tags=["slow"], comment="<b>太慢</b>"
    )


@pytest.fixture
def supervisor(django_user_model, departments):
    zwfw = departments["scjg"].region.departments.create(code="330100-ZWFW", name="政务服务中心")
    user = django_user_model.objects.create_user("supervisor", password="pw-123456!")
    staff_role_grant(actor="t", user=user, department=zwfw, role="supervisor")
    return user


def test_the_department_sees_its_bad_rating_due_first_and_records_callback_and_rectification(
    bad, officer_scjg, officer_ga
):
    client = login(officer_scjg)
    page = client.get("/workbench/ratings/").content.decode()
    assert (
        "待整改的差评" in page and "回访评价人" in page and bad.rectification.callback_due.isoformat() in page
    )
    page = client.get(f"/workbench/ratings/{bad.pk}/").content.decode()
    assert "&lt;b&gt;太慢&lt;/b&gt;" in page and "张三" in page  # the rater, to call back
    response = client.post(f"/workbench/ratings/{bad.pk}/", {"action": "callback", "note": ""})
    assert response.status_code == 400 and "请记录回访时评价人反映的情况" in response.content.decode()
    response = client.post(f"/workbench/ratings/{bad.pk}/", {"action": "rectify", "note": "x"})
    assert response.status_code == 400 and "请先登记对评价人的回访" in response.content.decode()
    assert (
        client.post(f"/workbench/ratings/{bad.pk}/", {"action": "callback", "note": "已回访"}).status_code
        == 302
    )
    assert (
        client.post(f"/workbench/ratings/{bad.pk}/", {"action": "rectify", "note": "已整改"}).status_code
        == 302
    )
    bad.rectification.refresh_from_db()
    assert bad.rectification.rectified_on_time and bad.rectification.rectify_note == "已整改"
    other = login(officer_ga)
    assert other.get(f"/workbench/ratings/{bad.pk}/").status_code == 404
    assert "回访评价人" not in other.get("/workbench/ratings/").content.decode()


def test_appeal_and_the_supervisors_decision(bad, officer_scjg, supervisor):
    client = login(officer_scjg)
    response = client.post(f"/workbench/ratings/{bad.pk}/", {"action": "appeal", "ground": "x", "reason": ""})
    assert response.status_code == 400 and "请选择是恶意差评还是误评" in response.content.decode()
    assert not Appeal.objects.exists()
    client.post(
        f"/workbench/ratings/{bad.pk}/", {"action": "appeal", "ground": "malicious", "reason": "恶意"}
    )
    assert (
        client.post(
            f"/workbench/ratings/{bad.pk}/", {"action": "decide", "decision": "void", "reason": "x"}
        ).status_code
        == 400
    )
    boss = login(supervisor)
    assert "待处理的申诉" in boss.get("/workbench/ratings/").content.decode()
    response = boss.post(
        f"/workbench/ratings/{bad.pk}/", {"action": "decide", "decision": "void", "reason": ""}
    )
    assert response.status_code == 400 and Rating.objects.get(pk=bad.pk).voided_at is None
    boss.post(
        f"/workbench/ratings/{bad.pk}/", {"action": "decide", "decision": "void", "reason": "核实为恶意"}
    )
    assert Rating.objects.get(pk=bad.pk).void_reason == "核实为恶意"
    assert "已作废" in boss.get(f"/workbench/ratings/{bad.pk}/").content.decode()


def test_a_supervisor_of_another_region_sees_nothing(bad, django_user_model):
    ningbo = Region.objects.create(code="330200", name="宁波市", level=3)
    user = django_user_model.objects.create_user("nb", password="pw-123456!")
    staff_role_grant(
        actor="t", user=user, department=ningbo.departments.create(code="NB", name="中心"), role="supervisor"
    )
    assert login(user).get(f"/workbench/ratings/{bad.pk}/").status_code == 404


def test_the_complaints_inbox_and_answer(
    departments, officer_scjg, officer_ga, django_capture_on_commit_callbacks
):
    complaint = services.complaint_file(
        actor="x", person=None, department=departments["scjg"], text="排队太久", contact_phone="13800000009"
    )
    client = login(officer_scjg)
    home = client.get("/workbench/ratings/").content.decode()
    assert complaint.code in home and "评价后1个工作日内回访，15个工作日内整改" in home  # the settings
    page = client.get(f"/workbench/complaints/{complaint.pk}/").content.decode()
    assert "13800000009" in page and "排队太久" in page and "系统会通过短信或电子邮件通知投诉人" in page
    response = client.post(f"/workbench/complaints/{complaint.pk}/", {"answer": " "})
    assert response.status_code == 400 and "请填写给投诉人的答复" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/workbench/complaints/{complaint.pk}/", {"answer": "已加开窗口"})
    assert response.status_code == 302 and Complaint.objects.get().status == "answered"
    assert "已通知投诉人" in client.get(f"/workbench/complaints/{complaint.pk}/").content.decode()
    anonymous = services.complaint_file(actor="x", person=None, department=departments["scjg"], text="无名")
    page = client.get(f"/workbench/complaints/{anonymous.pk}/").content.decode()
    assert "凭查询码" not in page and "通知投诉人" not in page
    assert login(officer_ga).get(f"/workbench/complaints/{complaint.pk}/").status_code == 404


def test_the_counter_tablet(clerk_a, centers, officer_scjg, finished, alice):
    client = login(clerk_a)
    setup = client.get("/workbench/counter/rate/").content.decode()
    assert "打开评价器" in setup
    window = centers["a"].windows.get()
    page = client.get(f"/workbench/counter/rate/?window={window.pk}").content.decode()
    assert "您对今天的服务满意吗" in page and "workbench-nav" not in page  # nothing but the rating
    response = client.post("/workbench/counter/rate/", {"level": "9"})
    assert response.status_code == 400 and "请从非常满意到非常不满意中选择一项" in response.content.decode()
    response = client.post("/workbench/counter/rate/", {"level": "5", "case_number": "NOPE"})
    assert response.status_code == 400 and "本中心没有受理这个编号的办件" in response.content.decode()
    assert not Rating.objects.exists()
    response = client.post("/workbench/counter/rate/", {"level": "4", "tags_good": ["friendly"]})
    assert response.status_code == 302 and response["Location"].endswith("?thanks=1")
    assert "谢谢您的评价" in client.get(response["Location"]).content.decode()
    rating = Rating.objects.get()
    assert (rating.window, rating.clerk, rating.kind, rating.tags) == (
        window,
        clerk_a,
        "counter",
        ["friendly"],
    )
    other_window = centers["b"].windows.get()
    page = client.get(f"/workbench/counter/rate/?window={other_window.pk}").content.decode()
    assert "打开评价器" in page  # a window of another centre is not offered: back to the choice
    assert login(officer_scjg).get("/workbench/counter/rate/").status_code == 403


def test_anonymous_goes_to_the_login(client):
    for url in ("/workbench/ratings/", "/workbench/counter/rate/"):
        assert "/workbench/login/" in client.get(url)["Location"]
