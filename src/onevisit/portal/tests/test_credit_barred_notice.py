"""The materials page says why 告知承诺 or 容缺 is not offered when a credit record in force bars it,
and says nothing of the kind to an applicant with clean credit or for an item without either."""

import pytest

from onevisit.catalog.models import ItemVersion, MaterialRequirement
from onevisit.identity.credit import credit_record_add, credit_record_repair

from .applying import base, signed_in
from .test_commitment_pages import _to_materials

pytestmark = pytest.mark.django_db

TEXT = "本人承诺：住所合法有效。\n如承诺不实：撤销许可，记入信用记录。"


@pytest.fixture
def promise_item(item):
    ItemVersion.objects.filter(pk=item.current_version_id).update(commitment_text=TEXT)
    MaterialRequirement.objects.filter(version=item.current_version, code="lease").update(
        commitment_replaceable=True
    )
    return item


def _materials(client, case) -> str:
    return client.get(f"{base(case)}/materials/").content.decode()


def test_a_false_commitment_record_is_named_and_both_options_are_closed(promise_item, alice):
    client = signed_in(alice)
    case = _to_materials(client)
    page = _materials(client, case)
    assert 'id="credit-barred"' not in page and "承诺替代（告知承诺）" in page
    record = credit_record_add(
        actor="steward",
        person=alice.person,
        kind="false_commitment",
        reason="虚假承诺",
        legal_basis="国办发〔2020〕42号",
    )
    page = _materials(client, case)
    assert 'id="credit-barred"' in page and "虚假承诺" in page
    assert "告知承诺" in page.split('id="credit-barred"')[1].split("</div>")[0]
    assert "承诺替代（告知承诺）" not in page and "稍后补交（容缺）" not in page
    credit_record_repair(actor="steward", record=record, reason="已整改")
    page = _materials(client, case)
    assert 'id="credit-barred"' not in page and "承诺替代（告知承诺）" in page


def test_another_bad_credit_record_closes_only_supply_later(promise_item, alice):
    """一般失信 bars 容缺 but not 告知承诺: the notice names 容缺 only."""
    client = signed_in(alice)
    case = _to_materials(client)
    credit_record_add(actor="steward", person=alice.person, kind="other", reason="逾期", legal_basis="演示")
    page = _materials(client, case)
    notice = page.split('id="credit-barred"')[1].split("</div>")[0]
    assert "容缺" in notice and "告知承诺" not in notice
    assert "承诺替代（告知承诺）" in page


def test_no_notice_for_an_item_without_either(item, alice):
    MaterialRequirement.objects.filter(version=item.current_version).update(tolerable=False)
    client = signed_in(alice)
    case = _to_materials(client)
    credit_record_add(actor="steward", person=alice.person, kind="serious", reason="失信", legal_basis="演示")
    assert 'id="credit-barred"' not in _materials(client, case)
