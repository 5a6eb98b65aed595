"""An applicant adds an email address, confirms it from the emailed link and chooses email only; the
log-in page pauses after five wrong passwords. Desktop and phone width, axe checks, screenshots.

The live server runs in this process with the test settings, so emails land in ``mail.outbox``.
Log-in failures stay in the shared demo database: the pause is shown for a number that has no
account (the answer is the same as for one that has), so other tests' personas are not paused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from .support import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/login-email")
PERSONAS = {"desktop": "13800000009", "phone": "13800000010"}
NO_ACCOUNT = {"desktop": "13999990001", "phone": "13999990002"}


def check(page: Page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
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
def test_add_confirm_and_choose_email(new_page: Callable[..., Page], viewport: str):
    page = new_page(viewport)
    log_in(page, PERSONAS[viewport])
    expect(page.get_by_role("heading", name="如何通知您办件进展")).to_be_visible()
    expect(page.get_by_label("电子邮件")).to_be_disabled()
    check(page, f"notifications-profile-{viewport}")

    page.get_by_label("短信发送至").uncheck()  # nothing left on: refused with a message
    page.get_by_role("button", name="保存").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请至少选择一种通知方式")
    check(page, f"notifications-error-{viewport}")

    page.get_by_role("link", name="添加电子邮箱").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的电子邮箱")
    page.get_by_label("电子邮箱").fill("not an address")
    page.get_by_role("button", name="发送确认链接").click()
    expect(page.locator(".error-summary")).to_contain_text("name@example.com")
    expect(page.get_by_label("电子邮箱")).to_have_value("not an address")
    check(page, f"notifications-email-error-{viewport}")

    mail.outbox.clear()
    address = f"zhouting.{viewport}@example.com"
    page.get_by_label("电子邮箱").fill(address)
    page.get_by_role("button", name="发送确认链接").click()
    expect(page.locator(".flash")).to_contain_text("z***@example.com")
    assert mail.outbox, "no confirmation email"
    assert mail.outbox[-1].subject == "【政务服务】请确认您的电子邮箱"
    link = re.search(r"http://testserver(/account/email/confirm/[A-Za-z0-9_-]+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body

    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("确认电子邮箱")
    check(page, f"notifications-confirm-{viewport}")
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("电子邮箱已确认")

    page.get_by_label("短信发送至").uncheck()
    page.get_by_label("邮件发送至").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash")).to_contain_text("您的选择已保存")
    expect(page.get_by_label("邮件发送至")).to_be_checked()
    check(page, f"notifications-saved-{viewport}")

    page.goto(link.group(1))  # the link works once
    expect(page.locator(".error-summary")).to_contain_text("该电子邮箱已确认")
    check(page, f"notifications-confirm-used-{viewport}")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_five_wrong_passwords_pause_the_number(new_page: Callable[..., Page], viewport: str):
    page = new_page(viewport)
    page.goto("/account/login/")
    for n in range(5):
        page.get_by_label("手机号码").fill(NO_ACCOUNT[viewport])
        page.get_by_label("密码").fill(f"wrong-{n}")
        page.get_by_role("button", name="登录").last.click()
        if n == 0:
            expect(page.locator(".error-summary")).to_contain_text("再错 4 次将暂停密码登录")
            check(page, f"login-wrong-password-{viewport}")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("密码登录已暂停")
    expect(summary).to_contain_text("15 分钟后重试")
    expect(page.get_by_label("手机号码")).to_have_value(NO_ACCOUNT[viewport])
    check(page, f"login-paused-{viewport}")
