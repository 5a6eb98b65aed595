"""免提交 is a choice: an applicant who would rather upload a material than have the department use its
data opens "我要自己上传", and then the check page shows the file, and 我的数据使用记录 lists no
免提交 use of that material (it does for the one left to the data). 我的数据使用记录 after a 秒批 case
names the department, the data resource and the case; another applicant does not see it. axe checks
and screenshots at 1280 and 360 px."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .instant import TINY_PDF, WANG, ZHANG, ZHAO, apply_to_check, check, file_case, heading, log_in, material

pytestmark = pytest.mark.browser
PHOTO, IDENTITY = "本人近期免冠相片", "申请人身份证明"


def open_data_use(page: Page) -> None:
    page.goto("/account/")
    page.get_by_role("link", name="我的数据使用记录：谁在何时、为何使用了您的个人数据").click()
    expect(heading(page)).to_have_text("我的数据使用记录")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_applicant_uploads_a_material_instead_of_the_data(
    new_page: Callable[..., Page], viewport: str
) -> None:
    page = new_page(viewport)
    log_in(page, ZHAO)
    apply_to_check(page)

    photo = material(page, PHOTO)
    expect(photo.locator(".evidence")).to_contain_text("杭州市公安局的居民身份证制证相片")
    photo.get_by_text("我要自己上传").click()
    upload = photo.get_by_label(f"上传{PHOTO}")
    expect(upload).to_be_visible()
    upload.set_input_files({"name": "我的相片.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF})
    check(page, f"upload-materials-{viewport}")
    page.get_by_role("button", name="保存并继续").click()

    expect(heading(page)).to_have_text("提交前请核对您的信息")
    rows = page.locator(".summary-list").last
    photo_row = rows.locator("div").filter(has=page.get_by_text(PHOTO, exact=True))
    expect(photo_row).to_contain_text("我的相片.pdf")
    expect(photo_row).not_to_contain_text("免提交")
    expect(rows.locator("div").filter(has=page.get_by_text(IDENTITY, exact=True))).to_contain_text("免提交")
    expect(page.get_by_text("提交即表示您同意")).to_be_visible()  # the identity still comes from data
    check(page, f"upload-check-{viewport}")

    # Back on the materials page the upload is listed in place of the data.
    page.get_by_role("link", name=f"修改 {PHOTO}").click()
    expect(heading(page)).to_have_text("申请材料")
    expect(page.locator(".material-upload").filter(has_text=PHOTO)).to_contain_text("我的相片.pdf")
    expect(page.locator(".material-upload").filter(has_text=PHOTO).locator(".evidence")).to_have_count(0)
    page.get_by_role("button", name="保存并继续").click()
    page.get_by_role("button", name="提交申请").click()
    expect(heading(page)).to_have_text("不予批准")
    number = page.locator(".case-number").inner_text()

    open_data_use(page)
    uses = page.locator("tbody tr").filter(has_text=number)
    expect(uses.filter(has_text=f"免提交：{IDENTITY}")).to_have_count(1)
    expect(uses.filter(has_text=f"免提交：{PHOTO}")).to_have_count(0)
    expect(uses.filter(has_text="居民身份证制证相片")).to_have_count(0)
    check(page, f"upload-data-use-{viewport}")

    page.goto(f"/cases/{number}/")
    expect(page.locator("#materials-title + dl")).to_contain_text("我的相片.pdf")
    check(page, f"upload-case-{viewport}")


def test_my_data_use_names_who_used_what_for_which_case(
    new_page: Callable[..., Page], django_db_blocker
) -> None:
    with django_db_blocker.unblock():
        case = file_case(WANG)
        own = file_case(ZHANG, decide=False)  # his own use, on a case left to people (no new card)
    assert case.status == "approved"

    page = new_page("phone")
    log_in(page, WANG)
    open_data_use(page)
    uses = page.locator("tbody tr").filter(has_text=case.number)
    photo = uses.filter(has_text=f"免提交：{PHOTO}")
    expect(photo).to_have_count(1)
    expect(photo).to_contain_text("杭州市民政局")  # who
    expect(photo).to_contain_text("居民身份证制证相片")  # what
    expect(photo).to_contain_text("杭州市公安局")  # whose data
    expect(uses.filter(has_text=f"免提交：{IDENTITY}")).to_contain_text("人口基础信息")
    expect(uses.filter(has_text="户籍人口信息")).not_to_have_count(0)  # prefilled (秒填) and checked
    check(page, "data-use-phone")

    husband = new_page()
    log_in(husband, ZHANG)
    open_data_use(husband)
    expect(husband.locator("tbody tr").filter(has_text=own.number)).not_to_have_count(0)
    expect(husband.locator("main")).not_to_contain_text(case.number)
    check(husband, "data-use-other-desktop")
