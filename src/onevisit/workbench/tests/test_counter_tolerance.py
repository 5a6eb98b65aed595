"""容缺 at the counter: the clerk marks the tolerable material missing, the applicant reads and signs the
commitment in front of the clerk, the case is accepted with the gap and the clerk prints the notice.
Refused, with nothing filed, for bad credit, a main material missing, an item without 容缺, a
material that may not follow later, and a commitment text that is not the one shown."""

import pytest
from django.utils import translation

from onevisit.cases import tolerance
from onevisit.cases.models import Case, CaseGap, Commitment, SuppliedMaterial
from onevisit.catalog.models import ItemVersion, MaterialRequirement
from onevisit.core.models import AuditEvent
from onevisit.identity.credit import credit_record_add

from .counter_setup import intake, login, materials

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(at_counter):
    """The clerk's pages in English, so the commitment the test computes is the one shown."""
    at_counter.cookies["onevisit_language"] = "en"
    with translation.override("en"):
        yield


def _text(item, codes=("lease",)):
    version = item.current_version
    return tolerance.version_commitment_text(version, item.department, [materials(item)[c] for c in codes])


def _later(item, *codes):
    return {f"later_{materials(item)[c].pk}": "1" for c in codes}


def _nothing_filed():
    assert not Case.objects.exists() and not SuppliedMaterial.objects.exists()
    assert not CaseGap.objects.exists() and not Commitment.objects.exists()


def test_the_intake_page_offers_supply_later_only_for_tolerable_materials(at_counter, counter_item):
    page = at_counter.get(f"/workbench/counter/items/{counter_item.code}/").content.decode()
    m = materials(counter_item)
    assert f'name="later_{m["lease"].pk}"' in page
    assert f'name="later_{m["plan"].pk}"' not in page and f'name="later_{m["health"].pk}"' not in page
    assert 'id="gaps-barred"' not in page


def test_accepted_with_a_gap_after_the_applicant_signs_at_the_counter(
    at_counter, counter_item, alice, clerk_a
):
    first = intake(
        at_counter, counter_item, "accept", paper=["plan", "health"], **_later(counter_item, "lease")
    )
    assert first.status_code == 400
    page = first.content.decode()
    assert 'id="commitment-text"' in page and "住所使用证明" in page and 'name="commitment_read"' in page
    _nothing_filed()

    text = _text(counter_item)
    response = intake(
        at_counter, counter_item, "accept", paper=["plan", "health"], commitment=text, commitment_read="1",
        **_later(counter_item, "lease"),
    )  # fmt: skip
    case = Case.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/workbench/counter/cases/{case.pk}/gap-notice/"
    assert case.status == "accepted" and case.channel == "counter" and case.visits == 1
    gap = case.gaps.get()
    assert gap.requirement.code == "lease" and gap.deadline is not None and gap.supplied_at is None
    assert gap.deadline <= case.promised_due
    commitment = Commitment.objects.get(case=case)
    assert commitment.kind == "tolerance" and commitment.text == text and commitment.signed_by == alice
    assert commitment.sha256 == tolerance.text_hash(text) and commitment.ip == "127.0.0.1"
    signed = AuditEvent.objects.get(action="commitment_signed")
    assert signed.actor_label == "clerk_a" and signed.data["sha256"] == commitment.sha256
    assert case.events.filter(kind="commitment_witnessed", public=False).exists()
    assert case.events.filter(kind="accepted_with_gaps").exists()

    notice = at_counter.get(response["Location"])
    assert notice.status_code == 200
    body = notice.content.decode()
    assert "住所使用证明" in body and case.number in body and commitment.sha256 in body
    pdf = at_counter.get(f"/workbench/counter/cases/{case.pk}/gap-notice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf["X-Content-Type-Options"] == "nosniff"
    # The receipt of the same case still prints.
    assert at_counter.get(f"/workbench/counter/cases/{case.pk}/receipt/").status_code == 200


def test_a_commitment_not_ticked_as_read_files_nothing(at_counter, counter_item):
    response = intake(
        at_counter, counter_item, "accept", paper=["plan", "health"], commitment=_text(counter_item),
        **_later(counter_item, "lease"),
    )  # fmt: skip
    assert response.status_code == 400
    assert "Let the applicant read the commitment" in response.content.decode()
    _nothing_filed()


@pytest.mark.parametrize(
    "text",
    [
        "我承诺。",  # another text
        "<script>alert(1)</script>",
        "x" * 30000,  # oversized
        "",
    ],
)
def test_a_commitment_signed_on_a_changed_text_files_nothing(at_counter, counter_item, text):
    response = intake(
        at_counter, counter_item, "accept", paper=["plan", "health"], commitment=text, commitment_read="1",
        **_later(counter_item, "lease"),
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "The commitment has changed since you read it" in page and "<script>alert(1)" not in page
    _nothing_filed()


def test_a_bad_credit_record_bars_accepting_with_gaps(at_counter, counter_item, alice):
    credit_record_add(
        actor="t", person=alice, kind="other", reason="逾期未履行承诺", legal_basis="《条例》第十条"
    )
    page = at_counter.get(f"/workbench/counter/items/{counter_item.code}/").content.decode()
    assert 'id="gaps-barred"' in page and "later_" not in page
    response = intake(
        at_counter, counter_item, "accept", paper=["plan", "health"], commitment=_text(counter_item),
        commitment_read="1", **_later(counter_item, "lease"),
    )  # fmt: skip
    assert response.status_code == 400
    assert "bad-credit record in force" in response.content.decode()
    _nothing_filed()


def test_a_main_material_missing_is_refused(at_counter, counter_item):
    response = intake(
        at_counter, counter_item, "accept", paper=["plan"], commitment=_text(counter_item),
        commitment_read="1", **_later(counter_item, "lease"),
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot follow later" in page and "从业人员健康证明" in page
    _nothing_filed()


def test_a_material_that_may_not_follow_later_is_refused(at_counter, counter_item):
    """A hand-made request marks a main material "supply later"."""
    response = intake(
        at_counter, counter_item, "accept", paper=["lease", "plan"], commitment=_text(counter_item, ("health",)),
        commitment_read="1", **_later(counter_item, "health"),
    )  # fmt: skip
    assert response.status_code == 400
    assert "从业人员健康证明 cannot be supplied later" in response.content.decode()
    _nothing_filed()


def test_a_material_both_checked_and_marked_later_is_refused(at_counter, counter_item):
    response = intake(
        at_counter, counter_item, "accept", paper=["lease", "plan", "health"],
        commitment=_text(counter_item), commitment_read="1", **_later(counter_item, "lease"),
    )  # fmt: skip
    assert response.status_code == 400
    assert "not missing" in response.content.decode()
    _nothing_filed()


def test_an_item_without_gaps_refuses_them(at_counter, counter_item):
    MaterialRequirement.objects.filter(version__item=counter_item).update(tolerable=False)
    page = at_counter.get(f"/workbench/counter/items/{counter_item.code}/").content.decode()
    assert "later_" not in page
    response = intake(
        at_counter, counter_item, "accept", paper=["plan", "health"], commitment=_text(counter_item),
        commitment_read="1", **_later(counter_item, "lease"),
    )  # fmt: skip
    assert response.status_code == 400
    assert "does not accept applications with missing materials" in response.content.decode()
    _nothing_filed()


def test_an_immediate_item_refuses_gaps(at_counter, counter_item):
    ItemVersion.objects.filter(item=counter_item).update(promised_limit_days=0)
    response = intake(
        at_counter, counter_item, "accept", paper=["plan", "health"], commitment="x", commitment_read="1",
        **_later(counter_item, "lease"),
    )  # fmt: skip
    assert response.status_code == 400
    assert "does not accept applications with missing materials" in response.content.decode()
    _nothing_filed()


def test_the_gap_notice_is_only_for_the_clerks_of_the_centre(at_counter, counter_item, clerk_b, officer_scjg):
    intake(
        at_counter, counter_item, "accept", paper=["plan", "health"], commitment=_text(counter_item),
        commitment_read="1", **_later(counter_item, "lease"),
    )  # fmt: skip
    case = Case.objects.get()
    for user in (clerk_b, officer_scjg):
        client = login(user)
        assert client.get(f"/workbench/counter/cases/{case.pk}/gap-notice/").status_code in (403, 404)
        assert client.get(f"/workbench/counter/cases/{case.pk}/gap-notice.pdf").status_code in (403, 404)
    # A case without gaps has no such notice.
    Case.objects.filter(pk=case.pk).update(status="accepted")
    CaseGap.objects.all().delete()
    assert at_counter.get(f"/workbench/counter/cases/{case.pk}/gap-notice/").status_code == 404
