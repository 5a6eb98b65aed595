"""The whole journey across both sides: a citizen acting for a company applies online to deregister
it; 市场监管 accepts; 市场监管 and 税务 handle their steps in parallel; the citizen sees the approval
and every department's step in the timeline."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from onevisit.cases.models import Case
from onevisit.workflow.models import WorkItem

from .support import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser
ITEM = "330100-SCJG-003"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _check(page: Page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def _staff(new_page: Callable[..., Page], username: str) -> Page:
    page = new_page("desktop")
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待办")
    return page


def _complete(page: Page, number: str, step: str) -> None:
    page.goto("/workbench/")
    page.get_by_role("link", name=number).first.click()
    panel = page.locator(".case-actions")
    expect(panel.get_by_role("heading", name=step)).to_be_visible()
    form = panel.locator("form", has=page.locator("button", has_text="办结此环节")).first
    form.get_by_label("同意", exact=True).check()
    form.get_by_label("意见").fill(f"{step}：符合条件")
    form.get_by_role("button", name="办结此环节").click()
    expect(page.locator(".messages")).to_contain_text("已办结")


def test_a_company_is_deregistered_by_two_departments_in_parallel(
    new_page: Callable[..., Page], tmp_path
) -> None:
    citizen = new_page("phone")
    citizen.goto("/account/login/")
    citizen.get_by_label("手机号码").fill("13800000001")
    citizen.get_by_label("密码").fill("demo1234")
    citizen.get_by_role("button", name="登录").last.click()
    citizen.get_by_label("杭州西溪云栖科技有限公司").check()
    citizen.get_by_role("button", name="切换").click()

    citizen.goto(f"/items/{ITEM}/")
    citizen.get_by_role("link", name="在线办理").click()
    citizen.get_by_role("button", name="开始申请").click()
    # 单位名称 and 法定代表人 come from 市场主体登记信息 (秒填): shown, not typed.
    expect(citizen.locator("main")).to_contain_text("杭州西溪云栖科技有限公司 已核验")
    expect(citizen.locator("main")).to_contain_text("市场主体登记信息")
    citizen.get_by_role("button", name="保存并继续").click()
    citizen.get_by_label("简易注销").check()
    citizen.get_by_label("注销原因").fill("股东决议解散")
    citizen.get_by_label("申请人姓名").fill("张伟")
    citizen.get_by_label("联系电话").fill("13800000001")
    citizen.get_by_role("button", name="保存并继续").click()
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(PDF)
    citizen.get_by_label("申请书", exact=False).first.set_input_files(str(scan))
    citizen.get_by_role("button", name="保存并继续").click()
    citizen.get_by_role("button", name="提交申请").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("申请已提交")
    number = citizen.locator(".case-number").inner_text()

    scjg = _staff(new_page, "officer_scjg")
    scjg.get_by_role("link", name=number).first.click()
    scjg.get_by_role("button", name="受理", exact=True).click()
    expect(scjg.locator(".messages")).to_contain_text("已受理")
    _complete(scjg, number, "受理")

    # Both departments now hold a step of the same case at the same time.
    case = Case.objects.get(number=number)
    open_steps = WorkItem.objects.filter(instance=case.process_instance, status="open")
    assert sorted(w.department.code for w in open_steps) == ["330100-SCJG", "330100-SW"]
    sw = _staff(new_page, "officer_sw")
    _check(sw, "joint-inbox-tax-desktop")
    _complete(sw, number, "清税信息核验")
    _complete(scjg, number, "注销登记审查")
    _complete(scjg, number, "核准注销并公示")
    case.refresh_from_db()
    assert case.status == "approved"

    citizen.goto(f"/cases/{number}/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("企业注销登记（含简易注销）")
    timeline = citizen.locator(".timeline")
    expect(timeline).to_contain_text("税务局")
    expect(timeline).to_contain_text("市场监督管理局")
    expect(citizen.locator("main")).to_contain_text("准予许可")
    _check(citizen, "joint-case-approved-phone")
