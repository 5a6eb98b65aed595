"""The credit-record API: look up a subject's history, add a record, repair the department's own; scoped
tokens, masked identifiers and the one error shape."""

from __future__ import annotations

import datetime as dt

import pytest

from onevisit.core.models import AuditEvent
from onevisit.identity.credit import REASON_MAX, credit_record_add
from onevisit.identity.models import CreditRecord
from onevisit.identity.tests.conftest import ACME_USCC, acme  # noqa: F401 - shared fixture

from .conftest import client_for

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/credit-records/search/"
ADD = "/api/v1/credit-records/"
BASIS = "《浙江省公共信用信息管理条例》第二十条"
ID = "11010519491231002X"  # alice of the API tests (张三)
UNKNOWN_ID = "330106199002153619"  # valid, not registered here
HOSTILE = '<script>alert("x")</script>\'; DROP TABLE identity_creditrecord;--'


def repair_url(pk):
    return f"/api/v1/credit-records/{pk}/repair/"


def body(**values):
    return {"id_number": ID, "kind": "serious", "reason": "拒不履行判决", "legal_basis": BASIS,
            **values}  # fmt: skip


@pytest.fixture
def writer(make_token):
    return client_for(make_token(scopes=["credit:read", "credit:write"])[1])


def test_add_then_look_up_then_repair(writer, alice, departments):
    added = writer.post(ADD, body(), format="json")
    assert added.status_code == 201, added.json()
    record = added.json()
    assert record["subject_name"] == alice.name
    assert record["subject_id_masked"] == alice.id_number_masked
    assert record["department"] == departments["scjg"].code and record["in_force"] is True
    assert [e["action"] for e in record["history"]] == ["credit_record_added"]

    found = writer.post(SEARCH, {"id_number": ID}, format="json").json()
    assert found["clean"] is False and found["commitment_clean"] is False
    assert [r["id"] for r in found["records"]] == [record["id"]]
    assert AuditEvent.objects.filter(action="credit_records_read", object_id=str(alice.pk)).exists()

    repaired = writer.post(repair_url(record["id"]), {"reason": "已履行义务"}, format="json")
    assert repaired.status_code == 200
    assert repaired.json()["in_force"] is False and repaired.json()["repair_reason"] == "已履行义务"
    history = writer.post(SEARCH, {"id_number": ID}, format="json").json()
    assert history["clean"] is True
    assert [e["action"] for e in history["records"][0]["history"]] == [
        "credit_record_added",
        "credit_record_repaired",
    ]


def test_identifiers_never_come_back_in_clear(writer, alice, acme):  # noqa: F811
    for payload, ident in ((body(), ID), (body(id_number="", uscc=ACME_USCC), ACME_USCC)):
        assert ident not in writer.post(ADD, payload, format="json").content.decode()
    found = writer.post(SEARCH, {"uscc": ACME_USCC}, format="json")
    assert found.status_code == 200 and ACME_USCC not in found.content.decode()
    assert found.json()["records"][0]["subject_kind"] == "organization"


def test_other_bad_credit_still_allows_commitment(writer, alice):
    writer.post(ADD, body(kind="other"), format="json")
    found = writer.post(SEARCH, {"id_number": ID}, format="json").json()
    assert found["clean"] is False and found["commitment_clean"] is True


def test_a_clean_subject_has_no_records(writer, alice):
    found = writer.post(SEARCH, {"id_number": ID}, format="json").json()
    assert found == {"clean": True, "commitment_clean": True, "records": []}


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (body(id_number=""), "id_number", "身份证号"),
        (body(uscc=ACME_USCC), "id_number", "二者提供其一"),
        (body(id_number="110105194912310020"), "id_number", "18位"),
        (body(id_number=UNKNOWN_ID), "id_number", "没有登记"),
        (body(reason=""), "reason", "原因"),
        (body(reason="长" * (REASON_MAX + 1)), "reason", str(REASON_MAX)),
        (body(reason="a\x00b"), "reason", ""),
        (body(legal_basis="   "), "legal_basis", "法律依据"),
        (body(kind="bogus"), "kind", ""),
        (body(valid_until="2000-01-01"), "valid_until", "过去"),
        (body(valid_until="not a date"), "valid_until", ""),
        (body(id_number="9" * 500), "id_number", ""),
    ],
)
def test_bad_input_gets_the_one_error_shape_and_changes_nothing(writer, alice, payload, field, message):
    response = writer.post(ADD, payload, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "invalid" and field in error["errors"] and error["message"]
    assert message in " ".join(error["errors"][field])
    assert not CreditRecord.objects.exists()


def test_hostile_text_is_stored_as_given(writer, alice):
    response = writer.post(ADD, body(reason=HOSTILE), format="json")
    assert response.status_code == 201
    assert CreditRecord.objects.get().reason == HOSTILE.strip()


def test_looking_up_an_unknown_or_malformed_subject(writer, alice):
    unknown = writer.post(SEARCH, {"id_number": UNKNOWN_ID}, format="json")
    assert unknown.status_code == 404 and "没有登记" in unknown.json()["message"]
    wrong = writer.post(SEARCH, {"id_number": "12345"}, format="json")
    assert wrong.status_code == 400 and "id_number" in wrong.json()["errors"]
    neither = writer.post(SEARCH, {}, format="json")
    assert neither.status_code == 400
    assert not AuditEvent.objects.filter(action="credit_records_read").exists()


def test_a_repair_needs_a_reason_and_happens_once(writer, alice):
    pk = writer.post(ADD, body(), format="json").json()["id"]
    missing = writer.post(repair_url(pk), {"reason": " "}, format="json")
    assert missing.status_code == 400 and "原因" in missing.json()["errors"]["reason"][0]
    assert writer.post(repair_url(pk), {"reason": "已履行"}, format="json").status_code == 200
    again = writer.post(repair_url(pk), {"reason": "再次"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert CreditRecord.objects.get().repair_reason == "已履行"


@pytest.mark.parametrize("pk", ["abc", "0", "99999999999999999999", "1.5"])
def test_repair_of_no_such_record_is_404(writer, alice, pk):
    response = writer.post(repair_url(pk), {"reason": "x"}, format="json")
    assert response.status_code == 404


def test_a_department_repairs_only_its_own_records(make_token, alice, departments):
    record = credit_record_add(
        actor="t", person=alice, kind="serious", reason="x", legal_basis=BASIS, department=departments["ga"]
    )
    scjg = client_for(make_token("scjg", scopes=["credit:write"])[1])
    response = scjg.post(repair_url(record.pk), {"reason": "修复"}, format="json")
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.repaired_at is None
    ga = client_for(make_token("ga", scopes=["credit:write"])[1])
    assert ga.post(repair_url(record.pk), {"reason": "修复"}, format="json").status_code == 200


def test_tokens_without_the_scope_are_refused(make_token, alice):
    reader = client_for(make_token(scopes=["credit:read"])[1])
    refused = reader.post(ADD, body(), format="json")
    assert refused.status_code == 403 and "credit:write" in refused.json()["message"]
    assert not CreditRecord.objects.exists()
    other = client_for(make_token(scopes=["cases:read", "work_items:read"])[1])
    assert other.post(SEARCH, {"id_number": ID}, format="json").status_code == 403
    assert other.post(repair_url(1), {"reason": "x"}, format="json").status_code == 403
    assert client_for(None).post(SEARCH, {"id_number": ID}, format="json").status_code in (401, 403)
    assert client_for("ovt_forged").post(SEARCH, {}, format="json").status_code == 401


def test_identifiers_are_not_taken_from_the_query_string(writer, alice):
    assert writer.get(f"{ADD}?id_number={ID}").status_code == 405


def test_valid_until_in_the_future_is_kept(writer, alice):
    day = dt.date.today() + dt.timedelta(days=30)
    response = writer.post(ADD, body(valid_until=day.isoformat()), format="json")
    assert response.status_code == 201 and response.json()["valid_until"] == day.isoformat()
