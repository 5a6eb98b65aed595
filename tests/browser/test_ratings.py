"""好差评 in the browser: an applicant rates a finished case from its page on a phone (and a desktop),
the department records the callback and the rectification, the applicant adds the follow-up; the
public ratings page, a complaint filed and followed; the counter tablet. axe and screenshots at 1280
and 360 px (also in /tmp/shots/ratings/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .instant import heading, log_in, staff_log_in
from .support import check_page

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/ratings")
PHONES = {"desktop": "13800000004", "phone": "13800000003"}  # 刘洋, 李娜


def check(page: Page, name: str) -> None:
    check_page(page, name, copy_to=SHOTS)


def _finished_case(phone: str, n: int):
    """A 老年人优待证 case of the persona, approved yesterday (the case pages are what is tested)."""
    from django.utils import timezone

    from onevisit.cases.models import Case
    from onevisit.catalog.models import ServiceItem
    from onevisit.core import crypto
    from onevisit.identity.models import ApplicantAccount

    account = ApplicantAccount.objects.select_related("person").get(phone_hash=crypto.lookup_hash(phone))
    item = ServiceItem.objects.get(code="330100-MZ-001")
    return Case.objects.create(
        number=f"33010020260301{n:05d}", item_version=item.current_version, department=item.department,
        applicant_person=account.person, channel="online", status="approved",
        submitted_at=timezone.now() - dt.timedelta(days=3), accepted_on=timezone.localdate() - dt.timedelta(days=3),
        decided_at=timezone.now() - dt.timedelta(days=1),
    )  # fmt: skip


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_rate_a_case_get_the_rectification_and_follow_up(
    new_page: Callable[..., Page], viewport: str, django_db_blocker
) -> None:
    with django_db_blocker.unblock():
        case = _finished_case(PHONES[viewport], 90 if viewport == "phone" else 91)
    page = new_page(viewport)
    log_in(page, PHONES[viewport])
    page.goto(f"/cases/{case.number}/")
    block = page.locator(".rating-box")
    expect(block).to_contain_text("评价本次服务")
    check(page, f"ratings-1-case-{viewport}")
    block.get_by_role("link", name="评价本次服务").click()
    expect(heading(page)).to_have_text("评价本次服务")
    check(page, f"ratings-2-form-{viewport}")
    page.get_by_role("button", name="提交评价").click()  # nothing chosen
    expect(page.locator(".error-summary")).to_contain_text("请从非常满意到非常不满意中选择一项")
    check(page, f"ratings-3-errors-{viewport}")
    page.locator("label[for=level-2]").click()
    expect(page.locator("fieldset[data-grade=bad]")).to_be_visible()
    expect(page.locator("fieldset[data-grade=good]")).to_be_hidden()
    page.get_by_text("办理太慢", exact=True).click()
    page.get_by_label("评价内容（选填）").fill("等了很久<script>alert(1)</script>，电话13800000003")
    check(page, f"ratings-4-filled-{viewport}")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".flash")).to_contain_text("部门将在")
    expect(page.locator(".rating-box")).to_contain_text("您的评价为“不满意”")
    expect(page.locator(".rating-box")).to_contain_text("<script>alert(1)</script>")  # shown as text
    check(page, f"ratings-5-rated-{viewport}")

    staff = new_page(viewport)
    staff_log_in(staff, "officer_mz")
    staff.goto("/workbench/ratings/")
    expect(heading(staff)).to_have_text("好差评与投诉")
    check(staff, f"ratings-6-workbench-{viewport}")
    staff.get_by_role("row").filter(has_text=case.number).get_by_role("link", name="回访评价人").click()
    expect(staff.locator(".facts").first).to_contain_text("刘洋" if viewport == "desktop" else "李娜")
    check(staff, f"ratings-7-rating-{viewport}")
    staff.get_by_label("登记回访：评价人反映的情况").fill("已电话回访，申请人反映等候时间长。")
    staff.get_by_role("button", name="登记回访").click()
    staff.get_by_label("登记整改：采取的措施").fill("已增开一个窗口，并在指南中写明办理时间。")
    staff.get_by_role("button", name="登记整改").click()
    expect(staff.locator(".messages")).to_contain_text("整改已登记")
    check(staff, f"ratings-8-rectified-{viewport}")

    page.goto(f"/cases/{case.number}/")
    expect(page.locator(".rating-box")).to_contain_text("已增开一个窗口")
    page.get_by_role("link", name="追加评价").click()
    expect(heading(page)).to_have_text("追加评价")
    page.locator("label[for=level-4]").click()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".rating-box")).to_contain_text("您的追评：“满意”")
    check(page, f"ratings-9-follow-up-{viewport}")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_public_ratings_and_a_complaint(new_page: Callable[..., Page], viewport: str) -> None:
    page = new_page(viewport)
    page.goto("/")
    page.get_by_role("link", name="好差评公示").click()
    expect(heading(page)).to_have_text("好差评公示")
    expect(page.locator("body")).not_to_contain_text("13800000003")
    check(page, f"ratings-public-{viewport}")
    page.goto("/complaints/")
    check(page, f"complaints-{viewport}")
    page.get_by_role("link", name="我要投诉").click()
    page.get_by_role("button", name="提交投诉").click()
    expect(page.locator(".error-summary")).to_contain_text("请选择被投诉的部门")
    check(page, f"complaint-errors-{viewport}")
    page.get_by_label("部门").select_option(label="杭州市民政局")
    page.get_by_label("发生了什么？").fill("窗口工作人员中午提前离岗，等了一个小时。")
    page.get_by_role("button", name="提交投诉").click()
    expect(heading(page)).to_have_text("投诉已提交")
    code = page.locator(".tracking-code").inner_text()
    assert code.startswith("TS")
    check(page, f"complaint-sent-{viewport}")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_counter_tablet(new_page: Callable[..., Page], viewport: str) -> None:
    page = new_page(viewport)
    staff_log_in(page, "clerk")
    page.get_by_role("link", name="窗口评价器").click()
    check(page, f"tablet-setup-{viewport}")
    page.get_by_label("杭州市民之家（杭州市政务服务中心） · A02 综合受理窗口（个人事项）").check()
    page.get_by_role("button", name="打开评价器").click()
    expect(heading(page)).to_have_text("您对今天的服务满意吗？")
    check(page, f"tablet-{viewport}")
    page.locator("label[for=level-5]").click()
    page.get_by_text("热情耐心", exact=True).click()
    page.get_by_role("button", name="提交").click()
    expect(heading(page)).to_have_text("谢谢您的评价！")
    check(page, f"tablet-thanks-{viewport}")
    expect(heading(page)).to_have_text("您对今天的服务满意吗？", timeout=15000)  # ready for the next person
