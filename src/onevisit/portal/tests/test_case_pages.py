"""我的办件 and the case page: status chips, next action, deadlines, timeline, decision; withdrawal,
answering a correction (before and after acceptance), the receipt PDF and the applicant's files;
alice's case is invisible to bob."""

import datetime as dt
import shutil
import subprocess

import pytest

from onevisit.cases import services
from onevisit.cases.models import Case, SuppliedMaterial
from onevisit.workflow.models import WorkItem

from .applying import base, fill_and_submit, idempotency_key, pdf, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(django_user_model, departments):
    from onevisit.org.services import staff_role_grant

    user = django_user_model.objects.create_user("officer", password="pw-123456!", is_staff=True)
    staff_role_grant(actor="t", user=user, department=departments["scjg"], role="officer")
    return user


@pytest.fixture
def filed(alice, item):
    client = signed_in(alice)
    return client, fill_and_submit(client)


def test_my_cases_lists_the_case_with_a_status_chip_in_words(filed):
    client, case = filed
    page = client.get("/cases/").content.decode()
    assert case.number in page and "食品经营许可" in page
    assert '<span class="chip chip-info">已提交，待受理</span>' in page
    assert f'href="/cases/{case.number}/"' in page
    assert 'href="/cases/"' in client.get("/").content.decode()  # 我的办件 in the header


def test_the_case_page_shows_the_next_action_deadlines_and_timeline(filed, officer):
    client, case = filed
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "您需要做什么" in page and "目前无需操作" in page
    assert "办理进度" in page and case.number in page and "申请已提交" in page
    assert "撤回申请" in page and "已跑次数" in page and "0 次" in page
    services.case_accept(actor=officer, case=case, on=dt.date(2026, 11, 26))
    case.refresh_from_db()
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert f"{case.promised_due.year}年{case.promised_due.month}月{case.promised_due.day}日" in page
    assert f"{case.statutory_due.year}年{case.statutory_due.month}月{case.statutory_due.day}日" in page
    assert "2026年11月26日" in page  # accepted on
    assert page.index("已受理，承诺于") < page.index(
        "申请已提交，办件编号"
    )  # newest first, like a parcel tracker


def test_the_decision_shows_its_reasons_and_legal_basis(filed, officer):
    client, case = filed
    services.case_refuse(
        actor=officer,
        case=case,
        reasons="申请事项不属于本部门职权范围",
        legal_basis="《行政许可法》第三十二条",
    )
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "办理决定" in page and "不属于本部门职权范围" in page and "第三十二条" in page
    assert "撤回申请" not in page


def test_withdraw_asks_first_then_withdraws(filed):
    client, case = filed
    confirm = client.get(f"/cases/{case.number}/withdraw/").content.decode()
    assert "确定撤回申请吗" in confirm and Case.objects.get().status == Case.Status.SUBMITTED
    too_long = client.post(f"/cases/{case.number}/withdraw/", {"reason": "x" * 10_000})
    assert too_long.status_code == 400 and Case.objects.get().status == Case.Status.SUBMITTED
    response = client.post(f"/cases/{case.number}/withdraw/", {"reason": "不需要了"})
    assert response.status_code == 302
    assert Case.objects.get().status == Case.Status.WITHDRAWN
    again = client.post(f"/cases/{case.number}/withdraw/", {})
    assert again.status_code == 302 and "不能撤回" in client.get(again["Location"]).content.decode()


def test_answer_a_correction_before_acceptance(filed, officer):
    client, case = filed
    lease = case.item_version.materials.get(code="lease")
    services.case_request_correction(actor=officer, case=case, missing=[lease], note="合同须有双方签字")
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "要求您补正" in page and "住所使用证明" in page and "合同须有双方签字" in page
    assert f"{base(case)}/materials/" in page
    assert "需要您操作" in client.get("/cases/").content.decode()
    client.post(f"{base(case)}/materials/", {f"m-{lease.pk}": pdf("签字合同.pdf")})
    check = client.get(f"{base(case)}/check/").content.decode()
    assert "提交补正" in check
    response = client.post(f"{base(case)}/submit/", {"idempotency_key": idempotency_key(check)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (
        case.status == Case.Status.SUBMITTED
        and SuppliedMaterial.objects.filter(case=case, source="upload").count() == 2
    )
    assert case.events.filter(kind="corrected").exists()


def test_answer_a_correction_after_acceptance(filed, officer):
    client, case = filed
    services.case_accept(actor=officer, case=case)
    step = WorkItem.objects.filter(instance=Case.objects.get().process_instance, status="open").first()
    services.case_step_complete(
        actor=officer,
        case=Case.objects.get(),
        work_item=step,
        decision="return",
        opinion="请将从业人数改为实际人数",
    )
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "请将从业人数改为实际人数" in page
    client.post(f"{base(case)}/step/2/?next=check", {"employees": "5", "delivery": "窗口领取"})
    check = client.get(f"{base(case)}/check/").content.decode()
    client.post(f"{base(case)}/submit/", {"idempotency_key": idempotency_key(check)})
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.form_data["employees"] == 5


def test_the_receipt_is_a_pdf_with_the_case_number_in_chinese(filed):
    client, case = filed
    response = client.get(f"/cases/{case.number}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert case.number in text and "申请回执" in text and "食品经营许可" in text
    assert "330106********3619" in text and "330106199002153619" not in text
    assert "住所使用证明" in text and "免提交" in text


def test_the_applicant_downloads_their_own_file(filed):
    client, case = filed
    material = SuppliedMaterial.objects.get(case=case, source="upload")
    response = client.get(f"/cases/files/{material.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_bob_sees_nothing_of_alices_case(filed, bob):
    _client, case = filed
    material = SuppliedMaterial.objects.get(case=case, source="upload")
    other = signed_in(bob)
    assert case.number not in other.get("/cases/").content.decode()
    for url in (
        f"/cases/{case.number}/",
        f"/cases/{case.number}/receipt.pdf",
        f"/cases/{case.number}/withdraw/",
        f"/cases/files/{material.pk}/",
        f"{base(case)}/done/",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/cases/{case.number}/withdraw/", {}).status_code == 404
    assert Case.objects.get().status == Case.Status.SUBMITTED


def test_anonymous_visitors_are_sent_to_log_in(client, filed):
    _client, case = filed
    for url in ("/cases/", f"/cases/{case.number}/", f"/cases/{case.number}/receipt.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_an_unknown_case_number_is_not_found(alice):
    assert signed_in(alice).get(f"/cases/{'9' * 200}/").status_code == 404
