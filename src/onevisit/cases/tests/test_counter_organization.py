"""Counter services for organisations (法人): a walk-in organisation with its 经办人 and authorization,
all or nothing; and intake that matches the applicant to the service's audience."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onevisit.cases import counter
from onevisit.cases.models import Case
from onevisit.identity.models import Authorization, Organization, Person
from onevisit.identity.services import authorization_grant, organization_register
from onevisit.org.models import ServiceCenter

pytestmark = pytest.mark.django_db

USCC = "91330106MA2H7K3LXA"
WALK_IN_ID = "330106199002153627"


@pytest.fixture
def center(region):
    return ServiceCenter.objects.create(
        code="A", name="市民之家", region=region, address="解放东路18号", hours="9-17"
    )


@pytest.fixture
def company(db):
    return organization_register(actor="t", name="杭州西溪云栖科技有限公司", uscc_code=USCC)


def _walk_in(**extra):
    values = {
        "actor": "clerk", "name": "杭州良渚食味餐饮管理有限公司", "uscc_code": "91330110MA2J4P8Q15",
        "legal_representative": "陈静", "agent_name": "李四", "agent_id_number": WALK_IN_ID,
        "valid_from": timezone.localdate(), **extra,
    }  # fmt: skip
    return counter.counter_organization_register(**values)


def test_a_walk_in_organisation_with_its_agent_and_authorization(db):
    authorization = _walk_in(item_codes=None)
    assert authorization.grantor.name == "杭州良渚食味餐饮管理有限公司"
    assert authorization.agent.name == "李四" and authorization.scope == "all"


def test_all_or_nothing_when_the_agent_is_wrong(db):
    with pytest.raises(ValidationError) as caught:
        _walk_in(
            agent_id_number="110105194912310020", valid_until=timezone.localdate() - dt.timedelta(days=1)
        )
    assert set(caught.value.message_dict) == {"agent_id_number", "valid_until"}
    assert not Organization.objects.exists() and not Person.objects.exists()


def test_every_field_is_checked_at_once(db):
    with pytest.raises(ValidationError) as caught:
        _walk_in(
            name="", uscc_code="123", agent_name="", agent_id_number="", valid_from=None,
            item_codes="NOPE",
        )  # fmt: skip
    assert set(caught.value.message_dict) == {"name", "uscc", "agent_id_number", "valid_from", "item_codes"}


def test_an_authorization_cannot_start_in_the_future(company, alice):
    with pytest.raises(ValidationError) as caught:
        counter.counter_agent_authorize(
            actor="clerk", organization=company, agent_name="", agent_id_number="11010519491231002X",
            valid_from=timezone.localdate() + dt.timedelta(days=1),
        )  # fmt: skip
    assert "valid_from" in caught.value.message_dict and not Authorization.objects.exists()


def test_the_agents_name_must_match_a_registered_id_number(company, alice):
    with pytest.raises(ValidationError) as caught:
        counter.counter_agent_authorize(
            actor="clerk", organization=company, agent_name="王五", agent_id_number="11010519491231002X",
            valid_from=timezone.localdate(),
        )  # fmt: skip
    assert "agent_name" in caught.value.message_dict
    authorization = counter.counter_agent_authorize(
        actor="clerk", organization=company, agent_name=" 张三 ", agent_id_number="11010519491231002x",
        valid_from=timezone.localdate(),
    )  # fmt: skip
    assert authorization.agent == alice and Person.objects.count() == 1


def test_listed_item_codes_must_exist(company, alice, two_step_item):
    with pytest.raises(ValidationError) as caught:
        counter.counter_agent_authorize(
            actor="clerk", organization=company, agent_name="", agent_id_number="11010519491231002X",
            valid_from=timezone.localdate(), item_codes="C-1、NOPE",
        )  # fmt: skip
    assert "NOPE" in caught.value.message_dict["item_codes"][0]
    authorization = counter.counter_agent_authorize(
        actor="clerk", organization=company, agent_name="", agent_id_number="11010519491231002X",
        valid_from=timezone.localdate(), item_codes="C-1",
    )  # fmt: skip
    assert authorization.item_codes == ["C-1"] and authorization.agent == alice


def _intake(version, center, person, organization=None):
    return counter.case_counter_intake(
        actor="clerk", center=center, version=version, person=person, organization=organization,
        form_data={"name": "张三"}, outcome="notice", idempotency_key=uuid.uuid4(),
    )  # fmt: skip


def test_a_service_for_organisations_needs_an_organisation(two_step_item, center, alice, company):
    assert two_step_item.audience == "organization"
    with pytest.raises(ValidationError, match=r"法人|organisations"):
        _intake(two_step_item.current_version, center, alice)
    with pytest.raises(ValidationError, match=r"授权委托书|authorization"):
        _intake(two_step_item.current_version, center, alice, company)
    assert not Case.objects.exists()
    authorization_grant(actor="t", grantor=company, agent=alice, valid_from=timezone.localdate())
    case = _intake(two_step_item.current_version, center, alice, company)
    assert case.applicant_org == company and case.agent == alice and case.applicant_person is None


def test_a_service_for_individuals_is_not_taken_in_for_an_organisation(two_step_item, center, alice, company):
    two_step_item.audience = "person"
    two_step_item.save(update_fields=["audience"])
    authorization_grant(actor="t", grantor=company, agent=alice, valid_from=timezone.localdate())
    with pytest.raises(ValidationError, match=r"个人|individuals"):
        _intake(two_step_item.current_version, center, alice, company)
    case = _intake(two_step_item.current_version, center, alice)
    assert case.applicant_person == alice and case.applicant_org is None
