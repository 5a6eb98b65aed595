"""事后核查 (双随机): a reproducible draw of approvals on commitment and two inspectors each; a false
commitment revokes the decision and certificate and writes a credit record; only inspectors record."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from onevisit.cases.models import Case
from onevisit.cases.tests.conftest import PDF
from onevisit.certificates.models import Certificate
from onevisit.core.audit import AuditEvent
from onevisit.identity.credit import credit_clean
from onevisit.identity.models import CreditRecord
from onevisit.supervision import services
from onevisit.supervision.models import PostCheck

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _draw(supervisor, item, **kw):
    today = timezone.localdate()
    return services.post_check_draw(actor=supervisor, item=item, since=today, until=today, **kw)


def test_the_same_seed_and_population_give_the_same_cases_and_inspectors(
    item, approved, alice, officers, supervisor
):
    cases = [approved(alice) for _ in range(12)]
    draw = _draw(supervisor, item, seed="fixed-seed", ratio=25)
    assert draw.population == sorted(c.pk for c in cases) and draw.seed == "fixed-seed" and draw.ratio == 25
    assert len(draw.sampled) == 3  # 25 % of 12
    assert draw.officers == sorted(o.pk for o in officers)
    again = services.draw_sample(draw.population, draw.officers, draw.ratio, draw.seed)
    checks = {c.case_id: sorted(c.inspectors.values_list("pk", flat=True)) for c in draw.checks.all()}
    assert [case_id for case_id, _ in again] == draw.sampled
    assert {case_id: inspectors for case_id, inspectors in again} == checks
    assert all(len(i) == 2 and set(i) <= set(draw.officers) for i in checks.values())
    assert AuditEvent.objects.filter(action="post_check_drawn").exists()
    # A stored draw's cases are not drawn again.
    assert _draw(supervisor, item).population == sorted(set(draw.population) - set(draw.sampled))


def test_a_random_seed_is_recorded_and_at_least_one_case_is_drawn(
    item, approved, alice, officers, supervisor
):
    approved(alice)
    draw = _draw(supervisor, item)
    assert len(draw.seed) == 16 and draw.ratio == 10 and len(draw.sampled) == 1


def test_an_empty_population_draws_nothing(item, officers, supervisor):
    draw = _draw(supervisor, item)
    assert draw.population == [] and draw.sampled == [] and not draw.checks.exists()


def test_the_sample_size(item):
    assert [services.sample_size(n, 10) for n in (0, 1, 9, 10, 11, 100)] == [0, 1, 1, 1, 2, 10]
    assert services.sample_size(5, 100) == 5


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"ratio": 0}, "ratio"),
        ({"ratio": 101}, "ratio"),
        ({"seed": "x" * 65}, "seed"),
        ({"seed": "a\x00b"}, "seed"),
        ({"since": None}, "since"),
        ({"until": timezone.localdate() + timezone.timedelta(days=1)}, "until"),
    ],
)
def test_bad_draw_input_is_refused(item, approved, alice, officers, supervisor, kw, field):
    approved(alice)
    today = timezone.localdate()
    args = {"since": today, "until": today} | kw
    with pytest.raises(ValidationError) as error:
        services.post_check_draw(actor=supervisor, item=item, **args)
    assert field in error.value.message_dict
    assert not PostCheck.objects.exists()


def test_only_a_supervisor_of_the_region_draws(item, approved, alice, officers):
    approved(alice)
    with pytest.raises(PermissionDenied):
        _draw(officers[0], item)


def test_too_few_officers_is_refused(item, approved, alice, supervisor):
    approved(alice)
    with pytest.raises(ValidationError, match="at least 2 officers"):
        _draw(supervisor, item)


def _check(supervisor, item, approved, alice):
    approved(alice)
    return _draw(supervisor, item).checks.get()


def _evidence(content=PDF):
    return io.BytesIO(content)


def test_only_an_assigned_inspector_records(item, approved, alice, officers, officer_ga, supervisor):
    check = _check(supervisor, item, approved, alice)
    others = [o for o in officers if not check.inspectors.filter(pk=o.pk).exists()]
    for user in [others[0], officer_ga, supervisor]:
        with pytest.raises(PermissionDenied):
            services.post_check_record(
                actor=user,
                check=check,
                outcome="passed",
                note="ok",
                evidence=_evidence(),
                evidence_name="a.pdf",
            )
    inspector = check.inspectors.first()
    check = services.post_check_record(
        actor=inspector, check=check, outcome="passed", note="现场核查属实", evidence=_evidence(),
        evidence_name="核查记录.pdf",
    )  # fmt: skip
    assert (
        check.status == "passed"
        and check.recorded_by == inspector
        and check.evidence_type == "application/pdf"
    )
    assert check.evidence.read() == PDF
    assert Case.objects.get(pk=check.case_id).status == Case.Status.APPROVED
    with pytest.raises(ValidationError, match="already recorded"):
        services.post_check_record(
            actor=inspector, check=check, outcome="false_commitment", note="x", evidence=_evidence()
        )


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"note": "  "}, "note"),
        ({"note": "x" * 2001}, "note"),
        ({"evidence": None}, "evidence"),
        ({"evidence": io.BytesIO(b"<script>alert(1)</script>"), "evidence_name": "x.pdf"}, "evidence"),
        ({"evidence": io.BytesIO(b"MZ\x90\x00" * 10), "evidence_name": "evil.exe"}, "evidence"),
        ({"evidence": io.BytesIO(b"")}, "evidence"),
    ],
)
def test_bad_result_input_is_refused_and_nothing_changes(
    item, approved, alice, officers, supervisor, kw, field
):
    check = _check(supervisor, item, approved, alice)
    args = {
        "outcome": "false_commitment",
        "note": "承诺不实",
        "evidence": _evidence(),
        "evidence_name": "a.pdf",
    }
    with pytest.raises(ValidationError) as error:
        services.post_check_record(actor=check.inspectors.first(), check=check, **(args | kw))
    assert field in error.value.message_dict
    check.refresh_from_db()
    assert check.status == "pending" and not check.evidence
    assert Case.objects.get(pk=check.case_id).status == Case.Status.APPROVED
    assert not CreditRecord.objects.exists()


def test_a_false_commitment_revokes_decision_and_certificate_and_writes_credit(
    item, approved, alice, officers, supervisor, client
):
    check = _check(supervisor, item, approved, alice)
    number = Case.objects.get(pk=check.case_id).certificate_number
    assert credit_clean(person=alice, for_commitment=True)
    services.post_check_record(
        actor=check.inspectors.first(), check=check, outcome="false_commitment",
        note="经现场核查，承诺的住所不存在", evidence=_evidence(), evidence_name="现场照片.pdf",
    )  # fmt: skip
    case = Case.objects.get(pk=check.case_id)
    decision = case.decision
    assert case.status == Case.Status.REJECTED and case.certificate_number == ""
    assert decision.outcome == "reject" and "国办发〔2020〕42号" in decision.legal_basis
    assert decision.history[0]["outcome"] == "approve" and decision.history[0]["reasons"] == "符合条件"
    assert Certificate.objects.get(number=number).status == "revoked"
    assert case.events.filter(kind="certificate_revoked", public=True).exists()
    assert case.events.filter(kind="decision_revoked", public=True).exists()
    record = CreditRecord.objects.get(person=alice)
    assert record.kind == "false_commitment" and "住所不存在" in record.reason
    assert not credit_clean(person=alice, for_commitment=True)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"post_check_recorded", "case_decision_revoked", "credit_record_added"} <= actions
    assert client.get(f"/api/v1/certificates/{number}/").json()["status"] == "revoked"
    page = client.get(f"/verify/{number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "revoked" in page.content.decode().lower()
