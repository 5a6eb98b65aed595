"""certificate_issue: numbered, rendered, signed and stored; idempotent per case and type; the holder's
previous valid certificate of the same series is superseded; bad input changes nothing."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError

from onevisit.certificates.models import Certificate, CertificateType
from onevisit.certificates.numbers import number_normalize
from onevisit.certificates.selectors import certificate_valid_for, pdf_bytes
from onevisit.certificates.services import certificate_issue, validity_of
from onevisit.core.models import AuditEvent

from .conftest import LICENCE, SENIOR

pytestmark = pytest.mark.django_db


def pdf_text(certificate: Certificate) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf_bytes(certificate), capture_output=True, check=True
    )
    return done.stdout.decode()


def test_a_certificate_is_numbered_signed_and_stored(issue, alice, departments, today, settings):
    certificate = issue(person=alice.person)
    assert number_normalize(certificate.number) == certificate.number
    assert certificate.number.startswith(f"330100LNYD{today.year}000001")
    assert (
        certificate.status == "valid" and certificate.valid_from == today and certificate.valid_until is None
    )
    assert certificate.pdf.name.startswith(f"certificates/{today.year}/{certificate.number}-")
    assert str(settings.MEDIA_ROOT) in certificate.pdf.path
    assert len(certificate.pdf_sha256) == 64 and len(certificate.sm2_signature) == 128
    event = AuditEvent.objects.get(action="certificate_issued")
    assert event.data["number"] == certificate.number and event.data["case_number"] == certificate.case_number
    second = issue(
        person=alice.person,
        type_code="vocational_qualification",
        data={
            "name": "林爱丽",
            "id_number": "330106199002153619",
            "occupation": "育婴员",
            "level": "四级",
            "assessed_on": "2026年1月1日",
            "assessment_body": "杭州市职业技能鉴定指导中心",
        },
    )
    assert second.number.startswith(f"330100ZYZG{today.year}000001")
    third = issue(
        person=alice.person,
        type_code="vocational_qualification",
        data={**second.data, "occupation": "保育师"},
    )
    assert third.number.startswith(f"330100ZYZG{today.year}000002")


def test_personal_data_is_encrypted_at_rest(issue, alice):
    from django.db import connection

    certificate = issue(person=alice.person)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM certificates_certificate WHERE id = %s", [certificate.pk])
        raw = cursor.fetchone()[0]
    assert "330106199002153619" not in raw and "林爱丽" not in raw
    assert Certificate.objects.get(pk=certificate.pk).data["id_number"] == "330106199002153619"


def test_the_pdf_shows_the_chinese_text_and_the_verification_address(issue, acme, settings):
    certificate = issue(org=acme)
    text = pdf_text(certificate)
    assert "营业执照" in text and "杭州西溪云栖科技有限公司" in text and "统一社会信用代码" in text
    assert certificate.number in text
    assert f"{settings.ONEVISIT_SITE_URL}/verify/{certificate.number}/" in "".join(text.split())
    assert "市场监督管理局" in text and "长期有效" in text


def test_a_provisional_certificate_says_so_on_the_pdf(issue, alice):
    text = pdf_text(issue(person=alice.person, provisional=True))
    assert "临时证照" in text


def test_issuing_twice_for_one_case_returns_the_first_certificate(issue, alice):
    first = issue(person=alice.person, case_number="33010020261126000001")
    again = issue(
        person=alice.person, case_number="33010020261126000001", data={**SENIOR, "residence": "别处"}
    )
    assert again.pk == first.pk and again.data["residence"] == SENIOR["residence"]
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="certificate_issued").count() == 1


def test_a_new_certificate_supersedes_the_holders_valid_one_of_the_type(issue, alice, bob):
    old = issue(person=alice.person)
    bobs = issue(person=bob.person, data={**SENIOR, "name": "包博文"})
    new = issue(person=alice.person, data={**SENIOR, "residence": "浙江省杭州市余杭区"})
    old.refresh_from_db()
    bobs.refresh_from_db()
    assert old.status == "superseded" and new.supersedes == old and old.superseded_by == new
    assert bobs.status == "valid"  # another holder's certificate is untouched
    assert certificate_valid_for(type_code="senior_card", person=alice.person) == new


def test_parallel_certificates_of_distinct_series_do_not_supersede_each_other(issue, alice):
    data = {
        "name": "林爱丽",
        "id_number": "330106199002153619",
        "level": "四级",
        "assessed_on": "2026年1月1日",
        "assessment_body": "某机构",
    }
    nurse = issue(
        person=alice.person, type_code="vocational_qualification", data={**data, "occupation": "育婴员"}
    )
    chef = issue(
        person=alice.person, type_code="vocational_qualification", data={**data, "occupation": "中式烹调师"}
    )
    higher = issue(
        person=alice.person,
        type_code="vocational_qualification",
        data={**data, "occupation": "育婴员", "level": "三级"},
    )
    nurse.refresh_from_db()
    chef.refresh_from_db()
    assert nurse.status == "superseded" and higher.supersedes == nurse and chef.status == "valid"


def test_validity_is_counted_in_years_minus_one_day():
    ctype = CertificateType(validity_years=5)
    assert validity_of(ctype, dt.date(2026, 3, 1)) == dt.date(2031, 2, 28)
    assert validity_of(ctype, dt.date(2024, 2, 29)) == dt.date(2029, 2, 27)
    assert validity_of(CertificateType(validity_years=None), dt.date(2026, 3, 1)) is None


def test_validity_comes_from_the_type(issue, acme, departments):
    certificate = issue(
        org=acme,
        type_code="food_business_licence",
        valid_from=dt.date(2026, 3, 1),
        data={
            "operator": "杭州西溪云栖科技有限公司",
            "uscc": LICENCE["uscc"],
            "legal_representative": "李娜",
            "address": "杭州",
            "premises": "杭州市西湖区某路1号",
            "main_format": "餐饮服务经营者",
            "business_items": "热食类食品制售",
        },
    )
    assert certificate.valid_until == dt.date(2031, 2, 28)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"data": {k: v for k, v in SENIOR.items() if k not in ("gender", "residence")}},
            "gender, residence",
        ),
        ({"data": {**SENIOR, "shoe_size": "42"}}, "shoe_size"),
        ({"data": {**SENIOR, "name": ["a", "list"]}}, "name"),
        ({"data": {**SENIOR, "residence": "长" * 2001}}, "2000"),
        ({"data": "not an object"}, ""),
        ({"type_code": "no-such-type"}, "no-such-type"),
        ({"case_number": "9" * 41}, "40"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(issue, alice, change, message):
    with pytest.raises(ValidationError) as info:
        issue(person=alice.person, **change)
    assert message in " ".join(info.value.messages)
    assert not Certificate.objects.exists()
    assert not AuditEvent.objects.filter(action="certificate_issued").exists()


def test_missing_keys_are_named(issue, alice):
    with pytest.raises(ValidationError) as info:
        issue(person=alice.person, data={"name": "林爱丽"})
    assert "gender, birth_date, id_number, residence" in info.value.message_dict["data"][0]


def test_a_certificate_has_exactly_one_holder(alice, acme, departments):
    for holders in ({}, {"holder_person": alice.person, "holder_org": acme}):
        with pytest.raises(ValidationError):
            certificate_issue(
                actor="t",
                type_code="senior_card",
                data=SENIOR,
                issuer=departments["ga"],
                case_number="x",
                **holders,
            )


def test_an_inactive_type_issues_nothing(issue, alice):
    CertificateType.objects.filter(code="senior_card").update(active=False)
    with pytest.raises(ValidationError):
        issue(person=alice.person)


def test_hostile_text_is_kept_as_text(issue, alice):
    hostile = '<script>alert("x")</script> & <b>'
    certificate = issue(person=alice.person, data={**SENIOR, "residence": hostile})
    assert Certificate.objects.get(pk=certificate.pk).data["residence"] == hostile
    assert hostile.replace("&", "&") in pdf_text(certificate).replace("\n", "")
