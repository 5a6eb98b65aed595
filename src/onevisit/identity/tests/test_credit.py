"""Credit records (信用记录): add with a legal basis, repair with a reason, history kept, and the check
that bars 容缺 and 告知承诺 while a record is in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from onevisit.core.models import AuditEvent
from onevisit.identity.credit import (
    LEGAL_BASIS_MAX,
    REASON_MAX,
    CreditRecordStateError,
    credit_record_add,
    credit_record_repair,
)
from onevisit.identity.models import CreditRecord
from onevisit.identity.selectors import credit_bars, credit_clean, credit_history, credit_record_events
from onevisit.org.models import Role
from onevisit.org.services import staff_role_grant

from .conftest import ACME_USCC, ALICE

pytestmark = pytest.mark.django_db

BASIS = "《浙江省公共信用信息管理条例》第二十条"
HOSTILE = '<script>alert("x")</script> & <b>粗体</b>'


def add(actor="steward", **kwargs):
    values = {"kind": "serious", "reason": "拒不履行生效判决", "legal_basis": BASIS, **kwargs}
    return credit_record_add(actor=actor, **values)


# --- services and selectors ------------------------------------------------------------------------


def test_a_record_bars_until_it_is_repaired_and_the_history_stays(alice, departments):
    person = alice.person
    assert credit_clean(person=person)
    record = add(person=person, department=departments["scjg"])
    assert credit_bars(person=person) == [record]
    assert not credit_clean(person=person)
    assert not credit_clean(person=person, for_commitment=True)

    credit_record_repair(actor="steward", record=record, reason="已履行判决义务，法院出具证明")
    assert credit_clean(person=person) and credit_bars(person=person) == []
    record.refresh_from_db()
    assert record.repaired_at is not None and record.repair_reason.startswith("已履行")
    assert list(credit_history(person=person)) == [record]  # kept, never deleted
    actions = [e.action for e in credit_record_events([record])[record.pk]]
    assert actions == ["credit_record_added", "credit_record_repaired"]


def test_an_organization_can_carry_a_record(acme):
    record = add(org=acme, kind="other")
    assert credit_bars(org=acme) == [record]
    assert record.subject_masked == acme.uscc_masked and ACME_USCC not in record.subject_masked


def test_a_record_lapses_after_its_last_day(alice):
    today = timezone.localdate()
    record = add(person=alice.person, valid_until=today + dt.timedelta(days=10))
    assert credit_bars(person=alice.person) == [record]
    assert credit_bars(person=alice.person, on=today + dt.timedelta(days=10)) == [record]  # last day counts
    assert credit_clean(person=alice.person, on=today + dt.timedelta(days=11))


def test_the_check_on_a_past_day_ignores_later_records_and_counts_later_repairs(alice):
    record = add(person=alice.person)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert credit_clean(person=alice.person, on=yesterday)  # not recorded yet
    credit_record_repair(actor="steward", record=record, reason="修复")
    assert credit_clean(person=alice.person)


def test_other_bad_credit_bars_tolerance_but_not_commitment(alice):
    add(person=alice.person, kind="other")
    assert not credit_clean(person=alice.person)
    assert credit_clean(person=alice.person, for_commitment=True)
    add(person=alice.person, kind="false_commitment")
    assert not credit_clean(person=alice.person, for_commitment=True)


def test_records_of_one_subject_do_not_bar_another(alice, bob, acme):
    add(person=alice.person)
    assert credit_clean(person=bob.person) and credit_clean(org=acme)


def test_exactly_one_subject(alice, acme):
    with pytest.raises(ValidationError) as err:
        add(person=alice.person, org=acme)
    assert "subject" in err.value.message_dict
    with pytest.raises(ValidationError):
        add()
    with pytest.raises(ValueError):
        credit_bars()
    assert not CreditRecord.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"reason": "  "}, "reason", "原因"),
        ({"legal_basis": ""}, "legal_basis", "法律依据"),
        ({"reason": "长" * (REASON_MAX + 1)}, "reason", str(REASON_MAX)),
        ({"legal_basis": "长" * (LEGAL_BASIS_MAX + 1)}, "legal_basis", str(LEGAL_BASIS_MAX)),
        ({"reason": "拒不履行\x00判决"}, "reason", "控制字符"),
        ({"kind": "bogus"}, "kind", "类型"),
        ({"valid_until": dt.date(2000, 1, 1)}, "valid_until", "过去"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_changes_nothing(alice, values, field, message):
    with pytest.raises(ValidationError) as err:
        add(person=alice.person, **values)
    assert message in " ".join(err.value.message_dict[field])
    assert not CreditRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="credit_record_added").exists()


def test_every_problem_is_reported_at_once(alice):
    with pytest.raises(ValidationError) as err:
        add(person=alice.person, kind="bogus", reason="", legal_basis="")
    assert set(err.value.message_dict) == {"kind", "reason", "legal_basis"}


def test_hostile_text_is_kept_as_text(alice):
    record = add(person=alice.person, reason=HOSTILE)
    assert CreditRecord.objects.get(pk=record.pk).reason == HOSTILE


def test_a_repair_needs_a_reason_and_happens_once(alice):
    record = add(person=alice.person)
    with pytest.raises(ValidationError) as err:
        credit_record_repair(actor="steward", record=record, reason=" ")
    assert "原因" in " ".join(err.value.message_dict["reason"])
    record.refresh_from_db()
    assert record.repaired_at is None
    credit_record_repair(actor="steward", record=record, reason="已履行")
    first = record.repaired_at
    with pytest.raises(CreditRecordStateError) as again:
        credit_record_repair(actor="other", record=record, reason="再次修复")
    assert "已修复" in " ".join(again.value.messages)
    record.refresh_from_db()
    assert record.repaired_at == first and record.repair_reason == "已履行"
    assert AuditEvent.objects.filter(action="credit_record_repaired").count() == 1


# --- the admin: the data steward keeps the records; a clerk cannot -------------------------------------


@pytest.fixture
def steward(departments):
    user = get_user_model().objects.create_user("steward", password="pw-123456!")
    staff_role_grant(actor="t", user=user, department=departments["scjg"], role=Role.DATA_STEWARD)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(departments):
    user = get_user_model().objects.create_user("clerk", password="pw-123456!")
    staff_role_grant(actor="t", user=user, department=departments["scjg"], role=Role.CLERK)
    client = Client()
    client.force_login(user)
    return client


ADD_URL = "/admin/identity/creditrecord/add/"
LIST_URL = "/admin/identity/creditrecord/"


def form(**values):
    return {"id_number": "", "uscc": "", "kind": "serious", "reason": "拒不履行", "legal_basis": BASIS,
            "department": "", "valid_until": "", **values}  # fmt: skip


def test_the_steward_adds_a_record_by_id_number(steward, alice):
    response = steward.post(ADD_URL, form(id_number=ALICE["id_number"], reason=HOSTILE))
    assert response.status_code == 302, response.content.decode()
    record = CreditRecord.objects.get()
    assert record.person == alice.person and record.recorded_by_label == "steward"
    assert AuditEvent.objects.filter(action="credit_record_added", object_id=str(record.pk)).exists()
    page = steward.get(f"{LIST_URL}{record.pk}/change/").content.decode()
    assert ALICE["id_number"] not in page and alice.person.id_number_masked in page
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert 'name="_save"' not in page  # read-only: only the repair action changes it


def test_the_steward_adds_a_record_for_an_organization(steward, acme):
    assert steward.post(ADD_URL, form(uscc=ACME_USCC)).status_code == 302
    assert CreditRecord.objects.get().org == acme


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "身份证号"),  # neither identifier
        ({"id_number": ALICE["id_number"], "uscc": ACME_USCC}, "身份证号"),  # both
        ({"id_number": "330106199002153610"}, "18位"),  # wrong check digit
        ({"id_number": "11010519491231002X"}, "没有登记"),  # valid but unknown
        ({"id_number": ALICE["id_number"], "reason": ""}, "必填"),
        ({"id_number": ALICE["id_number"], "reason": "长" * (REASON_MAX + 1)}, str(REASON_MAX)),
        ({"id_number": ALICE["id_number"], "reason": "a\x07b"}, "控制字符"),
        ({"id_number": ALICE["id_number"], "valid_until": "2000-01-01"}, "过去"),
    ],
)
def test_the_add_form_explains_bad_input_and_changes_nothing(steward, alice, acme, values, message):
    response = steward.post(ADD_URL, form(**values))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_the_steward_repairs_with_a_reason(steward, alice):
    record = add(person=alice.person)
    action = {"action": "repair", "_selected_action": [record.pk]}
    page = steward.post(LIST_URL, action)
    assert page.status_code == 200 and "修复" in page.content.decode()
    missing = steward.post(LIST_URL, {**action, "apply": "1", "reason": ""})
    assert "请说明修复的原因" in missing.content.decode()
    record.refresh_from_db()
    assert record.repaired_at is None
    done = steward.post(LIST_URL, {**action, "apply": "1", "reason": "已履行义务"})
    assert done.status_code == 302
    record.refresh_from_db()
    assert record.repair_reason == "已履行义务" and record.repaired_by_label == "steward"
    assert steward.get(f"{LIST_URL}?status=repaired").content.decode().count(alice.person.name) >= 1


def test_records_cannot_be_edited_or_deleted_in_the_admin(steward, alice):
    record = add(person=alice.person)
    steward.post(f"{LIST_URL}{record.pk}/change/", form(reason="改过的原因", kind="other"))
    record.refresh_from_db()
    assert record.reason == "拒不履行生效判决" and record.kind == "serious"
    assert steward.get(f"{LIST_URL}{record.pk}/delete/").status_code == 403


def test_the_list_filters_and_searches(steward, alice, bob):
    add(person=alice.person)
    lapsed = add(person=bob.person, kind="other", valid_until=timezone.localdate())
    CreditRecord.objects.filter(pk=lapsed.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    in_force = steward.get(f"{LIST_URL}?status=in_force").content.decode()
    assert alice.person.name in in_force and bob.person.name not in in_force
    assert bob.person.name in steward.get(f"{LIST_URL}?status=lapsed").content.decode()
    found = steward.get(f"{LIST_URL}?q={bob.person.name}").content.decode()
    assert bob.person.name in found and alice.person.name not in found
    assert bob.person.name in steward.get(f"{LIST_URL}?kind=other").content.decode()


def test_a_clerk_cannot_see_add_or_repair(clerk, alice):
    record = add(person=alice.person)
    assert clerk.get(LIST_URL).status_code == 403
    assert clerk.post(ADD_URL, form(id_number=ALICE["id_number"])).status_code == 403
    clerk.post(LIST_URL, {"action": "repair", "_selected_action": [record.pk], "apply": "1", "reason": "x"})
    record.refresh_from_db()
    assert record.repaired_at is None and CreditRecord.objects.count() == 1
