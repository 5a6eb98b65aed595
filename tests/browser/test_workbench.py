"""An officer accepts an online application and completes every step; the case ends approved."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from onevisit.cases import services
from onevisit.cases.models import Case
from onevisit.catalog.models import ServiceItem
from onevisit.identity.models import Person

from .support import axe_violations, describe, screenshot

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "org_name": "杭州西溪小馆餐饮有限公司", "org_type": "有限责任公司", "business_scope": "餐饮服务",
    "business_address": "杭州市西湖区文三路 1 号", "org_legal_representative": "张伟", "applicant_name": "张伟",
    "applicant_id_number": "11010519491231002X", "applicant_phone": "13800001234",
}  # fmt: skip


def _filed_case() -> Case:
    version = ServiceItem.objects.get(code="330100-SCJG-001").current_version
    case = services.case_draft_save(
        actor="citizen", version=version, form_data=FORM, channel="online", person=Person.objects.first()
    )
    for material in services.missing_materials(case):
        services.material_upload(
            actor="citizen",
            case=case,
            requirement=material,
            stream=io.BytesIO(PDF),
            name=f"{material.name}.pdf",
        )
    return services.case_submit(actor="citizen", case=case, idempotency_key=uuid.uuid4())


def _check(page: Page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_officer_accepts_and_completes_a_case(new_page: Callable[..., Page], viewport: str) -> None:
    case = _filed_case()
    page = new_page(viewport)
    page.goto("/workbench/")
    page.get_by_label("用户名").fill("officer_scjg")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待办")
    _check(page, f"workbench-inbox-{viewport}")

    page.get_by_role("link", name=case.number).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    _check(page, f"workbench-case-submitted-{viewport}")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已受理")

    for _step in range(5):
        complete = page.get_by_role("button", name="办结此环节")
        if complete.count() == 0:
            break
        page.get_by_label("同意").first.check()
        page.get_by_label("意见").first.fill("材料齐全，符合条件")
        complete.first.click()
        expect(page.locator(".messages")).to_contain_text("已办结")
    _check(page, f"workbench-case-approved-{viewport}")
    case.refresh_from_db()
    assert case.status == "approved"
    expect(page.locator(".lead")).to_contain_text("准予许可")


def _real_pdf() -> bytes:
    """A one-page PDF with Chinese text, as a scanned lease would be."""
    from reportlab.pdfgen import canvas

    from onevisit.core.pdf import fonts

    regular, _bold = fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(regular, 24)
    pdf.drawString(72, 760, "房屋租赁合同（扫描件）")
    pdf.setFont(regular, 12)
    pdf.drawString(72, 730, "出租方：杭州某某物业有限公司    承租方：杭州西溪小馆餐饮有限公司")
    pdf.save()
    return buffer.getvalue()


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 300), "#f3f5f8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 280), outline="#1b1f24", width=4)
    draw.text((40, 40), "ID CARD (photo)", fill="#1b1f24")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _case_with_files() -> Case:
    version = ServiceItem.objects.get(code="330100-SCJG-001").current_version
    case = services.case_draft_save(
        actor="citizen", version=version, form_data=FORM, channel="online", person=Person.objects.first()
    )
    for n, material in enumerate(services.missing_materials(case)):
        data, name = (_photo(), f"{material.name}.png") if n == 0 else (_real_pdf(), f"{material.name}.pdf")
        services.material_upload(
            actor="citizen", case=case, requirement=material, stream=io.BytesIO(data), name=name
        )
    return services.case_submit(actor="citizen", case=case, idempotency_key=uuid.uuid4())


def _sign_in(page: Page, username: str) -> None:
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待办")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_officer_filters_the_inbox(new_page: Callable[..., Page], viewport: str) -> None:
    waiting = _filed_case()
    accepted = services.case_accept(actor="clerk", case=_filed_case())
    page = new_page(viewport)
    _sign_in(page, "officer_scjg")
    page.get_by_label("办件编号").fill(accepted.number[-5:])
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(f"**/workbench/?*q={accepted.number[-5:]}*")
    steps = page.locator("table").first
    expect(steps).to_contain_text(accepted.number)
    expect(page.locator("main")).not_to_contain_text(waiting.number)
    expect(page.get_by_role("link", name="正常：1")).to_be_visible()
    _check(page, f"workbench-inbox-filtered-{viewport}")

    page.get_by_label("环节").select_option("mine")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("没有符合筛选条件的环节。")).to_be_visible()
    expect(page.get_by_role("link", name="正常：0")).to_be_visible()
    page.get_by_role("link", name="清除筛选").click()
    expect(page.locator("main")).to_contain_text(waiting.number)

    page.goto("/workbench/?department=330100-GA&urgency=purple")
    expect(page.locator(".notice-important")).to_have_count(2)
    expect(page.locator(".notice-important").first).to_contain_text("已忽略")
    _check(page, f"workbench-inbox-ignored-{viewport}")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_officer_reads_the_materials_one_at_a_time(new_page: Callable[..., Page], viewport: str) -> None:
    case = _case_with_files()
    page = new_page(viewport)
    _sign_in(page, "officer_scjg")
    page.goto(f"/workbench/cases/{case.pk}/")
    page.locator(".case-main a[href*='/materials/']").first.click()
    expect(page.locator(".lead")).to_contain_text("第 1 份")
    image = page.locator("img.material-image")
    expect(image).to_be_visible()
    page.wait_for_function("(img) => img.complete && img.naturalWidth === 480", arg=image.element_handle())
    _check(page, f"workbench-material-image-{viewport}")

    page.get_by_role("link", name="下一份", exact=False).click()
    frame = page.locator("iframe.material-frame")
    expect(frame).to_be_visible()
    expect(page.get_by_role("link", name="上一份", exact=False)).to_be_visible()
    src = frame.get_attribute("src")
    response = page.request.get(src)
    assert response.headers["content-type"] == "application/pdf"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    page.wait_for_timeout(1500)  # let Chromium's PDF viewer draw the page
    _check(page, f"workbench-material-pdf-{viewport}")
    fallback = page.get_by_role("link", name="下载", exact=False)
    expect(fallback).to_have_attribute("href", f"{src}?download=1")
