"""A demo citizen applies online for 社会保障卡申领 (a two-page form, every material obtained from data),
sees the confirmation, then finds the case in 我的办件 and opens it; at desktop and phone width, with
screenshots and axe-core on every page of the journey."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .support import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser

ITEM = "330100-RS-002"
CITIZENS = {
    "desktop": {"phone": "13800000003", "name": "李娜", "id_number": "330106199002153627"},
    "phone": {"phone": "13800000004", "name": "刘洋", "id_number": "330106198809211715"},
}


def check(page: Page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def log_in(page: Page, phone: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_citizen_applies_online_and_follows_the_case(new_page: Callable[..., Page], viewport: str):
    citizen = CITIZENS[viewport]
    page = new_page(viewport)
    log_in(page, citizen["phone"])

    page.goto(f"/items/{ITEM}/")
    page.get_by_role("link", name="在线办理").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("社会保障卡申领")
    expect(page.get_by_text("免提交").first).to_be_visible()
    check(page, f"apply-start-{viewport}")
    page.get_by_role("button", name="开始申请").click()

    # Page 1: prefilled from the profile; a wrong phone number is flagged as the citizen leaves the field.
    expect(page.get_by_role("heading", level=1)).to_have_text("申请人信息")
    expect(page.get_by_label("申请人姓名")).to_have_value(citizen["name"])
    expect(page.get_by_label("申请人公民身份号码")).to_have_value(citizen["id_number"])
    phone = page.get_by_label("联系电话")
    expect(phone).to_have_value(citizen["phone"])
    phone.fill("123")
    phone.press("Tab")
    expect(page.locator("#group-applicant_phone .error-message")).to_contain_text("联系电话", timeout=20_000)
    # htmx listens on the swapped-in field only once it has settled (it then drops "htmx-added").
    expect(page.locator("#group-applicant_phone")).not_to_have_class(re.compile(r"\bhtmx-added\b"))
    phone = page.get_by_label("联系电话")
    phone.fill(citizen["phone"])
    phone.press("Tab")
    # The check is a round trip to the server: allow for a busy machine.
    expect(page.locator("#group-applicant_phone .error-message")).to_have_count(0, timeout=20_000)
    check(page, f"apply-step1-{viewport}")
    page.get_by_role("button", name="保存并继续").click()

    # Page 2: nothing chosen → the error summary links to the field.
    expect(page.get_by_role("heading", level=1)).to_have_text("领取方式")
    page.get_by_role("button", name="保存并继续").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("结果领取方式")
    check(page, f"apply-step2-error-{viewport}")
    page.get_by_label("邮政寄递").check()
    page.get_by_label("邮寄地址").fill("杭州市西湖区文三路 100 号")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("申请材料")
    check(page, f"apply-materials-{viewport}")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("提交前请核对您的信息")
    expect(page.locator(".summary-list").nth(1)).to_contain_text("邮政寄递")
    check(page, f"apply-check-{viewport}")
    page.get_by_role("button", name="提交申请").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交")
    number = page.locator(".case-number").inner_text()
    assert number.startswith("330100")
    check(page, f"apply-done-{viewport}")

    page.locator(".site-header").get_by_role("link", name="我的办件").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的办件")
    card = page.locator(".case-card", has_text=number)
    expect(card.locator(".chip")).to_have_text("已提交，待受理")
    check(page, f"cases-list-{viewport}")
    card.get_by_role("link", name="社会保障卡申领").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("社会保障卡申领")
    expect(page.locator(".next-action")).to_contain_text("目前无需操作")
    expect(page.locator(".timeline")).to_contain_text(number)
    check(page, f"case-page-{viewport}")
