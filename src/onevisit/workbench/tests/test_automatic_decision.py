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


@pytest.fixture
def approved_without_details(make_item, alice, officer_scjg, django_capture_on_commit_callbacks):
    """A person's approval of an item whose certificate needs a detail the form does not give."""
    import json

    from conftest import bpmn
    from onevisit.cases import services
    from onevisit.cases.tests.test_instant import SENIOR_FORM
    from onevisit.catalog.models import MaterialRequirement
    from onevisit.catalog.services import version_publish
    from onevisit.demo.loader import load_certificate_types
    from onevisit.workflow.models import WorkItem

    load_certificate_types()
    form = json.loads(json.dumps(SENIOR_FORM))
    del form["properties"]["residence"]
    form["required"].remove("residence")
    item = make_item(
        code="330100-MZ-010", form=form, publish=False, process=bpmn({"330100-SCJG": [("review", "审核", 1)]})
    )
    version = item.versions.get()
    version.certificate_type = "senior_card"
    version.save()
    MaterialRequirement.objects.filter(version=version, code="lease").delete()
    version_publish(actor="test", version=version)
    item.refresh_from_db()
    case = services.case_draft_save(
        actor="a", version=item.current_version, form_data={"name": alice.name, "id_number": "11010519491231002X", "age": 1},
        channel="online", person=alice,
    )  # fmt: skip
    case = services.case_accept(
        actor="clerk",
        case=services.case_submit(actor="a", case=case, idempotency_key=__import__("uuid").uuid4()),
    )
    step = WorkItem.objects.get(instance=case.process_instance, status="open")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_step_complete(
            actor=officer_scjg, case=case, work_item=step, decision="approve", opinion="同意"
        )
    return Case.objects.get(pk=case.pk)


def test_a_missing_certificate_detail_is_entered_by_the_officer_then_issued(
    approved_without_details, officer_scjg
):
    case = approved_without_details
    assert case.status == Case.Status.APPROVED and not case.certificate_number
    assert case.events.filter(kind="certificate_pending", public=False).count() == 1
    client = _client(officer_scjg)
    page = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "签发电子证照" in page and 'name="c-residence"' in page
    response = client.post(f"/workbench/cases/{case.pk}/certificate/", {"c-residence": "   "}, follow=True)
    assert "notice-important" in response.content.decode()
    assert not Case.objects.get(pk=case.pk).certificate_number
    client.post(f"/workbench/cases/{case.pk}/certificate/", {"c-residence": "杭州市西湖区北山街道1号"})
    case.refresh_from_db()
    assert case.certificate_number and case.certificate_extra == {"residence": "杭州市西湖区北山街道1号"}
    from onevisit.certificates.models import Certificate

    assert (
        Certificate.objects.get(number=case.certificate_number).data["residence"] == "杭州市西湖区北山街道1号"
    )
    assert "签发电子证照" not in client.get(f"/workbench/cases/{case.pk}/").content.decode()


def test_another_department_cannot_issue_the_certificate(approved_without_details, officer_ga):
    response = _client(officer_ga).post(
        f"/workbench/cases/{approved_without_details.pk}/certificate/", {"c-residence": "x"}
    )
    assert response.status_code == 404
    assert not Case.objects.get(pk=approved_without_details.pk).certificate_number
