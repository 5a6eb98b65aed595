"""容缺 that expires, in the browser: a case accepted with the lease missing is approved with a
provisional certificate; the daily sweep, run for a day after the deadline, terminates it. The
applicant's case page then says terminated and why, and the verification page says the provisional
certificate is revoked. (The case supplied on time is test_tolerance.py.) axe and screenshots at
1280 and 360 px (also in /tmp/shots/tolerance/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .instant import WU, log_in
from .support import check_page
from .trust import LEASE, account, approve, filed_with_gap, make_item

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/tolerance")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_gap_not_supplied_by_the_deadline_terminates_the_case_and_revokes_the_certificate(
    new_page: Callable[..., Page], viewport: str, django_db_blocker
) -> None:
    code = f"330100-MZ-8{'1' if viewport == 'desktop' else '2'}"
    with django_db_blocker.unblock():
        from onevisit.certificates.models import Certificate

        item = make_item(code, "330100-MZ", gap=True, provisional=True)
        case = approve(filed_with_gap(item, account(WU).person), "officer_mz")
        certificate = Certificate.objects.get(number=case.certificate_number)
        assert certificate.provisional and certificate.status == "valid"
        deadline = case.gaps.get().deadline
    page = new_page(viewport)
    log_in(page, WU)
    page.goto(f"/cases/{case.number}/")
    expect(page.locator(".gap-list")).to_contain_text(LEASE)
    check_page(page, f"tolerance-expiry-before-{viewport}", copy_to=SHOTS)

    with django_db_blocker.unblock():
        from onevisit.cases import tolerance

        counts = tolerance.gaps_sweep(today=deadline + dt.timedelta(days=1))
        assert counts["terminated"] >= 1

    page.goto(f"/cases/{case.number}/")
    expect(page.get_by_text("终止", exact=False).first).to_be_visible()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("办件已终止办理")
    expect(timeline).to_contain_text(LEASE)
    expect(timeline).to_contain_text("已注销")
    expect(page.locator(".gap-list")).to_have_count(0)  # nothing left to supply
    expect(page.locator("main")).to_contain_text("未在期限内补交")
    expect(page.locator("main")).not_to_contain_text("已全部提交")
    check_page(page, f"tolerance-expiry-terminated-{viewport}", copy_to=SHOTS)

    page.goto(f"/verify/{certificate.number}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("已注销")
    expect(page.locator("main")).to_contain_text(LEASE)
    check_page(page, f"tolerance-expiry-verify-{viewport}", copy_to=SHOTS)
