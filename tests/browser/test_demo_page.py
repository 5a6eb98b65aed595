"""The demo start page says whom to log in as to see 秒批 approve, refuse or pass to an officer;
at desktop and phone width, with screenshots and axe-core."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from .support import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_mode() -> Iterator[None]:
    with override_settings(ONEVISIT_DEMO=True):
        yield


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_demo_page_lists_the_instant_approval_personas(
    new_page: Callable[..., Page], demo_mode: None, viewport: str
) -> None:
    page = new_page(viewport)
    page.goto("/demo/")
    table = page.get_by_role("table", name="秒批演示：用哪个账号登录")
    expect(table).to_be_visible()
    row = table.get_by_role("row").filter(has_text="杨帆")
    expect(row).to_contain_text("个体工商户登记")
    expect(row).to_contain_text("13800000006")
    expect(row).to_contain_text("秒批通过，即时领证")
    screenshot(page, f"demo-personas-{viewport}")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    row.get_by_role("link", name="个体工商户登记").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("个体工商户登记")
