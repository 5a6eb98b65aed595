"""The indicator dashboards (数据看板): ECharts canvases drawn from our own static files, the table
alternative, the drill-down and a bad period, at desktop and phone width, with axe."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db.models import Q
from playwright.sync_api import Page, expect

from .support import check_page

pytestmark = pytest.mark.browser

SEED = 77


@pytest.fixture
def history(demo_site: str, django_db_blocker) -> Iterator[None]:
    """A small synthetic history over the demo catalogue, removed afterwards (other tests share the site)."""
    from onevisit.cases.models import Case, Decision, SuppliedMaterial
    from onevisit.demo.history import generate
    from onevisit.exchange.models import DataAccess

    prefix = f"H{SEED}-"
    with django_db_blocker.unblock():
        generate(cases=1500, seed=SEED)
    yield
    with django_db_blocker.unblock():
        mine = Q(case__number__startswith=prefix)
        Decision.objects.filter(mine).delete()
        SuppliedMaterial.objects.filter(mine).delete()
        DataAccess.objects.filter(case_ref__startswith=prefix).delete()
        Case.objects.filter(number__startswith=prefix).delete()


def _login(page: Page, username: str) -> None:
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_analyst_reads_the_dashboard_and_the_cases_behind_a_figure(
    new_page: Callable[..., Page], history: None, viewport: str
) -> None:
    page = new_page(viewport)
    _login(page, "analyst")
    page.get_by_role("link", name="指标看板").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("数据看板")
    expect(page.locator(".insights-headline")).to_contain_text("最多跑一次实现率")
    expect(page.locator("#chart-volume canvas")).to_have_count(1)
    expect(page.locator("#chart-rates canvas")).to_have_count(1)
    expect(page.locator("details.insights-table-alt table tbody tr").first).to_be_visible()
    check_page(page, f"insights-dashboard-{viewport}")
    page.locator("#card-on_time").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("按时办结率")
    expect(page.locator("table tbody")).to_contain_text("H77-")
    check_page(page, f"insights-drill-{viewport}")


def test_a_period_ending_before_it_starts_says_so(new_page: Callable[..., Page], history: None) -> None:
    page = new_page("phone")
    _login(page, "evaluator")
    page.goto("/workbench/insights/?since=2026-05-01&until=2026-01-01")
    expect(page.locator(".error-summary")).to_contain_text("结束日期早于开始日期")
    expect(page.locator(".insights-cards")).to_have_count(0)
    check_page(page, "insights-bad-period-phone")


def test_the_evaluator_sees_hashes_not_case_numbers(new_page: Callable[..., Page], history: None) -> None:
    page = new_page("desktop")
    _login(page, "evaluator")
    page.goto("/workbench/insights/zero_visit/cases/")
    expect(page.locator("table tbody tr").first).to_be_visible()
    expect(page.locator("table tbody")).not_to_contain_text("H77-")
    check_page(page, "insights-drill-evaluator-desktop")
