"""The data steward keeps credit records (信用记录) in the admin: sees 赵敏's record in force, adds one by
ID number (after a mistake), and repairs it with a reason, so it no longer bars anybody."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from onevisit.identity.models import CreditRecord
from onevisit.identity.selectors import credit_clean, person_by_id_number

from .support import SCREENSHOTS, screenshot

HUANG = "330110200106041179"  # 黄强 of the demo
SHOTS = Path("/tmp/shots/credit")


def _shot(page: Page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", SHOTS / f"{name}.png")


def _sign_in(page: Page) -> None:
    page.goto("/admin/login/?next=/admin/identity/creditrecord/")
    page.get_by_label("用户名").fill("data_steward")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("信用记录")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_data_steward_adds_and_repairs_a_credit_record(
    new_page: Callable[..., Page], viewport: str
) -> None:
    huang = person_by_id_number(HUANG)
    assert huang is not None and credit_clean(person=huang)
    page = new_page(viewport)
    _sign_in(page)
    expect(page.locator("#result_list")).to_contain_text("赵敏")
    expect(page.locator("#result_list")).not_to_contain_text("332127197008182263")
    _shot(page, f"credit-list-{viewport}")

    page.goto("/admin/identity/creditrecord/add/")
    page.get_by_label("自然人身份证号").fill("330110200106041170")  # wrong check digit
    page.get_by_label("类型").select_option("other")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()
    _shot(page, f"credit-add-errors-{viewport}")
    page.get_by_label("自然人身份证号").fill(HUANG)
    page.locator("#id_reason").fill("未按期履行行政处罚决定（演示）")
    page.locator("#id_legal_basis").fill("《浙江省公共信用信息管理条例》第二十条")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert not credit_clean(person=huang)

    record = CreditRecord.objects.filter(person=huang).get()
    page.goto(f"/admin/identity/creditrecord/{record.pk}/change/")
    expect(page.locator("body")).to_contain_text("已记录")
    _shot(page, f"credit-record-{viewport}")

    page.goto("/admin/identity/creditrecord/?status=in_force")
    page.locator(f'input[name="_selected_action"][value="{record.pk}"]').check()
    page.locator('select[name="action"]').select_option("repair")
    page.locator('button[name="index"]').click()
    page.get_by_label("修复原因").fill("已履行处罚决定，认定部门同意修复（演示）")
    _shot(page, f"credit-repair-{viewport}")
    page.get_by_role("button", name="修复", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("已修复 1 条信用记录")
    assert credit_clean(person=huang)
    record.delete()  # leave the shared demo as it was for the other browser tests
