"""Applying online: start page, question pages prefilled from the profile, htmx checks, materials,
check your answers, one case per submission, resuming a draft; hostile input changes nothing."""

import pytest
from django.utils import timezone

from onevisit.cases.models import Case, SuppliedMaterial
from onevisit.exchange.models import DataAccess
from onevisit.identity.services import authorization_grant

from .applying import CODE, base, fill_and_submit, idempotency_key, pdf, signed_in, start

pytestmark = pytest.mark.django_db


def test_the_guide_has_an_apply_button_and_keeps_the_counter_hint(client, item):
    page = client.get(f"/items/{CODE}/").content.decode()
    assert f'href="/items/{CODE}/apply/"' in page and "在线办理" in page
    assert "综合窗口" in page


def test_applying_needs_an_applicant_login(client, item, catalog_admin):
    response = client.get(f"/items/{CODE}/apply/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    client.force_login(catalog_admin)  # staff are sent to the applicants' login too
    assert client.get(f"/items/{CODE}/apply/").status_code == 302
    assert Case.objects.count() == 0


def test_full_journey_files_one_case(alice, item):
    client = signed_in(alice)
    page = client.get(f"/items/{CODE}/apply/").content.decode()
    assert "住所使用证明" in page and "免提交" in page and "开始申请" in page
    case = fill_and_submit(client)
    assert case.status == Case.Status.SUBMITTED and case.number.startswith("330100")
    assert case.form_data == {
        "name": "林爱丽",
        "id_number": "330106199002153619",
        "phone": "13900000001",
        "employees": 3,
        "delivery": "邮寄",
    }
    upload = SuppliedMaterial.objects.get(case=case, source="upload")
    assert upload.content_type == "application/pdf" and upload.original_name == "租赁合同.pdf"
    # 免提交: the ID material comes from the population registry, with the department's use logged.
    shared = SuppliedMaterial.objects.get(case=case, source="shared_data")
    assert shared.requirement.code == "applicant-id" and shared.reference == "household-register"
    assert DataAccess.objects.filter(
        case_ref=case.number,
        subject_person=alice.person,
        department=case.department,
        resource__code="household-register",
    ).exists()
    done = client.get(f"{base(case)}/done/").content.decode()
    assert case.number in done and "申请已提交" in done and "接下来" in done
    assert f"/cases/{case.number}/receipt.pdf" in done


def test_the_first_page_is_prefilled_from_the_profile(alice, item):
    client = signed_in(alice)
    page = client.get(start(client)).content.decode()
    assert 'value="林爱丽"' in page and 'value="330106199002153619"' in page
    assert 'value="13900000001"' in page
    assert 'hx-post="/items/' in page and "/validate/name/" in page


def test_acting_for_an_organization_files_for_it_with_the_agent(alice, acme, item):
    authorization_grant(actor="test", grantor=acme, agent=alice.person, valid_from=timezone.localdate())
    client = signed_in(alice)
    session = client.session
    session["onevisit_acting_for"] = acme.pk
    session.save()
    start(client)
    case = Case.objects.get()
    assert case.applicant_org == acme and case.agent == alice.person and case.applicant_person is None


def test_each_page_says_how_to_fix_each_field_and_keeps_what_was_typed(alice, item):
    client = signed_in(alice)
    first = start(client)
    response = client.post(first, {"name": "", "id_number": "12345", "phone": "13900000001"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#f-name"' in page and "请填写姓名" in page
    assert 'href="#f-id_number"' in page and "18位" in page
    assert 'value="12345"' in page and "<title>错误：" in page
    assert 'aria-invalid="true"' in page
    response = client.post(first.replace("/step/1/", "/step/2/"), {"employees": "三个", "delivery": "飞过来"})
    page = response.content.decode()
    assert response.status_code == 400 and "数字" in page and "从业人数" in page
    assert "领取方式" in page and 'value="三个"' in page
    assert Case.objects.get().form_data.get("employees") is None


def test_htmx_checks_one_field_and_answers_with_its_partial(alice, item):
    client = signed_in(alice)
    case_url = start(client).rsplit("/step/", 1)[0]
    response = client.post(f"{case_url}/validate/id_number/", {"id_number": "abc"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and page.startswith('<div class="form-group form-group-error"')
    assert "18位" in page and 'value="abc"' in page and "<html" not in page
    ok = client.post(f"{case_url}/validate/id_number/", {"id_number": "330106199002153619"}).content.decode()
    assert "form-group-error" not in ok
    assert client.post(f"{case_url}/validate/nope/", {"nope": "1"}).status_code == 404


@pytest.mark.parametrize(
    "value", ["林" * 10_000, "<script>alert(1)</script>", "'; DROP TABLE cases_case; --", "\x00\x1f"]
)
def test_hostile_values_are_refused_or_kept_as_text(alice, item, value):
    client = signed_in(alice)
    first = start(client)
    response = client.post(first, {"name": value, "id_number": value, "phone": "1", "extra": "x" * 5000})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in page
    case = Case.objects.get()
    assert case.form_data["name"] == "林爱丽" and "extra" not in case.form_data  # nothing changed


def test_unknown_pages_and_fields_are_not_found(alice, item):
    client = signed_in(alice)
    case_url = start(client).rsplit("/step/", 1)[0]
    assert client.get(f"{case_url}/step/3/").status_code == 404
    assert client.get(f"{case_url}/step/0/").status_code == 404
    assert client.get("/items/NOPE/apply/").status_code == 404


def test_an_upload_that_lies_about_its_type_is_refused_next_to_the_field(alice, item):
    client = signed_in(alice)
    case_url = start(client).rsplit("/step/", 1)[0]
    lease = Case.objects.get().item_version.materials.get(code="lease")
    fake = pdf("合同.pdf", b"MZ\x90\x00 this is an executable")
    response = client.post(f"{case_url}/materials/", {f"m-{lease.pk}": fake})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="#m-{lease.pk}"' in page and "PDF、JPEG 或 PNG" in page
    assert SuppliedMaterial.objects.count() == 0
    empty = client.post(f"{case_url}/materials/", {f"m-{lease.pk}": pdf("空.pdf", b"")})
    assert empty.status_code == 400 and "文件是空的" in empty.content.decode()


def test_the_materials_page_asks_for_what_is_missing(alice, item):
    client = signed_in(alice)
    case_url = start(client).rsplit("/step/", 1)[0]
    response = client.post(f"{case_url}/materials/", {})
    page = response.content.decode()
    assert response.status_code == 400 and "请上传住所使用证明" in page
    assert "免提交" in page and "可容缺" in page


def test_a_double_click_files_one_case(alice, item):
    client = signed_in(alice)
    case = fill_and_submit(client)
    number = case.number
    # The same check page submitted again (the second click of a double click): the same case.
    again = client.post(f"{base(case)}/submit/", {"idempotency_key": str(case.idempotency_key)})
    assert again.status_code == 302 and again["Location"] == f"{base(case)}/done/"
    assert Case.objects.count() == 1 and Case.objects.get().number == number
    assert case.events.filter(kind="submitted").count() == 1


def test_submitting_with_something_missing_says_what(alice, item):
    client = signed_in(alice)
    case_url = start(client).rsplit("/step/", 1)[0]
    key = idempotency_key(client.get(f"{case_url}/check/").content.decode())
    response = client.post(f"{case_url}/submit/", {"idempotency_key": key})
    page = response.content.decode()
    assert response.status_code == 400 and "error-summary" in page
    assert Case.objects.get().status == Case.Status.DRAFT
    bad = client.post(f"{case_url}/submit/", {"idempotency_key": "not-a-uuid"})
    assert bad.status_code == 400 and Case.objects.get().number is None


def test_a_draft_is_resumed_from_my_cases(alice, item):
    client = signed_in(alice)
    first = start(client)
    client.post(first, {"name": "林爱丽", "id_number": "330106199002153619", "phone": "13900000001"})
    case = Case.objects.get()
    page = client.get("/cases/").content.decode()
    assert "未完成的申请" in page and f"{base(case)}/step/2/" in page  # goes on where it stopped
    assert f"{base(case)}/step/2/" in client.get(f"/items/{CODE}/apply/").content.decode()
    step2 = client.get(f"{base(case)}/step/2/").content.decode()
    assert "经营信息" in step2


def test_the_change_link_comes_back_to_the_check_page(alice, item):
    client = signed_in(alice)
    case = fill_and_submit(client)
    assert case.number  # filed; now a fresh draft to test the links
    start(client)
    draft = Case.objects.filter(status=Case.Status.DRAFT).get()
    check = client.get(f"{base(draft)}/check/").content.decode()
    assert f"{base(draft)}/step/1/?next=check" in check and "修改" in check
    response = client.post(
        f"{base(draft)}/step/1/?next=check",
        {"name": "林爱丽", "id_number": "330106199002153619", "phone": "13900000001"},
    )
    assert response["Location"] == f"{base(draft)}/check/"


def test_bob_cannot_touch_alices_draft(alice, bob, item):
    client = signed_in(alice)
    case_url = start(client).rsplit("/step/", 1)[0]
    other = signed_in(bob)
    assert other.get(f"{case_url}/step/1/").status_code == 404
    assert other.post(f"{case_url}/step/1/", {"name": "包博文"}).status_code == 404
    assert other.post(f"{case_url}/validate/name/", {"name": "x"}).status_code == 404
    assert other.get(f"{case_url}/materials/").status_code == 404
    assert other.get(f"{case_url}/check/").status_code == 404
    assert (
        other.post(
            f"{case_url}/submit/", {"idempotency_key": "6f1c9b9e-1f7a-4a4e-9a43-5c1d7a0b8e21"}
        ).status_code
        == 404
    )
    assert Case.objects.get().form_data["name"] == "林爱丽"
