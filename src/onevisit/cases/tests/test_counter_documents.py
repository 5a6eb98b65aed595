"""The counter's papers as PDF: 受理回执, 补正材料一次性告知书 (everything missing, the seal's place) and
不予受理通知书 (reasons and legal basis). The Chinese text is read back with pdftotext."""

import shutil
import subprocess
import uuid

import pytest
from django.utils import timezone, translation

from onevisit.cases import counter
from onevisit.cases.documents import counter_document, counter_document_pdf
from onevisit.identity.services import authorization_grant, organization_register
from onevisit.org.models import ServiceCenter

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
    ),
]
TRACKING = "https://example.org/cases/x/"


@pytest.fixture
def center(region):
    return ServiceCenter.objects.create(
        code="A", name="市民之家", region=region, address="解放东路18号", phone="0571-12345", hours="9-17"
    )


@pytest.fixture
def person_item(two_step_item):
    two_step_item.audience = "person"
    two_step_item.save(update_fields=["audience"])
    return two_step_item


def _intake(item, center, person, outcome, **extra):
    return counter.case_counter_intake(
        actor="clerk", center=center, version=item.current_version, person=person,
        form_data={"name": "张三", "id_number": "11010519491231002X"}, outcome=outcome,
        idempotency_key=uuid.uuid4(), **extra,
    )  # fmt: skip


def _text(case, kind) -> str:
    document = counter_document(case, kind)
    assert document is not None
    pdf = counter_document_pdf(document, tracking_url=TRACKING)
    assert pdf.startswith(b"%PDF")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return "".join(result.stdout.decode().split())  # layout spaces and line breaks do not matter


def test_the_notice_lists_everything_missing_with_the_seal(person_item, center, alice):
    case = _intake(person_item, center, alice, "notice", note="申请表未签名")
    text = _text(case, "notice")
    for expected in (
        "补正材料一次性告知书",
        case.number,
        "张三",
        "住所使用证明",
        "申请表未签名",
        "《行政许可法》第三十二条",
        "市场监督管理局印章",
        "本办件到现场次数：1次",
        "市民之家",
    ):
        assert expected in text, expected
    assert "11010519491231002X" not in text  # only the masked number is printed


def test_the_refusal_gives_reasons_and_legal_basis(person_item, center, alice):
    case = _intake(
        person_item, center, alice, "refuse", reasons="申请事项不属于本机关职权范围",
        legal_basis="《行政许可法》第三十二条第一款第二项",
    )  # fmt: skip
    text = _text(case, "refusal")
    for expected in ("不予受理通知书", "申请事项不属于本机关职权范围", "第三十二条第一款第二项", "行政复议"):
        assert expected in text, expected


def test_the_receipt_shows_the_deadlines_and_a_qr_code(person_item, center, alice):
    requirements = list(person_item.current_version.materials.all())
    case = _intake(person_item, center, alice, "accept", paper=requirements)
    text = _text(case, "receipt")
    for expected in (
        "受理回执",
        "承诺办结日期",
        "法定时限",
        "住所使用证明",
        "扫码在线查看办理进度",
        TRACKING,
    ):
        assert expected in text, expected


def test_an_organisations_document_names_the_organisation_and_its_agent(two_step_item, center, alice):
    company = organization_register(
        actor="t", name="杭州西溪云栖科技有限公司", uscc_code="91330106MA2H7K3LXA"
    )
    authorization_grant(actor="t", grantor=company, agent=alice, valid_from=timezone.localdate())
    case = _intake(two_step_item, center, alice, "notice", organization=company)
    text = _text(case, "notice")
    assert "杭州西溪云栖科技有限公司" in text and "9133**********3LXA" in text and "张三" in text


def test_the_pdf_is_in_english_for_an_english_page(person_item, center, alice):
    case = _intake(person_item, center, alice, "notice")
    with translation.override("en"):
        text = _text(case, "notice")
    assert "Noticeofeverythingmissing" in text and "Article32" in text


def test_no_document_for_a_kind_the_case_does_not_have(person_item, center, alice):
    case = _intake(person_item, center, alice, "notice")
    assert counter_document(case, "receipt") is None
    assert counter_document(case, "refusal") is None
    assert counter_document(case, "../../etc/passwd") is None
