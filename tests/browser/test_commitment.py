"""告知承诺 in the browser: an applicant replaces a material by a commitment, reads the item's text
on the check page and signs it by submitting; the officer sees the commitment and what it replaces.
axe checks and screenshots at 1280 and 360 px (also in /tmp/shots/commitment/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .instant import OFFICER, WU, heading, log_in, staff_log_in
from .support import check_page

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/commitment")
PROOF = "场所消防检测合格证明（承诺测试）"
TEXT = "本人承诺：场所消防设施经检测合格。\n如承诺不实：撤销许可，依法处罚，并记入信用记录。"


def check(page: Page, name: str) -> None:
    check_page(page, name, copy_to=SHOTS)


def _draft(phone: str, code: str):
    """A published item of 民政 taking a commitment for one material, and a complete draft of it."""
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

    department = Department.objects.get(code="330100-MZ")
    item = ServiceItem.objects.create(
        code=code, name="告知承诺测试事项", department=department, audience="person"
    )
    version = ItemVersion.objects.create(
        item=item, number=1, name="告知承诺测试事项", kind="promised", statutory_limit_days=20,
        promised_limit_days=10, channels=["online", "counter"], commitment_text=TEXT,
        legal_basis=[{"law": "《行政许可法》", "article": "第三十二条"}],
    )  # fmt: skip
    MaterialRequirement.objects.create(
        version=version, code="proof", name=PROOF, commitment_replaceable=True, form="electronic"
    )
    schema = {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string", "title": "姓名", "maxLength": 30, "x-data-element": "applicant.name"}},
    }  # fmt: skip
    FormSchema.objects.create(version=version, schema=schema)
    ProcessDefinition.objects.create(version=version, bpmn_xml=bpmn({"330100-MZ": [("review", "审查", 2)]}))
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
def test_replace_a_material_by_a_commitment_and_sign_it(
    new_page: Callable[..., Page], viewport: str, django_db_blocker
) -> None:
    code = f"330100-MZ-9{'3' if viewport == 'desktop' else '4'}"
    with django_db_blocker.unblock():
        case = _draft(WU, code)
    page = new_page(viewport)
    log_in(page, WU)
    page.goto(f"/items/{code}/apply/{case.pk}/materials/")
    expect(heading(page)).to_have_text("申请材料")
    page.get_by_label("承诺替代（告知承诺）").check()
    check(page, f"commitment-materials-{viewport}")
    page.get_by_role("button", name="保存并继续").click()

    text = page.locator(".commitment-text")
    expect(text).to_contain_text(PROOF)
    expect(text).to_contain_text("撤销许可")
    check(page, f"commitment-check-{viewport}")
    page.get_by_role("button", name="签署承诺并提交").click()
    number = page.locator(".case-number").inner_text()

    staff = new_page(viewport)
    staff_log_in(staff, OFFICER)
    staff.goto(f"/workbench/cases/{case.pk}/")
    expect(staff.locator(".commitment")).to_contain_text(PROOF)
    expect(staff.locator(".commitment")).to_contain_text("告知承诺办理")
    check(staff, f"commitment-workbench-{viewport}")
    assert number
