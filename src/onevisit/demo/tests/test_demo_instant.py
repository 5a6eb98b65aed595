"""秒批 and 免证办 with the demo data: every item publishes against the data catalogue, and each 秒批 item
decides as documented in demo/data/instant_demo.yaml for the demo people listed there, with the
registries' data (not what was typed) and a complete certificate on approval."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from onevisit.cases import evidence, instant, services
from onevisit.cases.models import Case
from onevisit.catalog.models import MaterialRequirement, ServiceItem
from onevisit.catalog.services import version_problems
from onevisit.certificates.models import Certificate, CertificateType
from onevisit.core import crypto
from onevisit.demo import loader
from onevisit.exchange.models import DataAccess, DataRecord, DataResource, SharingClass
from onevisit.exchange.services import permission
from onevisit.identity.models import ApplicantAccount

SCENARIOS = loader._yaml("instant_demo.yaml")
CASES = [(s["item"], c) for s in SCENARIOS for c in s["cases"]]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo loaded once for the module (about 5 s); each test runs in a transaction rolled back
    after it, and the tables are flushed at the end, leaving an empty database for the rest."""
    with django_db_blocker.unblock():
        loader.load_demo(verbosity=0)
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def data(demo, db) -> None:
    return None


def account_of(phone: str) -> ApplicantAccount:
    return ApplicantAccount.objects.select_related("person", "user").get(phone_hash=crypto.lookup_hash(phone))


def file(item_code: str, account: ApplicantAccount, typed: dict[str, Any]) -> Case:
    """As the portal does: a draft prefilled from the profile and the registries, the applicant's own
    choices, then filing."""
    version = ServiceItem.objects.get(code=item_code).current_version
    profile = {
        "applicant.name": account.person.name,
        "applicant.id_number": crypto.decrypt(account.person.id_number_encrypted),
        "applicant.phone": crypto.decrypt(account.phone_encrypted),
    }
    properties = version.form.schema["properties"]
    prefill = {
        name: profile[p["x-data-element"]] for name, p in properties.items() if p["x-data-element"] in profile
    }
    case = services.case_draft_save(
        actor=account.user, version=version, form_data=prefill, channel="online", person=account.person
    )
    known = {name: t.value for name, t in evidence.trusted_values(case).items()}
    case = services.case_draft_save(
        actor=account.user, version=version, form_data=known | typed, channel="online", case=case
    )
    return services.case_submit(actor=account.user, case=case, idempotency_key=uuid.uuid4())


def test_every_item_publishes_against_the_data_and_certificate_catalogues(data):
    items = ServiceItem.objects.exclude(current_version=None).select_related("current_version")
    assert items.count() == len(list((loader.DATA / "items").glob("*.yaml")))
    for item in items:
        assert item.current_version.state == "published", item.code
        assert version_problems(item.current_version) == [], item.code
    resources = set(DataResource.objects.values_list("code", flat=True))
    types = set(CertificateType.objects.values_list("code", flat=True))
    for material in MaterialRequirement.objects.exclude(shared_data=""):
        assert material.shared_data in resources, material
    for material in MaterialRequirement.objects.exclude(certificate_type=""):
        assert material.certificate_type in types, material
    issuing = {
        i.code: i.current_version.certificate_type for i in items if i.current_version.certificate_type
    }
    assert {s["item"] for s in SCENARIOS} <= set(issuing)
    assert issuing["330100-SCJG-001"] == "business_licence"
    assert issuing["330100-SCJG-002"] == "food_business_licence"


def test_the_data_catalogue_has_every_sharing_class_and_agreements_where_needed(data):
    classes = set(DataResource.objects.values_list("sharing_class", flat=True))
    assert classes == {SharingClass.UNCONDITIONAL, SharingClass.CONDITIONAL, SharingClass.NONE}
    assert DataResource.objects.filter(sharing_class=SharingClass.CONDITIONAL).count() >= 2
    for material in MaterialRequirement.objects.exclude(shared_data="").select_related(
        "version__item__department"
    ):
        resource = DataResource.objects.get(code=material.shared_data)
        department = material.version.item.department
        if resource.sharing_class == SharingClass.CONDITIONAL and resource.provider != department:
            assert permission(resource, department) == (True, resource.agreements.get(consumer=department)), (
                material.version.item.code,
                resource.code,
            )
    # 不予共享: only the provider itself uses it; another department must ask for the paper.
    check = DataResource.objects.get(sharing_class=SharingClass.NONE)
    assert permission(check, check.provider)[0]
    district = ServiceItem.objects.get(code="330106-MZ-003").department
    assert permission(check, district) == (False, None)


def test_registry_records_cover_the_demo_people_and_organizations(data):
    people = loader._yaml("people.yaml")
    household = DataResource.objects.get(code="household-register")
    hashes = set(DataRecord.objects.filter(resource=household).values_list("subject_hash", flat=True))
    assert all(crypto.lookup_hash(p["id_number"]) in hashes for p in people)
    locals_ = [r.data["local_hukou"] for r in DataRecord.objects.filter(resource=household)]
    assert True in locals_ and False in locals_
    market = DataResource.objects.get(code="market-entity-register")
    assert DataRecord.objects.filter(resource=market).count() == len(loader._yaml("organizations.yaml"))
    chen = DataRecord.objects.get(
        resource__code="education-degree", subject_hash=crypto.lookup_hash("330110200305032849")
    )
    assert chen.data["education"] == "本科" and 1 <= chen.data["years_since_graduation"] <= 5


@pytest.mark.parametrize(
    ("item_code", "scenario"), CASES, ids=[f"{i}-{c['outcome']}-{c['name']}" for i, c in CASES]
)
def test_the_rules_decide_as_the_demo_page_says(data, item_code, scenario):
    account = account_of(scenario["phone"])
    assert account.person.name == scenario["name"]
    # What the applicant might type for what the registries know does not count (秒填).
    case = file(item_code, account, scenario["typed"])
    trusted = evidence.trusted_values(case)
    assert trusted, "the registries fill some of the form"
    assert all(case.form_data[name] == t.value for name, t in trusted.items())

    result = instant.case_instant_decide(actor=account.user, case=case)
    case.refresh_from_db()
    assert result is not None
    assert result.outcome == scenario["outcome"], (result.reason, result.problem, result.inputs)
    assert result.problem == "", result.problem  # a rule of the table decided, not a missing input
    if scenario["outcome"] == "approve":
        assert case.status == Case.Status.APPROVED and case.decision.automatic
        certificate = Certificate.objects.get(number=case.certificate_number)
        assert certificate.type.code == case.item_version.certificate_type
        assert certificate.holder_person == account.person and certificate.status == "valid"
        required = [f["key"] for f in certificate.type.fields if f.get("required", True)]
        assert all(str(certificate.data.get(key) or "").strip() for key in required), certificate.data
    elif scenario["outcome"] == "reject":
        assert case.status == Case.Status.REJECTED and not case.certificate_number
        assert case.decision.reasons == result.reason
    else:
        assert case.status == Case.Status.SUBMITTED and not case.certificate_number
        assert case.events.filter(kind="instant_manual").exists()
    # The department's use of the applicant's data for this case is in their data-use log.
    used = DataAccess.objects.filter(subject_person=account.person, case_ref=case.number)
    assert used.exists() and set(used.values_list("department", flat=True)) == {case.department_id}


def test_typed_answers_do_not_beat_the_registry(data):
    """赵敏 types that she is 65 and has Hangzhou hukou: the rules still see her ID number and the registry."""
    zhao = account_of("13800000007")
    case = file("330100-MZ-001", zhao, {"seniors_card_type": "首次申领", "applicant_age": 65})
    assert case.form_data["applicant_age"] < 60 and case.form_data["applicant_local_hukou"] is False
    result = instant.case_instant_decide(actor=zhao.user, case=case)
    assert result is not None and result.outcome == "reject"


def test_the_certificate_carries_the_registry_data(data):
    li = account_of("13800000003")
    case = file("330100-RS-008", li, {"certificate_reissue_reason": "遗失"})
    instant.case_instant_decide(actor=li.user, case=case)
    case.refresh_from_db()
    certificate = Certificate.objects.get(number=case.certificate_number)
    assert certificate.data["occupation"] == "企业人力资源管理师"
    assert certificate.data["assessment_body"].startswith("杭州市职业技能鉴定指导中心")
    # The reissued certificate supersedes the one in her wallet.
    assert (
        Certificate.objects.filter(holder_person=li.person, type__code="vocational_qualification").count()
        == 2
    )
    assert certificate.supersedes is not None and certificate.supersedes.number != certificate.number


@override_settings(ONEVISIT_DEMO=True)
def test_the_demo_page_says_whom_to_log_in_as_for_each_instant_item(data):
    page = Client().get("/demo/").content.decode()
    for item_code, scenario in CASES:
        assert f"/items/{item_code}/" in page and scenario["phone"] in page and scenario["why"] in page
    assert (
        "秒批通过，即时领证" in page
        and "转人工办理" in page
        and "落户类别：高校毕业生落户（人才集体户）" in page
    )
