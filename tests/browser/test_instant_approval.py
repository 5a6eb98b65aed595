"""秒批 end to end in the browser, on 老年人优待证办理 with the demo personas: 王秀英 applies (verified
fields, 免提交 with a preview, consent), gets the approval and the certificate on the same page, opens it
in 我的证照, downloads the PDF and checks it; 赵敏 is refused with the reason; 吴建国's case goes to an
officer, who finds it waiting for acceptance; an officer overturns an approval and the certificate is
revoked. axe checks and screenshots at 1280 and 360 px on every page of the main journey."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .instant import (
    ITEM_NAME,
    OFFICER,
    WANG,
    WU,
    ZHAO,
    apply_to_check,
    check,
    file_case,
    heading,
    log_in,
    material,
    staff_log_in,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_eligible_senior_is_approved_at_once_and_gets_the_certificate(
    new_page: Callable[..., Page], viewport: str
) -> None:
    page = new_page(viewport)
    log_in(page, WANG)
    shots = f"instant-{viewport}"
    apply_to_check(page, shots)

    # 免提交: the photo from the ID card registry, with a preview of exactly what is used and from where.
    photo = material(page, "本人近期免冠相片")
    expect(photo.locator(".evidence .chip")).to_have_text("免提交")
    expect(photo.locator(".evidence")).to_contain_text("将使用杭州市公安局的居民身份证制证相片")
    expect(photo.locator(".evidence dl")).to_contain_text("ZP330106-2020-070824")
    expect(photo.get_by_text("我要自己上传")).to_be_visible()
    expect(material(page, "申请人身份证明").locator(".evidence")).to_contain_text("人口基础信息")
    check(page, f"{shots}-4-materials")
    page.get_by_role("button", name="保存并继续").click()

    expect(heading(page)).to_have_text("提交前请核对您的信息")
    expect(page.locator(".summary-list").first).to_contain_text("已核验")
    materials = page.locator(".summary-list").last
    expect(materials.locator("div").filter(has_text="本人近期免冠相片")).to_contain_text(
        "将使用杭州市公安局的居民身份证制证相片"
    )
    consent = page.get_by_text("提交即表示您同意")
    expect(consent).to_contain_text("民政局仅为本次申请使用上述已核验数据")
    expect(consent).to_contain_text("我的数据使用记录")
    check(page, f"{shots}-5-check")
    page.get_by_role("button", name="提交申请").click()

    # The decision on the same page, within a second of the click.
    expect(heading(page)).to_have_text("准予许可")
    number = page.locator(".case-number").inner_text()
    decision = page.locator(".summary-list")
    expect(decision).to_contain_text("年满60周岁的本市户籍老年人")
    expect(decision).to_contain_text("《中华人民共和国老年人权益保障法》")
    expect(decision).to_contain_text("已存入我的证照")
    certificate = decision.get_by_role("link").first
    certificate_number = certificate.inner_text()
    check(page, f"{shots}-6-done")

    certificate.click()
    expect(heading(page)).to_have_text("老年人优待证")
    expect(page.locator(".cert-number")).to_have_text(certificate_number)
    expect(page.locator(".chip").first).to_have_text("有效")
    expect(page.locator(".facts")).to_contain_text(number)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载已签名的 PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    check(page, f"{shots}-7-certificate")

    page.get_by_role("link", name="公开核验页面").click()
    expect(heading(page)).to_have_text("证照核验结果")
    expect(page.locator(".verdict-title")).to_have_text("有效")
    expect(page.locator(".facts")).to_contain_text(certificate_number)
    expect(page.locator("main")).not_to_contain_text("330120194507082427")
    check(page, f"{shots}-8-verify")

    page.goto(f"/cases/{number}/")
    expect(page.locator(".chip").first).to_have_text("准予许可")
    expect(page.locator(".next-action")).to_contain_text("电子证照已存入“我的证照”")
    expect(page.locator(".next-action").get_by_role("link", name="查看证照")).to_have_attribute(
        "href", f"/account/certificates/{certificate_number}/"
    )
    decided = page.locator("section").filter(has=page.locator("#decision-title"))
    expect(decided.get_by_role("link", name=certificate_number)).to_be_visible()
    expect(page.locator("#materials-title + dl")).to_contain_text("共享数据 · 居民身份证制证相片")
    check(page, f"{shots}-9-case")


def test_an_applicant_under_60_is_refused_with_the_reason(new_page: Callable[..., Page]) -> None:
    page = new_page()
    log_in(page, ZHAO)
    apply_to_check(page)
    page.get_by_role("button", name="保存并继续").click()
    page.get_by_role("button", name="提交申请").click()
    expect(heading(page)).to_have_text("不予批准")
    expect(page.locator(".summary-list")).to_contain_text("未满60周岁，不符合申领条件")
    expect(page.locator(".summary-list")).not_to_contain_text("电子证照")
    check(page, "instant-refused-desktop")


def test_a_case_the_rules_cannot_decide_goes_to_an_officer(new_page: Callable[..., Page]) -> None:
    page = new_page()
    log_in(page, WU)
    apply_to_check(page)
    page.get_by_role("button", name="保存并继续").click()
    page.get_by_role("button", name="提交申请").click()
    expect(heading(page)).to_have_text("申请已提交")
    number = page.locator(".case-number").inner_text()
    notice = page.locator(".notice")
    expect(notice).to_contain_text("非本市户籍且未查到本市居住证")
    expect(notice).to_contain_text("将由工作人员办理。")
    check(page, "instant-manual-desktop")

    officer = new_page()
    staff_log_in(officer, OFFICER)
    waiting = officer.locator("table").filter(has=officer.get_by_role("link", name=number))
    expect(waiting.get_by_role("row").filter(has_text=number)).to_contain_text(ITEM_NAME)
    officer.get_by_role("link", name=number).click()
    expect(heading(officer)).to_contain_text(number)
    expect(officer.locator(".lead")).to_contain_text("已提交，待受理")
    expect(officer.locator(".timeline")).to_contain_text("非本市户籍且未查到本市居住证")
    expect(officer.get_by_role("button", name="受理", exact=True)).to_be_visible()
    check(officer, "instant-manual-workbench-desktop")


def test_an_officer_overturns_an_approval_and_the_certificate_is_revoked(
    new_page: Callable[..., Page], django_db_blocker
) -> None:
    with django_db_blocker.unblock():
        case = file_case(WANG)
    certificate_number = case.certificate_number
    assert case.status == "approved" and certificate_number

    officer = new_page()
    staff_log_in(officer, OFFICER)
    officer.goto(f"/workbench/cases/{case.pk}/")
    expect(heading(officer)).to_contain_text(case.number)
    main = officer.locator(".case-main")
    expect(main).to_contain_text("公布的审批规则（秒批）")
    expect(main).to_contain_text("命中规则 Rule_2（第 2 行）")
    expect(main).to_contain_text("年满60周岁的本市户籍老年人")
    inputs = officer.locator("table").filter(has_text="规则的输入")
    expect(inputs.get_by_role("row").filter(has_text="年龄（周岁）")).to_contain_text("81")
    expect(inputs.get_by_role("row").filter(has_text="是否本市户籍")).to_contain_text("是")
    check(officer, "instant-review-desktop")

    actions = officer.locator(".case-actions")
    actions.get_by_label("不同意").check()
    actions.get_by_role("button", name="变更决定").click()  # no reasons, no legal basis
    expect(officer.locator(".messages")).to_contain_text("请填写决定理由")
    expect(main).to_contain_text("公布的审批规则（秒批）")
    actions.get_by_label("不同意").check()
    actions.get_by_label("理由").fill("经核实申请人已持有有效的老年人优待证，不予重复发放")
    actions.get_by_label("设定依据").fill("《浙江省老年人优待办法》第五条")
    actions.get_by_role("button", name="变更决定").click()
    expect(officer.locator(".messages")).to_have_text("自动决定已变更，并已通知申请人。")
    expect(main).to_contain_text("已经复核变更")
    expect(main.get_by_text("已经复核变更")).to_contain_text("决定“准予许可”（年满60周岁的本市户籍老年人）")
    expect(main.locator(".facts").filter(has_text="处理结果")).not_to_contain_text(
        "应于"
    )  # no certificate due
    expect(officer.locator(".case-actions")).to_be_hidden()  # nothing left to do: no empty box
    check(officer, "instant-overturned-desktop")

    citizen = new_page("phone")
    log_in(citizen, WANG)
    citizen.goto(f"/cases/{case.number}/")
    decision = citizen.locator("section").filter(has=citizen.locator("#decision-title"))
    expect(decision).to_contain_text("不予许可")
    expect(decision).to_contain_text("不予重复发放")
    expect(decision).to_contain_text("《浙江省老年人优待办法》第五条")
    expect(citizen.locator(".timeline")).to_contain_text("经工作人员复核")
    check(citizen, "instant-overturned-case-phone")

    citizen.goto(f"/verify/{certificate_number}/")
    expect(citizen.locator(".verdict-title")).to_have_text("已注销")
    expect(citizen.locator(".verdict")).to_contain_text("不予重复发放")
    check(citizen, "instant-overturned-verify-phone")
