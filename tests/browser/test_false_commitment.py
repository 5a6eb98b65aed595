"""告知承诺 found false, in the browser: the supervisor draws the approvals on commitment of an item at
100 % with a seed (双随机: the two 消防 officers inspect), an inspector records "false" with evidence
(and opens the evidence), the verification page shows the certificate revoked, and the applicant —
now with a 虚假承诺 credit record — is told on the materials page why a commitment is no longer
offered. axe and screenshots at 1280 and 360 px (also in /tmp/shots/post-checks/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .instant import TINY_PDF, heading, log_in
from .support import check_page
from .trust import PROOF, approve, draft, filed_on_commitment, make_item, new_applicant

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/post-checks")
APPLICANTS = {
    "desktop": ("孔令辉", "330106198808082018", "13900000091"),
    "phone": ("孔令仪", "330106198808082026", "13900000092"),
}


def check(page: Page, name: str) -> None:
    check_page(page, name, copy_to=SHOTS)


def staff_log_in(page: Page, username: str) -> None:
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_post_check_finds_a_commitment_false(
    new_page: Callable[..., Page], viewport: str, django_db_blocker
) -> None:
    code = f"330100-XF-9{'1' if viewport == 'desktop' else '2'}"
    seed = f"seed-{viewport}"
    with django_db_blocker.unblock():
        item = make_item(code, "330100-XF", promise=True)
        applicant = new_applicant(*APPLICANTS[viewport])
        case = approve(filed_on_commitment(item, applicant.person), "officer_xf")
        assert case.status == "approved" and case.certificate_number

    supervisor = new_page(viewport)
    staff_log_in(supervisor, "supervisor")
    supervisor.goto("/workbench/post-checks/")
    expect(heading(supervisor)).to_contain_text("事后核查")
    supervisor.locator("select[name=item]").select_option(str(item.pk))
    supervisor.locator("input[name=ratio]").fill("100")
    supervisor.locator("input[name=seed]").fill(seed)
    supervisor.get_by_role("button", name="抽取").click()
    expect(supervisor.locator("main")).to_contain_text(seed)
    expect(supervisor.locator("main")).to_contain_text(case.number)
    check(supervisor, f"post-check-draw-{viewport}")

    with django_db_blocker.unblock():
        from onevisit.supervision.models import PostCheck

        check_ = PostCheck.objects.get(case=case)
        inspectors = sorted(u.username for u in check_.inspectors.all())
    assert inspectors == ["officer_xf", "officer_xf2"]

    inspector = new_page(viewport)
    staff_log_in(inspector, inspectors[1])
    inspector.goto("/workbench/post-checks/")
    inspector.get_by_role("link", name=case.number).click()
    inspector.locator("input[value=false_commitment]").check()
    inspector.locator("textarea[name=note]").fill("现场核查：消防设施未经检测，承诺不实。")
    inspector.locator("input[name=evidence]").set_input_files(
        {"name": "核查记录.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}
    )
    check(inspector, f"post-check-record-{viewport}")
    inspector.locator("main form button[type=submit]").click()
    expect(inspector.locator("main")).to_contain_text("承诺不实")
    evidence = inspector.get_by_role("link", name="核查记录.pdf", exact=True)
    expect(evidence).to_be_visible()
    check(inspector, f"post-check-recorded-{viewport}")
    response = inspector.request.get(evidence.get_attribute("href") or "")
    assert response.status == 200 and response.body() == TINY_PDF
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")

    verify = new_page(viewport)
    verify.goto(f"/verify/{case.certificate_number}/")
    expect(verify.locator("main")).to_contain_text("已注销")
    expect(verify.locator("main")).to_contain_text("承诺不实")
    check(verify, f"post-check-verify-{viewport}")

    with django_db_blocker.unblock():
        again = draft(item, applicant.person)
    portal = new_page(viewport)
    log_in(portal, APPLICANTS[viewport][2])
    portal.goto(f"/cases/{case.number}/")
    expect(portal.locator(".timeline")).to_contain_text("撤销")
    check(portal, f"post-check-applicant-case-{viewport}")
    portal.goto(f"/items/{code}/apply/{again.pk}/materials/")
    barred = portal.locator("#credit-barred")
    expect(barred).to_contain_text("虚假承诺")
    expect(barred).to_contain_text("告知承诺")
    expect(portal.get_by_label("承诺替代（告知承诺）")).to_have_count(0)
    expect(portal.locator("main")).to_contain_text(PROOF)
    check(portal, f"post-check-applicant-barred-{viewport}")
