"""一件事 pages: one form, one set of materials, one submit; wrong, hostile and oversized input changes
nothing; nobody sees another applicant's bundle; the catalogue admin previews the merged form."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from django.conf import settings

from onevisit.cases.models import BundleCase, Case, CaseGap, Commitment
from onevisit.cases.tests.test_bundles import _promisable, restaurant  # noqa: F401  (the fixture)

from .applying import pdf, signed_in

ANSWERS = {
    "applicant_name": "张三",
    "applicant_id_number": "11010519491231002X",
    "org_name": "张三餐饮有限公司",
}


def _start(client) -> BundleCase:
    response = client.post("/bundles/restaurant/apply/")
    assert response.status_code == 302
    return BundleCase.objects.latest("pk")


def _answered(client) -> tuple[BundleCase, str]:
    """A bundle started and its form answered: the case and its materials page."""
    bundle_case = _start(client)
    client.post(f"/account/bundles/{bundle_case.pk}/step/1/", ANSWERS)
    client.post(f"/account/bundles/{bundle_case.pk}/step/2/", {"business_area": "80"})
    return bundle_case, client.get(f"/account/bundles/{bundle_case.pk}/materials/").content.decode()


def test_an_applicant_files_a_bundle_once_with_one_form_and_one_upload(restaurant, alice):  # noqa: F811
    client = signed_in(alice)
    page = client.get("/bundles/restaurant/apply/")
    assert page.status_code == 200 and "企业设立登记" in page.content.decode()
    bundle_case = _start(client)
    assert bundle_case.children.count() == 3
    response = client.post(f"/account/bundles/{bundle_case.pk}/step/1/", ANSWERS)
    assert response.status_code == 302 and response["Location"].endswith("/step/2/")
    # Page 2 asks only what 食品经营许可 adds: the area. Text where a number goes is refused.
    bad = client.post(f"/account/bundles/{bundle_case.pk}/step/2/", {"business_area": "八十"})
    assert bad.status_code == 400 and "error-summary" in bad.content.decode()
    bundle_case.refresh_from_db()
    assert "business_area" not in bundle_case.form_data
    client.post(f"/account/bundles/{bundle_case.pk}/step/2/", {"business_area": "80"})
    page = client.get(f"/account/bundles/{bundle_case.pk}/materials/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "营业执照" in body and body.count('type="file"') == 1  # the licence comes from the bundle
    name = re.search(r'type="file" id="(m-\d+)"', body).group(1)
    evil = client.post(
        f"/account/bundles/{bundle_case.pk}/materials/", {name: pdf("a.exe", b"MZ\x90\x00" + b"\x00" * 60)}
    )
    assert evil.status_code == 400
    assert not Case.objects.filter(bundle_case=bundle_case, materials__isnull=False).exists()
    client.post(f"/account/bundles/{bundle_case.pk}/materials/", {name: pdf()})
    assert Case.objects.filter(bundle_case=bundle_case, materials__isnull=False).distinct().count() == 3
    check = client.get(f"/account/bundles/{bundle_case.pk}/check/")
    assert check.status_code == 200
    stale = client.post(f"/account/bundles/{bundle_case.pk}/submit/", {"idempotency_key": "not-a-key"})
    assert stale.status_code == 400 and BundleCase.objects.get(pk=bundle_case.pk).number is None
    key = str(uuid.uuid4())
    first = client.post(f"/account/bundles/{bundle_case.pk}/submit/", {"idempotency_key": key})
    second = client.post(f"/account/bundles/{bundle_case.pk}/submit/", {"idempotency_key": key})
    assert first.status_code == second.status_code == 302
    bundle_case.refresh_from_db()
    assert (
        bundle_case.number and Case.objects.filter(bundle_case=bundle_case).exclude(number=None).count() == 2
    )
    page = client.get(f"/account/bundles/{bundle_case.pk}/")
    assert page.status_code == 200 and bundle_case.number in page.content.decode()
    assert client.get(f"/account/bundles/{bundle_case.pk}/step/1/").status_code == 404  # filed: no changes
    assert "开餐馆一件事" in client.get("/cases/").content.decode()


def test_hostile_and_oversized_answers_are_refused_or_shown_as_text(restaurant, alice):  # noqa: F811
    client = signed_in(alice)
    bundle_case = _start(client)
    huge = client.post(f"/account/bundles/{bundle_case.pk}/step/1/", ANSWERS | {"org_name": "长" * 5000})
    assert huge.status_code == 400
    client.post(
        f"/account/bundles/{bundle_case.pk}/step/1/", ANSWERS | {"org_name": "<script>alert(1)</script>"}
    )
    check = client.get(f"/account/bundles/{bundle_case.pk}/check/").content.decode()
    assert "<script>alert(1)</script>" not in check and "&lt;script&gt;" in check
    assert client.get(f"/account/bundles/{bundle_case.pk}/step/9/").status_code == 404


def test_nobody_opens_another_applicant_s_bundle(restaurant, alice, bob):  # noqa: F811
    bundle_case = _start(signed_in(alice))
    other = signed_in(bob)
    for path in ("", "step/1/", "materials/", "check/"):
        assert other.get(f"/account/bundles/{bundle_case.pk}/{path}").status_code == 404
    assert (
        other.post(
            f"/account/bundles/{bundle_case.pk}/submit/", {"idempotency_key": str(uuid.uuid4())}
        ).status_code
        == 404
    )
    assert other.post(f"/account/bundles/{bundle_case.pk}/step/1/", ANSWERS).status_code == 404
    anonymous = signed_in.__globals__["Client"]()
    assert anonymous.get(f"/account/bundles/{bundle_case.pk}/").status_code == 302


def test_an_unpublished_bundle_has_no_application_page(restaurant, alice):  # noqa: F811
    restaurant.state = "withdrawn"
    restaurant.save()
    assert signed_in(alice).get("/bundles/restaurant/apply/").status_code == 404


@pytest.mark.django_db
def test_the_admin_previews_the_merged_form_and_warns_of_conflicts(restaurant, admin_client):  # noqa: F811
    sign = restaurant.members.get(item__code="S-1").item.current_version.form
    sign.schema["properties"]["area"] = {"type": "string", "x-data-element": "business.area", "title": "面积"}
    sign.save()
    page = admin_client.get(f"/admin/catalog/bundle/{restaurant.pk}/change/").content.decode()
    assert "business.area" in page and "含义不同" in page
    assert "统一社会信用代码" not in page.split("bundle-merged-form")[1].split("</table>")[0]


def test_a_material_supplied_later_in_a_bundle_is_committed_once_and_uploaded_once(
    restaurant,  # noqa: F811
    alice,
    bob,
):
    client = signed_in(alice)
    bundle_case, body = _answered(client)
    later = re.search(r'name="(later-\d+)"', body).group(1)
    assert "稍后补交（容缺）" in body
    response = client.post(f"/account/bundles/{bundle_case.pk}/materials/", {later: "1"})
    assert response.status_code == 302 and response["Location"].endswith("/check/")
    check = client.get(f"/account/bundles/{bundle_case.pk}/check/").content.decode()
    assert "签署承诺并提交" in check and check.count('class="commitment-text"') == 3
    fields = dict(re.findall(r'name="(commitment-[^"]+)" value="([^"]*)"', check))
    assert sorted(fields) == ["commitment-F-1", "commitment-L-1", "commitment-S-1"]
    texts = {k: html.unescape(v) for k, v in fields.items()}
    # A text changed after it was read files nothing.
    tampered = client.post(
        f"/account/bundles/{bundle_case.pk}/submit/",
        texts | {"commitment-S-1": texts["commitment-S-1"] + "（改）", "idempotency_key": str(uuid.uuid4())},
    )
    assert tampered.status_code == 400 and "承诺书内容已变化" in tampered.content.decode()
    assert BundleCase.objects.get(pk=bundle_case.pk).number is None
    response = client.post(
        f"/account/bundles/{bundle_case.pk}/submit/", texts | {"idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    bundle_case.refresh_from_db()
    assert bundle_case.number and Commitment.objects.filter(case__bundle_case=bundle_case).count() == 3
    page = client.get(f"/account/bundles/{bundle_case.pk}/").content.decode()
    assert "您需要做什么" in page or "What you need to do" in page
    action = re.search(r'action="(/account/bundles/\d+/gaps/\d+/)"', page).group(1)
    # Not bob's to supply, no file, a wrong material: nothing changes.
    assert signed_in(bob).post(action, {"file": pdf()}).status_code == 404
    empty = client.post(action, {}, follow=True)
    assert "请选择要补交的材料文件" in empty.content.decode()
    assert client.post(f"/account/bundles/{bundle_case.pk}/gaps/99/", {"file": pdf()}).status_code == 404
    assert CaseGap.objects.filter(case__bundle_case=bundle_case, supplied_at__isnull=True).count() == 3
    english = signed_in(alice)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Upload each once" in english.get(f"/account/bundles/{bundle_case.pk}/").content.decode()
    done = client.post(action, {"file": pdf()}, follow=True)
    assert "谢谢，补交的材料已收到" in done.content.decode()
    assert not CaseGap.objects.filter(case__bundle_case=bundle_case, supplied_at__isnull=True).exists()
    assert "gap-list" not in client.get(f"/account/bundles/{bundle_case.pk}/").content.decode()


def test_a_commitment_replaces_a_material_in_a_bundle_from_its_pages(restaurant, alice):  # noqa: F811
    _promisable(restaurant)
    client = signed_in(alice)
    bundle_case, body = _answered(client)
    promise = re.search(r'name="(promise-\d+)"', body).group(1)
    response = client.post(f"/account/bundles/{bundle_case.pk}/materials/", {promise: "1"})
    assert response.status_code == 302 and response["Location"].endswith("/check/")
    check = client.get(f"/account/bundles/{bundle_case.pk}/check/").content.decode()
    assert "承诺替代" in check and check.count('class="commitment-text"') == 3
    fields = {k: html.unescape(v) for k, v in re.findall(r'name="(approval-[^"]+)" value="([^"]*)"', check)}
    assert sorted(fields) == ["approval-F-1", "approval-L-1", "approval-S-1"]
    response = client.post(
        f"/account/bundles/{bundle_case.pk}/submit/", fields | {"idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    assert Commitment.objects.filter(case__bundle_case=bundle_case, kind="commitment").count() == 3
