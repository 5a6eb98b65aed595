"""The workbench shows how the rules decided a 秒批 case, lets the department's officer replace the
decision, and logs every read of the applicant's data for them to see."""

from __future__ import annotations

import pytest
from django.test import Client

from onevisit.cases import instant
from onevisit.cases.models import Case
from onevisit.cases.tests.test_instant import file
from onevisit.cases.tests.test_instant import senior_item as senior_item
from onevisit.exchange.models import DataAccess

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def decided(senior_item, alice):
    case = file(senior_item, alice)
    instant.case_instant_decide(actor="applicant", case=case)
    return Case.objects.get(pk=case.pk)


def test_the_officer_sees_the_rule_and_its_inputs_masked(decided, officer_scjg):
    page = _client(officer_scjg).get(f"/workbench/cases/{decided.pk}/").content.decode()
    assert "公布的审批规则（秒批）" in page and "R2" in page and "年满60周岁的本市户籍老年人" in page
    assert "规则的输入" in page and "本市户籍" in page
    assert "11010519491231002X" not in page and "1101**********002X" in page
    assert "复核自动决定" in page and decided.certificate_number in page


def test_the_officer_replaces_the_decision_and_the_first_stays_on_record(decided, officer_scjg):
    client = _client(officer_scjg)
    response = client.post(
        f"/workbench/cases/{decided.pk}/overturn/",
        {"outcome": "reject", "reasons": "经核实非本市户籍", "legal_basis": "《老年人权益保障法》第五十七条"},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=decided.pk)
    assert case.status == Case.Status.REJECTED and case.decision.history[0]["outcome"] == "approve"
    page = client.get(f"/workbench/cases/{decided.pk}/").content.decode()
    assert "已经复核变更" in page and "复核自动决定" not in page


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "reject", "reasons": "", "legal_basis": ""},
        {"outcome": "maybe", "reasons": "x", "legal_basis": "y"},
        {"outcome": "reject", "reasons": "x" * 5000, "legal_basis": "y"},
        {},
    ],
)
def test_a_wrong_review_changes_nothing_and_says_why(decided, officer_scjg, data):
    client = _client(officer_scjg)
    response = client.post(f"/workbench/cases/{decided.pk}/overturn/", data, follow=True)
    assert Case.objects.get(pk=decided.pk).status == Case.Status.APPROVED
    assert "notice-important" in response.content.decode()


def test_another_department_cannot_review(decided, officer_ga):
    client = _client(officer_ga)
    assert client.get(f"/workbench/cases/{decided.pk}/").status_code == 404
    response = client.post(
        f"/workbench/cases/{decided.pk}/overturn/", {"outcome": "reject", "reasons": "x", "legal_basis": "y"}
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=decided.pk).status == Case.Status.APPROVED


def test_opening_a_case_is_in_the_applicants_data_use_log_once_per_sitting(decided, officer_scjg, alice):
    client = _client(officer_scjg)
    client.get(f"/workbench/cases/{decided.pk}/")
    client.get(f"/workbench/cases/{decided.pk}/")
    reads = DataAccess.objects.filter(kind="case_file", case_ref=decided.number)
    assert reads.count() == 1
    read = reads.get()
    assert (
        read.subject_person == alice and read.department.code == "330100-SCJG" and read.user == officer_scjg
    )
    assert read.role and read.purpose == "办理办件"
