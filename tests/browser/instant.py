"""Helpers of the 秒批 and 免提交 browser tests: the demo personas of 老年人优待证办理 (330100-MZ-001),
applying through the portal's pages, and filing a case the way the portal does when the pages
themselves are not what a test is about."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .support import SCREENSHOTS, axe_violations, describe, screenshot

ITEM = "330100-MZ-001"
ITEM_NAME = "老年人优待证办理"
WANG = "13800000002"  # 王秀英: 81, 本市户籍 → approved
ZHANG = "13800000001"  # 张伟: 王秀英's husband, another applicant
ZHAO = "13800000007"  # 赵敏: 56 → rejected
WU = "13800000010"  # 吴建国: 德清户籍, no 杭州居住证 → an officer decides
OFFICER = "officer_mz"  # 冯民政, officer of 杭州市民政局
SHOTS = Path("/tmp/shots/instant")
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def check(page: Page, name: str) -> None:
    """Screenshot (also copied to /tmp/shots/instant/), no serious axe violation, no sideways scroll."""
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


def staff_log_in(page: Page, username: str) -> None:
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待办")


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def material(page: Page, name: str) -> Any:
    """The block of one material on the materials page."""
    return page.locator(".material-upload").filter(has=page.get_by_role("heading", name=name))


def apply_to_check(page: Page, shots: str = "") -> None:
    """From the service guide through the form and the materials to the check page, choosing only
    what the applicant has to (办理类型); with ``shots``, every page is checked and photographed."""
    page.goto(f"/items/{ITEM}/")
    page.get_by_role("link", name="在线办理").first.click()
    expect(heading(page)).to_have_text(ITEM_NAME)
    if shots:
        check(page, f"{shots}-1-start")
    page.get_by_role("button", name="开始申请").click()

    expect(heading(page)).to_have_text("申请人信息")
    expect(page.locator("#group-applicant_age .chip")).to_have_text("已核验")
    expect(page.locator("#group-applicant_age .hint")).to_contain_text("无需您输入")
    expect(page.get_by_label("年龄（周岁）")).to_have_count(0)  # shown, not asked
    if shots:
        check(page, f"{shots}-2-step1")
    page.get_by_role("button", name="保存并继续").click()

    expect(heading(page)).to_have_text("户籍与居住")
    for name in ("applicant_local_hukou", "applicant_has_residence_permit", "residence"):
        expect(page.locator(f"#group-{name} .chip")).to_have_text("已核验")
    expect(page.locator("#group-residence .hint")).to_contain_text("人口基础信息（杭州市公安局）")
    page.get_by_label("首次申领").check()
    if shots:
        check(page, f"{shots}-3-step2")
    page.get_by_role("button", name="保存并继续").click()
    expect(heading(page)).to_have_text("申请材料")


def file_case(phone: str, typed: dict[str, Any] | None = None, *, decide: bool = True) -> Any:
    """File a 330100-MZ-001 case as the portal does (profile and registry prefill, the applicant's
    choice, filing, then the rules); the caller unblocks the database."""
    from onevisit.cases import evidence, instant, services
    from onevisit.catalog.models import ServiceItem
    from onevisit.core import crypto
    from onevisit.identity.models import ApplicantAccount

    account = ApplicantAccount.objects.select_related("person", "user").get(
        phone_hash=crypto.lookup_hash(phone)
    )
    version = ServiceItem.objects.get(code=ITEM).current_version
    profile = {
        "applicant_name": account.person.name,
        "applicant_id_number": crypto.decrypt(account.person.id_number_encrypted),
        "applicant_phone": phone,
    }
    case = services.case_draft_save(
        actor=account.user, version=version, form_data=profile, channel="online", person=account.person
    )
    known = {name: t.value for name, t in evidence.trusted_values(case).items()}
    case = services.case_draft_save(
        actor=account.user,
        version=version,
        form_data=known | (typed or {"seniors_card_type": "首次申领"}),
        channel="online",
        case=case,
    )
    case = services.case_submit(actor=account.user, case=case, idempotency_key=uuid.uuid4())
    if decide:
        instant.case_instant_decide(actor=account.user, case=case)
        case.refresh_from_db()
    return case
