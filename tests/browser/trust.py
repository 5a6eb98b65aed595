"""Helpers of the 容缺 / 告知承诺 / 事后核查 browser tests: a published item of its own per test (so the
demo catalogue stays as it is), cases filed and approved through the services, and an applicant of
its own when a test writes a credit record (the browser tests share one database)."""

from __future__ import annotations

import uuid
from typing import Any

SENIOR_FORM = {
    "type": "object",
    "required": ["name", "residence"],
    "properties": {
        "name": {"type": "string", "title": "姓名", "maxLength": 30, "x-data-element": "applicant.name"},
        "residence": {"type": "string", "title": "居住地址", "maxLength": 100, "x-data-element": "applicant.residence"},
    },
}  # fmt: skip
LEASE = "住所使用证明（容缺测试）"
PROOF = "场所消防检测合格证明（核查测试）"
COMMITMENT = "本人承诺：场所消防设施经检测合格。\n如承诺不实：撤销许可，依法处罚，并记入信用记录。"


def make_item(
    code: str, department: str, *, gap: bool = False, promise: bool = False, provisional: bool = False
) -> Any:
    """A published item for individuals issuing a 老年人优待证-type certificate, handled in one step by
    ``department``; with a tolerable lease (``gap``) and/or a proof a commitment may replace."""
    from conftest import bpmn
    from onevisit.catalog.models import (
        FormSchema,
        ItemVersion,
        MaterialRequirement,
        ProcessDefinition,
        ServiceItem,
    )
    from onevisit.catalog.services import version_publish
    from onevisit.demo.loader import load_certificate_types
    from onevisit.org.models import Department

    load_certificate_types()
    item = ServiceItem.objects.create(
        code=code, name=f"核查测试事项{code[-2:]}", department=Department.objects.get(code=department), audience="person"
    )  # fmt: skip
    version = ItemVersion.objects.create(
        item=item, number=1, name=item.name, kind="promised", statutory_limit_days=20, promised_limit_days=10,
        channels=["online", "counter"], legal_basis=[{"law": "《行政许可法》", "article": "第三十二条"}],
        certificate_type="senior_card", provisional_certificate=provisional,
        commitment_text=COMMITMENT if promise else "",
    )  # fmt: skip
    if gap:
        MaterialRequirement.objects.create(
            version=version, code="lease", name=LEASE, tolerable=True, form="copy"
        )
    if promise:
        MaterialRequirement.objects.create(
            version=version, code="proof", name=PROOF, commitment_replaceable=True, order=1
        )
    FormSchema.objects.create(version=version, schema=SENIOR_FORM)
    ProcessDefinition.objects.create(version=version, bpmn_xml=bpmn({department: [("review", "审查", 2)]}))
    version_publish(actor="test", version=version)
    item.refresh_from_db()
    return item


def account(phone: str) -> Any:
    from onevisit.core import crypto
    from onevisit.identity.models import ApplicantAccount

    return ApplicantAccount.objects.select_related("person", "user").get(phone_hash=crypto.lookup_hash(phone))


def new_applicant(name: str, id_number: str, phone: str) -> Any:
    """A person of this test only, with an applicant account (password demo1234)."""
    from django.contrib.auth.hashers import make_password

    from onevisit.identity.services import applicant_account_open, person_register

    person = person_register(actor="test", name=name, id_number=id_number, phone=phone)
    return applicant_account_open(
        actor="test", person=person, phone=phone, password_hash=make_password("demo1234")
    )


def draft(item: Any, person: Any) -> Any:
    from onevisit.cases import services

    return services.case_draft_save(
        actor="applicant", version=item.current_version, channel="online", person=person,
        form_data={"name": person.name, "residence": "浙江省杭州市西湖区北山街道（演示地址）"},
    )  # fmt: skip


def approve(case: Any, officer: str) -> Any:
    """Accept the filed case, approve its one step as ``officer`` and issue its certificate."""
    from django.contrib.auth import get_user_model

    from onevisit.cases import issuance, services
    from onevisit.cases.models import Case
    from onevisit.workflow.models import WorkItem

    user = get_user_model().objects.get(username=officer)
    case = services.case_accept(actor=user, case=case)
    step = WorkItem.objects.get(instance=case.process_instance, status="open")
    services.case_step_complete(actor=user, case=case, work_item=step, decision="approve", opinion="符合条件")
    issuance.case_certificate_issue(actor="system", case_id=case.pk)
    return Case.objects.get(pk=case.pk)


def filed_with_gap(item: Any, person: Any) -> Any:
    from onevisit.cases import services, tolerance
    from onevisit.cases.models import Case

    case = draft(item, person)
    lease = item.current_version.materials.get(code="lease")
    tolerance.gap_mark(actor="applicant", case=case, requirement=lease, later=True)
    case = Case.objects.get(pk=case.pk)
    return services.case_submit(
        actor="applicant", case=case, idempotency_key=uuid.uuid4(), commitment=tolerance.commitment_text(case, [lease])
    )  # fmt: skip


def filed_on_commitment(item: Any, person: Any) -> Any:
    from onevisit.cases import commitment as approval
    from onevisit.cases import services
    from onevisit.cases.models import Case

    case = draft(item, person)
    proof = item.current_version.materials.get(code="proof")
    approval.commitment_mark(actor="applicant", case=case, requirement=proof, replace=True)
    case = Case.objects.get(pk=case.pk)
    return services.case_submit(
        actor="applicant", case=case, idempotency_key=uuid.uuid4(),
        approval_commitment=approval.commitment_text(case, [proof]),
    )  # fmt: skip
