"""The supervision pages: who sees which cards and orders, filters with bad values, the 督办 form and
the reply form with wrong input, the score page, and the fee box on the case page."""

import datetime as dt

import pytest
from django.urls import reverse

from onevisit.cases.models import CaseFee
from onevisit.supervision import orders
from onevisit.supervision.alarms import alarms_sweep
from onevisit.supervision.models import Alarm, SupervisionOrder
from onevisit.workflow.models import WorkItem

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
LATE = dt.date(2026, 4, 30)
BOARD = "/workbench/supervision/"


@pytest.fixture
def two_departments_carded(accepted, alice, bob, officer_scjg):
    """Two cases of 市场监管; in the second, 市场监管's step is done and 公安's step is overdue."""
    first, second = accepted(alice, MONDAY), accepted(bob, MONDAY)
    from onevisit.cases import services

    step = WorkItem.objects.get(instance=second.process_instance)
    services.case_step_complete(
        actor=officer_scjg, case=second, work_item=step, decision="approve", opinion="同意"
    )
    # 公安's step became ready on the day it was done; put it on the dates of the story.
    WorkItem.objects.filter(instance=second.process_instance, status="open").update(
        ready_on=dt.date(2026, 3, 3), due_date=dt.date(2026, 3, 4)
    )
    alarms_sweep(today=LATE)
    return first, second


def login(client, user):
    client.force_login(user)
    return client


def test_the_supervisor_sees_every_departments_cards_red_first(client, supervisor, two_departments_carded):
    first, second = two_departments_carded
    page = login(client, supervisor).get(BOARD)
    assert page.status_code == 200
    html = page.content.decode()
    assert first.number in html and second.number in html and "公安局" in html
    cards = list(page.context["cards"])
    assert [c.level for c in cards] == sorted((c.level for c in cards), key=lambda v: v != "red")
    open_cards = Alarm.objects.filter(closed_at__isnull=True)
    assert dict((lvl, n) for lvl, n, _q, _c in page.context["card_counts"]) == {
        "red": open_cards.filter(level="red").count(),
        "yellow": open_cards.filter(level="yellow").count(),
    }
    assert page.context["case_counts"] == {"red": 2, "yellow": 0, "none": 0}
    assert "督办单" in html


def test_an_officer_sees_only_their_departments_cards(
    client, officer_scjg, officer_ga, two_departments_carded
):
    _first, second = two_departments_carded
    ga_step = Alarm.objects.get(case=second, kind=Alarm.Kind.STEP_DUE, closed_at__isnull=True)
    mine = {a.pk for a in login(client, officer_scjg).get(BOARD).context["cards"]}
    assert ga_step.pk not in mine and mine == set(
        Alarm.objects.filter(department__code="330100-SCJG", closed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    theirs = login(client, officer_ga).get(BOARD)
    assert [a.pk for a in theirs.context["cards"]] == [ga_step.pk]
    assert [row.case.pk for row in theirs.context["rows"]] == [second.pk]  # the case with their step
    assert "督办单" not in theirs.content.decode().split("<main", 1)[1].split("<h2", 1)[1]  # no 督办 links


def test_a_supervisor_of_another_region_sees_nothing(client, ningbo_supervisor, two_departments_carded):
    page = login(client, ningbo_supervisor).get(BOARD)
    assert page.status_code == 200 and list(page.context["cards"]) == [] and page.context["rows"] == []
    card = Alarm.objects.first()
    assert (
        login(client, ningbo_supervisor)
        .get(f"/workbench/supervision/orders/new/?alarm={card.pk}")
        .status_code
        == 404
    )


def test_staff_without_a_watching_role_are_refused(client, django_user_model, departments):
    from onevisit.org.services import staff_role_grant

    clerk = django_user_model.objects.create_user("clerk1", password="pw-123456!")
    staff_role_grant(actor="t", user=clerk, department=departments["scjg"], role="clerk")
    login(client, clerk)
    for url in (BOARD, "/workbench/supervision/orders/", "/workbench/supervision/score/"):
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(BOARD).status_code == 302  # to the login page


@pytest.mark.parametrize(
    "query",
    [
        "region=999999",
        "department=330200-ZWFW",
        "item=NOPE",
        "card=purple",
        "state=deleted",
        "region=%3Cscript%3E&card=red",
        "department=" + "x" * 5000,
    ],
)
def test_bad_filter_values_are_ignored_with_a_note(client, supervisor, two_departments_carded, query):
    page = login(client, supervisor).get(f"{BOARD}?{query}")
    assert page.status_code == 200 and page.context["notes"]
    html = page.content.decode()
    assert "不在可选范围内" in page.context["notes"][0] and page.context["notes"][0] in html
    assert "<script>" not in html


def test_filters_narrow_the_cards(client, supervisor, two_departments_carded):
    login(client, supervisor)
    red = client.get(f"{BOARD}?card=red").context["cards"]
    assert red.paginator.count == Alarm.objects.filter(level="red", closed_at__isnull=True).count()
    ga = client.get(f"{BOARD}?department=330100-GA")
    assert {a.department.code for a in ga.context["cards"]} == {"330100-GA"} and not ga.context["notes"]
    city = client.get(f"{BOARD}?region=330100")
    assert city.context["cards"].paginator.count == Alarm.objects.filter(closed_at__isnull=True).count()
    assert not city.context["notes"]
    assert client.get(f"{BOARD}?region=330106").context["notes"]  # 西湖区: no department there to choose
    assert client.get(f"{BOARD}?card=none").context["case_counts"]["none"] == 0
    closed = client.get(f"{BOARD}?state=closed").context["cards"]
    assert {a.pk for a in closed} == set(
        Alarm.objects.filter(closed_at__isnull=False).values_list("pk", flat=True)
    )


def test_the_order_form_refuses_wrong_input_and_issues_a_right_one(
    client, supervisor, two_departments_carded
):
    first, _second = two_departments_carded
    card = Alarm.objects.get(case=first, kind=Alarm.Kind.CASE_STATUTORY)
    url = f"/workbench/supervision/orders/new/?alarm={card.pk}"
    login(client, supervisor)
    assert client.get(url).status_code == 200
    for data in (
        {"alarm": card.pk, "department": card.department_id, "message": "", "reply_days": 3},
        {"alarm": card.pk, "department": card.department_id, "message": "办", "reply_days": 0},
        {"alarm": card.pk, "department": card.department_id, "message": "办", "reply_days": "abc"},
        {"alarm": card.pk, "department": card.department_id, "message": "x" * 2001, "reply_days": 3},
        {"alarm": card.pk, "department": 999999, "message": "办", "reply_days": 3},
    ):
        page = client.post(url, data)
        assert page.status_code == 400 and "error-summary" in page.content.decode()
    assert not SupervisionOrder.objects.exists()
    assert client.get("/workbench/supervision/orders/new/?alarm=abc").status_code == 404
    assert client.get("/workbench/supervision/orders/new/").status_code == 404
    page = client.post(
        url, {"alarm": card.pk, "department": card.department_id, "message": "请说明", "reply_days": 2}
    )
    order = SupervisionOrder.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse(
        "workbench:supervision_order", args=[order.pk]
    )
    assert order.alarm == card and order.issued_by == supervisor


def test_the_department_replies_on_its_page_once(
    client, supervisor, officer_scjg, officer_ga, two_departments_carded
):
    first, _second = two_departments_carded
    order = orders.order_issue(
        actor=supervisor, department=first.department, message="请说明", reply_days=3, case=first
    )
    url = f"/workbench/supervision/orders/{order.pk}/"
    login(client, officer_ga)
    assert client.get(url).status_code == 404  # another department's order
    assert client.post(url, {"action": "reply", "reply": "不是我们的"}).status_code == 404
    login(client, officer_scjg)
    assert client.get("/workbench/supervision/orders/").context["orders"].paginator.count == 1
    page = client.post(url, {"action": "reply", "reply": ""})
    assert page.status_code == 400 and "error-summary" in page.content.decode()
    assert client.post(url, {"action": "close"}).status_code == 403  # a department does not close
    assert client.post(url, {"action": "reply", "reply": "已办结"}).status_code == 302
    page = client.post(url, {"action": "reply", "reply": "第二次"})
    assert page.status_code == 400 and "只接受一次答复" in page.content.decode()
    order.refresh_from_db()
    assert order.reply == "已办结" and order.status == "answered"
    login(client, supervisor)
    assert client.post(url, {"action": "close"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "closed"


def test_a_reply_after_the_order_is_closed_is_refused_on_the_page(
    client, supervisor, officer_scjg, two_departments_carded
):
    first, _second = two_departments_carded
    order = orders.order_issue(
        actor=supervisor, department=first.department, message="请说明", reply_days=3, case=first
    )
    url = f"/workbench/supervision/orders/{order.pk}/"
    login(client, officer_scjg)
    client.get(url)  # the form was open in the department's browser…
    orders.order_close(actor=supervisor, order=order)  # …when the supervisor closed the order
    page = client.post(url, {"action": "reply", "reply": "已办结"})
    assert page.status_code == 400
    order.refresh_from_db()
    assert order.reply == "" and order.status == "closed"


@pytest.mark.parametrize(
    "query",
    [
        "since=2026-05-01&until=2026-04-01",
        "since=1926-01-01&until=2026-01-01",
        "since=tomorrow",
        "until=2026-13-01",
    ],
)
def test_the_score_page_explains_a_bad_period(client, supervisor, two_departments_carded, query):
    page = login(client, supervisor).get(f"/workbench/supervision/score/?{query}")
    assert page.status_code == 200 and page.context["notes"]


def test_the_score_page_shows_the_calculation(client, supervisor, two_departments_carded):
    page = login(client, supervisor).get("/workbench/supervision/score/")
    html = page.content.decode()
    scjg = next(s for s in page.context["scores"] if s.department.code == "330100-SCJG")
    assert scjg.calculation in html and scjg.score < 100


def test_an_officer_records_a_fee_from_the_case_page(client, officer_scjg, officer_ga, accepted, alice):
    case = accepted(alice, MONDAY)
    login(client, officer_scjg)
    page = client.get(f"/workbench/cases/{case.pk}/")
    assert 'name="fee_amount"' in page.content.decode()
    url = f"/workbench/cases/{case.pk}/fees/new/"
    client.post(url, {"fee_name": "工本费", "fee_amount": "-3", "fee_basis": ""})
    client.post(url, {"fee_name": "", "fee_amount": "80"})
    assert not CaseFee.objects.exists()
    page = client.post(url, {"fee_name": "工本费", "fee_amount": "80", "fee_basis": "物价文件"}, follow=True)
    assert CaseFee.objects.get().amount == 80 and "工本费" in page.content.decode()
    login(client, officer_ga)
    assert 'name="fee_amount"' not in client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert client.post(url, {"fee_name": "加急费", "fee_amount": "80"}).status_code in (403, 404)
    assert CaseFee.objects.count() == 1


def test_the_screen_works_in_english(client, supervisor, two_departments_carded):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = login(client, supervisor).get(BOARD).content.decode()
    assert "Running cases against their limits" in html and "Red cards: " in html and "督办单" in html
    html = client.get("/workbench/supervision/score/").content.decode()
    assert "How the score is calculated" in html
