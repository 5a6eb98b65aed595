"""Register and log in as an applicant at desktop and phone width, with axe checks on every step.

The live server runs in this process with the test settings, so the SMS lands in
``LocmemBackend.outbox``, where the test reads the code as a person would read their phone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from onevisit.identity.sms import LocmemBackend

from .support import PHONE, axe_violations, describe, screenshot

pytestmark = pytest.mark.browser

NEWCOMERS = {
    "desktop": {"phone": "13900000101", "name": "林爱丽", "id_number": "330106199002153619"},
    "phone": {"phone": "13900000102", "name": "包博文", "id_number": "330106198511032415"},
}


def code_for(phone: str) -> str:
    texts = [m.text for m in LocmemBackend.outbox if m.phone == phone]
    assert texts, f"no text message to {phone}"
    match = re.search(r"\b(\d{6})\b", texts[-1])
    assert match
    return match.group(1)


def check(page: Page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_register_then_log_out_and_in(new_page: Callable[..., Page], viewport: str):
    person = NEWCOMERS[viewport]
    page = new_page(viewport)
    page.goto("/")
    page.get_by_role("link", name="注册", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册账号")

    page.get_by_role("button", name="获取验证码").click()  # nothing typed: the error summary
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="请输入手机号码")).to_be_visible()
    check(page, f"account-register-error-{viewport}")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("手机号码")).to_be_focused()

    page.get_by_label("手机号码").fill(person["phone"])
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("139****01")).to_be_visible()
    check(page, f"account-register-code-{viewport}")
    page.get_by_label("短信验证码").fill(code_for(person["phone"]))
    page.get_by_role("button", name="继续").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("填写个人信息")
    page.get_by_label("姓名").fill(person["name"])
    page.get_by_label("居民身份证号码").fill(person["id_number"][:-1] + "0")  # wrong check digit
    page.get_by_label("密码").fill("correct-horse-9")
    page.get_by_role("button", name="注册").last.click()
    expect(page.locator(".error-summary")).to_contain_text("请输入18位居民身份证号码")
    expect(page.get_by_label("姓名")).to_have_value(person["name"])  # what was typed is kept
    check(page, f"account-register-details-error-{viewport}")
    page.get_by_label("居民身份证号码").fill(person["id_number"])
    page.get_by_label("密码").fill("correct-horse-9")
    page.get_by_role("button", name="注册").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    expect(page.locator(".facts")).to_contain_text(
        person["id_number"][:6] + "********" + person["id_number"][-4:]
    )
    expect(page.locator(".site-header")).to_contain_text(person["name"])
    check(page, f"account-profile-{viewport}")

    page.locator(".site-header").get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已退出登录")).to_be_visible()
    page.locator(".site-header").get_by_role("link", name="登录").click()
    page.get_by_label("手机号码").fill(person["phone"])
    page.get_by_label("密码").fill("correct-horse-9")
    check(page, f"account-login-{viewport}")
    page.get_by_role("button", name="登录").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")


def test_demo_citizen_logs_in_by_code_and_acts_for_a_company(new_page: Callable[..., Page]):
    page = new_page("phone")
    page.goto("/account/login/")
    page.get_by_role("link", name="短信验证码").click()
    page.get_by_label("手机号码").fill("13800000001")
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(code_for("13800000001"))
    check(page, "account-login-code-phone")
    page.get_by_role("button", name="登录").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    page.get_by_label("杭州西溪云栖科技有限公司").check()
    page.get_by_role("button", name="切换").click()
    expect(page.locator(".acting-bar")).to_contain_text("杭州西溪云栖科技有限公司")
    check(page, "account-acting-for-phone")
    assert page.viewport_size == PHONE
