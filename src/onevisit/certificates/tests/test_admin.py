"""Admin: types are edited with their fields checked; issued certificates are read-only and revoked by
an action that asks for the reason."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onevisit.certificates.models import Certificate, CertificateType

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(catalog_admin) -> Client:
    client = Client()
    client.force_login(catalog_admin)
    return client


def test_certificate_pages_render_and_mask_identifiers(admin_client_, issue, alice):
    certificate = issue(person=alice.person)
    assert admin_client_.get("/admin/certificates/certificate/").status_code == 200
    page = admin_client_.get(f"/admin/certificates/certificate/{certificate.pk}/change/").content.decode()
    assert certificate.number in page and "330106********3619" in page and "330106199002153619" not in page
    assert admin_client_.get("/admin/certificates/certificate/add/").status_code == 403


def test_the_revoke_action_asks_for_a_reason_first(admin_client_, issue, alice, bob):
    certificate = issue(person=alice.person)
    url = "/admin/certificates/certificate/"
    selected = {"action": "revoke", "_selected_action": [certificate.pk]}
    page = admin_client_.post(url, selected)
    assert page.status_code == 200 and "注销原因" in page.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    empty = admin_client_.post(url, {**selected, "apply": "1", "reason": "  "})
    assert empty.status_code == 200 and "请填写注销原因" in empty.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    done = admin_client_.post(url, {**selected, "apply": "1", "reason": "<b>告知承诺不实</b>"})
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_reason == "<b>告知承诺不实</b>"


def test_staff_without_the_permission_cannot_revoke(issue, alice):
    certificate = issue(person=alice.person)
    user = get_user_model().objects.create_user("viewer", password="pw-123456!", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    client = Client()
    client.force_login(user)
    assert client.get("/admin/certificates/certificate/").status_code == 200
    client.post(
        "/admin/certificates/certificate/",
        {"action": "revoke", "_selected_action": [certificate.pk], "apply": "1", "reason": "x"},
    )
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_a_type_with_bad_fields_is_refused(admin_client_):
    ctype = CertificateType.objects.get(code="senior_card")
    url = f"/admin/certificates/certificatetype/{ctype.pk}/change/"
    form = {
        "code": ctype.code,
        "name": ctype.name,
        "name_en": ctype.name_en,
        "title": ctype.title,
        "abbreviation": ctype.abbreviation,
        "distinct_by": "[]",
        "validity_years": "",
        "active": "on",
    }
    for fields, message in [
        ('[{"key": "Name!", "label": "姓名"}]', "小写字母"),
        ('[{"key": "id", "label": "号码", "identifier": true, "public": true}]', "不能在公开核验页面显示"),
        ("[]", "JSON"),
    ]:
        response = admin_client_.post(url, {**form, "fields": fields})
        assert response.status_code == 200 and message in response.content.decode(), fields
    ok = admin_client_.post(url, {**form, "fields": json.dumps(ctype.fields), "abbreviation": "LNYD"})
    assert ok.status_code == 302
    bad_abbreviation = admin_client_.post(
        url, {**form, "fields": json.dumps(ctype.fields), "abbreviation": "ln"}
    )
    assert "2 至 6 个大写字母" in bad_abbreviation.content.decode()
    assert Certificate.objects.count() == 0


def test_a_type_in_use_keeps_its_code_and_letters(admin_client_, issue, alice):
    issue(person=alice.person)
    ctype = CertificateType.objects.get(code="senior_card")
    page = admin_client_.get(f"/admin/certificates/certificatetype/{ctype.pk}/change/").content.decode()
    assert 'name="code"' not in page and 'name="abbreviation"' not in page and 'name="name"' in page
