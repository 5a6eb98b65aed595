"""A visitor finds a service in everyday words and reads its guide (办事指南)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .support import screenshot, wait_for_flowchart

pytestmark = pytest.mark.browser

FOOD_LICENCE = "/items/330100-SCJG-002/"


def test_live_search_then_submit_then_open_the_guide(page: Page):
    page.goto("/")
    box = page.get_by_label("您要办什么事？")
    box.press_sequentially("开饭店")
    live = page.locator("#search-results")
    expect(live.get_by_role("link", name="食品经营许可", exact=True).first).to_be_visible()
    assert "/search/" not in page.url, "the live results must come in without leaving the home page"
    # The fragment brings its own #search-results wrapper; it must not nest a second live region.
    expect(page.locator("#search-results")).to_have_count(1)
    screenshot(page, "search-live-home-desktop")

    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.get_by_role("heading", level=1)).to_have_text("查找服务")
    page.locator(f"#search-results a[href='{FOOD_LICENCE}']").click()

    expect(page).to_have_url(re.compile(re.escape(FOOD_LICENCE) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    for section in ("基本信息", "申请材料", "办理流程", "设定依据", "事项变更记录"):
        expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()
    expect(page.locator("#materials .chip", has_text="免提交").first).to_be_visible()


def test_the_flowchart_names_departments_not_codes(page: Page):
    page.goto(FOOD_LICENCE)
    wait_for_flowchart(page)
    labels = " ".join(page.locator("#flowchart .djs-element text").all_text_contents())
    assert "市场监督管理局" in labels, labels
    assert "330100-SCJG" not in labels, labels
    screenshot(page, "guide-flowchart-desktop")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("生孩子", ["出生医学证明首次签发", "出生登记（新生儿落户）"]),
        ("退休", ["职工退休申请与基本养老金核定"]),
        ("yyzz", ["企业设立登记"]),
    ],
)
def test_everyday_words_find_the_service(page: Page, words: str, expected: list[str]):
    page.goto("/")
    page.get_by_label("您要办什么事？").fill(words)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#search-results .result-count")).to_be_visible()
    found = page.locator("#search-results .item-card-title").all_text_contents()
    assert any(name in found for name in expected), f"{words!r} found {found}"
