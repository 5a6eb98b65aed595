"""The supervisor's post-check page (事后核查): the draw form, its errors, and the list of draws, at
desktop and phone width, with axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .support import check_page

pytestmark = pytest.mark.browser


def _check(page: Page, name: str) -> None:
    check_page(page, name)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_supervisor_opens_post_checks_and_an_empty_draw_says_what_is_wrong(
    new_page: Callable[..., Page], viewport: str
) -> None:
    page = new_page(viewport)
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    page.goto("/workbench/post-checks/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("事后核查")
    _check(page, f"post-checks-{viewport}")
    page.get_by_role("button", name="抽取").click()
    expect(page.locator(".error-summary")).to_be_visible()
    _check(page, f"post-checks-errors-{viewport}")
