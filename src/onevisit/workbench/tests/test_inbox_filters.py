"""Inbox filters (待办筛选): department (only one's own), step status, urgency, service and case number,
with counts per urgency that follow the other filters; bad values are dropped with a note."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from conftest import bpmn
from onevisit.cases import services
from onevisit.cases.selectors import InboxFilters, inbox_for_staff
from onevisit.core.calendar import add_working_days
from onevisit.org.services import staff_role_grant
from onevisit.workflow.models import WorkItem
from onevisit.workflow.services import work_item_claim

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _step(case):
    return WorkItem.objects.get(instance=case.process_instance_id, status__in=WorkItem.ACTIVE)


def _set_urgency(item, urgency):
    today = timezone.localdate()
    if urgency == "red":
        ready, due = today - dt.timedelta(days=10), today - dt.timedelta(days=2)
    elif urgency == "yellow":
        ready, due = today - dt.timedelta(days=30), add_working_days(today, 1)
    else:
        ready, due = today, add_working_days(today, 10)
    WorkItem.objects.filter(pk=item.pk).update(ready_on=ready, due_date=due)


@pytest.fixture
def colleague(django_user_model, departments):
    user = django_user_model.objects.create_user("colleague", password="pw-123456!")
    staff_role_grant(actor="t", user=user, department=departments["scjg"], role="officer")
    return user


@pytest.fixture
def both(django_user_model, departments):
    """An officer of 市场监管 and of 公安."""
    user = django_user_model.objects.create_user("both", password="pw-123456!")
    for department in ("scjg", "ga"):
        staff_role_grant(actor="t", user=user, department=departments[department], role="officer")
    return user


@pytest.fixture
def inbox(two_step_item, make_item, alice, file_case, officer_scjg, colleague):
    """Three 市场监管 steps (red, yellow, normal; the red one taken by officer_scjg, the yellow one
    by a colleague), one 公安 step of another service, and one case waiting for acceptance."""
    cases = {}
    for urgency in ("red", "yellow", "normal"):
        case = services.case_accept(actor="t", case=file_case(two_step_item, alice))
        _set_urgency(_step(case), urgency)
        cases[urgency] = case
    work_item_claim(actor=officer_scjg, work_item=_step(cases["red"]))
    work_item_claim(actor=colleague, work_item=_step(cases["yellow"]))
    ga_item = make_item(code="C-GA", name="户籍证明", process=bpmn({"330100-GA": [("check", "户籍核查", 1)]}))
    cases["ga"] = services.case_accept(actor="t", case=file_case(ga_item, alice))
    cases["waiting"] = file_case(two_step_item, alice)
    return cases


def test_everything_of_my_department_due_first_with_counts(inbox, officer_scjg):
    page = _client(officer_scjg).get("/workbench/").content.decode()
    numbers = [inbox[u].number for u in ("red", "yellow", "normal")]
    positions = [page.index(n) for n in numbers]
    assert positions == sorted(positions)  # due first
    assert inbox["ga"].number not in page
    assert "红牌（已超期）：1" in page and "黄牌（即将到期）：1" in page and "正常：1" in page
    assert inbox["waiting"].number in page


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        ("open", ["normal"], ["red", "yellow"]),
        ("mine", ["red"], ["yellow", "normal"]),
        ("others", ["yellow"], ["red", "normal"]),
    ],
)
def test_step_status_filter(inbox, officer_scjg, status, shown, hidden):
    page = _client(officer_scjg).get("/workbench/", {"status": status}).content.decode()
    steps = page.split("待受理")[0]
    for urgency in shown:
        assert inbox[urgency].number in steps
    for urgency in hidden:
        assert inbox[urgency].number not in steps
    assert f'<option value="{status}" selected>' in page


def test_urgency_filter_keeps_the_counts_of_the_other_filters(inbox, officer_scjg):
    client = _client(officer_scjg)
    page = client.get("/workbench/", {"urgency": "red"}).content.decode()
    steps = page.split("待受理")[0]
    assert inbox["red"].number in steps and inbox["normal"].number not in steps
    assert "红牌（已超期）：1" in page and "正常：1" in page  # the counts ignore the urgency filter itself
    assert 'aria-current="true"' in page
    page = client.get("/workbench/", {"status": "open"}).content.decode()
    assert "红牌（已超期）：0" in page and "黄牌（即将到期）：0" in page and "正常：1" in page
    # each count links to its urgency with the other filters kept
    assert 'href="?status=open&amp;urgency=red"' in page


def test_case_number_search_narrows_steps_and_waiting_cases(inbox, officer_scjg):
    client = _client(officer_scjg)
    page = client.get("/workbench/", {"q": inbox["yellow"].number[-5:]}).content.decode()
    assert inbox["yellow"].number in page
    assert inbox["red"].number not in page and inbox["waiting"].number not in page
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in inbox["waiting"].number)  # typed with a Chinese IME
    page = client.get("/workbench/", {"q": full_width}).content.decode()
    assert inbox["waiting"].number in page and inbox["red"].number not in page


def test_item_filter(inbox, both):
    client = _client(both)
    page = client.get("/workbench/", {"item": "C-GA"}).content.decode()
    assert inbox["ga"].number in page and inbox["red"].number not in page
    assert '<option value="C-GA" selected>' in page


def test_department_filter_offers_only_my_departments(inbox, both, officer_scjg):
    page = _client(both).get("/workbench/", {"department": "330100-GA"}).content.decode()
    steps = page.split("待受理")[0]
    assert inbox["ga"].number in steps and inbox["red"].number not in steps
    mine = _client(officer_scjg).get("/workbench/").content.decode()
    assert 'value="330100-SCJG"' in mine and 'value="330100-GA"' not in mine


def test_another_departments_code_is_ignored_with_a_note_and_leaks_nothing(inbox, officer_scjg):
    response = _client(officer_scjg).get("/workbench/", {"department": "330100-GA"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "不在可选范围内，已忽略" in page and "部门" in page
    assert inbox["ga"].number not in page and "户籍核查" not in page
    assert inbox["red"].number in page  # the filter is dropped, not the inbox
    unknown = _client(officer_scjg).get("/workbench/", {"department": "NO-SUCH"}).content.decode()
    assert unknown.count("已忽略") == page.count("已忽略")  # an unknown and a foreign code look the same


@pytest.mark.parametrize(
    "query",
    [
        {"status": "<script>alert(1)</script>"},
        {"urgency": "purple"},
        {"item": "'; DROP TABLE cases_case; --"},
        {"q": "x" * 500},
        {"q": "<b>1</b>"},
        {"q": "\x00\x1f"},
        {"department": "A" * 10000},
        {"page": "2", "status": ["open", "mine"]},
    ],
)
def test_hostile_filter_values_are_ignored_never_a_crash(inbox, officer_scjg, query):
    response = _client(officer_scjg).get("/workbench/", query)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in page and "<b>1</b>" not in page
    if "page" not in query:
        assert "已忽略" in page
        assert inbox["red"].number in page and inbox["normal"].number in page


def test_the_selector_narrows_never_widens(inbox, officer_scjg, officer_ga):
    today = timezone.localdate()
    rows = inbox_for_staff(user=officer_ga, filters=InboxFilters(department="330100-SCJG"), today=today).rows
    assert rows == []
    rows = inbox_for_staff(user=officer_ga, filters=InboxFilters(item="C-1"), today=today).rows
    assert rows == []
    page = inbox_for_staff(user=officer_scjg, filters=InboxFilters(claim="mine"), today=today)
    assert [r.case for r in page.rows] == [inbox["red"]]
    assert page.counts == {"red": 1, "yellow": 0, "normal": 0}


def test_the_filters_work_for_anonymous_visitors_only_after_login(db):
    response = Client().get("/workbench/", {"status": "mine"})
    assert response.status_code == 302 and "/workbench/login/" in response["Location"]


def test_english_page(inbox, officer_scjg):
    client = _client(officer_scjg)
    client.cookies["onevisit_language"] = "en"
    page = client.get("/workbench/", {"urgency": "nonsense"}).content.decode()
    assert "Clear the filters" in page and "was ignored" in page
