"""Shared data is used only as its sharing class or an agreement allows, and every use is logged."""

from __future__ import annotations

import datetime as dt

import pytest

from onevisit.exchange.models import DataAccess, DataResource, SharingAgreement
from onevisit.exchange.selectors import accesses_of
from onevisit.exchange.services import (
    ExchangeError,
    access_record,
    consent_give,
    consent_withdraw,
    data_lookup,
    record_put,
)
from onevisit.identity.services import organization_register, person_register
from onevisit.org.models import Department


@pytest.fixture
def marriage(departments):
    mz = Department.objects.create(code="330100-MZ", name="民政局", region=departments["scjg"].region)
    return DataResource.objects.create(
        code="marriage-register", name="婚姻登记信息", provider=mz, subject_kind="person",
        sharing_class="conditional",
        fields=[{"key": "status", "label": "婚姻状况"}, {"key": "spouse_id_number", "label": "配偶身份证号"}],
    )  # fmt: skip


@pytest.fixture
def alice(db):
    return person_register(actor="t", name="张三", id_number="11010519491231002X")


@pytest.fixture
def bob(db):
    return person_register(actor="t", name="李四", id_number="110105198001010016")


def lookup(resource, department, person, **kwargs):
    return data_lookup(
        actor="officer", department=department, resource=resource, person=person,
        purpose=kwargs.pop("purpose", "审查申请"), case_ref=kwargs.pop("case_ref", "3301002026112600001"), **kwargs,
    )  # fmt: skip


def test_unconditional_data_is_read_and_the_use_logged(departments, alice):
    household = DataResource.objects.get(code="household-register")
    shared = lookup(household, departments["scjg"], alice)
    assert shared is not None and shared.data["local_hukou"] is True
    access = DataAccess.objects.get()
    assert (access.subject_person, access.department, access.resource, access.found) == (
        alice, departments["scjg"], household, True,
    )  # fmt: skip
    assert access.case_ref == "3301002026112600001" and access.purpose == "审查申请"
    assert list(accesses_of(person=alice)) == [access]


def test_conditional_data_needs_an_agreement_in_force(departments, alice, marriage):
    record_put(
        actor="t",
        resource=marriage,
        person=alice,
        data={"status": "已婚", "spouse_id_number": "110105194912310029"},
    )
    with pytest.raises(ExchangeError, match="共享协议"):
        lookup(marriage, departments["scjg"], alice)
    assert not DataAccess.objects.exists()
    today = dt.date.today()
    SharingAgreement.objects.create(
        resource=marriage, consumer=departments["scjg"], purpose="企业登记核验", fields=["status"],
        valid_from=today - dt.timedelta(days=30), valid_until=today - dt.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(ExchangeError):
        lookup(marriage, departments["scjg"], alice)  # the agreement has ended
    agreement = SharingAgreement.objects.create(
        resource=marriage,
        consumer=departments["scjg"],
        purpose="企业登记核验",
        fields=["status"],
        valid_from=today,
    )
    shared = lookup(marriage, departments["scjg"], alice)
    assert shared is not None and shared.data == {"status": "已婚"}  # only the fields agreed
    assert DataAccess.objects.get().agreement == agreement
    # The provider reads its own data without an agreement.
    assert lookup(marriage, marriage.provider, alice).data["spouse_id_number"] == "110105194912310029"


def test_data_that_is_not_shared_is_refused(departments, alice, marriage):
    marriage.sharing_class = "none"
    marriage.save()
    with pytest.raises(ExchangeError, match="不予共享"):
        lookup(marriage, departments["scjg"], alice)
    assert not DataAccess.objects.exists()


def test_a_missing_record_is_logged_as_not_found(departments, alice, marriage):
    marriage.sharing_class = "unconditional"
    marriage.save()
    assert lookup(marriage, departments["scjg"], alice) is None
    assert DataAccess.objects.get().found is False


@pytest.mark.parametrize(
    "purpose, case_ref", [("", "3301"), ("   ", "3301"), ("审查", ""), ("x" * 201, "3301")]
)
def test_a_lookup_must_name_its_case_and_purpose(departments, alice, purpose, case_ref):
    household = DataResource.objects.get(code="household-register")
    with pytest.raises(ExchangeError):
        lookup(household, departments["scjg"], alice, purpose=purpose, case_ref=case_ref)
    assert not DataAccess.objects.exists()


def test_an_organization_is_not_looked_up_in_a_register_of_people(departments):
    acme = organization_register(actor="t", name="杭州西溪云栖科技有限公司", uscc_code="91330106MA2H7K3LXA")
    household = DataResource.objects.get(code="household-register")
    with pytest.raises(ExchangeError):
        data_lookup(
            actor="o", department=departments["scjg"], resource=household, org=acme, purpose="x", case_ref="1"
        )


def test_records_refuse_unknown_fields(departments, alice, marriage):
    with pytest.raises(ExchangeError, match="<script>"):
        record_put(actor="t", resource=marriage, person=alice, data={"<script>": "x"})


def test_each_person_sees_only_their_own_data_use(departments, alice, bob):
    household = DataResource.objects.get(code="household-register")
    lookup(household, departments["scjg"], alice)
    access_record(
        actor="officer",
        kind="case_file",
        purpose="办理办件",
        case_ref="1",
        person=bob,
        department=departments["ga"],
    )
    assert [a.subject_person for a in accesses_of(person=alice)] == [alice]
    assert [a.kind for a in accesses_of(person=bob)] == ["case_file"]
    assert access_record(actor="x", kind="case_file", purpose="x") is None  # nobody's data: nothing to log


def test_consent_is_given_once_per_case_and_can_be_withdrawn(departments, alice):
    household = DataResource.objects.get(code="household-register")
    first = consent_give(actor="t", resource=household, case_ref="C1", person=alice)
    assert consent_give(actor="t", resource=household, case_ref="C1", person=alice) == first
    assert consent_withdraw(actor="t", resource=household, case_ref="C1") == 1
    assert consent_give(actor="t", resource=household, case_ref="C1", person=alice) != first
