"""好差评 pages of the portal: the 评价 block on the case page, rating a case (once, own only, in the
window), the follow-up, bad input in Chinese with nothing saved, hostile comments shown escaped; the
public ratings page without personal data; complaints filed and followed by their tracking code."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from onevisit.cases.models import Case
from onevisit.feedback import services
from onevisit.feedback.models import Complaint, Rating

from .applying import signed_in

pytestmark = pytest.mark.django_db


def _finished(account, item, n=1, days_ago=1, status=Case.Status.APPROVED) -> Case:
    return Case.objects.create(
        number=f"33010020260301{n:05d}", item_version=item.current_version, department=item.department,
        applicant_person=account.person, channel="online", status=status,
        submitted_at=timezone.now() - dt.timedelta(days=days_ago + 3),
        decided_at=timezone.now() - dt.timedelta(days=days_ago),
    )  # fmt: skip


@pytest.fixture
def officer(django_user_model, departments):
    from onevisit.org.services import staff_role_grant

    user = django_user_model.objects.create_user("officer", password="pw-123456!", is_staff=True)
    staff_role_grant(actor="t", user=user, department=departments["scjg"], role="officer")
    return user


def test_the_case_page_offers_the_rating_and_the_rating_is_saved(alice, item):
    case = _finished(alice, item)
    client = signed_in(alice)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "评价本次服务" in page and f'href="/cases/{case.number}/rate/"' in page
    form = client.get(f"/cases/{case.number}/rate/").content.decode()
    assert "非常满意" in form and "非常不满意" in form and 'name="tags_good"' in form
    response = client.post(
        f"/cases/{case.number}/rate/",
        {"level": "4", "tags_good": ["fast"], "tags_bad": ["slow"], "comment": "不错"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#rating-title")
    rating = Rating.objects.get()
    assert (rating.level, rating.tags, rating.comment, rating.rater) == (4, ["fast"], "不错", alice.person)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "您的评价为“满意”" in page
    assert client.get(f"/cases/{case.number}/rate/").status_code == 302  # once


def test_bad_input_is_explained_in_chinese_and_nothing_is_saved(alice, item):
    case = _finished(alice, item)
    client = signed_in(alice)
    for data, message in (
        ({"comment": "x"}, "请从非常满意到非常不满意中选择一项"),
        ({"level": "7"}, "请从非常满意到非常不满意中选择一项"),
        ({"level": "5", "comment": "好" * 501}, "评价内容不能超过500个字"),
        ({"level": "5", "tags_good": ["<b>x</b>"]}, "请从所选等级下列出的标签中选择"),
    ):
        response = client.post(f"/cases/{case.number}/rate/", data)
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page and "error-summary" in page
    assert not Rating.objects.exists()


def test_a_hostile_comment_is_shown_escaped(alice, item, officer):
    case = _finished(alice, item)
    client = signed_in(alice)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(f"/cases/{case.number}/rate/", {"level": "1", "comment": hostile})
    for page in (
        client.get(f"/cases/{case.number}/").content.decode(),
        Client().get("/ratings/").content.decode(),
    ):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    staff = Client()
    staff.force_login(officer)
    rating = Rating.objects.get()
    page = staff.get(f"/workbench/ratings/{rating.pk}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_someone_elses_case_the_window_and_unfinished_cases(alice, bob, item):
    case = _finished(alice, item)
    assert signed_in(bob).post(f"/cases/{case.number}/rate/", {"level": "1"}).status_code == 404
    late = _finished(alice, item, n=2, days_ago=40)
    client = signed_in(alice)
    assert "评价本次服务" not in client.get(f"/cases/{late.number}/").content.decode()
    response = client.post(f"/cases/{late.number}/rate/", {"level": "5"})
    assert response.status_code == 400 and "办结30天后" in response.content.decode()
    open_case = _finished(alice, item, n=3, status=Case.Status.ACCEPTED)
    response = client.post(f"/cases/{open_case.number}/rate/", {"level": "5"})
    assert response.status_code == 400 and "办结后" in response.content.decode()
    assert not Rating.objects.exists()
    anonymous = Client().get(f"/cases/{case.number}/rate/")
    assert anonymous.status_code == 302 and "/account/login/" in anonymous["Location"]


def test_the_follow_up_after_rectification(alice, item, officer):
    case = _finished(alice, item)
    client = signed_in(alice)
    client.post(f"/cases/{case.number}/rate/", {"level": "2", "tags_bad": ["slow"]})
    rating = Rating.objects.get()
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "部门将在" in page and "前给您回电" in page
    assert client.get(f"/cases/{case.number}/rate/follow-up/").status_code == 302  # not rectified yet
    services.rectification_callback(actor=officer, rectification=rating.rectification, note="已回访")
    services.rectification_complete(actor=officer, rectification=rating.rectification, note="已增派窗口人员")
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "已增派窗口人员" in page and "追加评价" in page
    assert (
        client.post(
            f"/cases/{case.number}/rate/follow-up/", {"level": "5", "tags_good": ["fast"]}
        ).status_code
        == 302
    )
    assert Rating.objects.get(follow_up_of=rating).level == 5
    again = client.post(f"/cases/{case.number}/rate/follow-up/", {"level": "5"})
    assert again.status_code == 400 and "您已经追评过了" in again.content.decode()
    assert Rating.objects.count() == 2


def test_the_public_page_has_rates_and_comments_without_personal_data(alice, item):
    case = _finished(alice, item)
    services.rating_submit(
        actor="a", person=alice.person, case=case, level=5, tags=["fast"],
        comment="办得快，联系我13900000001",
    )  # fmt: skip
    page = Client().get("/ratings/").content.decode()
    assert "杭州市市场监督管理局" in page and "100%" in page and "办得快" in page
    assert "13900000001" not in page and alice.person.name not in page and case.number not in page
    page = Client().get(f"/ratings/?department={item.department.code}").content.decode()
    assert item.name in page
    assert Client().get("/ratings/?department=%3Cscript%3E").status_code == 200
    assert 'href="/ratings/"' in Client().get("/").content.decode()  # linked from the footer


def test_the_finishing_notification_carries_the_rating_link(alice, item, sms_outbox):
    from onevisit.cases.models import CaseEvent
    from onevisit.cases.notify import case_event_send

    case = _finished(alice, item)
    event = CaseEvent.objects.create(case=case, kind="decided_approve", message="准予许可", public=True)
    assert case_event_send(event_id=event.pk)
    link = f"http://testserver/cases/{case.number}/rate/"
    assert [m.text for m in sms_outbox if link in m.text and "评价" in m.text]
    late = _finished(alice, item, n=2, days_ago=31)
    event = CaseEvent.objects.create(case=late, kind="certificate_issued", message="证照已发放", public=True)
    sms_outbox.clear()
    assert case_event_send(event_id=event.pk)
    assert sms_outbox and "rate" not in sms_outbox[-1].text  # the window is closed: no link


def test_anyone_files_a_complaint_and_follows_it(alice, item, officer):
    client = Client()
    page = client.get("/complaints/new/").content.decode()
    assert "杭州市市场监督管理局" in page
    response = client.post(
        "/complaints/new/",
        {"department": item.department.code, "text": "窗口人员<b>态度差</b>", "contact_phone": "12"},
    )
    assert response.status_code == 400 and "请输入以1开头的11位手机号码" in response.content.decode()
    assert not Complaint.objects.exists()
    response = client.post(
        "/complaints/new/", {"department": item.department.code, "text": "窗口人员<b>态度差</b>"}
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/complaints/{complaint.code}/"
    page = client.get(response["Location"]).content.decode()
    assert complaint.code in page and "投诉已提交" in page and "&lt;b&gt;态度差" in page
    assert client.get(f"/complaints/?code={complaint.code.lower()}").status_code == 302
    assert client.get("/complaints/?code=TSNOTHING").status_code == 404
    services.complaint_answer(actor=officer, complaint=complaint, answer="已核实并整改")
    assert "已核实并整改" in Client().get(f"/complaints/{complaint.code}/").content.decode()


def test_a_signed_in_applicant_complains_about_their_own_case_only(alice, bob, item):
    case = _finished(alice, item)
    response = signed_in(bob).post("/complaints/new/", {"case_number": case.number, "text": "慢"})
    assert response.status_code == 400 and not Complaint.objects.exists()
    response = signed_in(alice).post("/complaints/new/", {"case_number": case.number, "text": "慢"})
    assert Complaint.objects.get().case == case


def test_a_complaint_about_a_service_from_its_guide(item):
    guide = Client().get(f"/items/{item.code}/").content.decode()
    assert f'href="/complaints/new/?item={item.code}"' in guide
    page = Client().get(f"/complaints/new/?item={item.code}").content.decode()
    assert item.name in page and 'name="department"' not in page
    Client().post("/complaints/new/", {"item": item.code, "text": "指南写得不清楚"})
    complaint = Complaint.objects.get()
    assert complaint.item == item and complaint.department == item.department
    page = Client().get(f"/departments/{item.department.code}/").content.decode()
    assert f"/ratings/?department={item.department.code}" in page


def test_the_pages_work_in_english(alice, item, settings):
    case = _finished(alice, item)
    client = signed_in(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "How satisfied are you?" in client.get(f"/cases/{case.number}/rate/").content.decode()
    response = client.post(f"/cases/{case.number}/rate/", {"level": "0"})
    assert "Choose one of the five levels" in response.content.decode()
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Service ratings" in english.get("/ratings/").content.decode()
    assert "Make a complaint" in english.get("/complaints/").content.decode()


def test_a_double_submitted_complaint_form_files_one_complaint(item):
    client = Client()
    page = client.get("/complaints/new/").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {"department": item.department.code, "text": "排队太久", "idempotency_key": key}
    first = client.post("/complaints/new/", data)
    second = client.post("/complaints/new/", data)
    assert first["Location"] == second["Location"] and Complaint.objects.count() == 1
    response = client.post("/complaints/new/", data | {"idempotency_key": "<script>x</script>"})
    body = response.content.decode()
    assert response.status_code == 400 and "页面已过期" in body and "<script>x" not in body
    assert Complaint.objects.count() == 1


def test_a_flood_of_anonymous_complaints_is_held_back(item, settings):
    settings.ONEVISIT_COMPLAINTS_PER_HOUR = 2
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(2):
        client.post("/complaints/new/", {"department": item.department.code, "text": f"投诉{n}"})
    response = client.post("/complaints/new/", {"department": item.department.code, "text": "又一条"})
    assert response.status_code == 400 and "过去一小时内来自此处的投诉过多" in response.content.decode()
    assert Complaint.objects.count() == 2
