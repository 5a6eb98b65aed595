"""The language switch: Chinese by default, English on request, remembered from page to page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .support import screenshot

pytestmark = pytest.mark.browser


def test_switch_to_english_and_back(page: Page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="For individuals")).to_be_visible()
    screenshot(page, "home-english-desktop")

    nav.get_by_role("link", name="One thing, one go").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("One thing, one go")

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="个人办事")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("一件事一次办")
