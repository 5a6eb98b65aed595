import uuid

import pytest
from django.utils import timezone

from onevisit.cases import commitment as approval
from onevisit.cases import services
from onevisit.cases.models import Case, Decision
from onevisit.cases.tests.conftest import (  # noqa: F401
    FORM,
    _staff,
    alice,
    bob,
    file_case,
    officer_scjg,
    pdf,
    two_step_item,
)
from onevisit.catalog.models import ItemVersion, MaterialRequirement
from onevisit.certificates.services import certificate_issue
from onevisit.demo.loader import load_certificate_types

TEXT = "本人承诺：住所合法有效。\n如承诺不实：撤销许可，记入信用记录。"


@pytest.fixture
def item(two_step_item):  # noqa: F811
    version = two_step_item.current_version
    ItemVersion.objects.filter(pk=version.pk).update(commitment_text=TEXT)
    MaterialRequirement.objects.filter(version=version, code="lease").update(commitment_replaceable=True)
    return two_step_item


@pytest.fixture
def officers(django_user_model, departments):
    return [_staff(django_user_model, departments, f"officer{n}", "scjg", "officer") for n in range(4)]


@pytest.fixture
def officer_ga(django_user_model, departments):
    return _staff(django_user_model, departments, "officer_ga", "ga", "officer")


@pytest.fixture
def supervisor(django_user_model, departments):
    return _staff(django_user_model, departments, "supervisor", "scjg", "supervisor")


@pytest.fixture
def approved(item, departments):
    """Make a case of ``person`` approved on a commitment, with a valid certificate."""
    load_certificate_types()

    def make(person):
        case = services.case_draft_save(
            actor="applicant", version=item.current_version, form_data=FORM, channel="online", person=person
        )
        lease = item.current_version.materials.get(code="lease")
        approval.commitment_mark(actor="applicant", case=case, requirement=lease, replace=True)
        case = Case.objects.get(pk=case.pk)
        case = services.case_submit(
            actor="applicant", case=case, idempotency_key=uuid.uuid4(),
            approval_commitment=approval.commitment_text(case, [lease]),
        )  # fmt: skip
        certificate = certificate_issue(
            actor="t", type_code="senior_card", issuer=departments["scjg"], case_number=case.number,
            holder_person=person,
            data={"name": person.name, "gender": "女", "birth_date": "1949年12月31日",
                  "id_number": "11010519491231002X", "residence": "杭州市西湖区"},
        )  # fmt: skip
        Decision.objects.create(
            case=case, outcome="approve", reasons="符合条件", legal_basis="《条例》第十条"
        )
        Case.objects.filter(pk=case.pk).update(
            status=Case.Status.APPROVED, decided_at=timezone.now(), certificate_number=certificate.number
        )
        return Case.objects.get(pk=case.pk)

    return make


# ---- 电子监察 (alarms, 督办单, scores) ---------------------------------------------------------------


@pytest.fixture
def accepted(two_step_item, file_case):  # noqa: F811
    """File a case of ``person`` for the two-step item (promised 5, statutory 20 working days; steps
    审查 at 市场监管 then 核查 at 公安, 1 working day each) and accept it on ``on``."""

    def make(person, on):
        return services.case_accept(actor="clerk", case=file_case(two_step_item, person), on=on)

    return make


@pytest.fixture
def ningbo_supervisor(django_user_model, region):
    """A supervisor of another city (宁波, 3302…): watches none of 杭州's departments."""
    from onevisit.org.models import Department, Region
    from onevisit.org.services import staff_role_grant

    ningbo = Region.objects.create(code="330200", name="宁波市", level=3, parent=region.parent)
    department = Department.objects.create(code="330200-ZWFW", name="政务服务中心", region=ningbo)
    user = django_user_model.objects.create_user("nb_supervisor", password="pw-123456!", is_staff=True)
    staff_role_grant(actor="t", user=user, department=department, role="supervisor")
    return user
