import datetime as dt
import io

import pytest

from conftest import bpmn
from onevisit.identity.services import person_register
from onevisit.org.services import staff_role_grant

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def two_step_item(make_item):
    """An item whose process goes through 市场监管 then 公安, 1 working day each."""
    return make_item(
        code="C-1",
        statutory=20,
        promised=5,
        process=bpmn({"330100-SCJG": [("review", "审查", 1)], "330100-GA": [("check", "核查", 1)]}),
    )


@pytest.fixture
def alice(db):
    return person_register(actor="t", name="张三", id_number="11010519491231002X")


@pytest.fixture
def bob(db):
    return person_register(actor="t", name="李四", id_number="110105198001010016")


def _staff(django_user_model, departments, username, dept, role):
    user = django_user_model.objects.create_user(username, password="pw-123456!")
    staff_role_grant(actor="t", user=user, department=departments[dept], role=role)
    return user


@pytest.fixture
def officer_scjg(django_user_model, departments):
    return _staff(django_user_model, departments, "officer_scjg", "scjg", "officer")


@pytest.fixture
def officer_ga(django_user_model, departments):
    return _staff(django_user_model, departments, "officer_ga", "ga", "officer")


@pytest.fixture
def approver_scjg(django_user_model, departments):
    return _staff(django_user_model, departments, "approver_scjg", "scjg", "approver")


@pytest.fixture
def pdf():
    return lambda: io.BytesIO(PDF)


FORM = {"name": "张三", "id_number": "11010519491231002X"}


@pytest.fixture
def file_case(pdf):
    """Draft, upload the lease, submit: a case waiting for acceptance."""
    import uuid

    from onevisit.cases import services

    def file(item, person, channel="online", actor="applicant"):
        case = services.case_draft_save(
            actor=actor, version=item.current_version, form_data=FORM, channel=channel, person=person
        )
        lease = item.current_version.materials.get(code="lease")
        services.material_upload(actor=actor, case=case, requirement=lease, stream=pdf(), name="租赁合同.pdf")
        return services.case_submit(actor=actor, case=case, idempotency_key=uuid.uuid4())

    return file
