"""The demo's certificates: every type's fields are sound, the demo people and organizations have
certificates that pass both checks, a revoked and an expired one exist, and loading twice changes nothing."""

import json

import pytest
from django.db import transaction

from onevisit.certificates.models import Certificate, CertificateType, type_fields_problems
from onevisit.certificates.selectors import certificate_check, certificates_visible_to
from onevisit.demo import loader
from onevisit.identity.models import ApplicantAccount

pytestmark = pytest.mark.django_db


def _load():
    with transaction.atomic():
        loader.load_regions()
        loader.load_departments()
        loader.load_certificate_types()
        loader.load_people("t")
        loader.load_applicants("t")
        loader.load_certificates("t")


def test_every_demo_type_is_sound():
    rows = json.loads((loader.DATA / "certificate_types.json").read_text(encoding="utf-8"))
    assert len(rows) >= 10
    for row in rows:
        assert type_fields_problems(row["fields"], row.get("distinct_by") or []) == [], row["code"]
    codes = {row["code"] for row in rows}
    assert {
        "business_licence",
        "food_business_licence",
        "senior_card",
        "social_security_card",
        "vocational_qualification",
        "household_transfer",
        "individual_business_licence",
        "birth_certificate",
        "marriage_certificate",
        "real_estate_certificate",
    } <= codes


def test_the_demo_wallets_are_not_empty_and_every_certificate_checks_out():
    _load()
    zhang_wei = ApplicantAccount.objects.get(person__name="张伟").person
    mine = certificates_visible_to(zhang_wei)
    assert {c.type.code for c in mine} >= {
        "senior_card",
        "social_security_card",
        "business_licence",
        "id_card",
    }
    statuses = {c.status_on() for c in Certificate.objects.all()}
    assert statuses == {"valid", "superseded", "revoked", "expired"}
    for certificate in Certificate.objects.select_related("type", "issuer"):
        check = certificate_check(certificate)
        assert check.pdf_signature_ok and check.sm2_ok, certificate.number
    count = Certificate.objects.count()
    _load()  # idempotent: the same case numbers give the same certificates
    assert Certificate.objects.count() == count
    assert CertificateType.objects.count() >= 10
