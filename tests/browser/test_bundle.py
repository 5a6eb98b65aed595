"""开餐馆一件事 end to end: one form and one set of materials online; 市场监管 registers the company and
issues the business licence; the food licence (市场监管), the fire safety check (消防) and the tobacco
licence (烟草) start by themselves once the licence exists, filled from it; the applicant follows
everything on one page and gets one message when all is done, with every certificate in the wallet."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from onevisit.cases.models import BundleCase, Case

from .instant import log_in, staff_log_in
from .support import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LICENCE = {
    "类型": "有限责任公司",
    "注册资本": "50万元",
    "营业期限": "长期",
    "住所": "杭州市西湖区文三路 100 号",
    "经营范围": "餐饮服务；食品销售",
    "统一社会信用代码": "91330106MA2CFUTE5J",
}


def _check(page: Page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"


def _staff(new_page: Callable[..., Page], username: str) -> Page:
    page = new_page("desktop")
    staff_log_in(page, username)
    return page


def _handle(page: Page, number: str) -> None:
    """Accept the case, then finish every open step of it with 同意 until it is decided."""
    page.goto("/workbench/")
    page.get_by_role("link", name=number).first.click()
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已受理")
    for _ in range(6):
        if Case.objects.get(number=number).status != "accepted":
            break
        page.goto("/workbench/")
        page.get_by_role("link", name=number).first.click()
        form = page.locator(".case-actions form", has=page.locator("button", has_text="办结此环节")).first
        form.get_by_label("同意", exact=True).check()
        form.get_by_label("意见").fill("符合条件")
        form.get_by_role("button", name="办结此环节").click()
        expect(page.locator(".messages")).to_contain_text("已办结")
    assert Case.objects.get(number=number).status == "approved"


def _issue(page: Page, pk: int, values: dict[str, str]) -> None:
    """制证: enter the details the certificate needs and the form did not give (others: "见申请")."""
    page.goto(f"/workbench/cases/{pk}/")
    for field in page.locator("input[name^='c-']").all():
        label = page.locator(f"label[for='{field.get_attribute('id')}']").inner_text().strip()
        field.fill(values.get(label, "见申请"))
    page.get_by_role("button", name="签发证照").click()
    expect(page.locator(".messages")).to_contain_text("证照")


def answer_restaurant(citizen: Page, *, check: bool = False) -> None:
    """The three pages of the merged form of 开餐馆一件事, answered as 孙磊 opening a noodle bar."""
    # Page 1: the company (企业设立登记); what 食品经营许可, 消防 and 烟草 also need is asked here once.
    expect(citizen.get_by_role("heading", level=1)).to_have_text("企业设立登记")
    citizen.get_by_label("单位名称").fill("孙记面馆餐饮有限公司")
    citizen.get_by_label("有限责任公司").check()
    citizen.get_by_label("注册资本（万元）").fill("50")
    citizen.get_by_label("经营范围").fill("餐饮服务；食品销售")
    citizen.get_by_label("经营场所（住所）").fill("杭州市西湖区文三路 100 号")
    citizen.get_by_label("法定代表人（负责人）").fill("孙磊")
    for label in ("申请人姓名", "申请人公民身份号码", "联系电话"):
        field = citizen.get_by_label(label)
        if field.count() and field.is_editable() and not field.input_value():
            pytest.fail(f"{label} should be filled in from the applicant's account")
    expect(citizen.locator("main")).to_contain_text("只填一次，用于：")
    if check:
        _check(citizen, "bundle-form-phone")
    citizen.get_by_role("button", name="保存并继续").click()
    # Page 2: 食品经营许可.
    citizen.get_by_label("经营场所面积（平方米）").fill("80")
    citizen.get_by_label("热食类食品制售").check()
    citizen.locator("fieldset", has_text="选择告知承诺方式").get_by_label("否").check()
    citizen.get_by_role("button", name="保存并继续").click()
    # Page 3: 烟草.
    citizen.locator("fieldset", has_text="住所与经营场所相互独立").get_by_label("是").check()
    citizen.get_by_role("button", name="保存并继续").click()


def test_a_restaurant_is_opened_with_one_application_through_three_departments(
    new_page: Callable[..., Page], tmp_path
) -> None:
    citizen = new_page("phone")
    log_in(citizen, "13800000004")

    citizen.goto("/bundles/restaurant/")
    citizen.get_by_role("link", name="一次申请全部事项").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("开餐馆一件事")
    expect(citizen.locator("main")).to_contain_text("本件事内取得")  # the business licence
    _check(citizen, "bundle-start-phone")
    citizen.get_by_role("button", name="开始申请").click()

    answer_restaurant(citizen, check=True)

    expect(citizen.get_by_role("heading", level=1)).to_have_text("申请材料")
    expect(citizen.locator("main")).to_contain_text("由本件事中的“企业设立登记”发放给您")
    citizen.get_by_role("button", name="保存并继续").click()  # nothing uploaded: each missing one is named
    expect(citizen.locator(".error-summary")).to_contain_text("申请书（申请表）")
    _check(citizen, "bundle-materials-errors-phone")
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(PDF)
    for upload in citizen.locator("input[type=file]").all():
        upload.set_input_files(str(scan))
    citizen.get_by_role("button", name="保存并继续").click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text("提交前请核对您的信息")
    _check(citizen, "bundle-check-phone")
    citizen.get_by_role("button", name="提交申请").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("开餐馆一件事")
    expect(citizen.locator("main")).to_contain_text("办理中")
    expect(citizen.locator(".case-list")).to_contain_text("等待一件事中的前置事项")
    _check(citizen, "bundle-case-submitted-phone")

    bundle_case = BundleCase.objects.get(number=citizen.locator(".case-number").inner_text())
    children = {c.item_version.item.code: c for c in bundle_case.children.all()}
    # One upload, kept once, serves every item that asks for the same material.
    forms = [m for c in children.values() for m in c.materials.filter(requirement__name="申请书（申请表）")]
    assert len(forms) == 4 and len({m.file.name for m in forms}) == 1

    scjg = _staff(new_page, "officer_scjg")
    _handle(scjg, children["330100-SCJG-001"].number)
    # 制证: the licence needs details the form does not give, among them the new company's code.
    _issue(scjg, children["330100-SCJG-001"].pk, LICENCE)

    # The three licences that waited are filed by themselves, filled from the business licence.
    waiting = {code: Case.objects.get(pk=c.pk) for code, c in children.items() if code != "330100-SCJG-001"}
    assert all(c.status == "submitted" and c.number for c in waiting.values()), waiting
    assert all(c.form_data.get("org_uscc") == LICENCE["统一社会信用代码"] for c in waiting.values())
    _handle(scjg, waiting["330100-SCJG-002"].number)
    bundle_case.refresh_from_db()
    assert bundle_case.finished_at is None  # approved, but its certificate is not in the wallet yet
    _issue(scjg, waiting["330100-SCJG-002"].pk, {"主体业态": "餐饮服务经营者", "经营项目": "热食类食品制售"})
    _handle(_staff(new_page, "officer_xf"), waiting["330100-XF-001"].number)
    _handle(_staff(new_page, "officer_yc"), waiting["330100-YC-001"].number)

    citizen.goto(f"/account/bundles/{bundle_case.pk}/")
    expect(citizen.locator("main")).to_contain_text("已办结：各事项均已准予")
    timeline = citizen.locator(".timeline")
    for department in ("市场监督管理局", "消防救援", "烟草专卖局"):
        expect(timeline).to_contain_text(department)
    _check(citizen, "bundle-case-done-phone")
    bundle_case.refresh_from_db()
    assert bundle_case.finished_at is not None
    citizen.goto("/account/certificates/")
    for name in ("营业执照", "食品经营许可证"):
        expect(citizen.locator("main")).to_contain_text(name)
    desktop = new_page("desktop")
    desktop.context.add_cookies(citizen.context.cookies())
    desktop.goto(f"/account/bundles/{bundle_case.pk}/")
    _check(desktop, "bundle-case-done-desktop")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_clerk_takes_in_the_whole_bundle_in_one_sitting(
    new_page: Callable[..., Page], viewport: str
) -> None:
    page = new_page(viewport)
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_label("密码").press("Enter")
    page.get_by_role("link", name="窗口受理").click()
    name, id_number = (
        ("黄强", "330110200106041179") if viewport == "desktop" else ("周婷", "330521199201303283")
    )
    page.get_by_label("居民身份证").fill(id_number)
    page.get_by_label("居民身份证").press("Enter")
    page.get_by_role("link", name="开餐馆一件事").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开餐馆一件事")
    page.get_by_role("button", name="提交并受理全部事项").click()  # empty: everything missing is listed
    expect(page.locator(".error-summary")).to_be_visible()
    assert not BundleCase.objects.filter(applicant_person__name=name).exists()
    _check(page, f"bundle-counter-errors-{viewport}")
    page.get_by_label("单位名称").fill(f"{viewport}面馆有限公司")
    page.get_by_label("主体类型").select_option("有限责任公司")
    page.get_by_label("经营范围").fill("餐饮服务")
    page.get_by_label("经营场所（住所）").fill("杭州市西湖区文三路 200 号")
    page.get_by_label("法定代表人（负责人）").fill(name)
    page.get_by_label("联系电话").fill("13800000008")
    page.get_by_label("经营场所面积（平方米）").fill("60")
    page.get_by_label("经营项目").select_option("热食类食品制售")
    page.get_by_label("住所与经营场所相互独立", exact=True).check()
    later = "董事、监事、高级管理人员任职文件及身份证明"  # not brought today: 容缺
    for row in page.locator(".counter-materials tbody tr").all():
        paper = row.locator("input[name^=paper_]")
        if later in row.inner_text():
            row.locator("input[name^=later_]").check()
        elif paper.count():
            paper.check()
    page.get_by_role("button", name="提交并受理全部事项").click()
    # The applicant reads the commitment on the screen and signs it; then the clerk files.
    expect(page.locator(".commitment-text").first).to_contain_text(later)
    _check(page, f"bundle-counter-commitment-{viewport}")
    assert not BundleCase.objects.filter(applicant_person__name=name).exists()
    page.get_by_label("申请人已阅读并签署本承诺书").check()
    page.get_by_role("button", name="提交并受理全部事项").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开餐馆一件事")
    expect(page.locator("main")).to_contain_text("已受理")
    expect(page.locator("main")).to_contain_text("等待一件事中的前置事项")
    _check(page, f"bundle-counter-filed-{viewport}")
    page.get_by_role("link", name="容缺受理告知书").first.click()
    expect(page.locator("main")).to_contain_text(later)


def test_the_catalogue_admin_sees_the_merged_form_of_a_bundle(new_page: Callable[..., Page]) -> None:
    from onevisit.catalog.models import Bundle

    page = new_page("desktop")
    bundle = Bundle.objects.get(code="restaurant")
    page.goto(f"/admin/login/?next=/admin/catalog/bundle/{bundle.pk}/change/")
    page.get_by_label("用户名").fill("catalog_admin")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    preview = page.locator(".bundle-merged-form")
    expect(preview).to_contain_text("每个只问一次")
    expect(preview).to_contain_text("org_uscc ← 企业设立登记")  # not asked: from the business licence
    expect(preview).to_contain_text("由本件事中的企业设立登记发放")
    screenshot(page, "bundle-admin-preview-desktop")
