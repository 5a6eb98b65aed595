"""长辈版: larger text that stays on from page to page until the visitor turns it off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .support import screenshot

pytestmark = pytest.mark.browser


def body_font_px(page: Page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")


def test_elder_mode_turns_on_stays_on_and_turns_off(page: Page):
    page.goto("/")
    assert body_font_px(page) < 20
    page.get_by_role("button", name="长辈版").click()

    expect(page.locator("html")).to_have_class("elder")
    assert body_font_px(page) >= 20
    expect(page.get_by_role("button", name="标准版")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "home-elder-desktop")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="部门服务").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("部门服务")
    expect(page.locator("html")).to_have_class("elder")
    assert body_font_px(page) >= 20

    page.get_by_role("button", name="标准版").click()
    expect(page.locator("html")).not_to_have_class("elder")
    assert body_font_px(page) < 20
    expect(page.get_by_role("button", name="长辈版")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("heading", level=1)).to_have_text("部门服务")
