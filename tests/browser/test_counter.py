"""一窗受理 in the browser: the demo clerk takes in an incomplete application and gets the printable
一次性告知 notice listing everything missing; screenshots at desktop and 360 px; axe on each page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .support import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser

WALK_IN = "330106199002153627"  # 李娜, a demo person
COMPANY = "91330106MA2H7K3LXA"  # 杭州西溪云栖科技有限公司: 张伟 acts for it (demo authorization)
AGENT = "330120194103121311"  # 张伟
ITEM = "330100-SCJG-002"  # 食品经营许可, a service for organisations
PERSON_ITEM = "330100-GA-003"  # 居民身份证申领、换领、补领, a service for individuals
NEW_COMPANIES = {"desktop": "91330106MA2KQ7R803", "phone": "91330106MA2KQ7R816"}  # not in the demo


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
    _no_serious(page)
    screenshot(page, f"counter-start-{viewport}")
    page.get_by_label("统一社会信用代码").fill(COMPANY.lower())
    page.get_by_label("统一社会信用代码").press("Enter")
    expect(page.locator(".person-card")).to_contain_text("杭州西溪云栖科技有限公司")
    # Keyboard only from here: the 经办人's ID field has the focus; Enter finds them.
    expect(page.locator("input:focus")).to_have_count(1)
    page.keyboard.type(AGENT)
    page.keyboard.press("Enter")
    expect(page.locator(".person-card")).to_contain_text("经办人：张伟")
    expect(page.locator("#q")).to_be_focused()  # the service search has the focus now
    page.keyboard.type("食品经营")
    page.keyboard.press("Enter")
    page.wait_for_url("**/workbench/counter/?q=*")
    expect(page.locator(".counter-items")).to_contain_text("食品经营许可")
    _no_serious(page)
    screenshot(page, f"counter-{viewport}")
    page.locator(f'a[href="/workbench/counter/items/{ITEM}/"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可")
    expect(page.locator(".lead")).to_contain_text("杭州西溪云栖科技有限公司")
    _no_serious(page)
    page.get_by_label("已核验：申请书（申请表）").check()
    screenshot(page, f"counter-intake-{viewport}")
    page.get_by_role("button", name="一次性告知补正材料").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("补正材料一次性告知书")
    missing = page.locator(".doc-missing")
    for name in ("设备布局和操作流程文件", "食品安全管理制度文本"):
        expect(missing).to_contain_text(name)
    expect(missing).not_to_contain_text("申请书（申请表）")
    document = page.locator(".document")
    expect(document).to_contain_text("《行政许可法》第三十二条")
    expect(document).to_contain_text("本办件到现场次数：1次")
    expect(document).to_contain_text(
        "杭州西溪云栖科技有限公司（统一社会信用代码 9133**********3LXA，经办人 张伟）"
    )
    expect(page.locator(".seal")).to_contain_text("印章")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    _no_serious(page)
    screenshot(page, f"counter-notice-{viewport}")
    pdf = page.get_by_role("link", name="下载补正材料一次性告知书（PDF）")
    response = page.request.get(pdf.get_attribute("href") or "")
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    screenshot(page, f"counter-notice-print-{viewport}")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clerk_registers_a_walk_in_organisation_with_its_agent(
    new_page: Callable[..., Page], viewport: str
) -> None:
    page = new_page(viewport)
    _sign_in(page)
    page.get_by_label("统一社会信用代码").fill(NEW_COMPANIES[viewport])
    page.get_by_role("button", name="查找单位").click()
    expect(page.get_by_role("button", name="登记单位")).to_be_visible()
    page.get_by_role("button", name="登记单位").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("请输入单位名称")
    expect(summary).to_contain_text("身份证")
    _no_serious(page)
    screenshot(page, f"counter-organisation-errors-{viewport}")
    summary.get_by_role("link", name="请输入单位名称", exact=False).click()
    expect(page.get_by_label("单位名称")).to_be_focused()
    page.get_by_label("单位名称").fill("杭州文三路小面馆有限公司")
    page.get_by_label("法定代表人").fill("李娜")
    page.get_by_label("经办人身份证号码").fill(WALK_IN)
    page.get_by_label("仅限授权委托书所列事项").check()
    page.get_by_label("授权委托书所列事项编码").fill(f"{ITEM}，330100-SCJG-001")
    screenshot(page, f"counter-organisation-form-{viewport}")
    page.get_by_role("button", name="登记单位").click()
    card = page.locator(".person-card")
    expect(card).to_contain_text("杭州文三路小面馆有限公司")
    expect(card).to_contain_text("经办人：李娜")
    expect(card).to_contain_text(f"仅限 330100-SCJG-001、{ITEM}")
    expect(page.locator(".counter-items")).to_contain_text("食品经营许可")
    expect(page.locator(".counter-items")).not_to_contain_text("居民身份证")
    expect(page.locator(".counter-items")).not_to_contain_text("印章刻制备案")  # not in the letter
    _no_serious(page)
    screenshot(page, f"counter-organisation-{viewport}")


def test_a_person_sees_only_services_for_individuals(new_page: Callable[..., Page]) -> None:
    page = new_page("desktop")
    _sign_in(page)
    expect(page.get_by_label("居民身份证号码")).to_be_focused()
    page.keyboard.type(WALK_IN)
    page.keyboard.press("Enter")
    expect(page.locator(".person-card")).to_contain_text("李娜")
    expect(page.locator(f'a[href="/workbench/counter/items/{PERSON_ITEM}/"]')).to_be_visible()
    expect(page.locator(f'a[href="/workbench/counter/items/{ITEM}/"]')).to_have_count(0)
    page.goto(f"/workbench/counter/items/{ITEM}/")
    expect(page.locator(".messages")).to_contain_text("法人办事")
