"""一件事 at the counter with 容缺: the clerk ticks what will follow later, the page shows each
service's commitment for the applicant to read and sign, and only then is the bundle filed and
accepted; the page that follows hands over each service's 容缺受理告知书."""

import html
import re
import uuid

import pytest

from onevisit.cases.models import BundleCase, Case, Commitment
from onevisit.cases.tests.test_bundles import ANSWERS, restaurant  # noqa: F401  (the fixture)
from onevisit.identity.credit import credit_record_add

from .counter_setup import ALICE_ID, login

pytestmark = pytest.mark.django_db
URL = "/workbench/counter/bundles/restaurant/"


@pytest.fixture
def clerk_with_alice(clerk_a, alice):
    client = login(clerk_a)
    assert client.post("/workbench/counter/", {"action": "find", "id_number": ALICE_ID}).status_code == 302
    return client


def _answers(page: str) -> dict[str, str]:
    later = re.search(r'name="(later_\d+)"', page).group(1)  # the lease, tolerable in every item
    return {f"f_{k}": str(v) for k, v in ANSWERS.items()} | {later: "1", "idempotency_key": str(uuid.uuid4())}


def test_the_clerk_files_a_bundle_with_a_gap_once_the_applicant_signed(
    restaurant,  # noqa: F811
    clerk_with_alice,
):
    client = clerk_with_alice
    page = client.get(URL).content.decode()
    assert "容缺后补" in page
    data = _answers(page)
    first = client.post(URL, data)
    body = first.content.decode()
    assert first.status_code == 400 and "容缺受理承诺书" in body and 'href="#commitment_read"' in body
    assert not BundleCase.objects.exists()
    texts = {k: html.unescape(v) for k, v in re.findall(r'name="(commitment-[^"]+)" value="([^"]*)"', body)}
    assert sorted(texts) == ["commitment-F-1", "commitment-L-1", "commitment-S-1"]
    changed = client.post(URL, data | texts | {"commitment-S-1": "别的内容", "commitment_read": "1"})
    assert changed.status_code == 400 and not BundleCase.objects.exists()
    response = client.post(URL, data | texts | {"commitment_read": "1"})
    assert response.status_code == 302
    bundle_case = BundleCase.objects.get()
    assert Commitment.objects.filter(case__bundle_case=bundle_case).count() == 3
    handed = client.get(response["Location"]).content.decode()
    accepted = Case.objects.filter(bundle_case=bundle_case, status="accepted")
    assert accepted.count() == 2 and handed.count("/gap-notice/") == 2
    notice = client.get(f"/workbench/counter/cases/{accepted.first().pk}/gap-notice/")
    assert notice.status_code == 200 and "住所使用证明" in notice.content.decode()


def test_a_bad_credit_record_offers_no_supply_later_at_the_counter(
    restaurant,  # noqa: F811
    clerk_with_alice,
    alice,
):
    credit_record_add(
        actor="steward", person=alice, kind="serious", reason="失信被执行人", legal_basis="演示"
    )
    page = clerk_with_alice.get(URL).content.decode()
    assert 'name="later_' not in page and 'id="gaps-barred"' in page
    data = {f"f_{k}": str(v) for k, v in ANSWERS.items()} | {
        "later_0": "1",
        "idempotency_key": str(uuid.uuid4()),
    }
    response = clerk_with_alice.post(URL, data)  # a forged tick changes nothing
    assert response.status_code == 400 and not BundleCase.objects.exists()
