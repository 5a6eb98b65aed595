"""axe-core finds no serious or critical problem on any portal page, at desktop and phone widths."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .support import ELDER_COOKIE, LANGUAGE_COOKIE, axe_violations, describe, screenshot, wait_for_flowchart

pytestmark = pytest.mark.browser

DEPARTMENT = "/departments/330100-SCJG/"
GUIDE = "/items/330100-SCJG-002/"
PAGES = [
    pytest.param("/", {}, id="home"),
    pytest.param("/search/?q=开饭店", {}, id="search"),
    pytest.param("/topics/birth/", {}, id="life-event"),
    pytest.param("/departments/", {}, id="departments"),
    pytest.param(f"{DEPARTMENT}?tab=items", {}, id="department-items"),
    pytest.param(f"{DEPARTMENT}?tab=powers", {}, id="department-powers"),
    pytest.param(f"{DEPARTMENT}?tab=responsibilities", {}, id="department-responsibilities"),
    pytest.param(GUIDE, {}, id="guide"),
    pytest.param("/bundles/", {}, id="bundles"),
    pytest.param("/bundles/restaurant/", {}, id="bundle"),
    pytest.param("/", {ELDER_COOKIE: "1"}, id="home-elder"),
    pytest.param("/", {LANGUAGE_COOKIE: "en"}, id="home-english"),
]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize(("path", "cookies"), PAGES)
def test_no_serious_violations(
    new_page: Callable[..., Page],
    request: pytest.FixtureRequest,
    path: str,
    cookies: dict[str, str],
    viewport: str,
):
    page = new_page(viewport, cookies)
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    if page.locator("#flowchart").count():
        wait_for_flowchart(page)
    screenshot(page, request.node.callspec.id)  # e.g. guide-phone
    violations = axe_violations(page)
    assert not violations, f"{path} at {viewport} width:\n{describe(violations)}"


def test_no_serious_violations_with_live_search_results(page: Page):
    page.goto("/")
    page.get_by_label("您要办什么事？").press_sequentially("开饭店")
    expect(page.locator("#search-results .item-card").first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_check_catches_a_real_problem(page: Page):
    """Guards the helper itself: a page with a known serious problem must not pass."""
    page.goto("/")
    page.evaluate(
        """() => {
            const p = document.createElement("p");
            p.textContent = "浅灰色的字";
            p.style.color = "#bbbbbb";
            document.querySelector("main").append(p);
        }"""
    )
    assert "color-contrast" in [v["id"] for v in axe_violations(page)]
