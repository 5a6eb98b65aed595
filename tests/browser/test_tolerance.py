"""容缺受理 in the browser: an applicant marks a tolerable material "稍后补交", reads and signs the
commitment on the check page, and after acceptance reads the notice and supplies the material from
the case page. axe checks and screenshots at 1280 and 360 px (also in /tmp/shots/tolerance/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .instant import TINY_PDF, WU, heading, log_in
from .support import check_page

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/tolerance")
LEASE = "住所使用证明（容缺测试）"


def check(page: Page, name: str) -> None:
    check_page(page, name, copy_to=SHOTS)


def _draft(phone: str, code: str):
    """An item with one tolerable material, published, and a draft of it whose form is complete."""
    from conftest import bpmn
    from onevisit.cases import services
    from onevisit.catalog.models import (
        FormSchema,
        ItemVersion,
        MaterialRequirement,
        ProcessDefinition,
        ServiceItem,
    )
    from onevisit.catalog.services import version_publish
    from onevisit.core import crypto
    from onevisit.identity.models import ApplicantAccount
    from onevisit.org.models import Department

    department = Department.objects.get(code="330100-RS")
    item = ServiceItem.objects.create(
        code=code, name="容缺测试事项", department=department, audience="person"
    )
    version = ItemVersion.objects.create(
        item=item, number=1, name="容缺测试事项", kind="promised", statutory_limit_days=20,
        promised_limit_days=10, channels=["online", "counter"],
        legal_basis=[{"law": "《行政许可法》", "article": "第三十二条"}],
    )  # fmt: skip
    MaterialRequirement.objects.create(version=version, code="lease", name=LEASE, tolerable=True, form="copy")
    schema = {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string", "title": "姓名", "maxLength": 30, "x-data-element": "applicant.name"}},
    }  # fmt: skip
    FormSchema.objects.create(version=version, schema=schema)
    ProcessDefinition.objects.create(version=version, bpmn_xml=bpmn({"330100-RS": [("review", "审查", 2)]}))
    version_publish(actor="test", version=version)
    account = ApplicantAccount.objects.select_related("person", "user").get(
        phone_hash=crypto.lookup_hash(phone)
    )
    item.refresh_from_db()
    return services.case_draft_save(
        actor=account.user, version=item.current_version, form_data={"name": account.person.name},
        channel="online", person=account.person,
    )  # fmt: skip


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_apply_with_a_gap_sign_read_the_notice_and_supply_it(
    new_page: Callable[..., Page], viewport: str, django_db_blocker
) -> None:
    code = f"330100-RS-9{'1' if viewport == 'desktop' else '2'}"
    with django_db_blocker.unblock():
        case = _draft(WU, code)
    page = new_page(viewport)
    log_in(page, WU)
    page.goto(f"/items/{code}/apply/{case.pk}/materials/")
    expect(heading(page)).to_have_text("申请材料")
    page.get_by_label("稍后补交（容缺）").check()
    check(page, f"tolerance-materials-{viewport}")
    page.get_by_role("button", name="保存并继续").click()

    expect(page.locator(".commitment-text")).to_contain_text(LEASE)
    expect(page.locator(".commitment-text")).to_contain_text("终止")
    check(page, f"tolerance-check-{viewport}")
    page.get_by_role("button", name="签署承诺并提交").click()
    number = page.locator(".case-number").inner_text()

    with django_db_blocker.unblock():
        from onevisit.cases import services
        from onevisit.cases.models import Case

        services.case_accept(actor="clerk", case=Case.objects.get(number=number))
    page.goto(f"/cases/{number}/")
    expect(page.locator(".gap-list")).to_contain_text(LEASE)
    check(page, f"tolerance-case-{viewport}")
    page.get_by_role("link", name="容缺受理告知书").click()
    expect(heading(page)).to_have_text("容缺受理告知书")
    expect(page.locator("table")).to_contain_text("复印件")
    check(page, f"tolerance-notice-{viewport}")

    page.goto(f"/cases/{number}/")
    page.get_by_label(LEASE).set_input_files(
        {"name": "租赁合同.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}
    )
    page.get_by_role("button", name=f"上传{LEASE}").click()
    expect(page.locator(".gap-list")).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("容缺材料已全部补齐")
    check(page, f"tolerance-supplied-{viewport}")
