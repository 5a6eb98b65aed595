"""Helpers the browser tests share: viewports, screenshots, axe-core."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

import onevisit.portal

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
AXE = Path(onevisit.portal.__file__).parent / "static" / "portal" / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
ELDER_COOKIE = "onevisit_elder"
LANGUAGE_COOKIE = "onevisit_language"


def screenshot(page: Page, name: str) -> None:
    """Save the whole page as test-results/screenshots/<name>.png, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def wait_for_flowchart(page: Page) -> None:
    page.locator("#flowchart svg").first.wait_for(state="visible")
    # bpmn-js draws the shapes after the <svg> element appears.
    page.locator("#flowchart .djs-shape").first.wait_for(state="visible")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the whole page (the bpmn-js flowchart included); return the serious and
    critical violations, simplified."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
                }));
        }"""
    )


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=2)


def check_page(page: Page, name: str, *, copy_to: Path | None = None) -> None:
    """Screenshot (also copied to ``copy_to`` for people to look at), no serious or critical axe
    violation, and nothing wider than the viewport."""
    screenshot(page, name)
    if copy_to is not None:
        copy_to.mkdir(parents=True, exist_ok=True)
        shutil.copy(SCREENSHOTS / f"{name}.png", copy_to / f"{name}.png")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
