"""告知承诺制: a commitment replaces the proof; the exact text is signed at filing; high-risk items,
bad credit and changed texts are refused, with nothing changed."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from onevisit.cases import commitment as approval
from onevisit.cases import services, tolerance
from onevisit.cases.models import Case, Commitment, SuppliedMaterial
from onevisit.cases.tests.conftest import FORM
from onevisit.catalog.models import ItemVersion, MaterialRequirement
from onevisit.identity.credit import credit_record_add, credit_record_repair

pytestmark = pytest.mark.django_db

TEXT = "本人承诺：住所合法有效。\n如承诺不实：撤销许可，记入信用记录。"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def item(two_step_item):
    version = two_step_item.current_version
    ItemVersion.objects.filter(pk=version.pk).update(commitment_text=TEXT)
    MaterialRequirement.objects.filter(version=version, code="lease").update(commitment_replaceable=True)
    return two_step_item


def _lease(item):
    return item.current_version.materials.get(code="lease")


def _marked(item, person) -> Case:
    case = services.case_draft_save(
        actor="applicant", version=item.current_version, form_data=FORM, channel="online", person=person
    )
    approval.commitment_mark(actor="applicant", case=case, requirement=_lease(item), replace=True)
    return Case.objects.get(pk=case.pk)


def _submit(case, text):
    return services.case_submit(
        actor="applicant", case=case, idempotency_key=uuid.uuid4(), approval_commitment=text, ip="203.0.113.9"
    )


def test_eligible_is_filed_without_the_proof_and_the_text_is_kept(item, alice):
    case = _marked(item, alice)
    text = approval.commitment_text(case, [_lease(item)])
    assert _lease(item).name in text and TEXT.splitlines()[1] in text
    case = _submit(case, text)
    assert case.status == Case.Status.SUBMITTED
    signed = Commitment.objects.get(case=case)
    assert signed.kind == "commitment" and signed.text == text and signed.sha256 == tolerance.text_hash(text)
    assert signed.signed_by == alice and signed.ip == "203.0.113.9"
    assert case.materials.get(requirement=_lease(item)).source == SuppliedMaterial.Source.COMMITMENT
    assert services.missing_materials(case) == []


def test_an_approved_case_on_a_commitment_is_derived_from_its_rows(item, alice):
    case = _marked(item, alice)
    case = _submit(case, approval.commitment_text(case, [_lease(item)]))
    Case.objects.filter(pk=case.pk).update(status=Case.Status.APPROVED)
    assert list(approval.approved_on_commitment()) == [case]


def test_high_risk_is_not_offered_and_refused_at_submit(item, alice):
    case = _marked(item, alice)
    text = approval.commitment_text(case, [_lease(item)])
    ItemVersion.objects.filter(pk=case.item_version_id).update(commitment_high_risk=True)
    case.refresh_from_db()
    assert not approval.offered(case)
    with pytest.raises(ValidationError, match="high-risk"):
        _submit(case, text)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not Commitment.objects.exists()


def test_bad_credit_bars_it_until_repaired(item, alice):
    case = _marked(item, alice)
    text = approval.commitment_text(case, [_lease(item)])
    record = credit_record_add(
        actor="steward", person=alice, kind="false_commitment", reason="虚假承诺", legal_basis="演示"
    )
    assert not approval.offered(case)
    with pytest.raises(ValidationError, match="false commitment"):
        _submit(case, text)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT and not Commitment.objects.exists()
    credit_record_repair(actor="steward", record=record, reason="已整改")
    assert approval.offered(case)
    assert _submit(case, text).status == Case.Status.SUBMITTED


def test_other_bad_credit_does_not_bar_it(item, alice):
    credit_record_add(actor="steward", person=alice, kind="other", reason="一般失信", legal_basis="演示")
    case = _marked(item, alice)
    assert approval.offered(case)


@pytest.mark.parametrize("text", [None, "", "I promise.", "x" * 30000])
def test_a_missing_or_changed_text_is_refused(item, alice, text):
    case = _marked(item, alice)
    with pytest.raises(ValidationError, match="has changed"):
        _submit(case, text)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT and not Commitment.objects.exists()


def test_a_material_not_replaceable_cannot_be_marked(item, alice):
    case = services.case_draft_save(
        actor="applicant", version=item.current_version, form_data=FORM, channel="online", person=alice
    )
    other = item.current_version.materials.exclude(code="lease").first()
    with pytest.raises(ValidationError, match="cannot replace"):
        approval.commitment_mark(actor="applicant", case=case, requirement=other, replace=True)
    assert not case.materials.exists()
