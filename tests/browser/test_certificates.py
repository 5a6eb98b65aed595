"""电子证照 in the browser: the holder opens the wallet, downloads the signed PDF, makes a share link; a
third party opens it; the holder sees that use; the public verification page for a valid and a
revoked certificate. axe checks and screenshots at 1280 and 360 px on every page."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .support import SCREENSHOTS, axe_violations, describe, screenshot

pytestmark = pytest.mark.browser

ZHANG_WEI = "13800000001"  # 张伟: senior card, social security card; agent of 杭州西溪云栖科技有限公司
SHOTS = Path("/tmp/shots/certificates")


def check(page: Page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", SHOTS / f"{name}.png")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def log_in(page: Page, phone: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")


def demo_number(django_db_blocker, case_number: str) -> str:
    from onevisit.certificates.models import Certificate

    with django_db_blocker.unblock():
        return Certificate.objects.get(case_number=case_number).number


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_holder_shares_a_certificate_and_sees_who_opened_it(
    new_page: Callable[..., Page], viewport: str, django_db_blocker
):
    page = new_page(viewport)
    log_in(page, ZHANG_WEI)
    page.locator(".site-header").get_by_role("link", name="我的证照").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的证照")
    expect(page.get_by_role("heading", name="本人的证照")).to_be_visible()
    expect(page.get_by_role("heading", name="杭州西溪云栖科技有限公司的证照（您是其经办人）")).to_be_visible()
    expect(
        page.locator(".cert-card").filter(has_text="社会保障卡").filter(has_text="已被新版本替代")
    ).to_have_count(1)
    check(page, f"certificates-wallet-{viewport}")

    page.get_by_role("link", name="老年人优待证").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("老年人优待证")
    expect(page.locator(".facts")).to_contain_text("330120********1311")
    expect(page.locator(".facts")).not_to_contain_text("330120194103121311")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载已签名的 PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    check(page, f"certificates-detail-{viewport}")

    page.get_by_role("link", name="授权他人查看").click()
    page.get_by_role("button", name="生成链接").click()  # nothing filled in
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请说明链接的用途")
    check(page, f"certificates-share-error-{viewport}")
    purpose = f"办理公交优待卡（{viewport}）"  # the demo is shared by the tests: one link per run
    page.get_by_label("这个链接用于什么？").fill(purpose)
    page.get_by_label("发给谁（选填）").fill("杭州公交集团")
    page.get_by_label("3 天").check()
    page.get_by_role("button", name="生成链接").click()
    expect(page.get_by_role("heading", name="您的新分享链接")).to_be_visible()
    link = page.get_by_label("链接", exact=True).input_value()
    assert "/shared/" in link
    check(page, f"certificates-new-link-{viewport}")

    third = new_page(viewport)
    third.goto(link)
    expect(third.get_by_role("heading", level=1)).to_have_text("老年人优待证")
    expect(third.locator(".facts")).to_contain_text("330120********1311")
    expect(third.get_by_text(f"用途：{purpose}")).to_be_visible()
    expect(third.get_by_text("PDF 电子签名：完好，来自发证机关。")).to_be_visible()
    with third.expect_download() as shared_download:
        third.get_by_role("link", name="下载已签名的 PDF").click()
    assert Path(shared_download.value.path()).read_bytes().startswith(b"%PDF")
    check(page=third, name=f"certificates-shared-{viewport}")

    page.reload()
    card = page.locator(".share-card").filter(has_text=purpose)
    expect(card.get_by_role("cell", name="查看了证照")).to_be_visible()
    expect(card.get_by_role("cell", name="下载了 PDF")).to_be_visible()
    check(page, f"certificates-uses-{viewport}")

    card.get_by_role("button", name="停止此链接").click()
    expect(page.get_by_text("链接已停止，任何人都不能再打开。")).to_be_visible()
    third.goto(link)
    expect(third.get_by_role("heading", level=1)).to_have_text("无法打开此链接")
    expect(third.get_by_text("持证人已停止该链接")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_anyone_verifies_a_valid_and_a_revoked_certificate(
    new_page: Callable[..., Page], viewport: str, django_db_blocker
):
    valid = demo_number(django_db_blocker, "DEMO-LNYD-0001")
    revoked = demo_number(django_db_blocker, "DEMO-SPJY-0003")
    page = new_page(viewport)
    page.goto("/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("电子证照核验")
    page.get_by_label("证照编号").fill(valid[:-1] + ("0" if valid[-1] != "0" else "1"))  # a typo
    page.get_by_role("button", name="核验").click()
    expect(page.locator(".error-summary")).to_contain_text("校验码")
    expect(page.get_by_label("证照编号")).to_have_attribute("aria-invalid", "true")
    check(page, f"certificates-verify-error-{viewport}")

    page.get_by_label("证照编号").fill(" ".join([valid[:6], valid[6:10].lower(), valid[10:]]))
    page.get_by_role("button", name="核验").click()
    expect(page.locator(".verdict-title")).to_have_text("有效")
    expect(page.locator(".facts")).to_contain_text("张*")
    expect(page.locator("main")).not_to_contain_text("张伟")
    expect(page.locator("main")).not_to_contain_text("1311")
    expect(page.get_by_text("SM2 国密签名：验证通过，信息完好。")).to_be_visible()
    check(page, f"certificates-verify-valid-{viewport}")

    page.goto(f"/verify/{revoked}/")
    expect(page.locator(".verdict-title")).to_have_text("已注销")
    expect(page.locator(".verdict")).to_contain_text("经营者申请注销食品经营许可")
    check(page, f"certificates-verify-revoked-{viewport}")


def test_the_verify_page_works_in_english(new_page: Callable[..., Page], django_db_blocker):
    valid = demo_number(django_db_blocker, "DEMO-YYZZ-0001")
    page = new_page("desktop", cookies={"onevisit_language": "en"})
    page.goto(f"/verify/{valid}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate check")
    expect(page.locator(".verdict-title")).to_have_text("Valid")
    expect(page.locator(".facts")).to_contain_text("Unified social credit code")
    check(page, "certificates-verify-valid-english")
