"""法人 at the counter: the clerk finds the organisation by its unified social credit code (POST only)
or registers it with the person acting for it (经办人) and the letter of authorization, then takes in
a service for organisations exactly as for a person."""

import datetime as dt

import pytest
from django.utils import timezone

from onevisit.cases.models import Case
from onevisit.core.models import AuditEvent
from onevisit.identity.models import Authorization, Organization, Person
from onevisit.identity.services import authorization_grant, authorization_revoke, organization_register

from .counter_setup import ALICE_ID, WALK_IN_ID, login, materials

pytestmark = pytest.mark.django_db

USCC = "91330106MA2H7K3LXA"
OTHER_USCC = "91330110MA2J4P8Q15"
ORG_FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "申请表",
    "required": ["org_name"],
    "properties": {
        "org_name": {"type": "string", "title": "企业名称", "x-data-element": "org.name"},
        "org_uscc": {"type": "string", "title": "统一社会信用代码", "x-data-element": "org.uscc"},
        "agent_name": {"type": "string", "title": "经办人姓名", "x-data-element": "applicant.name"},
    },
}


@pytest.fixture
def org_item(make_item):
    """A service for organisations (法人办事) that the centre takes in."""
    return make_item(code="CT-ORG", name="食品经营许可（企业）", form=ORG_FORM)


@pytest.fixture
def company(db):
    return organization_register(
        actor="t", name="杭州西溪云栖科技有限公司", uscc_code=USCC, legal_representative="李娜"
    )


@pytest.fixture
def authorized(company, alice):
    return authorization_grant(
        actor="t", grantor=company, agent=alice, valid_from=timezone.localdate() - dt.timedelta(days=3)
    )


def _today():
    return timezone.localdate().isoformat()


def _register(client, **extra):
    data = {
        "action": "register_org", "name": "杭州良渚食味餐饮管理有限公司", "uscc": OTHER_USCC,
        "legal_representative": "陈静", "agent_name": "李四", "agent_id_number": WALK_IN_ID,
        "valid_from": _today(), "valid_until": "", "scope": "all", "item_codes": "", **extra,
    }  # fmt: skip
    return client.post("/workbench/counter/", data)


def test_the_page_offers_a_person_or_an_organisation_by_post(clerk_a):
    page = login(clerk_a).get("/workbench/counter/").content.decode()
    assert 'value="find_org"' in page and 'name="uscc"' in page and "统一社会信用代码" in page
    assert page.count('method="post"') >= 3  # sign out, person, organisation: never a GET with the code


def test_an_organisation_is_found_by_its_code_in_any_spelling(clerk_a, company):
    client = login(clerk_a)
    response = client.post("/workbench/counter/", {"action": "find_org", "uscc": f" {USCC.lower()} "})
    assert response.status_code == 302 and USCC not in response["Location"]
    assert client.session["counter_org"] == company.pk and "counter_person" not in client.session
    page = client.get("/workbench/counter/").content.decode()
    assert "杭州西溪云栖科技有限公司" in page and USCC not in page and "9133**********3LXA" in page
    assert 'value="find_agent"' in page and 'id="step-item"' not in page


def test_a_wrong_code_gets_a_clear_message_and_changes_nothing(clerk_a, company):
    client = login(clerk_a)
    response = client.post("/workbench/counter/", {"action": "find_org", "uscc": "91330106MA2H7K3LXB"})
    page = response.content.decode()
    assert "18位统一社会信用代码" in page and 'href="#id_uscc"' in page
    assert "counter_org" not in client.session and Organization.objects.count() == 1


def test_an_unknown_organisation_is_registered_with_its_agent_and_authorization(
    clerk_a, org_item, counter_item
):
    client = login(clerk_a)
    page = client.post("/workbench/counter/", {"action": "find_org", "uscc": OTHER_USCC}).content.decode()
    assert 'value="register_org"' in page and f'value="{OTHER_USCC}"' in page
    response = _register(
        client, valid_until="2099-12-31", scope="items", item_codes="CT-ORG， CT-1"
    )  # 、，spaces
    assert response.status_code == 302
    org = Organization.objects.get(name="杭州良渚食味餐饮管理有限公司")
    agent = Person.objects.get(name="李四")
    authorization = Authorization.objects.get(grantor=org, agent=agent)
    assert authorization.item_codes == ["CT-1", "CT-ORG"] and authorization.valid_until == dt.date(
        2099, 12, 31
    )
    assert authorization.granted_by == clerk_a
    assert client.session["counter_org"] == org.pk and client.session["counter_person"] == agent.pk
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"organization_registered", "person_registered", "authorization_granted"} <= actions
    page = client.get("/workbench/counter/").content.decode()
    assert "经办人" in page and "李四" in page and "食品经营许可（企业）" in page


def test_every_problem_of_the_registration_is_told_at_once_and_nothing_is_created(clerk_a):
    client = login(clerk_a)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = _register(
        client, name=" ", uscc="91330110MA2J4P8Q16", agent_name="", agent_id_number="110105194912310020",
        valid_until=yesterday, scope="items", item_codes="NO-SUCH-CODE",
    )  # fmt: skip
    page = response.content.decode()
    for field in ("id_name", "id_uscc", "id_agent_id_number", "id_valid_until", "id_item_codes"):
        assert f'href="#{field}"' in page, field
    assert "营业执照" in page and "18位" in page and "NO-SUCH-CODE" in page
    assert not Organization.objects.exists() and not Person.objects.exists()
    assert not Authorization.objects.exists() and "counter_org" not in client.session


@pytest.mark.parametrize(
    "extra",
    [
        {"name": "企" * 121},
        {"agent_name": "张" * 61},
        {"valid_from": "2026-02-30"},
        {"valid_from": "<script>alert(1)</script>"},
        {"valid_until": "not a date"},
        {"scope": "everything"},
        {"item_codes": "x" * 1001},
        {"uscc": "'; DROP TABLE identity_organization; --"},
        {"valid_from": ""},
    ],
)
def test_wrong_or_hostile_registration_values_change_nothing(clerk_a, extra):
    client = login(clerk_a)
    response = _register(client, **extra)
    page = response.content.decode()
    assert response.status_code == 200 and "error-summary" in page and "<script>alert(1)</script>" not in page
    assert not Organization.objects.exists() and not Authorization.objects.exists()


def test_markup_in_a_name_is_kept_as_text(clerk_a):
    client = login(clerk_a)
    _register(client, name="<b>杭州</b>有限公司")
    page = client.get("/workbench/counter/").content.decode()
    assert "&lt;b&gt;杭州&lt;/b&gt;有限公司" in page and "<b>杭州</b>" not in page


def test_an_agent_with_an_authorization_in_force_is_chosen_at_once(clerk_a, company, authorized, alice):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    response = client.post("/workbench/counter/", {"action": "find_agent", "agent_id_number": ALICE_ID})
    assert response.status_code == 302 and client.session["counter_person"] == alice.pk
    page = client.get("/workbench/counter/").content.decode()
    assert "张三" in page and "110105********002X" in page and ALICE_ID not in page


def test_an_agent_without_authorization_shows_the_letter_first(clerk_a, company, alice):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    page = client.post(
        "/workbench/counter/", {"action": "find_agent", "agent_id_number": ALICE_ID}
    ).content.decode()
    assert 'value="authorize"' in page and "授权委托书" in page and "counter_person" not in client.session
    wrong_name = client.post(
        "/workbench/counter/",
        {
            "action": "authorize",
            "agent_name": "王五",
            "agent_id_number": ALICE_ID,
            "valid_from": _today(),
            "scope": "all",
        },
    ).content.decode()
    assert "姓名与身份证号码不一致" in wrong_name and not Authorization.objects.exists()
    response = client.post(
        "/workbench/counter/",
        {
            "action": "authorize",
            "agent_name": "",
            "agent_id_number": ALICE_ID,
            "valid_from": _today(),
            "scope": "all",
        },
    )
    assert response.status_code == 302 and client.session["counter_person"] == alice.pk
    assert Authorization.objects.get().agent == alice


def test_an_agent_step_without_an_organisation_does_nothing(clerk_a, alice):
    client = login(clerk_a)
    response = client.post(
        "/workbench/counter/",
        {"action": "authorize", "agent_id_number": ALICE_ID, "valid_from": _today(), "scope": "all"},
    )
    assert response.status_code == 302 and not Authorization.objects.exists()


def test_an_organisation_sees_only_services_for_organisations(
    clerk_a, company, authorized, org_item, counter_item
):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    client.post("/workbench/counter/", {"action": "find_agent", "agent_id_number": ALICE_ID})
    page = client.get("/workbench/counter/").content.decode()
    assert "/counter/items/CT-ORG/" in page and "/counter/items/CT-1/" not in page
    response = client.get("/workbench/counter/items/CT-1/", follow=True)
    assert "个人办事" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/workbench/counter/"


def test_a_person_cannot_apply_for_a_service_for_organisations(at_counter, org_item, counter_item):
    page = at_counter.get("/workbench/counter/").content.decode()
    assert "/counter/items/CT-1/" in page and "/counter/items/CT-ORG/" not in page
    response = at_counter.get("/workbench/counter/items/CT-ORG/", follow=True)
    assert "法人办事" in response.content.decode() and response.redirect_chain[-1][0] == "/workbench/counter/"
    response = at_counter.post("/workbench/counter/items/CT-ORG/", {"outcome": "accept", "f_org_name": "x"})
    assert response.status_code == 302 and not Case.objects.exists()


def test_the_application_is_taken_in_for_the_organisation(clerk_a, company, authorized, alice, org_item):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    client.post("/workbench/counter/", {"action": "find_agent", "agent_id_number": ALICE_ID})
    form = client.get("/workbench/counter/items/CT-ORG/").content.decode()
    assert 'value="杭州西溪云栖科技有限公司"' in form and f'value="{USCC}"' in form and 'value="张三"' in form
    assert AuditEvent.objects.filter(action="organization_data_read").exists()
    data = {
        "outcome": "accept",
        "f_org_name": "杭州西溪云栖科技有限公司",
        "f_org_uscc": USCC,
        "f_agent_name": "张三",
    }
    for code in materials(org_item):
        data[f"paper_{materials(org_item)[code].pk}"] = "1"
    response = client.post("/workbench/counter/items/CT-ORG/", data)
    case = Case.objects.get()
    assert response["Location"].endswith(f"/counter/cases/{case.pk}/receipt/")
    assert case.applicant_org == company and case.agent == alice and case.applicant_person is None
    assert case.status == "accepted" and case.visits == 1
    receipt = client.get(response["Location"]).content.decode()
    assert "杭州西溪云栖科技有限公司" in receipt and "9133**********3LXA" in receipt and "张三" in receipt
    assert USCC not in receipt


def test_an_authorization_for_other_services_does_not_cover_this_one(clerk_a, company, alice, org_item):
    authorization_grant(
        actor="t", grantor=company, agent=alice, valid_from=timezone.localdate(), item_codes=["OTHER-1"]
    )
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    client.post("/workbench/counter/", {"action": "find_agent", "agent_id_number": ALICE_ID})
    assert client.session["counter_person"] == alice.pk
    assert "/counter/items/CT-ORG/" not in client.get("/workbench/counter/").content.decode()
    response = client.get("/workbench/counter/items/CT-ORG/", follow=True)
    assert "授权委托书" in response.content.decode() and "不包括" in response.content.decode()
    response = client.post("/workbench/counter/items/CT-ORG/", {"outcome": "accept"})
    assert response.status_code == 302 and not Case.objects.exists()


def test_a_revoked_authorization_drops_the_agent(clerk_a, company, authorized, alice):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    client.post("/workbench/counter/", {"action": "find_agent", "agent_id_number": ALICE_ID})
    authorization_revoke(actor="t", authorization=authorized, reason="离职")
    page = client.get("/workbench/counter/").content.decode()
    assert 'value="find_agent"' in page and "counter_person" not in client.session
    assert client.get("/workbench/counter/items/CT-ORG/").status_code == 302


def test_next_applicant_forgets_the_organisation(clerk_a, company, authorized):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    client.post("/workbench/counter/", {"action": "find_agent", "agent_id_number": ALICE_ID})
    client.post("/workbench/counter/", {"action": "clear"})
    assert "counter_org" not in client.session and "counter_person" not in client.session


def test_finding_a_person_leaves_the_organisation(clerk_a, company, alice):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    client.post("/workbench/counter/", {"action": "find", "id_number": ALICE_ID})
    assert "counter_org" not in client.session and client.session["counter_person"] == alice.pk


def test_an_officer_cannot_look_up_organisations(officer_ga, company):
    response = login(officer_ga).post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    assert response.status_code == 403


def test_the_organisation_case_is_hidden_from_another_centre(clerk_a, clerk_b, company, authorized, org_item):
    client = login(clerk_a)
    client.post("/workbench/counter/", {"action": "find_org", "uscc": USCC})
    client.post("/workbench/counter/", {"action": "find_agent", "agent_id_number": ALICE_ID})
    client.post(
        "/workbench/counter/items/CT-ORG/", {"outcome": "notice", "f_org_name": "杭州西溪云栖科技有限公司"}
    )
    case = Case.objects.get()
    other = login(clerk_b)
    for kind in ("notice", "receipt", "refusal"):
        assert other.get(f"/workbench/counter/cases/{case.pk}/{kind}/").status_code == 404
        assert other.get(f"/workbench/counter/cases/{case.pk}/{kind}/pdf/").status_code == 404
