"""At 360 px wide nothing scrolls sideways and tables turn into cards."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .support import PHONE, screenshot, wait_for_flowchart

pytestmark = pytest.mark.browser


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(
    ("name", "path"),
    [("home", "/"), ("guide", "/items/330100-SCJG-002/"), ("guide-birth", "/items/330100-GA-002/")],
)
def test_no_horizontal_scroll(new_page: Callable[..., Page], name: str, path: str):
    page = new_page("phone")
    page.goto(path)
    if name.startswith("guide"):
        wait_for_flowchart(page)
    screenshot(page, f"phone-width-{name}")
    assert scroll_width(page) <= PHONE["width"]


def test_power_table_becomes_cards(new_page: Callable[..., Page]):
    page = new_page("phone")
    page.goto("/departments/330100-SCJG/?tab=powers")
    table = page.get_by_role("table", name="权力清单")
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(table.locator("thead")).to_be_hidden()
    row = table.locator("tbody tr").first
    assert row.evaluate("(tr) => getComputedStyle(tr).display") == "block"
    label = row.locator("td").first.evaluate("(td) => getComputedStyle(td, '::before').content")
    assert label not in ("none", "normal", '""'), "each cell should name its column once the header is hidden"
    assert scroll_width(page) <= PHONE["width"]
