"""GET /api/v1/certificates/{number}/: public status and signatures of a certificate, no personal data."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onevisit.certificates.services import certificate_issue, certificate_revoke
from onevisit.demo.loader import load_certificate_types
from onevisit.identity.services import person_register

pytestmark = pytest.mark.django_db

SENIOR = {
    "name": "张三",
    "gender": "女",
    "birth_date": "1949年12月31日",
    "id_number": "11010519491231002X",
    "residence": "杭州",
}


@pytest.fixture
def card(departments):
    load_certificate_types()
    alice = person_register(actor="t", name="张三", id_number="11010519491231002X")
    return certificate_issue(
        actor="t",
        type_code="senior_card",
        holder_person=alice,
        issuer=departments["ga"],
        case_number="C1",
        data=SENIOR,
    )


def test_a_valid_certificate_says_valid_with_both_signatures_and_no_personal_data(card):
    response = APIClient().get(f"/api/v1/certificates/{card.number}/")
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["pdf_signature_ok"], body["sm2_ok"]) == ("valid", True, True)
    assert body["holder"] == "张*" and body["issuer"] == "330100-GA" and body["type"] == "senior_card"
    text = response.content.decode()
    assert "11010519491231002X" not in text and "张三" not in text


def test_a_revoked_certificate_says_revoked(card):
    certificate_revoke(actor="t", certificate=card, reason="信息有误")
    body = APIClient().get(f"/api/v1/certificates/{card.number}/").json()
    assert body["status"] == "revoked" and body["revoked_at"]


@pytest.mark.parametrize("number", ["X", "<script>", "1" * 80, "%00"])
def test_a_malformed_number_gets_a_clear_400(card, number):
    response = APIClient().get(f"/api/v1/certificates/{number}/")
    assert response.status_code in (400, 404)
    assert response.json()


def test_a_wrong_check_character_is_caught(card):
    last = card.number[-1]
    forged = card.number[:-1] + ("A" if last != "A" else "B")
    response = APIClient().get(f"/api/v1/certificates/{forged}/")
    assert response.status_code == 400 and "number" in str(response.json())


def test_an_unknown_well_formed_number_is_not_found(card):
    from onevisit.certificates.numbers import number_make

    unknown = number_make(region_code="330100", abbreviation="LNYD", year=2026, sequence=999999)
    assert APIClient().get(f"/api/v1/certificates/{unknown}/").status_code == 404
