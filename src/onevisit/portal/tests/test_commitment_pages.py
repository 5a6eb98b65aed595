"""告知承诺 online: replace a material by a commitment, read the item's text on the check page,
sign it by submitting; filed without the proof. Refused for a high-risk item, for bad credit, for a
changed text; another applicant sees nothing."""

import html
import re

import pytest
from django.test import Client

from onevisit.cases import commitment as approval
from onevisit.cases.models import Case, Commitment, SuppliedMaterial
from onevisit.cases.tests.conftest import officer_ga, officer_scjg  # noqa: F401
from onevisit.cases.tolerance import text_hash
from onevisit.identity.credit import credit_record_add

from .applying import base, idempotency_key, pdf, signed_in, start

pytestmark = pytest.mark.django_db

TEXT = "本人承诺：住所合法有效。\n如承诺不实：撤销许可，记入信用记录。"


@pytest.fixture
def lease(item):
    """The item takes a commitment for its lease (住所使用证明)."""
    version = item.current_version
    version.__class__.objects.filter(pk=version.pk).update(commitment_text=TEXT)
    requirement = version.materials.get(code="lease")
    requirement.__class__.objects.filter(pk=requirement.pk).update(commitment_replaceable=True)
    requirement.refresh_from_db()
    return requirement


def _to_materials(client) -> Case:
    first = start(client)
    case = Case.objects.latest("pk")
    client.post(first, {"name": "林爱丽", "id_number": "330106199002153619", "phone": "13900000001"})
    client.post(f"{base(case)}/step/2/", {"employees": "3", "delivery": "邮寄", "note": ""})
    return case


def _signed_text(page: str) -> str:
    match = re.search(r'name="approval_commitment" value="([^"]*)"', page)
    assert match, "no commitment on the check page"
    return html.unescape(match.group(1))


def _mark(client, case: Case, lease) -> str:
    page = client.get(f"{base(case)}/materials/").content.decode()
    assert f'name="promise-{lease.pk}"' in page and "承诺替代（告知承诺）" in page
    response = client.post(f"{base(case)}/materials/", {f"promise-{lease.pk}": "1"})
    assert response["Location"] == f"{base(case)}/check/"
    return client.get(f"{base(case)}/check/").content.decode()


def _submit(client, case: Case, page: str, text: str | None = None):
    data = {"idempotency_key": idempotency_key(page), "approval_commitment": text or _signed_text(page)}
    return client.post(f"{base(case)}/submit/", data)


def test_filed_on_the_commitment_without_the_proof(lease, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    page = _mark(client, case, lease)
    assert "告知承诺" in page and lease.name in page and "住所合法有效" in page and "撤销许可" in page
    text = _signed_text(page)
    response = _submit(client, case, page)
    assert response["Location"] == f"{base(case)}/done/"
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED and case.number
    signed = Commitment.objects.get(case=case, kind=Commitment.Kind.COMMITMENT)
    assert signed.text == text and signed.sha256 == text_hash(text) and len(signed.sha256) == 64
    assert signed.signed_by == alice.person and signed.ip and signed.signed_at
    material = case.materials.get(requirement=lease)
    assert material.source == SuppliedMaterial.Source.COMMITMENT and not material.file
    assert signed.sha256 in material.reference
    assert not case.gaps.exists() and not case.materials.filter(source="upload").exists()
    assert approval.replaced(case) == [lease] and approval.signed(case) == signed
    assert "告知承诺" in case.events.get(kind="commitment_signed").message


def test_approved_on_the_commitment_is_in_the_post_check_population(lease, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    _submit(client, case, _mark(client, case, lease))
    case.refresh_from_db()
    assert not approval.approved_on_commitment().exists()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.APPROVED)
    assert list(approval.approved_on_commitment()) == [case]


def test_taking_the_mark_back_or_uploading_removes_the_commitment(lease, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    _mark(client, case, lease)
    client.post(f"{base(case)}/materials/", {f"m-{lease.pk}": pdf()})
    assert not case.materials.filter(source="commitment").exists()
    page = client.get(f"{base(case)}/check/").content.decode()
    assert 'name="approval_commitment"' not in page


def test_a_changed_text_is_refused_and_nothing_is_filed(lease, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    page = _mark(client, case, lease)
    for text in (
        "我承诺。",
        _signed_text(page).replace("撤销许可", "不予追究"),
        "x" * 50000,
        "<script>1</script>",
    ):
        response = _submit(client, case, page, text)
        assert response.status_code == 400 and "承诺书内容已变化" in response.content.decode()
    response = client.post(f"{base(case)}/submit/", {"idempotency_key": idempotency_key(page)})
    assert response.status_code == 400 and "承诺书内容已变化" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not Commitment.objects.exists()


def test_the_item_text_changed_after_reading_is_refused(lease, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    page = _mark(client, case, lease)
    version = case.item_version
    version.__class__.objects.filter(pk=version.pk).update(commitment_text=TEXT + "\n另加一条。")
    response = _submit(client, case, page)
    assert response.status_code == 400 and "承诺书内容已变化" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_high_risk_item_does_not_offer_it_and_refuses_it_at_submit(lease, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    page = _mark(client, case, lease)
    version = case.item_version
    version.__class__.objects.filter(pk=version.pk).update(commitment_high_risk=True)
    response = _submit(client, case, page)
    content = response.content.decode()
    assert response.status_code == 400 and "高风险" in content and lease.name in content
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not Commitment.objects.exists()
    page = client.get(f"{base(case)}/materials/").content.decode()
    assert f'name="promise-{lease.pk}"' not in page
    response = client.post(f"{base(case)}/materials/", {f"promise-{lease.pk}": "1"})
    assert response.status_code == 400 and "高风险" in response.content.decode()


@pytest.mark.parametrize("kind", ["false_commitment", "serious"])
def test_bad_credit_does_not_offer_it_and_refuses_it_at_submit(lease, alice, kind):
    client = signed_in(alice)
    case = _to_materials(client)
    page = _mark(client, case, lease)
    credit_record_add(actor="steward", person=alice.person, kind=kind, reason="虚假承诺", legal_basis="演示")
    response = _submit(client, case, page)
    content = response.content.decode()
    assert response.status_code == 400 and "失信记录" in content and lease.name in content
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not Commitment.objects.exists()
    client.post(f"{base(case)}/materials/", {})  # taking the mark back is always allowed
    page = client.get(f"{base(case)}/materials/").content.decode()
    assert f'name="promise-{lease.pk}"' not in page
    response = client.post(f"{base(case)}/materials/", {f"promise-{lease.pk}": "1"})
    assert response.status_code == 400 and "失信记录" in response.content.decode()
    assert not case.materials.filter(source="commitment").exists()


def test_a_material_not_replaceable_or_an_item_without_text_refuses_the_mark(lease, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    other = case.item_version.materials.exclude(pk=lease.pk).first()
    for data in ({f"promise-{other.pk}": "1"}, {"promise-999999": "1", f"promise-{other.pk}": "yes"}):
        client.post(f"{base(case)}/materials/", data)
        assert not case.materials.filter(source="commitment").exists()
    version = case.item_version
    version.__class__.objects.filter(pk=version.pk).update(commitment_text="  ")
    assert f'name="promise-{lease.pk}"' not in client.get(f"{base(case)}/materials/").content.decode()
    response = client.post(f"{base(case)}/materials/", {f"promise-{lease.pk}": "1"})
    assert response.status_code == 400 and not case.materials.filter(source="commitment").exists()


def test_another_applicant_cannot_see_or_submit_it(lease, alice, bob):
    client = signed_in(alice)
    case = _to_materials(client)
    page = _mark(client, case, lease)
    other = signed_in(bob)
    assert other.get(f"{base(case)}/check/").status_code == 404
    assert other.get(f"{base(case)}/materials/").status_code == 404
    assert other.post(f"{base(case)}/materials/", {f"promise-{lease.pk}": ""}).status_code == 404
    assert (
        other.post(
            f"{base(case)}/submit/",
            {"idempotency_key": idempotency_key(page), "approval_commitment": _signed_text(page)},
        ).status_code
        == 404
    )
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and case.materials.filter(source="commitment").exists()
    assert not Commitment.objects.exists()


def test_the_officer_sees_the_commitment_and_what_it_replaces(lease, alice, officer_scjg, officer_ga):  # noqa: F811
    client = signed_in(alice)
    case = _to_materials(client)
    _submit(client, case, _mark(client, case, lease))
    case.refresh_from_db()
    signed = approval.signed(case)
    assert signed is not None
    officer = Client()
    officer.force_login(officer_scjg)
    page = officer.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "告知承诺办理" in page and lease.name in page and signed.sha256 in page and "住所合法有效" in page
    outsider = Client()
    outsider.force_login(officer_ga)
    assert outsider.get(f"/workbench/cases/{case.pk}/").status_code == 404
