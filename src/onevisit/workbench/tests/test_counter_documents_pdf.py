"""The counter's documents as PDF downloads beside the printable pages: scoped to the clerk's centre."""

import shutil
import subprocess

import pytest

from onevisit.cases.models import Case

from .counter_setup import intake, login

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return "".join(result.stdout.decode().split())


@pytest.mark.parametrize(
    ("outcome", "kind", "extra", "title"),
    [
        ("notice", "notice", {}, "补正材料一次性告知书"),
        (
            "refuse",
            "refusal",
            {"reasons": "不属于本机关职权", "legal_basis": "《行政许可法》第三十二条"},
            "不予受理通知书",
        ),
        ("accept", "receipt", {}, "受理回执"),
    ],
)
def test_each_document_page_offers_its_pdf(at_counter, counter_item, outcome, kind, extra, title):
    paper = ["lease", "plan", "health"] if outcome == "accept" else []
    response = intake(at_counter, counter_item, outcome, paper=paper, **extra)
    case = Case.objects.get()
    page = at_counter.get(response["Location"]).content.decode()
    assert f'href="/workbench/counter/cases/{case.pk}/{kind}/pdf/"' in page and "data-print" in page
    pdf = at_counter.get(f"/workbench/counter/cases/{case.pk}/{kind}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'inline; filename="{kind}-{case.number}.pdf"'
    assert pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = _text(pdf.content)
        assert title in text and case.number in text


def test_a_document_the_case_does_not_have_is_not_found(at_counter, counter_item):
    intake(at_counter, counter_item, "notice")
    case = Case.objects.get()
    for kind in ("receipt", "refusal", "nonsense", "notice.pdf"):
        assert at_counter.get(f"/workbench/counter/cases/{case.pk}/{kind}/pdf/").status_code == 404


def test_another_centre_and_officers_get_no_pdf(at_counter, counter_item, clerk_b, officer_scjg):
    intake(at_counter, counter_item, "notice")
    case = Case.objects.get()
    assert login(clerk_b).get(f"/workbench/counter/cases/{case.pk}/notice/pdf/").status_code == 404
    assert login(officer_scjg).get(f"/workbench/counter/cases/{case.pk}/notice/pdf/").status_code == 404


def test_visitors_are_sent_to_the_staff_login(at_counter, counter_item):
    from django.test import Client

    intake(at_counter, counter_item, "notice")
    case = Case.objects.get()
    response = Client().get(f"/workbench/counter/cases/{case.pk}/notice/pdf/")
    assert response.status_code == 302 and "/workbench/login/" in response["Location"]
