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
