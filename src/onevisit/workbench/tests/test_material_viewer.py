"""The material viewer: one file of a case at a time (PDF embedded, images inline) with previous and
next, only for staff who may see the case; the file itself is served so that it cannot run scripts."""

import io

import pytest
from django.test import Client
from PIL import Image

from onevisit.cases import services
from onevisit.cases.models import SuppliedMaterial
from onevisit.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def case(two_step_item, alice, file_case):
    """A submitted case with two files: the lease (PDF) and a photo of the ID card (PNG)."""
    case = file_case(two_step_item, alice)
    photo = two_step_item.current_version.materials.get(code="applicant-id")
    services.material_upload(actor="t", case=case, requirement=photo, stream=_png(), name="身份证.png")
    return case


def _files(case):
    return list(case.materials.exclude(file="").order_by("requirement__order", "pk"))


def test_a_pdf_is_embedded_with_a_fallback_link_and_the_next_file(case, officer_scjg):
    first, second = _files(case)
    assert first.content_type == "image/png" or second.content_type == "image/png"
    pdf = first if first.content_type == "application/pdf" else second
    page = _client(officer_scjg).get(f"/workbench/cases/{case.pk}/materials/{pdf.pk}/").content.decode()
    assert f'<iframe class="material-frame" src="/workbench/materials/{pdf.pk}/"' in page
    assert " sandbox" not in page.split("<iframe")[1].split(">")[0]  # the file's own CSP sandboxes it
    assert f'href="/workbench/materials/{pdf.pk}/?download=1" download' in page
    other = second if pdf is first else first
    assert f"/workbench/cases/{case.pk}/materials/{other.pk}/" in page
    assert "住所使用证明" in page


def test_an_image_is_shown_with_alt_text_and_previous_next(case, officer_scjg):
    first, second = _files(case)
    client = _client(officer_scjg)
    page = client.get(f"/workbench/cases/{case.pk}/materials/{first.pk}/").content.decode()
    assert 'rel="next"' in page and 'rel="prev"' not in page and "第 1 份，共 2 份" in page
    page = client.get(f"/workbench/cases/{case.pk}/materials/{second.pk}/").content.decode()
    assert 'rel="prev"' in page and 'rel="next"' not in page
    image = first if first.content_type == "image/png" else second
    page = client.get(f"/workbench/cases/{case.pk}/materials/{image.pk}/").content.decode()
    assert f'<img class="material-image" src="/workbench/materials/{image.pk}/" alt="申请人身份证明' in page


def test_the_case_page_links_to_the_viewer(case, officer_scjg):
    page = _client(officer_scjg).get(f"/workbench/cases/{case.pk}/").content.decode()
    for material in _files(case):
        assert f"/workbench/cases/{case.pk}/materials/{material.pk}/" in page


def test_each_view_is_logged(case, officer_scjg):
    material = _files(case)[0]
    _client(officer_scjg).get(f"/workbench/cases/{case.pk}/materials/{material.pk}/")
    event = AuditEvent.objects.filter(action="material_viewed").get()
    assert event.object_id == str(material.pk)


def test_the_file_cannot_run_scripts_and_may_be_framed_only_by_the_workbench(case, officer_scjg):
    client = _client(officer_scjg)
    for material in _files(case):
        response = client.get(f"/workbench/materials/{material.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == material.content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        csp = response["Content-Security-Policy"]
        assert "sandbox" in csp and "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
        assert "script-src" not in csp
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert response["Content-Disposition"].startswith("inline;")
        assert "no-store" in response["Cache-Control"]
        download = client.get(f"/workbench/materials/{material.pk}/", {"download": "1"})
        assert download["Content-Disposition"].startswith("attachment;")


def test_a_stored_type_outside_the_allowed_list_is_only_downloaded(case, officer_scjg):
    material = _files(case)[0]
    SuppliedMaterial.objects.filter(pk=material.pk).update(content_type="text/html")
    response = _client(officer_scjg).get(f"/workbench/materials/{material.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    page = _client(officer_scjg).get(f"/workbench/cases/{case.pk}/materials/{material.pk}/").content.decode()
    assert "<iframe" not in page and "<img class" not in page and "无法在此显示" in page


def test_another_department_sees_neither_viewer_nor_file(case, officer_ga):
    client = _client(officer_ga)
    for material in _files(case):
        assert client.get(f"/workbench/cases/{case.pk}/materials/{material.pk}/").status_code == 404
        assert client.get(f"/workbench/materials/{material.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action="material_viewed").exists()


def test_a_material_of_another_case_is_not_found_under_this_case(
    case, officer_scjg, two_step_item, bob, file_case
):
    other = file_case(two_step_item, bob)
    foreign = other.materials.exclude(file="").first()
    response = _client(officer_scjg).get(f"/workbench/cases/{case.pk}/materials/{foreign.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["0", "999999", "-1", "abc", "1.5", "%3Cscript%3E"])
def test_bad_ids_are_not_found(case, officer_scjg, path):
    response = _client(officer_scjg).get(f"/workbench/cases/{case.pk}/materials/{path}/")
    assert response.status_code == 404


def test_applicants_and_visitors_are_sent_to_the_staff_login(case, django_user_model):
    material = _files(case)[0]
    citizen = django_user_model.objects.create_user("citizen", password="pw-123456!")
    for client in (Client(), _client(citizen)):
        response = client.get(f"/workbench/cases/{case.pk}/materials/{material.pk}/")
        assert response.status_code == 302 and "/workbench/login/" in response["Location"]
