"""容缺 at the counter, in the browser: the demo clerk finds the applicant, ticks the paper originals
checked and “supply later” for the tolerable material, is shown the commitment to let the applicant
read and sign, confirms it and prints the 容缺受理告知书. axe and screenshots at 1280 and 360 px
(also in /tmp/shots/counter-tolerance/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .support import check_page

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/counter-tolerance")
APPLICANT = ("330110200106041179", "黄强")  # a demo person with clean credit
LEASE = "住所使用证明（窗口容缺测试）"
PLAN = "场所平面图（窗口容缺测试）"


def _item(code: str):
    """An item of 市公安局 (served at the demo centre's windows) with a main and a tolerable material."""
    from conftest import bpmn
    from onevisit.catalog.models import (
        FormSchema,
        ItemVersion,
        MaterialRequirement,
        ProcessDefinition,
        ServiceItem,
    )
    from onevisit.catalog.services import version_publish
    from onevisit.org.models import Department

    item = ServiceItem.objects.create(
        code=code, name=f"窗口容缺测试事项{code[-2:]}", department=Department.objects.get(code="330100-GA"),
        audience="person",
    )  # fmt: skip
    version = ItemVersion.objects.create(
        item=item, number=1, name=item.name, kind="promised", statutory_limit_days=20, promised_limit_days=5,
        channels=["online", "counter"], legal_basis=[{"law": "《行政许可法》", "article": "第三十二条"}],
    )  # fmt: skip
    MaterialRequirement.objects.create(version=version, code="plan", name=PLAN, form="original")
    MaterialRequirement.objects.create(
        version=version, code="lease", name=LEASE, tolerable=True, form="copy", order=1
    )
    schema = {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string", "title": "姓名", "maxLength": 30, "x-data-element": "applicant.name"}},
    }  # fmt: skip
    FormSchema.objects.create(version=version, schema=schema)
    ProcessDefinition.objects.create(version=version, bpmn_xml=bpmn({"330100-GA": [("review", "审查", 2)]}))
    version_publish(actor="test", version=version)
    return item


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_clerk_accepts_with_a_gap_after_the_applicant_signs(
    new_page: Callable[..., Page], viewport: str, django_db_blocker
) -> None:
    code = f"330100-GA-9{'5' if viewport == 'desktop' else '6'}"
    with django_db_blocker.unblock():
        _item(code)
    page = new_page(viewport)
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_label("密码").press("Enter")
    expect(page.get_by_role("button", name="退出")).to_be_visible()  # signed in before moving on
    page.goto("/workbench/counter/")
    expect(page.get_by_label("居民身份证号码")).to_be_focused()
    page.keyboard.type(APPLICANT[0])
    page.keyboard.press("Enter")
    expect(page.locator(".person-card")).to_contain_text(APPLICANT[1])
    page.goto(f"/workbench/counter/items/{code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("窗口容缺测试事项")
    page.get_by_label(f"已核验：{PLAN}").check()
    page.get_by_label(f"容缺后补：{LEASE}").check()
    check_page(page, f"counter-tolerance-intake-{viewport}", copy_to=SHOTS)
    page.get_by_role("button", name="受理并打印回执").click()

    commitment = page.locator("#commitment-text")
    expect(commitment).to_contain_text(LEASE)
    expect(commitment).to_contain_text("终止")
    expect(page.locator(".error-summary")).to_contain_text("请申请人阅读并签署")
    check_page(page, f"counter-tolerance-commitment-{viewport}", copy_to=SHOTS)
    page.get_by_label("申请人已阅读并签署本承诺书").check()
    page.get_by_role("button", name="受理并打印回执").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("容缺受理告知书")
    document = page.locator(".document")
    expect(document).to_contain_text(LEASE)
    expect(document).to_contain_text("复印件")
    expect(document).to_contain_text(APPLICANT[1])
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    check_page(page, f"counter-tolerance-notice-{viewport}", copy_to=SHOTS)
    with django_db_blocker.unblock():
        from onevisit.cases.models import Case

        case = Case.objects.get(item_version__item__code=code)
        assert case.status == "accepted" and case.gaps.get().deadline is not None
        assert case.commitments.get().signed_by.name == APPLICANT[1]
