"""秒批: the published rules decide a filed case at once (with the certificate), or hand it to people;
an officer can overturn an automatic decision and both stay on record. Data stands in for papers (免提交)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onevisit.cases import instant, services
from onevisit.cases.evidence import evidence_for, trusted_values
from onevisit.cases.models import Case, SuppliedMaterial
from onevisit.catalog.models import MaterialRequirement, RuleDefinition
from onevisit.catalog.services import PublishError, version_publish
from onevisit.certificates.models import Certificate
from onevisit.certificates.services import certificate_issue
from onevisit.core.audit import AuditEvent
from onevisit.demo.loader import load_certificate_types
from onevisit.exchange.models import DataAccess
from onevisit.workflow.tests.test_rules import table

SENIOR_RULES = table(
    [
        ("&lt; 60", "-", "reject", "未满60周岁，不符合申领条件"),
        ("&gt;= 60", "True", "approve", "年满60周岁的本市户籍老年人"),
        ("&gt;= 60", "False", "manual", "非本市户籍，转人工核实"),
    ],
    expression="age",
    second="local_hukou",
)
SENIOR_FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["name", "id_number", "age", "residence"],
    "properties": {
        "name": {"type": "string", "title": "姓名", "maxLength": 30, "x-data-element": "applicant.name"},
        "id_number": {"type": "string", "title": "身份证号", "x-data-element": "applicant.id_number"},
        "age": {
            "type": "integer",
            "title": "年龄",
            "minimum": 0,
            "maximum": 150,
            "x-data-element": "applicant.age",
        },
        "local_hukou": {"type": "boolean", "title": "本市户籍", "x-data-element": "applicant.local_hukou"},
        "residence": {
            "type": "string",
            "title": "居住地址",
            "maxLength": 100,
            "x-data-element": "applicant.residence",
        },
    },
}


@pytest.fixture
def senior_item(make_item, departments):
    """老年人优待证 (秒批): rules over the age (from the ID number) and 本市户籍 (from the registry)."""
    load_certificate_types()
    item = make_item(code="330100-MZ-001", name="老年人优待证办理", kind="immediate", statutory=0, promised=0,
                     form=json.loads(json.dumps(SENIOR_FORM)), publish=False,
                     process=__import__("conftest").bpmn({"330100-SCJG": [("review", "审核", 0)]}))  # fmt: skip
    version = item.versions.get()
    version.certificate_type = "senior_card"
    version.save()
    MaterialRequirement.objects.filter(version=version, code="lease").delete()
    RuleDefinition.objects.create(version=version, dmn_xml=SENIOR_RULES)
    version_publish(actor="test", version=version)
    item.refresh_from_db()
    return item


def file(item, person, **form):
    data = {
        "name": person.name,
        "id_number": "11010519491231002X",
        "age": 30,
        "residence": "杭州市西湖区北山街道1号",
    }
    case = services.case_draft_save(
        actor="applicant",
        version=item.current_version,
        form_data=data | form,
        channel="online",
        person=person,
    )
    return services.case_submit(actor="applicant", case=case, idempotency_key=uuid.uuid4())


def test_the_rules_approve_at_once_with_the_certificate_and_the_trace(senior_item, alice):
    # alice (born 1949-12-31) typed 30 as her age; her ID number says 76: the verified value is used.
    case = file(senior_item, alice, age=30, local_hukou=False)
    assert case.form_data["age"] >= 76 and case.form_data["local_hukou"] is True
    result = instant.case_instant_decide(actor="applicant", case=case)
    case.refresh_from_db()
    assert result.outcome == "approve" and case.status == Case.Status.APPROVED
    decision = case.decision
    assert decision.automatic and decision.decided_by is None and decision.legal_basis
    assert decision.rule_trace["rule_id"] == "R2" and decision.rule_trace["inputs"]["local_hukou"] is True
    assert decision.reasons == "年满60周岁的本市户籍老年人"
    certificate = Certificate.objects.get(number=case.certificate_number)
    assert certificate.holder_person == alice and certificate.status == "valid"
    assert certificate.data["gender"] == "女" and certificate.data["birth_date"] == "1949年12月31日"
    assert certificate.data["residence"] == "杭州市西湖区北山街道1号"
    assert case.accepted_on == timezone.localdate(case.decided_at) and case.certificate_due is not None
    assert case.events.filter(kind="certificate_issued").exists()
    # The department's use of the registry for this case is in alice's data-use log.
    assert DataAccess.objects.filter(
        case_ref=case.number, subject_person=alice, resource__code="household-register"
    ).exists()


def test_the_rules_reject_with_reasons_and_legal_basis(senior_item, bob):
    case = file(senior_item, bob)  # bob's ID number: born 1980
    instant.case_instant_decide(actor="applicant", case=case)
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED and case.decision.reasons == "未满60周岁，不符合申领条件"
    assert case.decision.legal_basis and not case.certificate_number


def test_manual_leaves_the_case_to_people_and_says_why(senior_item, alice):
    from onevisit.exchange.models import DataRecord

    for record in DataRecord.objects.filter(resource__code="household-register"):
        record.data = {"name": record.data["name"]}  # the registry does not say where she is registered
        record.save()
    case = file(senior_item, alice)
    assert "local_hukou" not in case.form_data
    result = instant.case_instant_decide(actor="applicant", case=case)
    case.refresh_from_db()
    assert result.outcome == "manual" and case.status == Case.Status.SUBMITTED
    assert not hasattr(case, "decision") or not Case.objects.get(pk=case.pk).__dict__.get("decision")
    event = case.events.get(kind="instant_manual")
    assert event.public and "local_hukou" in event.message


def test_an_item_without_rules_is_not_decided_by_machine(make_item, alice):
    item = make_item(code="C-2")
    case = services.case_draft_save(
        actor="a", version=item.current_version, form_data={"name": "张三", "id_number": "11010519491231002X"},
        channel="online", person=alice,
    )  # fmt: skip
    services.material_upload(actor="a", case=case, requirement=item.current_version.materials.get(code="lease"),
                             stream=__import__("io").BytesIO(b"%PDF-1.4\n%%EOF\n"), name="a.pdf")  # fmt: skip
    case = services.case_submit(actor="a", case=case, idempotency_key=uuid.uuid4())
    assert instant.case_instant_decide(actor="a", case=case) is None
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_a_decided_case_is_not_decided_again(senior_item, alice):
    case = file(senior_item, alice)
    instant.case_instant_decide(actor="a", case=case)
    with pytest.raises(services.CaseStateError):
        instant.case_instant_decide(actor="a", case=case)


def test_an_officer_overturns_an_automatic_approval_and_the_certificate_is_revoked(
    senior_item, alice, officer_scjg, officer_ga
):
    case = file(senior_item, alice)
    instant.case_instant_decide(actor="applicant", case=case)
    case.refresh_from_db()
    number = case.certificate_number
    with pytest.raises(PermissionDenied):  # another department's officer
        instant.case_decision_overturn(
            actor=officer_ga, case=case, outcome="reject", reasons="x", legal_basis="y"
        )
    with pytest.raises(ValidationError):  # a rejection needs reasons and legal basis
        instant.case_decision_overturn(
            actor=officer_scjg, case=case, outcome="reject", reasons=" ", legal_basis=""
        )
    with pytest.raises(ValidationError):  # the same outcome is no review
        instant.case_decision_overturn(
            actor=officer_scjg, case=case, outcome="approve", reasons="x", legal_basis="y"
        )
    decision = instant.case_decision_overturn(
        actor=officer_scjg, case=case, outcome="reject", reasons="户籍信息有误，经核实非本市户籍",
        legal_basis="《老年人权益保障法》第五十七条",
    )  # fmt: skip
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED and decision.decided_by == officer_scjg
    assert case.certificate_number == "" and case.certificate_due is None
    assert (
        decision.history[0]["outcome"] == "approve" and decision.history[0]["rule_trace"]["rule_id"] == "R2"
    )
    assert Certificate.objects.get(number=number).status == "revoked"
    assert case.events.filter(kind="certificate_revoked", public=True).exists()  # the applicant is told
    assert case.events.filter(kind="decision_overturned").exists()
    actions = list(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert "case_instant_decided" in actions and "case_decision_overturned" in actions
    with pytest.raises(services.CaseStateError):  # a person's decision is not reviewed here
        instant.case_decision_overturn(
            actor=officer_scjg, case=case, outcome="approve", reasons="x", legal_basis="y"
        )


def test_a_valid_certificate_in_the_wallet_stands_in_for_a_material(senior_item, alice, departments):
    version = senior_item.current_version
    card = MaterialRequirement.objects.create(
        version=version, code="old-card", name="原优待证", certificate_type="senior_card"
    )
    case = services.case_draft_save(
        actor="a", version=version, form_data={"name": alice.name, "id_number": "11010519491231002X", "age": 1,
                                                "residence": "杭州"}, channel="online", person=alice,
    )  # fmt: skip
    assert card.pk not in evidence_for(case) and card in services.missing_materials(case)
    certificate_issue(
        actor="t", type_code="senior_card", holder_person=alice, issuer=departments["ga"], case_number="X1",
        data={"name": alice.name, "gender": "女", "birth_date": "1949年12月31日", "id_number": "11010519491231002X",
              "residence": "杭州"},
    )  # fmt: skip
    found = evidence_for(case)[card.pk]
    assert found.source == "certificate" and found.title
    assert card not in services.missing_materials(case)
    case = services.case_submit(actor="a", case=case, idempotency_key=uuid.uuid4())
    used = SuppliedMaterial.objects.get(case=case, requirement=card)
    assert used.source == "certificate" and used.reference == found.reference
    assert DataAccess.objects.filter(
        case_ref=case.number, subject_person=alice, resource__isnull=True
    ).exists()


def test_trusted_values_come_from_identity_and_the_registry(senior_item, alice):
    case = services.case_draft_save(
        actor="a", version=senior_item.current_version, form_data={}, channel="online", person=alice
    )
    known = trusted_values(case)
    assert known["age"].value >= 76 and known["local_hukou"].value is True
    assert "户籍人口信息" in known["local_hukou"].source
    assert not DataAccess.objects.exists()  # the applicant reading their own data is not logged


def test_publishing_refuses_rules_reading_a_field_the_form_lacks(make_item):
    item = make_item(code="C-3", publish=False)
    RuleDefinition.objects.create(version=item.versions.get(), dmn_xml=SENIOR_RULES)
    with pytest.raises(PublishError) as error:
        version_publish(actor="t", version=item.versions.get())
    assert "age" in str(error.value.messages)


def test_publishing_refuses_unknown_data_resources_and_certificate_types(make_item):
    item = make_item(code="C-4", publish=False)
    version = item.versions.get()
    version.certificate_type = "no-such-card"
    version.save()
    MaterialRequirement.objects.create(version=version, code="x", name="某证明", shared_data="no-such-data")
    with pytest.raises(PublishError) as error:
        version_publish(actor="t", version=version)
    text = " ".join(error.value.messages)
    assert "no-such-card" in text and "no-such-data" in text


def test_the_admin_lists_which_rule_decided_each_case(senior_item, alice, bob, admin_client):
    approved, rejected = file(senior_item, alice), file(senior_item, bob)
    for case in (approved, rejected):
        instant.case_instant_decide(actor="a", case=case)
    page = admin_client.get("/admin/cases/decision/?item=330100-MZ-001&by=rules").content.decode()
    assert approved.number in page and rejected.number in page and "R1" in page and "R2" in page


def test_a_person_s_approval_issues_the_certificate_after_the_commit_within_art_44(
    make_item, alice, officer_scjg, django_capture_on_commit_callbacks
):
    from onevisit.workflow.models import WorkItem

    load_certificate_types()
    item = make_item(code="330100-MZ-009", form=json.loads(json.dumps(SENIOR_FORM)), publish=False,
                     process=__import__("conftest").bpmn({"330100-SCJG": [("review", "审核", 1)]}))  # fmt: skip
    version = item.versions.get()
    version.certificate_type = "senior_card"
    version.save()
    MaterialRequirement.objects.filter(version=version, code="lease").delete()
    version_publish(actor="test", version=version)
    item.refresh_from_db()
    case = services.case_accept(actor="clerk", case=file(item, alice))
    step = WorkItem.objects.get(instance=case.process_instance, status="open")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_step_complete(
            actor=officer_scjg, case=case, work_item=step, decision="approve", opinion="符合条件"
        )
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.certificate_due is not None
    assert (
        case.certificate_number
        and Certificate.objects.get(number=case.certificate_number).holder_person == alice
    )
    # The job is idempotent: running it again issues nothing new.
    from onevisit.cases.issuance import case_certificate_issue

    assert case_certificate_issue(actor="system", case_id=case.pk) == case.certificate_number
    assert Certificate.objects.filter(case_number=case.number).count() == 1


def test_at_the_counter_a_senior_is_decided_in_the_same_sitting(senior_item, alice, region):
    from onevisit.cases import counter
    from onevisit.org.models import ServiceCenter

    senior_item.audience = "person"
    senior_item.save()
    center = ServiceCenter.objects.create(
        code="A", name="市民之家", region=region, address="解放东路18号", hours="9-17"
    )
    case = counter.case_counter_intake(
        actor="clerk", center=center, version=senior_item.current_version, person=alice, outcome="accept",
        form_data={"name": alice.name, "id_number": "11010519491231002X", "age": 0, "residence": "杭州"},
        idempotency_key=uuid.uuid4(),
    )  # fmt: skip
    assert case.status == Case.Status.APPROVED and case.visits == 1 and case.certificate_number
    assert case.decision.automatic


def test_a_read_only_field_is_never_taken_from_what_was_typed(make_item, alice):
    from onevisit.cases import forms
    from onevisit.exchange.models import DataRecord

    form = json.loads(json.dumps(SENIOR_FORM))
    form["properties"]["local_hukou"]["readOnly"] = True
    form["required"].append("local_hukou")
    assert forms.coerce(form, {"local_hukou": "true", "residence": "杭州"}) == {"residence": "杭州"}
    assert "local_hukou" not in forms.validate(
        form, {"name": "张三", "id_number": "1", "age": 70, "residence": "x"}
    )
    load_certificate_types()
    item = make_item(code="330100-MZ-011", form=form, publish=False, kind="immediate", statutory=0, promised=0,
                     process=__import__("conftest").bpmn({"330100-SCJG": [("review", "审核", 0)]}))  # fmt: skip
    version = item.versions.get()
    MaterialRequirement.objects.filter(version=version, code="lease").delete()
    RuleDefinition.objects.create(version=version, dmn_xml=SENIOR_RULES)
    version_publish(actor="test", version=version)
    item.refresh_from_db()
    for record in DataRecord.objects.filter(resource__code="household-register"):
        record.data = {"name": record.data["name"]}  # the registry cannot say
        record.save()
    case = file(item, alice, local_hukou=True)  # typed (e.g. through the API or a crafted form)
    assert "local_hukou" not in case.form_data
    assert instant.case_instant_decide(actor="a", case=case).outcome == "manual"


def test_a_record_gone_at_filing_stops_the_filing_and_asks_for_an_upload(make_item, alice, monkeypatch):
    from onevisit.exchange import services as exchange_services

    item = make_item(code="C-5")
    case = services.case_draft_save(
        actor="a", version=item.current_version, form_data={"name": "张三", "id_number": "11010519491231002X"},
        channel="online", person=alice,
    )  # fmt: skip
    services.material_upload(actor="a", case=case, requirement=item.current_version.materials.get(code="lease"),
                             stream=__import__("io").BytesIO(b"%PDF-1.4\n%%EOF\n"), name="a.pdf")  # fmt: skip
    monkeypatch.setattr(exchange_services, "data_lookup", lambda **kwargs: None)
    with pytest.raises(ValidationError, match="请改为上传"):
        services.case_submit(actor="a", case=case, idempotency_key=uuid.uuid4())
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not case.number
    assert not SuppliedMaterial.objects.filter(case=case, source="shared_data").exists()
