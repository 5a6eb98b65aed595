"""容缺 and 告知承诺 in 开餐馆一件事: the applicant applies without the directors' appointment papers
and with a commitment instead of the fire-safety test report, signs each service's commitment at
once, and supplies the papers once on the bundle's page after 市场监管 accepted the company
registration; the business licence is then issued and the services that waited for it start by
themselves, the fire safety check on the commitment signed with the bundle."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from onevisit.cases.models import BundleCase, Case

from .instant import log_in
from .test_bundle import LICENCE, PDF, _check, _handle, _issue, _staff, answer_restaurant

pytestmark = pytest.mark.browser
LATER = "董事、监事、高级管理人员任职文件及身份证明"
PROMISED = "消防设施检测合格证明"  # 告知承诺 for the fire safety check, which waits for the licence


def test_a_bundle_is_filed_with_a_gap_and_the_gap_is_supplied_once(
    new_page: Callable[..., Page], tmp_path
) -> None:
    citizen = new_page("phone")
    log_in(citizen, "13800000005")
    citizen.goto("/bundles/restaurant/")
    citizen.get_by_role("link", name="一次申请全部事项").click()
    citizen.get_by_role("button", name="开始申请").click()
    answer_restaurant(citizen)

    expect(citizen.get_by_role("heading", level=1)).to_have_text("申请材料")
    later = citizen.locator(".material-upload", has_text=LATER)
    expect(later).to_contain_text("可容缺后补")
    later.get_by_label("稍后补交（容缺）").check()
    citizen.locator(".material-upload", has_text=PROMISED).get_by_label("承诺替代（告知承诺）").check()
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(PDF)
    for group in citizen.locator(".material-upload").all():
        upload = group.locator("input[type=file]")
        if upload.count() and LATER not in group.inner_text() and PROMISED not in group.inner_text():
            upload.set_input_files(str(scan))
    _check(citizen, "bundle-tolerance-materials-phone")
    citizen.get_by_role("button", name="保存并继续").click()

    expect(citizen.get_by_role("heading", level=1)).to_have_text("提交前请核对您的信息")
    commitment = citizen.locator(".commitment")
    expect(commitment.first).to_contain_text("容缺受理承诺书")
    expect(commitment.first).to_contain_text(LATER)
    expect(commitment.last).to_contain_text("告知承诺书")
    expect(commitment.last).to_contain_text(PROMISED)
    _check(citizen, "bundle-tolerance-check-phone")
    citizen.get_by_role("button", name="签署承诺并提交").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("开餐馆一件事")
    bundle_case = BundleCase.objects.get(number=citizen.locator(".case-number").inner_text())
    licence = bundle_case.children.get(item_version__item__code="330100-SCJG-001")
    assert licence.status == "submitted" and licence.commitments.count() == 1

    scjg = _staff(new_page, "officer_scjg")
    _handle(scjg, licence.number)  # accepted (the gap's deadline is set) and approved
    citizen.goto(f"/account/bundles/{bundle_case.pk}/")
    gaps = citizen.locator(".gap-list")
    expect(gaps).to_contain_text(LATER)
    expect(gaps).to_contain_text("补交期限：")
    _check(citizen, "bundle-tolerance-gap-phone")
    desktop = new_page("desktop")
    desktop.context.add_cookies(citizen.context.cookies())
    desktop.goto(f"/account/bundles/{bundle_case.pk}/")
    _check(desktop, "bundle-tolerance-gap-desktop")

    gaps.locator("input[type=file]").set_input_files(str(scan))
    gaps.get_by_role("button", name=f"上传{LATER}").click()
    expect(citizen.locator("main")).to_contain_text("谢谢，补交的材料已收到")
    expect(citizen.locator(".gap-list")).to_have_count(0)
    _issue(scjg, licence.pk, LICENCE)
    licence = Case.objects.get(pk=licence.pk)
    assert licence.certificate_number and not licence.gaps.filter(supplied_at__isnull=True).exists()
    waited = bundle_case.children.exclude(pk=licence.pk)
    assert all(c.status == "submitted" and c.number for c in waited), list(waited)
    fire = waited.get(item_version__item__code="330100-XF-001")  # filed on the commitment signed before
    assert fire.commitments.filter(kind="commitment").count() == 1
