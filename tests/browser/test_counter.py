"""一窗受理 in the browser: the demo clerk takes in an incomplete application and gets the printable
一次性告知 notice listing everything missing; screenshots at desktop and 360 px; axe on each page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .support import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser

WALK_IN = "330106199002153627"  # 李娜, a demo person
ITEM = "330100-SCJG-001"  # 企业设立登记


def _sign_in(page: Page) -> None:
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_label("密码").press("Enter")
    page.get_by_role("link", name="窗口受理").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("窗口受理")


def _no_serious(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clerk_takes_in_an_incomplete_application_and_prints_the_notice(
    new_page: Callable[..., Page], viewport: str
) -> None:
    page = new_page(viewport)
    _sign_in(page)
    # Keyboard only: the ID field has the focus; Enter finds the applicant.
    page.keyboard.type(WALK_IN)
    page.keyboard.press("Enter")
    expect(page.locator(".person-card")).to_contain_text("李娜")
    page.keyboard.type("企业设立")  # the service search has the focus now
    page.keyboard.press("Enter")
    page.wait_for_url("**/workbench/counter/?q=*")
    expect(page.locator(".counter-items")).to_contain_text("企业设立登记")
    _no_serious(page)
    screenshot(page, f"counter-{viewport}")
    page.locator(f'a[href="/workbench/counter/items/{ITEM}/"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("企业设立登记")
    _no_serious(page)
    page.get_by_label("已核验：申请书（申请表）").check()
    screenshot(page, f"counter-intake-{viewport}")
    page.get_by_role("button", name="一次性告知补正材料").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("补正材料一次性告知书")
    missing = page.locator(".doc-missing")
    for name in ("公司章程（合伙协议）", "董事、监事、高级管理人员任职文件及身份证明"):
        expect(missing).to_contain_text(name)
    expect(missing).not_to_contain_text("申请书（申请表）")
    expect(page.locator(".document")).to_contain_text("《行政许可法》第三十二条")
    expect(page.locator(".document")).to_contain_text("本办件到现场次数：1次")
    expect(page.locator(".seal")).to_contain_text("印章")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    _no_serious(page)
    screenshot(page, f"counter-notice-{viewport}")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    screenshot(page, f"counter-notice-print-{viewport}")
