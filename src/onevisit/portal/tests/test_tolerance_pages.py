"""容缺 online: mark a material "supply later", sign the commitment on the check page, read the
notice, supply it from the case page; another applicant sees and fills nothing."""

import html
import re

import pytest

from onevisit.cases import services
from onevisit.cases.models import Case, Commitment

from .applying import CODE, base, idempotency_key, pdf, signed_in, start

pytestmark = pytest.mark.django_db


def _to_materials(client) -> Case:
    first = start(client)
    case = Case.objects.latest("pk")
    client.post(first, {"name": "林爱丽", "id_number": "330106199002153619", "phone": "13900000001"})
    client.post(f"{base(case)}/step/2/", {"employees": "3", "delivery": "邮寄", "note": ""})
    return case


def _commitment(page: str) -> str:
    match = re.search(r'name="commitment" value="([^"]*)"', page)
    assert match, "no commitment on the check page"
    return html.unescape(match.group(1))


def _file_with_gap(client) -> Case:
    case = _to_materials(client)
    lease = case.item_version.materials.get(code="lease")
    page = client.get(f"{base(case)}/materials/").content.decode()
    assert f'name="later-{lease.pk}"' in page and "稍后补交" in page
    response = client.post(f"{base(case)}/materials/", {f"later-{lease.pk}": "1"})
    assert response["Location"] == f"{base(case)}/check/"
    page = client.get(f"{base(case)}/check/").content.decode()
    assert "签署承诺并提交" in page and "终止" in page and lease.name in page
    response = client.post(
        f"{base(case)}/submit/", {"idempotency_key": idempotency_key(page), "commitment": _commitment(page)}
    )
    assert response["Location"] == f"{base(case)}/done/"
    case.refresh_from_db()
    return case


def test_filed_with_a_gap_signed_accepted_and_supplied(item, alice):
    client = signed_in(alice)
    case = _file_with_gap(client)
    assert case.status == Case.Status.SUBMITTED
    signed = Commitment.objects.get(case=case)
    assert signed.signed_by == alice.person and signed.ip
    case = services.case_accept(actor="clerk", case=case)
    page = client.get(f"/cases/{case.number}/").content.decode()
    gap = case.gaps.get()
    assert f'id="gap-{gap.pk}"' in page and "容缺受理告知书" in page
    notice = client.get(f"/cases/{case.number}/gap-notice/").content.decode()
    assert gap.requirement.name in notice and gap.requirement.get_form_display() in notice
    assert f"{gap.deadline.year}年" in notice and "终止" in notice
    response = client.get(f"/cases/{case.number}/gap-notice.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    response = client.post(f"/cases/{case.number}/gaps/{gap.pk}/", {"file": pdf()})
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.supplied_at is not None
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert f'id="gap-{gap.pk}"' not in page and "已全部提交" in page


def test_without_an_upload_or_the_mark_the_materials_page_says_what_to_do(item, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    response = client.post(f"{base(case)}/materials/", {})
    assert response.status_code == 400 and "或选择稍后补交" in response.content.decode()


def test_a_changed_commitment_is_refused_and_nothing_is_filed(item, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    lease = case.item_version.materials.get(code="lease")
    client.post(f"{base(case)}/materials/", {f"later-{lease.pk}": "1"})
    page = client.get(f"{base(case)}/check/").content.decode()
    for text in ("我承诺按期补交。", _commitment(page).replace("终止", "继续"), "x" * 50000):
        response = client.post(
            f"{base(case)}/submit/", {"idempotency_key": idempotency_key(page), "commitment": text}
        )
        assert response.status_code == 400 and "承诺书内容已变化" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not Commitment.objects.exists()


def test_a_material_that_is_not_tolerable_cannot_be_marked(item, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    other = case.item_version.materials.get(code="applicant-id")
    response = client.post(f"{base(case)}/materials/", {f"later-{other.pk}": "1"})
    assert response.status_code == 400 and not case.gaps.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "请选择"),
        (pdf("empty.pdf", b""), "文件是空的"),
        (pdf("../../evil.pdf", b"<script>alert(1)</script>"), ""),
        (pdf("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1)), "10 MB"),
    ],
)
def test_bad_uploads_to_a_gap_are_refused(item, alice, upload, message):
    client = signed_in(alice)
    case = services.case_accept(actor="clerk", case=_file_with_gap(client))
    gap = case.gaps.get()
    response = client.post(
        f"/cases/{case.number}/gaps/{gap.pk}/", {"file": upload} if upload else {}, follow=True
    )
    gap.refresh_from_db()
    assert gap.supplied_at is None and message in response.content.decode()
    assert not case.materials.filter(source="upload").exists()


def test_another_applicant_cannot_see_or_fill_the_gaps(item, alice, bob):
    case = services.case_accept(actor="clerk", case=_file_with_gap(signed_in(alice)))
    gap = case.gaps.get()
    other = signed_in(bob)
    assert other.get(f"/cases/{case.number}/gap-notice/").status_code == 404
    assert other.get(f"/cases/{case.number}/gap-notice.pdf").status_code == 404
    assert other.post(f"/cases/{case.number}/gaps/{gap.pk}/", {"file": pdf()}).status_code == 404
    gap.refresh_from_db()
    assert gap.supplied_at is None
    assert CODE in case.item_version.item.code
