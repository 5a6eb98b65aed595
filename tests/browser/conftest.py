"""Browser fixtures: Debian's Chromium driven by Playwright against the live server and the demo catalogue.

Chromium is never downloaded. Without /usr/bin/chromium the tests are skipped, unless
ONEVISIT_REQUIRE_BROWSER=1 (set in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from onevisit.demo.loader import load_demo

from .support import VIEWPORTS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
    if os.environ.get("ONEVISIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (ONEVISIT_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    _require_chromium()
    with pytest.MonkeyPatch.context() as mp:
        # Playwright's sync API keeps an asyncio loop running on the test thread, and Django refuses
        # ORM calls from a thread with a running loop. Nothing here is async: the fixtures' queries
        # (loading and flushing the demo) are ordinary blocking calls.
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture(autouse=True)
def _live_server_helper() -> Iterator[None]:
    """Shadow pytest-django's helper of the same name for the browser tests.

    For any test that (even indirectly) uses ``live_server`` it requests ``transactional_db``,
    which flushes the database after each test and would throw away the shared demo catalogue
    of ``demo_site``; ``demo_site`` does the helper's other job (the settings) itself.
    """
    yield


@pytest.fixture(scope="package")
def demo_site(django_db_setup, django_db_blocker, live_server) -> Iterator[str]:
    """The live server's URL, with the demo catalogue loaded once for every browser test.

    ``load_demo`` takes about 5 s on SQLite, so loading it per test under pytest-django's
    per-test flush would cost a minute. The portal only reads the catalogue (a search that finds
    nothing records the words, which no test reads), so the tests share one load, and the tables
    are flushed afterwards as a TransactionTestCase would, leaving an empty database for the rest
    of the suite.
    """
    with django_db_blocker.unblock():
        started = time.perf_counter()
        counts = load_demo(verbosity=0)
        print(f"\nload_demo: {counts} in {time.perf_counter() - started:.1f}s")
        live_server._live_server_modified_settings.enable()
        try:
            yield live_server.url
        finally:
            live_server._live_server_modified_settings.disable()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def new_page(browser: Browser, demo_site: str) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (no cookies), as a Chinese-speaking visitor would.

    Fails the test if a page throws an uncaught JavaScript error.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(viewport: str = "desktop", cookies: dict[str, str] | None = None) -> Page:
        context = browser.new_context(
            base_url=demo_site,
            viewport=VIEWPORTS[viewport],
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
            locale="zh-CN",
        )
        if cookies:
            context.add_cookies([{"name": k, "value": v, "url": demo_site} for k, v in cookies.items()])
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"uncaught JavaScript errors: {errors}"


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()
