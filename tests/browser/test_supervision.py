"""电子监察 in the browser: the supervisor's screen with yellow and red cards, a bad filter, the 督办
form (empty, then issued), the department's reply, and the score page with its calculation, at 1280
and 360 px with axe (screenshots also in /tmp/shots/supervision/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .instant import heading, staff_log_in
from .support import check_page

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/supervision")
TODAY = dt.date(2026, 11, 26)
ACCEPTED = {  # case number suffix → acceptance date: statutory overdue, promised overdue, on time
    "01": dt.date(2026, 10, 8),
    "02": dt.date(2026, 11, 16),
    "03": dt.date(2026, 11, 25),
}


def check(page: Page, name: str) -> None:
    check_page(page, name, copy_to=SHOTS)


@pytest.fixture
def carded(django_db_blocker) -> Iterator[list[str]]:
    """Three accepted cases of a demo service of 市场监管 (no steps, so no one's inbox changes), one
    with a fee not in the list, and their cards raised as of TODAY; removed afterwards."""
    with django_db_blocker.unblock():
        from onevisit.cases.models import Case, CaseEvent, CaseFee
        from onevisit.catalog.models import ItemVersion
        from onevisit.core.calendar import add_working_days
        from onevisit.identity.models import Person
        from onevisit.supervision.alarms import alarms_evaluate
        from onevisit.supervision.models import Alarm, SupervisionOrder

        version = (
            ItemVersion.objects.filter(
                item__department__code="330100-SCJG", state="published",
                promised_limit_days__gt=0, statutory_limit_days__gt=0,
            )
            .select_related("item__department")
            .order_by("-statutory_limit_days", "pk")
            .first()
        )  # fmt: skip
        assert version is not None
        person = Person.objects.order_by("pk").first()
        cases = []
        for suffix, on in ACCEPTED.items():
            cases.append(
                Case.objects.create(
                    number=f"33010020261126SUP{suffix}", item_version=version, department=version.item.department,
                    applicant_person=person, channel="online", status=Case.Status.ACCEPTED, accepted_on=on,
                    promised_due=add_working_days(on, version.promised_limit_days),
                    statutory_due=add_working_days(on, version.statutory_limit_days),
                )
            )  # fmt: skip
        CaseFee.objects.create(case=cases[2], name="加急服务费", amount=200)
        alarms_evaluate(today=TODAY, case_ids=[c.pk for c in cases])
    yield [c.number for c in cases]
    with django_db_blocker.unblock():
        ids = [c.pk for c in cases]
        SupervisionOrder.objects.filter(case__in=ids).delete()
        Alarm.objects.filter(case__in=ids).delete()
        CaseFee.objects.filter(case__in=ids).delete()
        CaseEvent.objects.filter(case__in=ids).delete()
        Case.objects.filter(pk__in=ids).delete()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_supervisor_sees_the_cards_issues_a_order_and_the_department_replies(
    new_page: Callable[..., Page], carded: list[str], viewport: str
) -> None:
    page = new_page(viewport)
    staff_log_in(page, "supervisor")
    page.get_by_role("link", name="电子监察").click()
    expect(heading(page)).to_have_text("电子监察")
    expect(page.locator(".counts").first).to_contain_text("红牌")
    expect(page.get_by_role("table").first).to_contain_text(carded[0])
    expect(page.get_by_role("table").first).to_contain_text("收费项目不在事项收费清单内")
    check(page, f"supervision-{viewport}")

    page.goto("/workbench/supervision/?card=purple&department=nope")
    expect(page.locator(".notice-important").first).to_contain_text("不在可选范围内")
    check(page, f"supervision-bad-filter-{viewport}")

    page.goto("/workbench/supervision/?card=red")
    page.locator("table").first.get_by_role("link", name="发督办单").first.click()
    expect(heading(page)).to_have_text("发督办单")
    page.get_by_label("督办要求").fill("")
    page.get_by_role("button", name="发出督办单").click()
    expect(page.locator(".error-summary")).to_contain_text("请写明要求部门做什么")
    check(page, f"supervision-order-errors-{viewport}")
    page.get_by_label("督办要求").fill("请说明超期原因，三个工作日内办结并答复。")
    page.get_by_role("button", name="发出督办单").click()
    expect(page.locator(".messages")).to_contain_text("已发往")
    order_url = page.url
    check(page, f"supervision-order-{viewport}")

    page.goto("/workbench/supervision/score/")
    expect(page.locator("table")).to_contain_text("max(0, 100")
    check(page, f"supervision-score-{viewport}")

    department = new_page(viewport)
    staff_log_in(department, "officer_scjg")
    department.goto("/workbench/supervision/orders/")
    expect(department.locator("table")).to_contain_text("等待答复")
    check(department, f"supervision-orders-department-{viewport}")
    department.goto(order_url)
    department.get_by_label("答复：部门已经或将要采取的措施").fill("已加派人手，今日办结。")
    department.get_by_role("button", name="提交答复").click()
    expect(department.locator(".messages")).to_contain_text("答复已记录")
    expect(department.locator(".facts")).to_contain_text("按时答复")
    check(department, f"supervision-order-replied-{viewport}")
